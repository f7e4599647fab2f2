$(eval $(call bh_qube_prog,qrexec-client-vm,qrexec/client-vm/qrexec-client-vm.c,qrexecrt qrexecproto bulkhead))
