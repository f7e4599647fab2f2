/* capd's connections: non-blocking, each with a deadline, one request at
 * a time; who may send what is one table lookup by the caller's class
 * (from its uid, from SO_PEERCRED), before the payload is even decoded. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capd/capd_audit.h"
#include "capd/capd_int.h"
#include "capd/capd_names.h"
#include "lib/dom0_uids.h"
#include "lib/log.h"
#include "qrexec/protocol.h"

struct conn {
	int fd;                  /* -1: free slot */
	uid_t uid;
	enum capd_caller caller;
	uint32_t qid;            /* a daemon's qube; 0 for policyd and uid 0 */
	uint8_t untrusted_in[CAPD_HDR_SIZE + CAPD_REQ_MAX];
	size_t inlen;            /* bytes of the current request so far */
	size_t need;             /* CAPD_HDR_SIZE, then the whole message */
	struct capd_hdr hdr;     /* once inlen >= CAPD_HDR_SIZE */
	uint8_t out[CAPD_HDR_SIZE + CAPD_REPLY_MAX];
	size_t outlen, outoff;   /* a reply being written */
	uint64_t deadline_ms;
};

static struct conn conns[CAPD_CONN_MAX];
static struct capd_state *st;
static uint64_t refused_last_ms, refused_quiet;

/* A handler decodes its payload (CAPD_E* on a violation: the connection
 * ends) and acts; it sets the reply's status and answer. */
typedef int (*handler_fn)(struct conn *c, const uint8_t *untrusted_p, size_t len, uint32_t *status,
			  uint8_t *answer);

struct permit {
	unsigned callers;        /* enum capd_caller bits allowed to send it */
	handler_fn fn;
};

enum capd_caller capd_caller_of(uid_t uid, uint32_t *qid)
{
	*qid = 0;
	if (uid == 0)
		return CALLER_ADMIN;
	if (uid == BH_UID_POLICYD)
		return CALLER_POLICYD;
	if (uid > BH_UID_QREXEC_DAEMON_BASE && uid <= BH_UID_QREXEC_DAEMON(QREXEC_DOMID_MAX)) {
		*qid = uid - BH_UID_QREXEC_DAEMON_BASE;
		return CALLER_DAEMON;
	}
	return CALLER_NONE;
}

void capd_now(struct capd_clock *c)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	c->mono_ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
	clock_gettime(CLOCK_REALTIME, &ts);
	c->real_s = ts.tv_sec > 0 ? (uint64_t)ts.tv_sec : 0;
}

static void rec_caller(struct capd_rec *r, const struct conn *c)
{
	capd_rec_u64(r, "caller_uid", c->uid);
}

static void audit_refusal(const struct conn *c, uint32_t type, uint32_t status, const struct capd_binding *b,
			  const char *reqid)
{
	struct capd_rec r;

	capd_rec_init(&r);
	capd_rec_str(&r, "op", capd_msg_name(type));
	capd_rec_str(&r, "reason", capd_status_name(status));
	rec_caller(&r, c);
	if (b) {
		capd_rec_binding(&r, b);
		capd_rec_str(&r, "request_id", reqid);
	}
	capd_audit("refuse", &r);
}

static void audit_token(const char *event, const struct conn *c, const struct capd_token *t,
			const struct capd_call *call, const struct capd_clock *now)
{
	struct capd_rec r;

	capd_rec_init(&r);
	capd_rec_hex(&r, "cap", t->id, sizeof(t->id));
	capd_rec_binding(&r, &call->b);
	capd_rec_str(&r, "request_id", call->request_id);
	capd_rec_u64(&r, "grant", t->grant_id);
	if (now)
		capd_rec_u64(&r, "ttl_ms", t->expiry_ms - now->mono_ms);
	rec_caller(&r, c);
	capd_audit(event, &r);
}

