/* Registry-process side of the VMM monitor channel (core/vmm_proto.h). */
#ifndef BH_VMM_CLIENT_H
#define BH_VMM_CLIENT_H

#include "core/vmm.h"
#include "core/vmm_proto.h"

void vmm_client_init(int fd);

/* Sends one request and waits for its reply.  q1 and q2 may be NULL.
 * Returns the backend's result (0 or -errno); a broken channel is fatal
 * (the monitor is gone, nothing can be started or stopped any more). */
int vmm_call(enum vmm_op op, const struct vmm_qube *q0, const struct vmm_qube *q1,
	     const struct vmm_qube *q2, struct vmm_wire_reply *reply)
	__attribute__((warn_unused_result));

/* A name-only operation (pause, unpause, shutdown, kill, status). */
int vmm_call_name(enum vmm_op op, const char *name, struct vmm_wire_reply *reply)
	__attribute__((warn_unused_result));

#endif
