$(eval $(call bh_prog,qrexec-policyd,qrexec/policyd/qrexec-policyd.c qrexec/policyd/handle.c qrexec/policyd/request.c \
	qrexec/policyd/ask.c qrexec/policyd/cap.c qrexec/policyd/dispvm.c qrexec/policyd/runner.c qrexec/policyd/policyd_seccomp.c,\
	qpolicy askcore qrexecrt capdclient capdproto qrexecproto bulkhead,-lseccomp -lsodium))
INSTALL_BIN += $(BUILD)/bin/qrexec-policyd
