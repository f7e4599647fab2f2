/* One request: check, decide, answer, set up.  Runs in a child of
 * qrexec-policyd, so a prompt waiting for the user holds up nothing else. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/dom0_uids.h"
#include "lib/io.h"
#include "lib/log.h"
#include "lib/paths.h"
#include "lib/vchan.h"
#include "lib/vchan_socket.h"
#include "capd/capd_proto.h"
#include "qrexec/lib/dom0req.h"
#include "qrexec/lib/policyreq.h"
#include "qrexec/lib/vm_request.h"
#include "qrexec/msg_parse.h"
#include "qrexec/policy/policy_facts.h"
#include "qrexec/policyd/policyd.h"
#include "qrexec/policyd/request.h"

#define EXPOSE_TIMEOUT_MS 10000u   /* the source binds its socket as soon as it has the answer */
#define DISPVM_CALL_MAX_MS (24u * 3600u * 1000u)   /* a disposable lives at most a day */
/* A call waits for its target's qrexec to be ready (the target's daemon
 * serving: DREQ_PING) until this long after policyd took the request,
 * and is refused after.  Its daemon gives up sooner if the agent has not
 * come by the qube's qrexec_timeout (from the qube's start): the wait
 * ends with it.  The caller waits VM_DECISION_TIMEOUT_MS for the answer
 * in all; the mint and the EXEC come after the wait. */
#define READY_BY_MS DOM0REQ_READY_MAX_MS
_Static_assert(READY_BY_MS + 2u * CAPD_REQ_TIMEOUT_MS + DOM0REQ_TIMEOUT_MS + POLICYREQ_TIMEOUT_MS <
		       VM_DECISION_TIMEOUT_MS, "policyd answers before the caller stops waiting");
#define READY_LOG_AFTER_MS 1000u   /* a wait this long is logged */
/* A capability had before the wait (derived from a grant while deciding)
 * with less life than this left is derived again before the EXEC. */
#define CAP_LIFE_MIN_MS 5000u


static int answer(int fd, uint32_t verdict, uint32_t domid, uint32_t port)
{
	struct policy_rep rep = { verdict, domid, port };

	return write_all_deadline(fd, &rep, sizeof(rep), now_ms() + POLICYREQ_TIMEOUT_MS);
}

/* Starts qube and returns its domain id (from bulkheadd, after the
 * start), or 0 when it could not be started. */
static uint32_t start_qube(const char *qube)
{
	struct policy_facts_table *now;
	const struct policy_qube *q;
	uint32_t domid = 0;
	char exc[64];

	/* Started meanwhile by someone else: as good. */
	if (policyd_admin("admin.vm.Start", qube, "", NULL, exc, sizeof(exc)) < 0 &&
	    strcmp(exc, "QubesVMNotHaltedError") != 0)
		return 0;
	now = policy_facts_table_new();
	if (now != NULL && policy_facts_from_admin(now) == 0 && (q = policy_facts_table_find(now, qube)) != NULL &&
	    q->running)
		domid = q->domid;
	policy_facts_table_free(now);
	return domid;
}

/* Channel names in dom0's directories are the socket transport's; Xen's
 * vchans meet in xenstore, where the caller publishes its ring. */
static bool socket_transport(void)
{
	const char *b = vchan_backend();

	return b != NULL && strcmp(b, "socket") == 0;
}

/* dom0req_ping's failures, in words. */
static const char *not_ready_why(int rc)
{
	switch (rc) {
	case -ETIMEDOUT:
		return "not in time";
	case -EPIPE:
	case -ECONNRESET:
		return "its daemon stopped waiting for the agent";
	case -ENOENT:
	case -ECONNREFUSED:
		return "no qrexec daemon";
	case -EPROTO:
		return "its daemon's answer is not a ping's";
	default:
		return strerror(-rc);
	}
}

/* Waits until qube's daemon serves (its agent connected and said HELLO)
 * as domain domid, by ready_by, never less than DOM0REQ_TIMEOUT_MS from
 * now (a daemon that serves answers at once).  0, or -1 (logged). */
