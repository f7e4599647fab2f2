/* qrexec-agent's event loop, one round at a time: dom0's control channel,
 * the handlers' exits (a signalfd for SIGCHLD), qrexec-client-vm's
 * connections.  Split from agent.c's main so that
 * tests/unit/test_vchan_xen.c runs it over a model of libxenvchan. */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/vchan.h"
#include "qrexec/agent/agent.h"

enum agent_round agent_round(struct agent *a, int sfd, int lfd)
{
	struct pollfd p[3 + AGENT_MAX_PENDING];
	int np = 0, n;
	/* dom0's messages already in the ring raise no event of their own:
	 * on Xen the one that announced them may be the one a wait consumed
	 * (the HELLO's, or a message's own read).  They are handled without
	 * a sleep. */
	bool queued = vchan_data_ready(a->ctrl) > 0;
	enum agent_round r;

	p[np++] = (struct pollfd){ .fd = vchan_fd(a->ctrl), .events = POLLIN };
	p[np++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	p[np++] = (struct pollfd){ .fd = lfd, .events = POLLIN };
	for (size_t i = 0; i < AGENT_MAX_PENDING; i++)
		p[np++] = (struct pollfd){ .fd = a->pending[i].fd, .events = POLLIN };
	/* The next spare is forked once nothing has happened for
	 * SPARE_IDLE_MS: never in the middle of a burst of calls, whose CPU
	 * it would take (lib/spare.h). */
	n = poll(p, (nfds_t)np, queued ? 0 : a->spare.pid == 0 ? SPARE_IDLE_MS : -1);
	if (n < 0) {
		if (errno == EINTR)
			return AGENT_GO_ON;
		fatal("poll");
	}
	if (n == 0 && !queued) {
		agent_refill_spare(a);
		return AGENT_GO_ON;
	}
	if ((queued || (p[0].revents & (POLLIN | POLLHUP | POLLERR))) &&
	    (r = agent_control_round(a)) != AGENT_GO_ON)
		return r;
	if (p[1].revents & POLLIN) {
		struct signalfd_siginfo si;
		while (read(sfd, &si, sizeof(si)) == sizeof(si))
			;
		agent_reap(a);
	}
	if (p[2].revents & POLLIN)
		agent_vm_accept(a, lfd);
	for (size_t i = 0; i < AGENT_MAX_PENDING; i++)
		if (a->pending[i].fd >= 0 && (p[3 + i].revents & (POLLIN | POLLHUP | POLLERR)))
			agent_vm_readable(a, &a->pending[i]);
	return AGENT_GO_ON;
}
