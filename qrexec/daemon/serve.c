/* qrexec-daemon's event loop: the agent's control messages and dom0
 * clients' requests.  One thing at a time; every read has a deadline. */
#include <errno.h>
#include <stdbool.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "capd/capd_client.h"
#include "lib/dom0_uids.h"
#include "lib/io.h"
#include "lib/log.h"
#include "lib/paths.h"
#include "lib/unixsock.h"
#include "qrexec/daemon/daemon.h"
#include "qrexec/lib/dom0req.h"
#include "qrexec/lib/capcall.h"
#include "qrexec/lib/policyreq.h"
#include "qrexec/msg_parse.h"

#define MSG_TIMEOUT_MS 5000u
#define POLICY_DECISION_TIMEOUT_MS 310000u   /* a prompt may take five minutes */

/* The caller ends the connection (daemon_serve: the process, which ends
 * qrexec for this qube only; bulkheadd and other qubes go on). */
static enum daemon_round violation(const struct daemon *d, const char *what, int code)
{
	log_warnx("%s: protocol violation by the agent: %s (%d); closing", d->name, what, code);
	return DAEMON_VIOLATION;
}

static int send_ctrl(struct daemon *d, const uint8_t *msg, size_t len)
{
	int rc = vchan_send(d->ctrl, msg, len, now_ms() + MSG_TIMEOUT_MS);

	if (rc < 0)
		log_warnx("%s: cannot send to the agent: %s", d->name, strerror(-rc));
	return rc;
}

static int refuse(struct daemon *d, const char *request_id)
{
	uint8_t msg[8 + REQUEST_ID_SIZE];
	size_t n;

	if (qrexec_service_refused_encode(request_id, msg, sizeof(msg), &n) != QREXEC_OK)
		return -EINVAL;
	return send_ctrl(d, msg, n);
}

/* Sends the request to policyd; its answer arrives later (on_policy). */
static int ask_policy(struct daemon *d, const struct qrexec_trigger *t, struct policy_pending *slot)
{
	struct policy_req req;
	uint64_t deadline = now_ms() + POLICYREQ_TIMEOUT_MS;
	char path[BH_PATH_MAX];
	int fd, rc;

	if (bh_path(path, sizeof(path), POLICY_SOCKET_REL) < 0)
		return -ENAMETOOLONG;
	memset(&req, 0, sizeof(req));
	memcpy(req.source, d->name, strlen(d->name));
	req.source_domid = d->domid;
	memcpy(req.target, t->target, strlen(t->target));
	memcpy(req.request_id, t->request_id, strlen(t->request_id));
	req.service_len = t->service.len + 1;
	/* Bounded: policyd with a full backlog must not stall this loop. */
	fd = unix_connect_deadline(path, deadline);
	if (fd < 0)
		return fd;
	rc = write_all_deadline(fd, &req, sizeof(req), deadline);
	if (rc == 0)
		rc = write_all_deadline(fd, t->service.full, req.service_len, deadline);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	slot->fd = fd;
	memcpy(slot->request_id, t->request_id, sizeof(slot->request_id));
	slot->deadline = now_ms() + POLICY_DECISION_TIMEOUT_MS;
	return 0;
}

/* A service request from the qube: to policyd, or refused when policyd
 * cannot be asked (fail closed). */
static enum daemon_round on_trigger(struct daemon *d, const struct msg_header *h, const uint8_t *untrusted_payload)
{
	static struct qrexec_trigger t;     /* ~65 KiB: not on the stack */
	struct policy_pending *slot = NULL;
	char esc[256];
	int rc = h->type == MSG_TRIGGER_SERVICE3
			 ? qrexec_trigger3_decode(untrusted_payload, h->len, &t)
			 : qrexec_trigger2_decode(untrusted_payload, h->len, &t);

	if (rc != QREXEC_OK)
		return violation(d, qrexec_strerror(rc), rc);
	for (size_t i = 0; i < POLICY_PENDING_MAX && slot == NULL; i++)
		if (d->pending[i].fd < 0)
			slot = &d->pending[i];
	/* Validated charsets, escaped all the same: logs get no raw bytes. */
	log_escape(t.service.full, t.service.len, esc, sizeof(esc));
	if (slot == NULL || (rc = ask_policy(d, &t, slot)) < 0) {
		if (ratelimit_take(&d->log_rl, now_ms()))
			log_warnx("%s: request %s for %s to %s refused: %s", d->name, t.request_id, esc, t.target,
				  slot == NULL ? "too many pending requests" : "policy daemon unreachable");
		(void)refuse(d, t.request_id);
	}
	return DAEMON_GO_ON;
}

