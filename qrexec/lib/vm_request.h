/* A qube's side of asking for a service: the request qrexec-client-vm
 * (and anything else in a qube that calls services) sends to the qube's
 * agent, which forwards it to dom0 (vmreq.h for the format). */
#ifndef BH_QREXEC_VM_REQUEST_H
#define BH_QREXEC_VM_REQUEST_H

#include <stdint.h>

#include "qrexec/lib/vmreq.h"

#define VM_DECISION_TIMEOUT_MS 300000u   /* the user may be answering a prompt */

/* Asks the agent (at $QREXEC_AGENT_DIR or /run/bulkhead) for target's
 * service ("svc[+arg]"), waiting for dom0's decision until deadline.
 * Sizes are checked here, the names by the agent and dom0.  Returns 0
 * with *rep (rep->status says what dom0 decided), or -errno. */
int vm_request(const char *target, const char *service, struct vmrep *rep, uint64_t deadline_ms)
	__attribute__((warn_unused_result));

/* After VMREP_CONNECT: points the channel layer at this qube's domain and
 * channel directory (any process may call, whatever its environment).
 * Returns 0, or -EPROTO when the agent did not say which domain this is. */
int vm_request_use_channel(const struct vmrep *rep) __attribute__((warn_unused_result));

#endif