static int do_mint(struct conn *c, const uint8_t *untrusted_p, size_t len, uint32_t *status, uint8_t *answer)
{
	struct capd_mint_req m;
	struct capd_token t;
	struct capd_clock now;
	int rc = capd_mint_decode(untrusted_p, len, &m);

	if (rc != CAPD_PARSE_OK)
		return rc;
	/* Root mints only for dom0's own calls (qvm-run's qrexec-client):
	 * a qube's calls are policyd's to allow. */
	if (c->caller == CALLER_ADMIN && m.call.b.source_qid != 0) {
		*status = CAPD_R_WRONG_CALLER;
		audit_refusal(c, CAPD_MINT, *status, &m.call.b, m.call.request_id);
		return 0;
	}
	capd_now(&now);
	*status = capd_state_mint(st, &m.call, m.ttl_ms, &now, &t);
	if (*status != CAPD_OK) {
		audit_refusal(c, CAPD_MINT, *status, &m.call.b, m.call.request_id);
		return 0;
	}
	/* Recorded before it leaves capd. */
	audit_token("mint", c, &t, &m.call, &now);
	capd_token_encode(&t, answer);
	return 0;
}

static int do_mint_grant(struct conn *c, const uint8_t *untrusted_p, size_t len, uint32_t *status, uint8_t *answer)
{
	struct capd_call call;
	struct capd_token t;
	struct capd_clock now;
	uint64_t gid = 0;
	int rc = capd_call_decode(untrusted_p, len, &call);

	if (rc != CAPD_PARSE_OK)
		return rc;
	capd_now(&now);
	*status = capd_state_mint_from_grant(st, &call, &now, &t, &gid);
	if (*status != CAPD_OK) {
		audit_refusal(c, CAPD_MINT_FROM_GRANT, *status, &call.b, call.request_id);
		return 0;
	}
	audit_token("mint-from-grant", c, &t, &call, &now);
	capd_token_encode(&t, answer);
	return 0;
}

static int do_redeem(struct conn *c, const uint8_t *untrusted_p, size_t len, uint32_t *status, uint8_t *answer)
{
	struct capd_redeem_req r;
	struct capd_clock now;
	int rc = capd_redeem_decode(untrusted_p, len, &r);

	(void)answer;
	if (rc != CAPD_PARSE_OK)
		return rc;
	capd_now(&now);
	/* policyd redeems only for dom0 (qid 0): its runner serves those. */
	*status = capd_state_redeem(st, c->caller == CALLER_DAEMON ? c->qid : 0, &r.token, &r.call, &now);
	if (*status != CAPD_OK) {
		struct capd_rec a;
		capd_rec_init(&a);
		capd_rec_str(&a, "op", "REDEEM");
		capd_rec_str(&a, "reason", capd_status_name(*status));
		rec_caller(&a, c);
		capd_rec_hex(&a, "cap", r.token.id, sizeof(r.token.id));   /* as presented */
		capd_rec_binding(&a, &r.call.b);
		capd_rec_str(&a, "request_id", r.call.request_id);
		capd_audit("refuse", &a);
		return 0;
	}
	audit_token("redeem", c, &r.token, &r.call, NULL);
	return 0;
}

static int do_grant_create(struct conn *c, const uint8_t *untrusted_p, size_t len, uint32_t *status,
			   uint8_t *answer)
{
	struct capd_grant_req g;
	struct capd_clock now;
	struct capd_rec r;
	uint64_t id = 0;
	int rc = capd_grant_decode(untrusted_p, len, &g);

	if (rc != CAPD_PARSE_OK)
		return rc;
	capd_now(&now);
	*status = capd_state_grant_create(st, &g, &now, &id);
	if (*status != CAPD_OK) {
		audit_refusal(c, CAPD_GRANT_CREATE, *status, &g.b, "");
		return 0;
	}
	capd_rec_init(&r);
	capd_rec_u64(&r, "grant", id);
	capd_rec_binding(&r, &g.b);
	capd_rec_str(&r, "scope", capd_scope_name(g.scope));
	capd_rec_u64(&r, "value", g.value);
	rec_caller(&r, c);
	capd_audit_durable("grant-create", &r);
	capd_put_u64(answer, id);
	return 0;
}