/* policyd's answer: SERVICE_CONNECT or SERVICE_REFUSED to the agent. */
static void on_policy(struct daemon *d, struct policy_pending *p, bool timed_out)
{
	struct policy_rep rep = { POLICY_REP_DENY, 0, 0 };
	uint8_t msg[64];
	size_t n;

	if (timed_out || read_exact_deadline(p->fd, &rep, sizeof(rep), now_ms() + POLICYREQ_TIMEOUT_MS) < 0 ||
	    rep.verdict > POLICY_REP_ALLOW || qrexec_endpoint_check(rep.target_domid, rep.port) != QREXEC_OK)
		rep.verdict = POLICY_REP_DENY;
	if (rep.verdict == POLICY_REP_ALLOW &&
	    qrexec_service_connect_encode(rep.target_domid, rep.port, p->request_id, msg, sizeof(msg), &n) ==
		    QREXEC_OK)
		(void)send_ctrl(d, msg, n);
	else
		(void)refuse(d, p->request_id);
	close(p->fd);
	p->fd = -1;
}

static void answer_waiter(const struct daemon *d, struct port_waiter *w, int rc)
{
	struct dom0rep rep = { rc, w->port, d->domid };

	if (write_all_deadline(w->fd, &rep, sizeof(rep), now_ms() + MSG_TIMEOUT_MS) < 0)
		log_warnx("%s: a dom0 client stopped waiting for channel %u", d->name, w->port);
	close(w->fd);
	w->fd = -1;
}

static void wake_waiters(struct daemon *d, uint32_t domain, uint32_t port)
{
	for (size_t i = 0; i < PORT_WAITERS_MAX; i++)
		if (d->waiters[i].fd >= 0 && d->waiters[i].domain == domain && d->waiters[i].port == port)
			answer_waiter(d, &d->waiters[i], 0);
}

/* One message from the agent. */
static enum daemon_round on_control(struct daemon *d)
{
	/* The largest payload the header check admits: no allocation, so a
	 * violation (which exits) leaves nothing behind. */
	static uint8_t untrusted_payload[QREXEC_MAX_PAYLOAD];
	uint8_t untrusted_hdr[8];
	uint64_t deadline = now_ms() + MSG_TIMEOUT_MS;
	struct msg_header h;
	uint32_t max;
	int rc;

	/* EOF before a message is the agent leaving; EOF inside one is not. */
	rc = vchan_recv(d->ctrl, untrusted_hdr, 1, deadline);
	if (rc == -EPIPE) {
		log_info("%s: the agent closed the control channel", d->name);
		return DAEMON_AGENT_LEFT;
	}
	if (rc == 0)
		rc = vchan_recv(d->ctrl, untrusted_hdr + 1, sizeof(untrusted_hdr) - 1, deadline);
	if (rc < 0)
		return violation(d, "incomplete header", rc);
	if ((rc = qrexec_hdr_decode(untrusted_hdr, sizeof(untrusted_hdr), &h)) != QREXEC_OK ||
	    (rc = qrexec_hdr_check(&h, CHAN_CONTROL, PEER_AGENT, d->version, &max)) != QREXEC_OK)
		return violation(d, "message not allowed here", rc);
	/* h.len <= max <= QREXEC_MAX_PAYLOAD: the check bounds the read. */
	if (h.len > 0 && (rc = vchan_recv(d->ctrl, untrusted_payload, h.len, deadline)) < 0)
		return violation(d, "incomplete payload", rc);
	switch (h.type) {
	case MSG_TRIGGER_SERVICE3:
	case MSG_TRIGGER_SERVICE:
		return on_trigger(d, &h, untrusted_payload);
	case MSG_CONNECTION_TERMINATED: {
		struct qrexec_conn_terminated ct;
		if ((rc = qrexec_conn_terminated_decode(untrusted_payload, h.len, &ct)) != QREXEC_OK)
			return violation(d, "malformed CONNECTION_TERMINATED", rc);
		if (!ports_free(&d->ports, ct.domid, ct.port))
			log_warnx("%s: CONNECTION_TERMINATED for a channel it does not have (%u, %u)",
				  d->name, ct.domid, ct.port);
		else
			wake_waiters(d, ct.domid, ct.port);
		return DAEMON_GO_ON;
	}
	default:
		/* hdr_check admits nothing else from an agent. */
		return violation(d, "unexpected message", (int)h.type);
	}
}

