# Linked with the Xen vchan transport: in a Xen qube the agent's channels
# are libxenvchan's (lib/vchan.c picks it when /dev/xen/gntdev exists).
$(eval $(call bh_qube_prog,qrexec-agent,qrexec/agent/agent.c qrexec/agent/control.c qrexec/agent/exec.c qrexec/agent/loop.c qrexec/agent/vm.c,\
	qrexecrt qrexecproto vchanxen bulkhead,$$(VCHANXEN_LDLIBS)))
