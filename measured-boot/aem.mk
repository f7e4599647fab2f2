# bulkhead-aem: anti-evil-maid on TPM 2.0 (SPEC/measured-boot.md
# "Anti-evil-maid"); included by measured-boot/module.mk after libmbtpm.
# The blob parser and codec are their own library so the unit test and
# the fuzzer link them without the TPM.
AEM_BLOB_SRCS := measured-boot/aem_blob_parse.c measured-boot/aem_blob.c
$(eval $(call bh_lib,aemblob,$(AEM_BLOB_SRCS)))
AEM_SRCS := measured-boot/aem.c measured-boot/aem_seal.c measured-boot/aem_unseal.c \
	measured-boot/aem_authorize.c measured-boot/aem_authority.c measured-boot/aem_policy.c \
	measured-boot/aem_counter.c measured-boot/aem_session.c measured-boot/aem_input.c \
	measured-boot/aem_diag.c measured-boot/subcmd.c
$(eval $(call bh_prog,bulkhead-aem,$(AEM_SRCS),aemblob mbevlog mbtpm bulkhead,$(TSS2_LDLIBS) -lcrypto -lsodium))
INSTALL_BIN += $(BUILD)/bin/bulkhead-aem

# tests/unit/test_aem_*.c are built by tests/module.mk with the common
# libraries; they need the blob codec or the input readers too, and the
# hostile-file reader both use (measured-boot/mbfile.c, in libmbevlog).
$(BUILD)/tests/test_aem_blob: $(call OBJ,$(AEM_BLOB_SRCS) measured-boot/mbfile.c)
$(BUILD)/tests/test_aem_blob: LDFLAGS += $(call OBJ,$(AEM_BLOB_SRCS) measured-boot/mbfile.c)
$(BUILD)/tests/test_aem_input: $(call OBJ,measured-boot/aem_input.c measured-boot/mbfile.c)
$(BUILD)/tests/test_aem_input: LDFLAGS += $(call OBJ,measured-boot/aem_input.c measured-boot/mbfile.c)
