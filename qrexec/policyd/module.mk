# With the Xen vchan transport: its runner serves calls into dom0 over vchans.
$(eval $(call bh_prog,qrexec-policyd,qrexec/policyd/qrexec-policyd.c qrexec/policyd/admission.c qrexec/policyd/handle.c qrexec/policyd/request.c \
	qrexec/policyd/ask.c qrexec/policyd/cap.c qrexec/policyd/dispvm.c qrexec/policyd/runner.c qrexec/policyd/policyd_seccomp.c,\
	qpolicy askcore qrexecrt capdclient capdproto qrexecproto vchanxen bulkhead,-lseccomp -lsodium $$(VCHANXEN_LDLIBS)))
INSTALL_BIN += $(BUILD)/bin/qrexec-policyd