static int do_grant_list(struct conn *c, const uint8_t *untrusted_p, size_t len, uint32_t *status, uint8_t *answer)
{
	struct capd_grant_entry e[CAPD_LIST_BATCH];
	uint64_t after = 0;
	bool more = false;
	size_t n;
	int rc = capd_u64_decode(untrusted_p, len, 0, &after);

	(void)c;
	if (rc != CAPD_PARSE_OK)
		return rc;
	n = capd_state_grant_list(st, after, e, CAPD_LIST_BATCH, &more);
	memset(answer, 0, CAPD_LIST_ANSWER);
	qrexec_put_u32(answer, (uint32_t)n);
	qrexec_put_u32(answer + 4, more ? 1 : 0);
	for (size_t i = 0; i < n; i++)
		capd_grant_entry_encode(&e[i], answer + 8 + i * CAPD_GRANT_ENTRY_SIZE);
	*status = CAPD_OK;
	return 0;
}

static int do_grant_revoke(struct conn *c, const uint8_t *untrusted_p, size_t len, uint32_t *status,
			   uint8_t *answer)
{
	struct capd_grant_entry gone;
	struct capd_rec r;
	uint64_t id = 0;
	int rc = capd_u64_decode(untrusted_p, len, 1, &id);

	(void)answer;
	if (rc != CAPD_PARSE_OK)
		return rc;
	memset(&gone, 0, sizeof(gone));
	*status = capd_state_grant_revoke(st, id, &gone);
	capd_rec_init(&r);
	capd_rec_u64(&r, "grant", id);
	if (*status == CAPD_R_NOT_FOUND) {
		capd_rec_str(&r, "op", "GRANT_REVOKE");
		capd_rec_str(&r, "reason", capd_status_name(*status));
		rec_caller(&r, c);
		capd_audit("refuse", &r);
		return 0;
	}
	/* CAPD_R_STORE: revoked in memory all the same (capd_state.h). */
	capd_rec_binding(&r, &gone.b);
	capd_rec_str(&r, "scope", capd_scope_name(gone.scope));
	capd_rec_str(&r, "stored", *status == CAPD_OK ? "yes" : "no");
	rec_caller(&r, c);
	capd_audit_durable("grant-revoke", &r);
	if (*status != CAPD_OK)
		log_warnx("grant %" PRIu64 " revoked, but the grants file could not be written: retrying", id);
	return 0;
}

static const char *const verdict_names[CAPD_VERDICT_MAX + 1] = {
	"deny", "allow", "ask", "user-allow", "user-deny",
};

static int do_audit(struct conn *c, const uint8_t *untrusted_p, size_t len, uint32_t *status, uint8_t *answer)
{
	struct capd_audit_rec a;
	struct capd_rec r;
	int rc = capd_audit_decode(untrusted_p, len, &a);

	(void)answer;
	if (rc != CAPD_PARSE_OK)
		return rc;
	capd_rec_init(&r);
	capd_rec_str(&r, "source", a.source);
	capd_rec_str(&r, "target", a.target);
	capd_rec_str(&r, "service", a.service);
	capd_rec_str(&r, "argument", a.argument);
	capd_rec_str(&r, "request_id", a.request_id);
	capd_rec_str(&r, "verdict", verdict_names[a.verdict]);
	capd_rec_str(&r, "reason", a.reason);
	capd_rec_str(&r, "file", a.file);
	capd_rec_u64(&r, "line", a.line);
	rec_caller(&r, c);
	capd_audit("policy", &r);
	*status = CAPD_OK;
	return 0;
}

/* Who may send what (SPEC/capabilities.md, "Identities").  Root (the
 * administrator's tools) lists and revokes grants and mints for dom0's
 * own calls (do_mint checks the source); everything a qube's call needs
 * is policyd's, and a qrexec-daemon only redeems for its own qube. */
static const struct permit permits[CAPD_MSG_MAX + 1] = {
	[CAPD_MINT]            = { CALLER_POLICYD | CALLER_ADMIN, do_mint },
	[CAPD_MINT_FROM_GRANT] = { CALLER_POLICYD, do_mint_grant },
	[CAPD_REDEEM]          = { CALLER_POLICYD | CALLER_DAEMON, do_redeem },
	[CAPD_GRANT_CREATE]    = { CALLER_POLICYD, do_grant_create },
	[CAPD_GRANT_LIST]      = { CALLER_ADMIN, do_grant_list },
	[CAPD_GRANT_REVOKE]    = { CALLER_ADMIN, do_grant_revoke },
	[CAPD_AUDIT]           = { CALLER_POLICYD, do_audit },
};

