/* capd-tool: a test helper (not a test; never installed) that calls capd
 * through capdclient as any uid, for tests/integration/capd_*.sh.
 *
 *   capd-tool [--uid UID] mint SRC SQID TGT TQID SVC ARG REQID [TTL_MS]
 *   capd-tool [--uid UID] mint-grant SRC SQID TGT TQID SVC ARG REQID
 *   capd-tool [--uid UID] redeem TOKEN SRC SQID TGT TQID SVC ARG REQID
 *   capd-tool [--uid UID] grant SRC SQID TGT TQID SVC ARG SCOPE VALUE
 *   capd-tool [--uid UID] audit SRC TGT SVC ARG REQID VERDICT REASON FILE LINE
 *   capd-tool [--uid UID] raw HEX [MS]  (sends bytes, shuts its side unless MS is given, and
 *                                       prints the reply in hex or "-", then "eof" or "open")
 *   capd-tool [--uid UID] idle MS       (connects, sends nothing; prints "eof" if capd closes)
 *
 * ARG "-" stands for the empty argument.  mint and mint-grant print the
 * token in hex; grant prints the id.  Exit: 0 ok, 1 refused by capd (its
 * reason on stderr: "refused: forged"), 2 anything else (transport,
 * malformed answer, usage). */
#include <errno.h>
#include <grp.h>
#include <stdbool.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "capd/capd_client.h"
#include "capd/capd_names.h"
#include "lib/io.h"
#include "lib/paths.h"

#define DEADLINE (now_ms() + 5000)

static int done(int rc, uint32_t reason)
{
	if (rc == 0)
		return 0;
	if (rc == -EACCES) {
		fprintf(stderr, "refused: %s\n", capd_status_name(reason));
		return 1;
	}
	fprintf(stderr, "error: %s\n", strerror(-rc));
	return 2;
}

static uint32_t num(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*end || !*s)
		exit(2);
	return (uint32_t)v;
}

static const char *arg_of(const char *s)
{
	return strcmp(s, "-") == 0 ? "" : s;
}

static void call_from(char **a, struct capd_call *c)
{
	if (capd_call_set(c, a[0], num(a[1]), a[2], num(a[3]), a[4], arg_of(a[5]), a[6]) != 0) {
		fprintf(stderr, "error: invalid call\n");
		exit(2);
	}
}

static void print_hex(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
	printf("\n");
}

static size_t from_hex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = strlen(s) / 2;

	if (strlen(s) % 2 || n > cap)
		exit(2);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			exit(2);
		out[i] = (uint8_t)v;
	}
	return n;
}

static int raw_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (fd < 0 || bh_path(sa.sun_path, sizeof(sa.sun_path), CAPD_SOCKET_REL) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "error: connect: %s\n", strerror(errno));
		exit(2);
	}
	return fd;
}

