#include "core/vmm_monitor.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "core/vmm_proto.h"
#include "core/vmm_proto_parse.h"
#include "lib/io.h"
#include "lib/log.h"

#define MONITOR_REQ_TIMEOUT_MS 5000u

static const struct vmm_backend *backend;

static _Noreturn void monitor_exit(int status)
{
	backend->kill_all();
	exit(status);
}

static int serve(const struct vmm_request *r, struct vmm_wire_reply *rep)
{
	struct vmm_status st = { 0 };
	struct vmm_start s;
	const char *name = r->q[0].name;

	switch (r->op) {
	case VMM_OP_VOLUME_CREATE:
		return backend->volume_create(&r->q[0]);
	case VMM_OP_VOLUME_CLONE:
		return backend->volume_clone(&r->q[0], &r->q[1]);
	case VMM_OP_VOLUME_REMOVE:
		return backend->volume_remove(&r->q[0]);
	case VMM_OP_START:
		s.qube = &r->q[0];
		s.root_template = (r->present & 2u) ? &r->q[1] : NULL;
		s.private_source = (r->present & 4u) ? &r->q[2] : NULL;
		return backend->start(&s, &rep->domid);
	case VMM_OP_PAUSE:
		return backend->pause(name);
	case VMM_OP_UNPAUSE:
		return backend->unpause(name);
	case VMM_OP_SHUTDOWN:
		return backend->shutdown(name);
	case VMM_OP_KILL:
		return backend->kill(name);
	case VMM_OP_STATUS: {
		int rc = backend->status(name, &st);
		rep->state = (uint32_t)st.state;
		rep->domid = st.domid;
		rep->init_pid = st.init_pid;
		return rc;
	}
	}
	return -EINVAL;
}

static void handle_request(int fd)
{
	uint8_t untrusted_buf[sizeof(struct vmm_wire_req)];
	struct vmm_wire_reply rep = { 0 };
	struct vmm_request req;
	ssize_t n;
	int rc;

	/* SOCK_SEQPACKET: one request is one message of exactly this size. */
	n = recv(fd, untrusted_buf, sizeof(untrusted_buf), MSG_TRUNC);
	if (n == 0)
		monitor_exit(0);        /* registry process gone: stop every qube */
	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return;
		log_warn("monitor: recv");
		monitor_exit(1);
	}
	if (vmm_request_decode(untrusted_buf, (size_t)n, &req) < 0) {
		log_warnx("monitor: malformed request (%zd bytes), stopping", n);
		monitor_exit(1);
	}
	rc = serve(&req, &rep);
	rep.rc = rc;
	rc = write_all_deadline(fd, &rep, sizeof(rep), now_ms() + MONITOR_REQ_TIMEOUT_MS);
	if (rc < 0) {
		log_warnx("monitor: cannot reply: %s", strerror(-rc));
		monitor_exit(1);
	}
}

void vmm_monitor_run(int fd, const struct vmm_backend *be, const char *root)
{
	sigset_t mask;
	int sfd, rc;

	backend = be;
	log_init("bulkheadd-monitor");
	prctl(PR_SET_NAME, "bh-monitor", 0, 0, 0);
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		fatal("monitor: signalfd");
	rc = be->init(root);
	if (rc < 0)
		fatalx("monitor: %s backend: %s", be->name, strerror(-rc));
	for (;;) {
		struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
		int next = -1;

		be->tick(&next);
		if (poll(p, 2, next) < 0 && errno != EINTR)
			fatal("monitor: poll");
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == sizeof(si))
				if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
					monitor_exit(0);
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR))
			handle_request(fd);
	}
}
