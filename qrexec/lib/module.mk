# qrexec's runtime shared by the daemons and tools: the data-phase pump,
# running a call's service side, dom0 requests to a qube's daemon, and
# qrexec-client-vm's request format.
$(eval $(call bh_lib,qrexecrt,qrexec/lib/pump.c qrexec/lib/dom0req.c qrexec/lib/service.c \
	qrexec/lib/run_call.c qrexec/lib/call_client.c qrexec/lib/vm_request.c qrexec/lib/capcall.c \
	qrexec/lib/dom0exec.c))