int main(int argc, char **argv)
{
	uint8_t buf[16384];
	struct capd_call call;
	struct capd_token tok;
	uint32_t reason = 0;
	uint64_t id = 0;
	int rc;

	if (argc >= 3 && strcmp(argv[1], "--uid") == 0) {
		uid_t uid = num(argv[2]);
		if (setgroups(0, NULL) < 0 || setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0) {
			perror("capd-tool: setresuid");
			return 2;
		}
		argv += 2;
		argc -= 2;
	}
	if (argc < 2)
		return 2;
	if ((strcmp(argv[1], "mint") == 0 && (argc == 9 || argc == 10)) ||
	    (strcmp(argv[1], "mint-grant") == 0 && argc == 9)) {
		call_from(argv + 2, &call);
		if (strcmp(argv[1], "mint") == 0)
			rc = capd_mint(NULL, &call, argc == 10 ? num(argv[9]) : 0, &tok, &reason, DEADLINE);
		else
			rc = capd_mint_from_grant(NULL, &call, &tok, &id, &reason, DEADLINE);
		if (rc == 0) {
			capd_token_encode(&tok, buf);
			print_hex(buf, CAPD_TOKEN_SIZE);
		}
		return done(rc, reason);
	}
	if (strcmp(argv[1], "redeem") == 0 && argc == 10) {
		if (from_hex(argv[2], buf, sizeof(buf)) != CAPD_TOKEN_SIZE ||
		    capd_token_decode(buf, CAPD_TOKEN_SIZE, &tok) != 0) {
			fprintf(stderr, "error: not a token\n");
			return 2;
		}
		call_from(argv + 3, &call);
		rc = capd_redeem(NULL, &tok, &call, &reason, DEADLINE);
		if (rc == 0)
			printf("ok\n");
		return done(rc, reason);
	}
	if (strcmp(argv[1], "grant") == 0 && argc == 10) {
		struct capd_binding b;
		uint32_t scope = strcmp(argv[8], "calls") == 0 ? CAPD_SCOPE_CALLS :
				 strcmp(argv[8], "minutes") == 0 ? CAPD_SCOPE_MINUTES :
				 strcmp(argv[8], "always") == 0 ? CAPD_SCOPE_ALWAYS : 0;
		if (capd_binding_set(&b, argv[2], num(argv[3]), argv[4], num(argv[5]), argv[6], arg_of(argv[7])) != 0)
			return 2;
		rc = capd_grant_create(NULL, &b, scope, num(argv[9]), &id, &reason, DEADLINE);
		if (rc == 0)
			printf("%llu\n", (unsigned long long)id);
		return done(rc, reason);
	}
	if (strcmp(argv[1], "audit") == 0 && argc == 11) {
		struct capd_audit_rec a;
		memset(&a, 0, sizeof(a));
		snprintf(a.source, sizeof(a.source), "%s", argv[2]);
		snprintf(a.target, sizeof(a.target), "%s", argv[3]);
		snprintf(a.service, sizeof(a.service), "%s", argv[4]);
		snprintf(a.argument, sizeof(a.argument), "%s", arg_of(argv[5]));
		snprintf(a.request_id, sizeof(a.request_id), "%s", arg_of(argv[6]));
		a.verdict = num(argv[7]);
		snprintf(a.reason, sizeof(a.reason), "%s", argv[8]);
		snprintf(a.file, sizeof(a.file), "%s", arg_of(argv[9]));
		a.line = num(argv[10]);
		rc = capd_audit_policy(NULL, &a, &reason, DEADLINE);
		return done(rc, reason);
	}
	if (strcmp(argv[1], "raw") == 0 && (argc == 3 || argc == 4)) {
		/* Prints what came back (hex, or "-" for nothing), then "eof"
		 * if capd closed the connection, "open" if it waits for more. */
		size_t n = from_hex(argv[2], buf, sizeof(buf)), got = 0;
		int fd = raw_connect();
		bool eof = false;
		int quiet = argc == 4 ? (int)num(argv[3]) : 1500;
		if (write_all_deadline(fd, buf, n, DEADLINE) < 0)
			return 2;
		/* Without MS: nothing more will come, say so (EOF). */
		if (argc == 3)
			shutdown(fd, SHUT_WR);
		for (;;) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			ssize_t r;
			if (poll(&p, 1, quiet) != 1)
				break;
			r = read(fd, buf + got, sizeof(buf) - got);
			if (r <= 0) {
				eof = true;
				break;
			}
			got += (size_t)r;
		}
		if (got)
			print_hex(buf, got);
		else
			printf("-\n");
		printf("%s\n", eof ? "eof" : "open");
		return 0;
	}
	if (strcmp(argv[1], "idle") == 0 && argc == 3) {
		int fd = raw_connect();
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, (int)num(argv[2])) == 1 && read(fd, buf, 1) == 0) {
			printf("eof\n");
			return 0;
		}
		printf("open\n");
		return 0;
	}
	fprintf(stderr, "capd-tool: usage error\n");
	return 2;
}
