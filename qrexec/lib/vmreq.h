/* The request qrexec-client-vm makes to its qube's agent over
 * /run/bulkhead/qrexec-agent.sock, and the answer.  Qube-internal: both
 * ends run in the same qube, but the agent checks every field as dom0
 * will (the calling user is not the agent's root). */
#ifndef BH_QREXEC_VMREQ_H
#define BH_QREXEC_VMREQ_H

#include <stdint.h>

#include "qrexec/protocol.h"

#define AGENT_SOCKET_NAME "qrexec-agent.sock"   /* in /run/bulkhead */

struct vmreq {
	char target[TARGET_DOMAIN_SIZE_V3];  /* NUL-padded */
	uint32_t service_len;                /* bytes that follow: "svc+arg\0" */
};
_Static_assert(sizeof(struct vmreq) == 68, "vmreq layout");

enum vmrep_status { VMREP_CONNECT = 0, VMREP_REFUSED = 1, VMREP_FAILED = 2 };

struct vmrep {
	uint32_t status;     /* enum vmrep_status */
	uint32_t domain;     /* CONNECT: the target's domain: we are the channel's server */
	uint32_t port;
	uint32_t self;       /* this qube's domain id (callers may lack VCHAN_DOMAIN) */
};
_Static_assert(sizeof(struct vmrep) == 16, "vmrep layout");

#define QUBE_VCHAN_DIR "/run/bulkhead/vchan"   /* where a qube sees its channels */

#endif