static int wait_ready(const char *qube, uint32_t domid, uint64_t ready_by)
{
	uint64_t t0 = now_ms();
	int rc = dom0req_ping(qube, domid, ready_by > t0 + DOM0REQ_TIMEOUT_MS ? ready_by : t0 + DOM0REQ_TIMEOUT_MS);

	if (rc < 0) {
		log_warnx("%s: its qrexec did not become ready (%s, after %llu ms): the call is refused", qube,
			  not_ready_why(rc), (unsigned long long)(now_ms() - t0));
		return -1;
	}
	if (now_ms() - t0 >= READY_LOG_AFTER_MS)
		log_info("%s: its qrexec became ready after %llu ms", qube, (unsigned long long)(now_ms() - t0));
	return 0;
}

/* The call's capability, had once its target is ready: minted now (or
 * derived now from a grant), or, if derived while deciding, derived
 * again when the wait left it less than CAP_LIFE_MIN_MS (one more use of
 * a calls grant; if none is left, the first one goes, as it is). */
static int call_cap(const struct cap_plan *plan, const struct cap_who *who, struct capd_token *tok)
{
	static const struct cap_plan again = { .from_grant = true };
	uint64_t now = now_ms();

	if (!plan->ready || plan->tok.expiry_ms >= now + CAP_LIFE_MIN_MS)
		return policyd_cap_get(plan, who, tok);
	log_info("%s -> %s %s: its capability has %lld ms left after the wait: derived again", who->source,
		 who->target, who->service, (long long)plan->tok.expiry_ms - (long long)now);
	if (policyd_cap_get(&again, who, tok) == 0)
		return 0;
	*tok = plan->tok;
	return 0;
}

/* Allowed into a qube: its daemon starts the service, the source's daemon
 * (our caller) gets (target, port), and the channel is linked across.
 * The target is started first if it must be, and its qrexec waited for
 * (by ready_by) before the capability is had: the capability's life
 * starts when the target's daemon can redeem it.
 * -1: failed before answering; -2: failed after the answer went out.
 * *port: the channel's port, once answered. */
static int to_qube(int fd, const struct request *r, const struct policy_qube *src, const struct policy_qube *target,
		   const char *user, bool autostart, const struct cap_plan *plan, uint64_t ready_by, uint32_t *port)
{
	static char cmdline[8 + USER_NAME_MAX + MAX_SERVICE_NAME_LEN + QUBE_NAME_MAX + 16];
	struct dom0req req = { .op = DREQ_EXEC, .domain = r->hdr.source_domid, .source_qid = src->qid };
	const struct cap_who who = { r->hdr.source, src->qid, target->name, target->qid, r->name, r->arg,
				     r->hdr.request_id };
	struct capd_token tok;
	struct dom0rep untrusted_rep, rep;
	uint32_t domid = target->running ? target->domid : 0;
	bool sockets;
	int n, rc;

	if (autostart && !target->running && (domid = start_qube(target->name)) == 0) {
		log_warnx("cannot start %s for a call", target->name);
		return -1;
	}
	if (domid == 0) {
		log_warnx("%s is not running: the call is refused", target->name);
		return -1;
	}
	if (wait_ready(target->name, domid, ready_by) < 0)
		return -1;
	if (user[0] == '\0')
		user = target->default_user;
	if (user == NULL || user[0] == '\0')
		return -1;
	n = snprintf(cmdline, sizeof(cmdline), "%s:QUBESRPC %s %s", user, r->service, r->hdr.source);
	if (n < 0 || (size_t)n >= sizeof(cmdline))
		return -1;
	req.cmdline_len = (uint32_t)n + 1;
	/* The capability the target's daemon must redeem before it runs
	 * anything (it binds what the daemon will see: qrexec/lib/capcall.h). */
	if (call_cap(plan, &who, &tok) < 0)
		return -1;
	capd_token_encode(&tok, req.token);
	memcpy(req.request_id, r->hdr.request_id, sizeof(req.request_id));
	if ((rc = dom0req_call(target->name, &req, cmdline, &untrusted_rep)) == 0)
		rc = dom0rep_errno(&untrusted_rep);
	if (rc < 0) {
		log_warnx("the qrexec daemon of %s refused the call: %s", target->name, strerror(-rc));
		return -1;
	}
	if (dom0rep_exec_check(&untrusted_rep, domid, &rep) < 0) {
		log_warnx("the qrexec daemon of %s answered domain %u port %u (its domain is %u): refused",
			  target->name, untrusted_rep.domid, untrusted_rep.port, domid);
		return -1;
	}
	sockets = socket_transport();
	if (sockets && vchan_socket_clear(r->hdr.source_domid, rep.domid, rep.port) < 0)
		log_warnx("stale channel names for %u -> %s could not be cleared", r->hdr.source_domid, target->name);
	if (answer(fd, POLICY_REP_ALLOW, rep.domid, rep.port) < 0)
		return -2;
	*port = rep.port;
	if (!sockets)
		return 0;
	/* Answered: from here a failure is the caller's broken call. */
	rc = vchan_socket_expose(r->hdr.source_domid, rep.domid, rep.port, now_ms() + EXPOSE_TIMEOUT_MS);
	if (rc < 0)
		log_warnx("linking the channel %u -> %s: %s", r->hdr.source_domid, target->name, strerror(-rc));
	return rc < 0 ? -2 : 0;
}

