/* capd's client side: one request, one answer, every byte of the answer
 * checked by capd_parse.c before anything in it is believed. */
#include "capd/capd_client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/io.h"
#include "lib/paths.h"

struct capd_conn {
	int fd;               /* -1: closed; the next call reconnects */
	uint64_t last_use_ms;
};

/* A non-blocking connect with a deadline: a Unix socket whose backlog is
 * full answers EAGAIN, so wait and retry rather than block. */
static int connect_deadline(uint64_t deadline_ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char path[BH_PATH_MAX];
	int fd, rc;

	rc = bh_path(path, sizeof(path), CAPD_SOCKET_REL);
	if (rc < 0)
		return rc;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno != EAGAIN && errno != EINTR) {
			rc = -errno;
			close(fd);
			return rc;
		}
		if (now_ms() >= deadline_ms) {
			close(fd);
			return -ETIMEDOUT;
		}
		poll(NULL, 0, 5);
	}
	return fd;
}

int capd_conn_open(struct capd_conn **out, uint64_t deadline_ms)
{
	struct capd_conn *c = malloc(sizeof(*c));
	int fd;

	if (c == NULL)
		return -ENOMEM;
	fd = connect_deadline(deadline_ms);
	if (fd < 0) {
		free(c);
		return fd;
	}
	c->fd = fd;
	c->last_use_ms = now_ms();
	*out = c;
	return 0;
}

void capd_conn_close(struct capd_conn *c)
{
	if (c == NULL)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

int capd_call_set(struct capd_call *call, const char *source, uint32_t source_qid, const char *target,
		  uint32_t target_qid, const char *service, const char *argument, const char *request_id)
{
	struct capd_call c;

	memset(&c, 0, sizeof(c));
	if (capd_binding_set(&c.b, source, source_qid, target, target_qid, service, argument) != CAPD_PARSE_OK ||
	    capd_call_set_reqid(&c, request_id) != CAPD_PARSE_OK)
		return -EINVAL;
	*call = c;
	return 0;
}

/* write_all_deadline() with send(MSG_NOSIGNAL): a capd that closed the
 * connection is an error to return, not a SIGPIPE to die of. */
static int send_all_deadline(int fd, const uint8_t *p, size_t len, uint64_t deadline_ms)
{
	while (len > 0) {
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };
		uint64_t now = now_ms();
		ssize_t n;

		if (now >= deadline_ms)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int)(deadline_ms - now)) < 0 && errno != EINTR)
			return -errno;
		n = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Sends type with payload req[0..len) and receives the answer into
 * ans[0 .. capd_answer_size(type)).  0, -EACCES with *reason, or -errno. */
static int transact_fd(int fd, uint32_t type, const uint8_t *req, size_t len, uint8_t *ans, uint32_t *reason,
		       uint64_t deadline_ms)
{
	uint8_t msg[CAPD_HDR_SIZE + CAPD_REQ_MAX], untrusted_hdr[CAPD_HDR_SIZE];
	uint8_t untrusted_pay[CAPD_REPLY_MAX];
	uint32_t paylen = 0, status = 0;
	int rc;

	if (len != capd_req_size(type))
		return -EINVAL;
	capd_hdr_encode(type, (uint32_t)len, msg);
	memcpy(msg + CAPD_HDR_SIZE, req, len);
	rc = send_all_deadline(fd, msg, CAPD_HDR_SIZE + len, deadline_ms);
	if (rc < 0)
		return rc;
	rc = read_exact_deadline(fd, untrusted_hdr, sizeof(untrusted_hdr), deadline_ms);
	if (rc < 0)
		return rc == -EPIPE ? -ECONNRESET : rc;
	if (capd_reply_hdr_decode(untrusted_hdr, sizeof(untrusted_hdr), type, &paylen) != CAPD_PARSE_OK)
		return -EPROTO;
	rc = read_exact_deadline(fd, untrusted_pay, paylen, deadline_ms);
	if (rc < 0)
		return rc == -EPIPE ? -EPROTO : rc;
	if (capd_status_decode(untrusted_pay, paylen, type, &status) != CAPD_PARSE_OK)
		return -EPROTO;
	if (status != CAPD_OK) {
		if (reason)
			*reason = status;
		return -EACCES;
	}
	if (capd_answer_size(type) > 0)
		memcpy(ans, untrusted_pay + CAPD_STATUS_SIZE, capd_answer_size(type));
	return 0;
}

static int transact(struct capd_conn *c, uint32_t type, const uint8_t *req, size_t len, uint8_t *ans,
		    uint32_t *reason, uint64_t deadline_ms)
{
	int rc;

	if (c == NULL) {
		int fd = connect_deadline(deadline_ms);
		if (fd < 0)
			return fd;
		rc = transact_fd(fd, type, req, len, ans, reason, deadline_ms);
		close(fd);
		return rc;
	}
	/* capd closes idle connections: reopen well before it would. */
	if (c->fd >= 0 && now_ms() - c->last_use_ms >= CAPD_IDLE_TIMEOUT_MS / 2) {
		close(c->fd);
		c->fd = -1;
	}
	if (c->fd < 0) {
		c->fd = connect_deadline(deadline_ms);
		if (c->fd < 0) {
			rc = c->fd;
			c->fd = -1;
			return rc;
		}
	}
	rc = transact_fd(c->fd, type, req, len, ans, reason, deadline_ms);
	/* After a transport error the stream's position is unknown. */
	if (rc != 0 && rc != -EACCES) {
		close(c->fd);
		c->fd = -1;
	}
	c->last_use_ms = now_ms();
	return rc;
}

