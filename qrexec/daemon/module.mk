# With the Xen vchan transport (its qube's control and data channels on Xen;
# VCHAN_BACKEND from bulkheadd picks it, SPEC/xen.md "Channels").
$(eval $(call bh_prog,qrexec-daemon,qrexec/daemon/qrexec-daemon.c qrexec/daemon/serve.c \
	qrexec/daemon/ports.c qrexec/daemon/daemon_seccomp.c,qrexecrt capdclient capdproto qrexecproto vchanxen bulkhead,\
	-lseccomp -lsodium $$(VCHANXEN_LDLIBS)))
INSTALL_BIN += $(BUILD)/bin/qrexec-daemon
