#include "admin_client.h"
#include "admin_proto.h"
#include "io.h"
#include "log.h"
#include "paths.h"
#include "unixsock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int connect_admin(uint64_t deadline_ms)
{
	char path[BH_PATH_MAX];
	int rc = bh_path(path, sizeof(path), BH_ADMIN_SOCK);

	return rc < 0 ? rc : unix_connect_deadline(path, deadline_ms);
}

/* Splits an exception body "type\0traceback\0message\0" into r. */
static int parse_exception(const char *body, size_t len, struct admin_reply *r)
{
	const char *type = body, *tb, *msg;
	size_t tl, tbl, ml;

	tl = strnlen(type, len);
	if (tl == len || tl >= sizeof(r->exc_type))
		return -EBADMSG;
	tb = type + tl + 1;
	tbl = strnlen(tb, len - tl - 1);
	if (tbl == len - tl - 1)
		return -EBADMSG;
	msg = tb + tbl + 1;
	ml = strnlen(msg, len - tl - tbl - 2);
	if (ml != len - tl - tbl - 3)
		return -EBADMSG;
	memcpy(r->exc_type, type, tl + 1);
	sb_add(&r->content, msg, ml);
	return r->content.err;
}

int admin_call(const char *method, const char *dest, const char *arg,
	       const void *payload, size_t payload_len, struct admin_reply *r)
{
	uint64_t deadline = now_ms() + ADMIN_CALL_TIMEOUT_MS;
	struct strbuf req;
	char *reply;
	size_t got;
	int fd, rc;

	memset(r, 0, sizeof(*r));
	sb_init(&r->content, ADMIN_MAX_REPLY);
	sb_init(&req, ADMIN_MAX_REQUEST);
	sb_add(&req, "dom0", 5);
	sb_add(&req, method, strlen(method) + 1);
	sb_add(&req, dest, strlen(dest) + 1);
	sb_add(&req, arg, strlen(arg) + 1);
	sb_add(&req, payload, payload_len);
	if (req.err) {
		rc = req.err;
		sb_free(&req);
		return rc;
	}
	fd = connect_admin(deadline);
	if (fd < 0) {
		sb_free(&req);
		return fd;
	}
	rc = write_all_deadline(fd, req.buf, req.len, deadline);
	sb_free(&req);
	if (rc == 0 && shutdown(fd, SHUT_WR) < 0)
		rc = -errno;
	reply = malloc(ADMIN_MAX_REPLY);
	if (reply == NULL)
		rc = rc ? rc : -ENOMEM;
	if (rc == 0)
		rc = read_to_eof_deadline(fd, reply, ADMIN_MAX_REPLY, &got, deadline);
	close(fd);
	if (rc == 0) {
		if (got < 2 || reply[1] != 0)
			rc = -EBADMSG;
		else if (reply[0] == ADMIN_REPLY_OK) {
			r->ok = true;
			sb_add(&r->content, reply + 2, got - 2);
			rc = r->content.err;
		} else if (reply[0] == ADMIN_REPLY_EXCEPTION)
			rc = parse_exception(reply + 2, got - 2, r);
		else
			rc = -EBADMSG;
	}
	free(reply);
	return rc;
}

void admin_reply_free(struct admin_reply *r)
{
	sb_free(&r->content);
}

int admin_call_or_report(const char *method, const char *dest, const char *arg,
			 const void *payload, size_t payload_len, struct admin_reply *r)
{
	int rc = admin_call(method, dest, arg, payload, payload_len, r);

	if (rc < 0) {
		if (rc == -ENOENT || rc == -ECONNREFUSED)
			fprintf(stderr, "%s: cannot reach bulkheadd (is it running for BULKHEAD_ROOT=%s?)\n",
				log_progname(), bh_root() ? bh_root() : "?");
		else
			fprintf(stderr, "%s: %s: %s\n", log_progname(), method, strerror(-rc));
		return 1;
	}
	if (!r->ok) {
		char esc[512];
		fprintf(stderr, "%s: %s\n", log_progname(),
			log_escape(r->content.buf ? r->content.buf : "", r->content.len, esc, sizeof(esc)));
		return 1;
	}
	return 0;
}
