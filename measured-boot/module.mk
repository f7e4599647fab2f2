# Measured boot, anti-evil-maid and attestation (issue #7; SPEC/measured-boot.md).
#
# libmbtpm: the TPM connection every tool here shares (tpm.c).  Programs
# that use it list mbtpm before bulkhead in LIBS and add $(TSS2_LDLIBS).
# Other parts of this directory bring their own fragment
# (measured-boot/aem*.mk or measured-boot/*/module.mk), included at the end
# so that they can use what is defined here.
TSS2_LDLIBS := -ltss2-esys -ltss2-tctildr -ltss2-mu -ltss2-rc
$(eval $(call bh_lib,mbtpm,measured-boot/tpm.c))

# measured-boot/subcmd.c: the tools' command dispatch (subcmd.h), in
# each tool's own sources.

# libmbevlog: the event log (proved parser, files, replay) and the
# component digests; no TPM.
MBEVLOG_SRCS := measured-boot/eventlog_parse.c measured-boot/eventlog.c measured-boot/measure_hash.c \
	measured-boot/mbfile.c
$(eval $(call bh_lib,mbevlog,$(MBEVLOG_SRCS)))

$(eval $(call bh_prog,bulkhead-measure,measured-boot/measure.c measured-boot/subcmd.c,mbevlog mbtpm bulkhead,$(TSS2_LDLIBS) -lsodium))
INSTALL_BIN += $(BUILD)/bin/bulkhead-measure

# bulkhead-attest: quotes with the TPM, verification without one
# (OpenSSL's libcrypto checks the ECDSA signature).
ATTEST_SRCS := measured-boot/attest.c measured-boot/attest_ak.c measured-boot/attest_verify.c measured-boot/subcmd.c
$(eval $(call bh_prog,bulkhead-attest,$(ATTEST_SRCS),mbevlog mbtpm bulkhead,$(TSS2_LDLIBS) -lcrypto -lsodium))
INSTALL_BIN += $(BUILD)/bin/bulkhead-attest

# tests/unit/test_eventlog*.c link every library of tests/module.mk; the
# event log's objects are added here (objects, so that their place on the
# command line does not matter).
MB_UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_eventlog*.c))
$(MB_UNIT_TESTS): $(call OBJ,$(MBEVLOG_SRCS))
$(MB_UNIT_TESTS): LDFLAGS += $(call OBJ,$(MBEVLOG_SRCS))

# The tests' TPM helper (tests/lib/swtpm.sh): startup after a simulated
# reboot, the no-transient-handles check, extends behind the log's back.
$(eval $(call bh_test,tpm-helper,tests/lib/tpm_helper.c,mbtpm bulkhead,$(TSS2_LDLIBS) -lsodium))

include $(sort $(wildcard measured-boot/aem*.mk measured-boot/*/module.mk))
