/* Data-port allocation of one qrexec-daemon: ports 513 .. 513 +
 * PORTS_MAX - 1, taken for a call, freed when the agent reports the
 * channel closed (MSG_CONNECTION_TERMINATED). */
#ifndef BH_QREXEC_PORTS_H
#define BH_QREXEC_PORTS_H

#include <stdbool.h>
#include <stdint.h>

#define PORTS_MAX 1024u

struct ports {
	uint32_t next;                  /* where the search starts (spreads reuse) */
	uint8_t used[PORTS_MAX];
	uint32_t peer[PORTS_MAX];       /* the channel's other domain */
};

/* 0 and *port, or -EAGAIN when every port is taken. */
int ports_alloc(struct ports *p, uint32_t peer_domain, uint32_t *port) __attribute__((warn_unused_result));
/* True when (peer_domain, port) is allocated. */
bool ports_in_use(const struct ports *p, uint32_t peer_domain, uint32_t port);
/* True when (peer_domain, port) was allocated, and it is now free. */
bool ports_free(struct ports *p, uint32_t peer_domain, uint32_t port);

#endif
