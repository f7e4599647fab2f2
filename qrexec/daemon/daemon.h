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
#define PORT_WAITERS_MAX  16u     /* dom0 clients waiting for a channel's end */
#define LOG_REFUSALS_PER_S 20u    /* refusal lines a second, then a summary */
#define LOG_REFUSALS_BURST 100u

struct policy_pending {
	int fd;                     /* connection to policyd; -1: free */
	char request_id[REQUEST_ID_SIZE];
	uint64_t deadline;          /* for the decision, prompt included */
};

/* A dom0 client (policyd, for a disposable qube) waiting for the end of
 * the channel (domain, port); answered when the agent reports it. */
struct port_waiter {
	int fd;                     /* -1: free */
	uint32_t domain, port;
};

struct daemon {
	uint32_t domid;
	uint32_t qid;               /* 0: started without --qid (tests) */
	char name[QUBE_NAME_MAX + 1];
	uint32_t version;           /* negotiated with the agent */
	struct vchan *ctrl;         /* control channel, port 512 */
	int listen_fd;              /* dom0 clients */
	struct ports ports;
	struct policy_pending pending[POLICY_PENDING_MAX];
	struct ratelimit log_rl;    /* lines this qube's requests cause */
	struct port_waiter waiters[PORT_WAITERS_MAX];
};

/* Serves the agent and dom0 clients until the agent goes away (exits 0)
 * or breaks the protocol (closes the channel, exits 1). */
_Noreturn void daemon_serve(struct daemon *d);

/* daemon_serve in parts, for tests/fuzz/fuzz_qrexec_daemon.c, which drives
 * them over the in-memory vchan: the state's initial values, then one
 * round of the event loop (a poll, then whatever is ready: policyd's
 * answers, every complete message of the agent, dom0 clients).  A round
 * ends the loop when the agent closed the channel between messages
 * (DAEMON_AGENT_LEFT) or broke the protocol (DAEMON_VIOLATION: the
 * caller ends the connection and reads nothing more from it). */
enum daemon_round { DAEMON_GO_ON, DAEMON_AGENT_LEFT, DAEMON_VIOLATION };
void daemon_serve_init(struct daemon *d);
enum daemon_round daemon_round(struct daemon *d) __attribute__((warn_unused_result));

extern const struct sandbox_rule daemon_seccomp[];
extern const size_t daemon_seccomp_len;

#endif
