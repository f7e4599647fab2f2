#include "qrexec/daemon/ports.h"

#include <errno.h>

#include "qrexec/protocol.h"

int ports_alloc(struct ports *p, uint32_t peer_domain, uint32_t *port)
{
	for (uint32_t k = 0; k < PORTS_MAX; k++) {
		uint32_t i = (p->next + k) % PORTS_MAX;
		if (p->used[i])
			continue;
		p->used[i] = 1;
		p->peer[i] = peer_domain;
		p->next = (i + 1) % PORTS_MAX;
		*port = VCHAN_BASE_PORT + 1 + i;
		return 0;
	}
	return -EAGAIN;
}

bool ports_in_use(const struct ports *p, uint32_t peer_domain, uint32_t port)
{
	uint32_t i;

	if (port <= VCHAN_BASE_PORT || port > VCHAN_BASE_PORT + PORTS_MAX)
		return false;
	i = port - VCHAN_BASE_PORT - 1;
	return p->used[i] && p->peer[i] == peer_domain;
}

bool ports_free(struct ports *p, uint32_t peer_domain, uint32_t port)
{
	uint32_t i;

	if (port <= VCHAN_BASE_PORT || port > VCHAN_BASE_PORT + PORTS_MAX)
		return false;
	i = port - VCHAN_BASE_PORT - 1;
	/* Only the agent's own channels: a stray report frees nothing else. */
	if (!p->used[i] || p->peer[i] != peer_domain)
		return false;
	p->used[i] = 0;
	return true;
}
