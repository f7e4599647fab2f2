# With the Xen vchan transport, like the agent (it serves the call's data channel).
$(eval $(call bh_qube_prog,qrexec-client-vm,qrexec/client-vm/qrexec-client-vm.c,qrexecrt qrexecproto vchanxen bulkhead,\
	$$(VCHANXEN_LDLIBS)))
