# With the Xen vchan transport: qvm-run's data channel to a Xen qube is a vchan.
$(eval $(call bh_prog,qrexec-client,qrexec/client/qrexec-client.c,qrexecrt qpolicy capdclient capdproto qrexecproto vchanxen bulkhead,-lsodium $$(VCHANXEN_LDLIBS)))
INSTALL_BIN += $(BUILD)/bin/qrexec-client