/* Allowed into dom0: the runner is the service side of the channel. */
static int to_dom0(int fd, const struct request *r, const struct policy_qube *src, const char *user,
		   const struct cap_plan *plan, uint32_t port)
{
	static char command[MAX_SERVICE_NAME_LEN + QUBE_NAME_MAX + 16];
	const struct cap_who who = { r->hdr.source, src->qid, "dom0", 0, r->name, r->arg, r->hdr.request_id };
	struct capd_token tok;

	/* dom0's runner serves it: policyd holds and redeems the capability. */
	if (policyd_cap_get(plan, &who, &tok) < 0 || policyd_cap_redeem_dom0(&who, &tok) < 0) {
		answer(fd, POLICY_REP_DENY, 0, 0);
		return -1;
	}
	snprintf(command, sizeof(command), "QUBESRPC %s %s", r->service, r->hdr.source);
	if (socket_transport() && vchan_socket_clear(r->hdr.source_domid, 0, port) < 0)
		log_warnx("stale channel names for %u -> dom0 could not be cleared", r->hdr.source_domid);
	if (policyd_run_dom0(r->hdr.source_domid, port, user[0] ? user : "root", command) < 0) {
		answer(fd, POLICY_REP_DENY, 0, 0);
		return -1;
	}
	return answer(fd, POLICY_REP_ALLOW, 0, port) < 0 ? -1 : 0;
}

/* Allowed to @dispvm:TEMPLATE (the evaluation made @dispvm concrete and
 * checked template_for_dispvms): a new disposable qube serves this call
 * only, and is removed when its channel ends (its agent reports it, or it
 * died), or after DISPVM_CALL_MAX_MS. */
static int to_dispvm(int fd, const struct request *r, const struct policy_facts_table *t,
		     const struct policy_qube *src, const char *tmpl, const char *user, uint64_t ready_by)
{
	/* A disposable is new each time: its capability is for this one call. */
	static const struct cap_plan once = { .scope = 0 };
	const struct policy_qube *tq = policy_facts_table_find(t, tmpl), *dq;
	struct policy_facts_table *now = policy_facts_table_new();
	char name[QUBE_NAME_MAX + 1];
	uint32_t port = 0;
	int rc = -1;

	if (tq == NULL || now == NULL || policyd_dispvm_create(tmpl, tq->label, name, sizeof(name)) < 0) {
		answer(fd, POLICY_REP_DENY, 0, 0);
		policy_facts_table_free(now);
		return 1;
	}
	log_info("%s -> @dispvm:%s: the call goes to the new disposable %s", r->hdr.source, tmpl, name);
	if (policy_facts_from_admin(now) == 0 && (dq = policy_facts_table_find(now, name)) != NULL)
		rc = to_qube(fd, r, src, dq, user, false, &once, ready_by, &port);
	if (rc == -1)
		answer(fd, POLICY_REP_DENY, 0, 0);      /* not answered yet */
	if (rc == 0 && (rc = dom0req_wait_port(name, r->hdr.source_domid, port, now_ms() + DISPVM_CALL_MAX_MS)) < 0)
		log_warnx("%s: the call did not end in time (%s); removing it", name, strerror(-rc));
	policyd_dispvm_destroy(name);
	policy_facts_table_free(now);
	return rc != 0;
}

