# qrexec's runtime shared by the daemons and tools: the data-phase pump,
# dom0 requests to a qube's daemon, qrexec-client-vm's request format.
$(eval $(call bh_lib,qrexecrt,qrexec/lib/pump.c qrexec/lib/dom0req.c))
