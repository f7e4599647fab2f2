$(eval $(call bh_qube_prog,qrexec-agent,qrexec/agent/agent.c qrexec/agent/control.c qrexec/agent/exec.c qrexec/agent/vm.c,\
	qrexecrt qrexecproto bulkhead))