static void conn_close(struct conn *c)
{
	close(c->fd);
	c->fd = -1;
}

static void violation(struct conn *c, const char *what, int err)
{
	struct capd_rec r;

	log_warnx("uid %u: %s (%d): connection closed", (unsigned)c->uid, what, err);
	capd_rec_init(&r);
	capd_rec_str(&r, "what", what);
	capd_rec_u64(&r, "error", (uint64_t)-err);
	capd_rec_str(&r, "op", c->inlen >= CAPD_HDR_SIZE ? capd_msg_name(c->hdr.type) : "-");
	rec_caller(&r, c);
	capd_audit("protocol-violation", &r);
	conn_close(c);
}

static void reset_for_request(struct conn *c, uint64_t now_ms)
{
	c->inlen = 0;
	c->need = CAPD_HDR_SIZE;
	c->outlen = c->outoff = 0;
	c->deadline_ms = now_ms + CAPD_IDLE_TIMEOUT_MS;
}

/* The whole request is in: check the permit, decode, act, reply. */
static void handle(struct conn *c)
{
	const struct permit *p = &permits[c->hdr.type];
	uint32_t status = CAPD_OK, alen = 0;
	int rc;

	if (!(p->callers & c->caller)) {
		status = CAPD_R_WRONG_CALLER;
		audit_refusal(c, c->hdr.type, status, NULL, NULL);
	} else {
		rc = p->fn(c, c->untrusted_in + CAPD_HDR_SIZE, c->hdr.len, &status,
			   c->out + CAPD_HDR_SIZE + CAPD_STATUS_SIZE);
		if (rc != CAPD_PARSE_OK) {
			violation(c, "malformed request", rc);
			return;
		}
	}
	if (status == CAPD_OK)
		alen = capd_answer_size(c->hdr.type);
	capd_hdr_encode(CAPD_REPLY | c->hdr.type, CAPD_STATUS_SIZE + alen, c->out);
	qrexec_put_u32(c->out + CAPD_HDR_SIZE, status);
	c->outlen = CAPD_HDR_SIZE + CAPD_STATUS_SIZE + alen;
	c->outoff = 0;
}

static void on_readable(struct conn *c, uint64_t now_ms)
{
	ssize_t n = read(c->fd, c->untrusted_in + c->inlen, c->need - c->inlen);
	int rc;

	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			conn_close(c);
		return;
	}
	if (n == 0) {
		/* An orderly close between requests; mid-request it is not. */
		if (c->inlen == 0)
			conn_close(c);
		else
			violation(c, "closed in the middle of a request", -EPIPE);
		return;
	}
	if (c->inlen == 0)
		c->deadline_ms = now_ms + CAPD_REQ_TIMEOUT_MS;
	c->inlen += (size_t)n;
	if (c->inlen < c->need)
		return;
	if (c->need == CAPD_HDR_SIZE) {
		rc = capd_req_hdr_decode(c->untrusted_in, CAPD_HDR_SIZE, &c->hdr);
		if (rc != CAPD_PARSE_OK) {
			violation(c, "malformed header", rc);
			return;
		}
		c->need = CAPD_HDR_SIZE + c->hdr.len;
		return;
	}
	handle(c);
}

static void on_writable(struct conn *c, uint64_t now_ms)
{
	ssize_t n = write(c->fd, c->out + c->outoff, c->outlen - c->outoff);

	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			conn_close(c);
		return;
	}
	c->outoff += (size_t)n;
	if (c->outoff == c->outlen)
		reset_for_request(c, now_ms);
}

void serve_init(struct capd_state *state)
{
	st = state;
	for (size_t i = 0; i < CAPD_CONN_MAX; i++)
		conns[i].fd = -1;
}

