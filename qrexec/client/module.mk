$(eval $(call bh_prog,qrexec-client,qrexec/client/qrexec-client.c,qrexecrt qpolicy capdclient capdproto qrexecproto bulkhead,-lsodium))
INSTALL_BIN += $(BUILD)/bin/qrexec-client
