$(eval $(call bh_prog,qrexec-daemon,qrexec/daemon/qrexec-daemon.c qrexec/daemon/serve.c \
	qrexec/daemon/ports.c qrexec/daemon/daemon_seccomp.c,qrexecrt capdclient capdproto qrexecproto bulkhead,\
	-lseccomp -lsodium))
INSTALL_BIN += $(BUILD)/bin/qrexec-daemon