/* The answer to a mint: a token that decodes. */
static int mint_answer(const uint8_t *ans, struct capd_token *tok)
{
	struct capd_token t;

	if (capd_token_decode(ans, CAPD_TOKEN_SIZE, &t) != CAPD_PARSE_OK)
		return -EPROTO;
	*tok = t;
	return 0;
}

int capd_mint(struct capd_conn *c, const struct capd_call *call, uint32_t ttl_ms, struct capd_token *tok,
	      uint32_t *reason, uint64_t deadline_ms)
{
	uint8_t req[CAPD_MINT_SIZE] = { 0 }, ans[CAPD_TOKEN_SIZE];
	int rc;

	if (ttl_ms > CAPD_TTL_MAX_MS)
		return -EINVAL;
	capd_call_encode(call, req);
	qrexec_put_u32(req + CAPD_CALL_SIZE, ttl_ms);
	rc = transact(c, CAPD_MINT, req, sizeof(req), ans, reason, deadline_ms);
	return rc ? rc : mint_answer(ans, tok);
}

int capd_mint_from_grant(struct capd_conn *c, const struct capd_call *call, struct capd_token *tok,
			 uint64_t *grant_id, uint32_t *reason, uint64_t deadline_ms)
{
	uint8_t req[CAPD_MINT_GRANT_SIZE], ans[CAPD_TOKEN_SIZE];
	struct capd_token t;
	int rc;

	capd_call_encode(call, req);
	rc = transact(c, CAPD_MINT_FROM_GRANT, req, sizeof(req), ans, reason, deadline_ms);
	if (rc == 0)
		rc = mint_answer(ans, &t);
	if (rc != 0)
		return rc;
	/* A derived capability names its grant. */
	if (t.grant_id == 0)
		return -EPROTO;
	if (grant_id)
		*grant_id = t.grant_id;
	*tok = t;
	return 0;
}

int capd_redeem(struct capd_conn *c, const struct capd_token *tok, const struct capd_call *call, uint32_t *reason,
		uint64_t deadline_ms)
{
	uint8_t req[CAPD_REDEEM_SIZE];

	capd_token_encode(tok, req);
	capd_call_encode(call, req + CAPD_TOKEN_SIZE);
	return transact(c, CAPD_REDEEM, req, sizeof(req), NULL, reason, deadline_ms);
}

int capd_grant_create(struct capd_conn *c, const struct capd_binding *b, uint32_t scope, uint32_t value,
		      uint64_t *id, uint32_t *reason, uint64_t deadline_ms)
{
	uint8_t req[CAPD_GRANT_SIZE], ans[8];
	uint64_t v;
	int rc;

	capd_binding_encode(b, req);
	qrexec_put_u32(req + CAPD_BINDING_SIZE, scope);
	qrexec_put_u32(req + CAPD_BINDING_SIZE + 4, value);
	rc = transact(c, CAPD_GRANT_CREATE, req, sizeof(req), ans, reason, deadline_ms);
	if (rc != 0)
		return rc;
	if (capd_u64_decode(ans, sizeof(ans), 1, &v) != CAPD_PARSE_OK)
		return -EPROTO;
	*id = v;
	return 0;
}

int capd_grant_list(struct capd_conn *c, uint64_t after, struct capd_grant_entry *out, size_t *n, bool *more,
		    uint32_t *reason, uint64_t deadline_ms)
{
	uint8_t ans[CAPD_LIST_ANSWER], req[CAPD_LIST_SIZE];
	uint32_t count = 0, m = 0;
	uint64_t prev = after;
	int rc;

	capd_put_u64(req, after);
	rc = transact(c, CAPD_GRANT_LIST, req, sizeof(req), ans, reason, deadline_ms);
	if (rc != 0)
		return rc;
	if (capd_list_head_decode(ans, sizeof(ans), &count, &m) != CAPD_PARSE_OK)
		return -EPROTO;
	for (uint32_t i = 0; i < count; i++) {
		if (capd_grant_entry_decode(ans + 8 + (size_t)i * CAPD_GRANT_ENTRY_SIZE, CAPD_GRANT_ENTRY_SIZE,
					    &out[i]) != CAPD_PARSE_OK)
			return -EPROTO;
		/* Ascending, above the cursor: a listing cannot loop. */
		if (out[i].id <= prev)
			return -EPROTO;
		prev = out[i].id;
	}
	*n = count;
	*more = m != 0;
	return 0;
}

int capd_grant_revoke(struct capd_conn *c, uint64_t id, uint32_t *reason, uint64_t deadline_ms)
{
	uint8_t req[CAPD_REVOKE_SIZE];

	if (id == 0)
		return -EINVAL;
	capd_put_u64(req, id);
	return transact(c, CAPD_GRANT_REVOKE, req, sizeof(req), NULL, reason, deadline_ms);
}

int capd_audit_policy(struct capd_conn *c, const struct capd_audit_rec *rec, uint32_t *reason, uint64_t deadline_ms)
{
	uint8_t req[CAPD_AUDIT_SIZE];
	struct capd_audit_rec check;

	capd_audit_encode(rec, req);
	/* What capd would refuse (and close the connection over) is not sent. */
	if (capd_audit_decode(req, sizeof(req), &check) != CAPD_PARSE_OK)
		return -EINVAL;
	return transact(c, CAPD_AUDIT, req, sizeof(req), NULL, reason, deadline_ms);
}