static void audit_decision(const struct cap_who *who, const char *requested, const struct policy_decision *d)
{
	policyd_cap_audit(who, requested,
			  d->verdict == POLICY_ALLOW ? CAPD_VERDICT_ALLOW
			  : d->verdict == POLICY_ASK ? CAPD_VERDICT_ASK : CAPD_VERDICT_DENY,
			  policy_reason_name(d->reason), d->file, d->line);
}

/* The user's scope as a grant (ask_parse.h's scopes, capd's). */
static struct cap_plan plan_of(const struct ask_scope *s)
{
	switch (s->kind) {
	case ASK_SCOPE_CALLS:
		return (struct cap_plan){ .scope = CAPD_SCOPE_CALLS, .value = s->value };
	case ASK_SCOPE_MINUTES:
		return (struct cap_plan){ .scope = CAPD_SCOPE_MINUTES, .value = s->value };
	case ASK_SCOPE_ALWAYS:
		return (struct cap_plan){ .scope = CAPD_SCOPE_ALWAYS };
	default:
		return (struct cap_plan){ .scope = 0 };
	}
}

/* An ask that a standing grant (from an earlier answer) already covers,
 * for the target asked for, or the policy's default one: no prompt.  The
 * capability is then derived from the grant (to_qube, to_dom0). */
static bool covered_by_grant(const struct request *r, const struct policy_qube *src,
			     const struct policy_facts_table *t, const struct policy_decision *d,
			     struct cap_plan *plan, const char **target)
{
	static const struct cap_plan probe = { .from_grant = true };
	const char *cand = r->hdr.target[0] != '@' ? r->hdr.target : d->default_target;
	const struct policy_qube *tq;
	bool offered = false;

	if (cand == NULL || cand[0] == '\0' || cand[0] == '@')
		return false;
	for (size_t i = 0; i < d->ntargets; i++)
		offered = offered || strcmp(d->targets[i], cand) == 0;
	tq = strcmp(cand, "dom0") == 0 ? NULL : policy_facts_table_find(t, cand);
	if (!offered || (tq == NULL && strcmp(cand, "dom0") != 0))
		return false;
	/* capd derives the call's capability if a grant covers it: that is
	 * the one the call then uses (one use of the grant per call). */
	if (policyd_cap_get(&probe, &(struct cap_who){ r->hdr.source, src->qid, cand, tq ? tq->qid : 0, r->name,
						       r->arg, r->hdr.request_id }, &plan->tok) < 0)
		return false;
	log_info("%s -> %s %s: a standing grant covers it", r->hdr.source, cand, r->service);
	plan->ready = true;
	*target = cand;
	return true;
}

/* The request's sender: root (dom0's own programs), or the qrexec-daemon
 * of the source qube itself (lib/dom0_uids.h). */
static bool sender_may_speak_for(int fd, const struct policy_facts_table *t, const char *source)
{
	const struct policy_qube *src = policy_facts_table_find(t, source);
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || len != sizeof(cred))
		return false;
	if (cred.uid == 0)
		return true;
	if (src != NULL && src->qid != 0 && cred.uid == BH_UID_QREXEC_DAEMON(src->qid))
		return true;
	log_warnx("a request in %s's name from uid %#x, not its qrexec-daemon: refused", source, (unsigned)cred.uid);
	return false;
}