/* "[nogui:]user:command" with its NUL last: split in place. */
static int split_cmdline(char *cmdline, size_t len, const char **user, bool *nogui, const char **command)
{
	char *colon;

	if (len == 0 || cmdline[len - 1] != '\0' || strlen(cmdline) != len - 1)
		return -1;
	*nogui = strncmp(cmdline, "nogui:", 6) == 0;
	*user = *nogui ? cmdline + 6 : cmdline;
	colon = strchr(*user, ':');
	if (colon == NULL)
		return -1;
	*colon = '\0';
	*command = colon + 1;
	return 0;
}

/* capd must accept the request's capability for the call this EXEC is:
 * its command line, its source, this qube, its request id
 * (qrexec/lib/capcall.h); it is used up.  Any failure is a refusal.
 * Without --qid (the test harness), there is no capd to ask. */
static int redeem(const struct daemon *d, const struct dom0req *req, const char *cmdline)
{
	struct capd_call call;
	struct capd_token tok;
	uint32_t reason = 0;
	int rc;

	if (d->qid == 0)
		return 0;
	if (capd_token_decode(req->token, sizeof(req->token), &tok) != CAPD_PARSE_OK) {
		log_warnx("%s: capd refused the call's capability (malformed token)", d->name);
		return -EACCES;
	}
	if (capcall_build(&call, cmdline, req->source_qid, d->name, d->qid, req->request_id) < 0) {
		log_warnx("%s: an EXEC that no capability can name: refused", d->name);
		return -EINVAL;
	}
	rc = capd_redeem(NULL, &tok, &call, &reason, now_ms() + CAPD_REQ_TIMEOUT_MS);
	if (rc < 0)
		log_warnx("%s: capd refused the call's capability (%s, reason %u)", d->name, strerror(-rc), reason);
	return rc < 0 ? -EACCES : 0;
}

/* DREQ_WAIT_PORT: answered now if the channel has ended already, else
 * kept until it does.  true: fd is kept. */
static bool wait_port(struct daemon *d, int fd, const struct dom0req *req, struct dom0rep *rep)
{
	if (!ports_in_use(&d->ports, req->domain, req->port))
		return false;                       /* rep->rc 0: ended */
	for (size_t i = 0; i < PORT_WAITERS_MAX; i++)
		if (d->waiters[i].fd < 0) {
			d->waiters[i] = (struct port_waiter){ fd, req->domain, req->port };
			return true;
		}
	rep->rc = -EBUSY;
	return false;
}

/* dom0 client: one request, one reply.  Root (dom0's tools) and
 * qrexec-policyd only.  true: fd was kept
 * (a waiter), not to be closed by the caller. */
static bool on_client(struct daemon *d, int fd)
{
	uint64_t deadline = now_ms() + DOM0REQ_TIMEOUT_MS;
	struct dom0req req;
	struct dom0rep rep = { 0, 0, d->domid };
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	uint8_t *msg = NULL;
	char *cmdline = NULL;
	const char *user, *command;
	bool nogui;
	size_t n;
	int rc;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0 || (cred.uid != 0 && cred.uid != BH_UID_POLICYD)) {
		log_warnx("%s: refused a dom0 request from uid %d", d->name, (int)cred.uid);
		return false;
	}
	if (read_exact_deadline(fd, &req, sizeof(req), deadline) < 0 || dom0req_check(&req) < 0) {
		log_warnx("%s: malformed dom0 request", d->name);
		return false;
	}
	switch (req.op) {
	case DREQ_EXEC:
		cmdline = malloc(req.cmdline_len);
		msg = malloc(16 + (size_t)req.cmdline_len);
		if (cmdline == NULL || msg == NULL) {
			rep.rc = -ENOMEM;
			break;
		}
		if ((rc = read_exact_deadline(fd, cmdline, req.cmdline_len, deadline)) < 0) {
			rep.rc = rc;
			break;
		}
		if ((rc = ports_alloc(&d->ports, req.domain, &rep.port)) < 0) {
			rep.rc = rc;
			break;
		}
		/* No capability for exactly this call, redeemed now: no call. */
		if ((rc = redeem(d, &req, cmdline)) < 0) {
			ports_free(&d->ports, req.domain, rep.port);
			rep.rc = rc;
			break;
		}
		/* The encoder checks user and command as the agent will. */
		if (split_cmdline(cmdline, req.cmdline_len, &user, &nogui, &command) < 0 ||
		    qrexec_exec_encode(req.just_exec ? MSG_JUST_EXEC : MSG_EXEC_CMDLINE, req.domain, rep.port,
				       user, nogui, command, msg, 16 + (size_t)req.cmdline_len, &n) != QREXEC_OK) {
			ports_free(&d->ports, req.domain, rep.port);
			rep.rc = -EINVAL;
			break;
		}
		rep.rc = send_ctrl(d, msg, n);
		break;
	case DREQ_SERVICE_CONNECT:
		msg = malloc(64);
		if (msg == NULL || qrexec_service_connect_encode(req.domain, req.port, req.request_id, msg, 64, &n) !=
					   QREXEC_OK)
			rep.rc = -EINVAL;
		else
			rep.rc = send_ctrl(d, msg, n);
		break;
	case DREQ_SERVICE_REFUSED:
		rep.rc = refuse(d, req.request_id);
		break;
	case DREQ_WAIT_PORT:
		if (wait_port(d, fd, &req, &rep))
			return true;
		break;
	case DREQ_PING:
		/* Asked here, answered: this loop runs only once the agent
		 * has said HELLO (rep: rc 0, port 0, our domid). */
		break;
	}
	if (write_all_deadline(fd, &rep, sizeof(rep), deadline) < 0)
		log_warnx("%s: dom0 client went away before the reply", d->name);
	free(cmdline);
	free(msg);
	return false;
}

