# Measured boot, anti-evil-maid and attestation (issue #7; SPEC/measured-boot.md).
#
# libmbtpm: the TPM connection every tool here shares (tpm.c).  Programs
# that use it list mbtpm before bulkhead in LIBS and add $(TSS2_LDLIBS).
# Other parts of this directory bring their own fragment
# (measured-boot/aem*.mk or measured-boot/*/module.mk), included at the end
# so that they can use what is defined here.
TSS2_LDLIBS := -ltss2-esys -ltss2-tctildr -ltss2-mu -ltss2-rc
$(eval $(call bh_lib,mbtpm,measured-boot/tpm.c))

# The tests' TPM helper (tests/lib/swtpm.sh): startup after a simulated
# reboot, the no-transient-handles check, extends behind the log's back.
$(eval $(call bh_test,tpm-helper,tests/lib/tpm_helper.c,mbtpm bulkhead,$(TSS2_LDLIBS) -lsodium))

include $(sort $(wildcard measured-boot/aem*.mk measured-boot/*/module.mk))
