$(eval $(call bh_prog,qrexec-client,qrexec/client/qrexec-client.c,qrexecrt qrexecproto bulkhead))
INSTALL_BIN += $(BUILD)/bin/qrexec-client