void daemon_serve_init(struct daemon *d)
{
	for (size_t i = 0; i < POLICY_PENDING_MAX; i++)
		d->pending[i].fd = -1;
	for (size_t i = 0; i < PORT_WAITERS_MAX; i++)
		d->waiters[i].fd = -1;
	ratelimit_init(&d->log_rl, LOG_REFUSALS_PER_S, LOG_REFUSALS_BURST, now_ms());
}

enum daemon_round daemon_round(struct daemon *d)
{
	struct pollfd p[2 + POLICY_PENDING_MAX + PORT_WAITERS_MAX] = {
		{ .fd = vchan_fd(d->ctrl), .events = POLLIN },
		{ .fd = d->listen_fd, .events = POLLIN },
	};
	uint64_t now = now_ms(), next = UINT64_MAX, quieted;
	enum daemon_round r = DAEMON_GO_ON;
	/* Messages already in the ring raise no event of their own: on Xen
	 * the one that announced them may be the one a wait consumed (the
	 * HELLO's, or a message's own read).  They are handled without a
	 * sleep. */
	bool queued = vchan_data_ready(d->ctrl) > 0;

	for (size_t i = 0; i < POLICY_PENDING_MAX; i++) {
		p[2 + i] = (struct pollfd){ .fd = d->pending[i].fd, .events = POLLIN };
		if (d->pending[i].fd >= 0 && d->pending[i].deadline < next)
			next = d->pending[i].deadline;
	}
	/* A waiter sends nothing more: readable or hung up, it left. */
	for (size_t i = 0; i < PORT_WAITERS_MAX; i++)
		p[2 + POLICY_PENDING_MAX + i] = (struct pollfd){ .fd = d->waiters[i].fd, .events = POLLIN };
	if (queued)
		next = now;
	if (poll(p, 2 + POLICY_PENDING_MAX + PORT_WAITERS_MAX, next == UINT64_MAX ? -1 : (int)(next > now ? next - now : 0)) < 0) {
		if (errno == EINTR)
			return DAEMON_GO_ON;
		fatal("poll");
	}
	now = now_ms();
	if ((quieted = ratelimit_report(&d->log_rl, now)) > 0)
		log_warnx("%s: %llu more requests refused (not logged one by one)", d->name,
			  (unsigned long long)quieted);
	for (size_t i = 0; i < POLICY_PENDING_MAX; i++)
		if (d->pending[i].fd >= 0 && (p[2 + i].revents || d->pending[i].deadline <= now))
			on_policy(d, &d->pending[i], p[2 + i].revents == 0);
	/* (Xen: readable also when the agent only made room in the ring.) */
	if ((queued || (p[0].revents & (POLLIN | POLLHUP | POLLERR))) && !vchan_nothing_to_read(d->ctrl)) {
		/* Every complete message that is there, then poll again. */
		do
			r = on_control(d);
		while (r == DAEMON_GO_ON && vchan_data_ready(d->ctrl) >= 8);
		if (r != DAEMON_GO_ON)
			return r;
	}
	for (size_t i = 0; i < PORT_WAITERS_MAX; i++)
		if (d->waiters[i].fd >= 0 && p[2 + POLICY_PENDING_MAX + i].revents) {
			close(d->waiters[i].fd);
			d->waiters[i].fd = -1;
		}
	if (p[1].revents & POLLIN) {
		int fd = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0 && !on_client(d, fd))
			close(fd);
	}
	return DAEMON_GO_ON;
}

void daemon_serve(struct daemon *d)
{
	enum daemon_round r;

	daemon_serve_init(d);
	while ((r = daemon_round(d)) == DAEMON_GO_ON)
		;
	if (r == DAEMON_AGENT_LEFT)
		exit(0);
	vchan_close(d->ctrl);
	exit(1);
}
