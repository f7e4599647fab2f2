# qube-init runs inside qubes (PID 1), from the read-only /usr/lib/bulkhead.
$(eval $(call bh_qube_prog,qube-init,core/qube-init/qube-init.c))