/* policyd_handle with the facts table it fills (NULL: out of memory). */
static int handle(int fd, const struct policy *pol, uint32_t dom0_port, bool quiet, struct policy_facts_table *t)
{
	static struct request r;
	static struct policy_decision d;
	struct policy_facts facts;
	const struct policy_qube *tq;
	struct policy_query q;
	uint32_t port;
	static struct ask_reply reply;
	struct cap_plan plan = { .scope = 0 };
	bool deferred;
	int rc;
	struct cap_who who;
	const struct policy_qube *src;
	char esc[160];
	const char *target;
	const uint64_t ready_by = now_ms() + READY_BY_MS;   /* from the request's arrival: a prompt counts */

	if (policyd_read_request(fd, &r) < 0) {
		log_warnx("malformed request from a qrexec daemon");
		return 1;
	}
	if (t == NULL || pol == NULL || policy_facts_from_admin(t) < 0) {
		log_warnx("no policy or no facts: %s -> %s refused", r.hdr.source, r.hdr.target);
		answer(fd, POLICY_REP_DENY, 0, 0);
		return 1;
	}
	/* A daemon speaks for its own qube only: a hostile qube that took
	 * over its daemon cannot ask in another qube's name. */
	if (!sender_may_speak_for(fd, t, r.hdr.source)) {
		answer(fd, POLICY_REP_DENY, 0, 0);
		return 1;
	}
	facts = policy_facts_table_facts(t);
	q = (struct policy_query){ r.hdr.source, r.hdr.target, r.name, r.arg, &facts };
	if (policy_evaluate(pol, &q, &d) < 0)
		d.verdict = POLICY_DENY;
	log_escape(r.service, strlen(r.service), esc, sizeof(esc));
	if (!quiet)
		log_info("%s -> %s %s: %s (%s, %s:%u)", r.hdr.source, r.hdr.target, esc,
			 policy_verdict_name(d.verdict), policy_reason_name(d.reason), d.file ? d.file : "-", d.line);
	src = policy_facts_table_find(t, r.hdr.source);
	who = (struct cap_who){ r.hdr.source, src ? src->qid : 0, "", 0, r.name, r.arg, r.hdr.request_id };
	/* The decision's record.  An allowed call's is written once the call
	 * is on its way (its mint and redeem records come first): the record
	 * is as durable, and the call does not wait for its fsync.  Not so for
	 * a disposable target, whose setup lasts as long as its call. */
	deferred = src != NULL && d.verdict == POLICY_ALLOW && strncmp(d.target, "@dispvm:", 8) != 0;
	if (!deferred)
		audit_decision(&who, r.hdr.target, &d);
	if (src == NULL || (d.verdict != POLICY_ALLOW && d.verdict != POLICY_ASK)) {
		answer(fd, POLICY_REP_DENY, 0, 0);
		return 0;
	}
	target = d.target;
	if (d.verdict == POLICY_ASK && !covered_by_grant(&r, src, t, &d, &plan, &target)) {
		if (policyd_ask(r.hdr.source, src->label, r.service, &d, &reply) < 0) {
			log_info("%s -> %s %s: the user said no", r.hdr.source, r.hdr.target, esc);
			policyd_cap_audit(&who, r.hdr.target, CAPD_VERDICT_USER_DENY, "user", NULL, 0);
			answer(fd, POLICY_REP_DENY, 0, 0);
			return 0;
		}
		target = reply.target;
		plan = plan_of(&reply.scope);
		log_info("%s -> %s %s: the user allowed %s", r.hdr.source, target, esc,
			 plan.scope == 0 ? "this call" : "a standing grant");
		who.target = target;
		policyd_cap_audit(&who, r.hdr.target, CAPD_VERDICT_USER_ALLOW, "user", NULL, 0);
	}
	if (strncmp(target, "@dispvm:", 8) == 0)
		rc = to_dispvm(fd, &r, t, src, target + 8, d.user, ready_by);
	else if (strcmp(target, "dom0") == 0)
		rc = to_dom0(fd, &r, src, d.user, &plan, dom0_port) < 0;
	else if ((tq = policy_facts_table_find(t, target)) == NULL) {
		log_warnx("%s -> %s: no such qube; refused", r.hdr.source, target);
		answer(fd, POLICY_REP_DENY, 0, 0);
		rc = 1;
	} else {
		rc = to_qube(fd, &r, src, tq, d.user, d.autostart, &plan, ready_by, &port);
		if (rc == -1)
			answer(fd, POLICY_REP_DENY, 0, 0);      /* not answered yet */
		rc = rc != 0;
	}
	if (deferred)
		audit_decision(&who, r.hdr.target, &d);
	return rc;
}

int policyd_handle(int fd, const struct policy *pol, uint32_t dom0_port, bool quiet)
{
	struct policy_facts_table *t = policy_facts_table_new();
	int rc = handle(fd, pol, dom0_port, quiet, t);

	/* The child exits next; freed all the same, for the leak check of
	 * tests/fuzz/fuzz_policyd_decision.c, which calls this in-process. */
	policy_facts_table_free(t);
	return rc;
}
