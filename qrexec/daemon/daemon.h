/* State and event loop of qrexec-daemon (one qube). */
#ifndef BH_QREXEC_DAEMON_H
#define BH_QREXEC_DAEMON_H

#include <stddef.h>
#include <stdint.h>

#include "lib/names_parse.h"
#include "lib/ratelimit.h"
#include "lib/sandbox.h"
#include "lib/vchan.h"
#include "qrexec/daemon/ports.h"
#include "qrexec/protocol.h"

#define POLICY_PENDING_MAX 128u  /* requests of this qube awaiting policyd */
#define LOG_REFUSALS_PER_S 20u    /* refusal lines a second, then a summary */
#define LOG_REFUSALS_BURST 100u

struct policy_pending {
	int fd;                     /* connection to policyd; -1: free */
	char request_id[REQUEST_ID_SIZE];
	uint64_t deadline;          /* for the decision, prompt included */
};

struct daemon {
	uint32_t domid;
	char name[QUBE_NAME_MAX + 1];
	uint32_t version;           /* negotiated with the agent */
	struct vchan *ctrl;         /* control channel, port 512 */
	int listen_fd;              /* dom0 clients */
	struct ports ports;
	struct policy_pending pending[POLICY_PENDING_MAX];
	struct ratelimit log_rl;    /* lines this qube's requests cause */
};

/* Serves the agent and dom0 clients until the agent goes away (returns)
 * or breaks the protocol (exits 1). */
void daemon_serve(struct daemon *d);

extern const struct sandbox_rule daemon_seccomp[];
extern const size_t daemon_seccomp_len;

#endif