static void refuse_peer(int fd, uid_t uid, const char *why, uint64_t now_ms)
{
	close(fd);
	/* Unknown callers could fill the log: one record a second, with how
	 * many were not recorded since. */
	if (refused_last_ms != 0 && now_ms - refused_last_ms < CAPD_REFUSAL_AUDIT_MS) {
		refused_quiet++;
		return;
	}
	{
		struct capd_rec r;
		capd_rec_init(&r);
		capd_rec_u64(&r, "caller_uid", uid);
		capd_rec_str(&r, "reason", why);
		capd_rec_u64(&r, "unrecorded_before", refused_quiet);
		capd_audit("connection-refused", &r);
	}
	log_warnx("uid %u: connection refused: %s", (unsigned)uid, why);
	refused_last_ms = now_ms;
	refused_quiet = 0;
}

void serve_add(int fd, uid_t uid, uint64_t now_ms)
{
	uint32_t qid = 0;
	enum capd_caller who = capd_caller_of(uid, &qid);
	size_t same_class = 0, same_uid = 0, limit;
	struct conn *slot = NULL;

	if (who == CALLER_NONE) {
		refuse_peer(fd, uid, "wrong-caller", now_ms);
		return;
	}
	for (size_t i = 0; i < CAPD_CONN_MAX; i++) {
		if (conns[i].fd < 0) {
			if (slot == NULL)
				slot = &conns[i];
			continue;
		}
		same_class += (conns[i].caller == CALLER_DAEMON) == (who == CALLER_DAEMON);
		same_uid += conns[i].uid == uid;
	}
	/* Two shares: the daemons' (which read qube bytes), and dom0's:
	 * policyd's with root's tools'. */
	limit = who == CALLER_DAEMON ? CAPD_CONN_DAEMONS : CAPD_CONN_POLICYD;
	if (slot == NULL || same_class >= limit || (who == CALLER_DAEMON && same_uid >= CAPD_CONN_PER_DAEMON)) {
		refuse_peer(fd, uid, "too-many-connections", now_ms);
		return;
	}
	memset(slot, 0, sizeof(*slot));
	slot->fd = fd;
	slot->uid = uid;
	slot->caller = who;
	slot->qid = qid;
	reset_for_request(slot, now_ms);
}

size_t serve_poll_fill(struct pollfd *p, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < CAPD_CONN_MAX && n < max; i++) {
		if (conns[i].fd < 0)
			continue;
		p[n].fd = conns[i].fd;
		p[n].events = conns[i].outlen > conns[i].outoff ? POLLOUT : POLLIN;
		p[n].revents = 0;
		n++;
	}
	return n;
}

void serve_poll_done(const struct pollfd *p, size_t n, uint64_t now_ms)
{
	for (size_t k = 0; k < n; k++) {
		struct conn *c = NULL;

		if (p[k].revents == 0)
			continue;
		for (size_t i = 0; i < CAPD_CONN_MAX; i++)
			if (conns[i].fd == p[k].fd) {
				c = &conns[i];
				break;
			}
		if (c == NULL)
			continue;
		if (c->outlen > c->outoff) {
			if (p[k].revents & (POLLOUT | POLLERR | POLLHUP))
				on_writable(c, now_ms);
		} else if (p[k].revents & (POLLIN | POLLERR | POLLHUP)) {
			on_readable(c, now_ms);
		}
	}
}

uint64_t serve_expire(uint64_t now_ms)
{
	uint64_t next = UINT64_MAX;

	for (size_t i = 0; i < CAPD_CONN_MAX; i++) {
		struct conn *c = &conns[i];

		if (c->fd < 0)
			continue;
		if (now_ms >= c->deadline_ms) {
			/* Idle with nothing pending: a plain close.  Mid-request
			 * or with a reply not taken: a slow or stalled client. */
			if (c->inlen == 0 && c->outlen == 0)
				conn_close(c);
			else
				violation(c, "deadline passed", -ETIMEDOUT);
			continue;
		}
		if (c->deadline_ms < next)
			next = c->deadline_ms;
	}
	return next;
}

size_t serve_count(void)
{
	size_t n = 0;

	for (size_t i = 0; i < CAPD_CONN_MAX; i++)
		n += conns[i].fd >= 0;
	return n;
}

void serve_close_all(void)
{
	for (size_t i = 0; i < CAPD_CONN_MAX; i++)
		if (conns[i].fd >= 0)
			conn_close(&conns[i]);
}
