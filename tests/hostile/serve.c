/* fake-agent: a well-behaved agent (`serve`) and a dom0 client of a
 * daemon (`dom0-*`), to check the daemons that were not attacked.
 *
 * serve: after HELLO, one line on stdout per message from the daemon
 *   refused ID | exec DOMAIN PORT USER:COMMAND | connect DOMAIN PORT ID
 * (an exec is answered at once with CONNECTION_TERMINATED for its port,
 * so dom0 can exec any number of times), and commands on stdin:
 *   trigger N   N requests, one at a time, each refused -> "triggered N"
 *   ping WORD   -> "pong WORD" (everything before it has been done)
 * EOF on stdin closes the channel (the daemon then exits 0).  Exits 1
 * if the daemon closes the channel or sends anything malformed. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/io.h"
#include "qrexec/lib/dom0req.h"
#include "tests/hostile/fake_agent.h"

#define LINE_MAX_LEN 128u

static char last_refused[REQUEST_ID_SIZE];

/* One message from the daemon: print it, answer an exec.  0 or FA_BAD. */
static int serve_msg(struct fa *fa, uint64_t deadline)
{
	static struct fa_msg m;
	static struct qrexec_exec x;
	struct qrexec_service_refused r;
	struct qrexec_service_connect c;
	struct qrexec_conn_terminated ct;
	uint8_t out[16];
	size_t n;
	int rc = fa_read_msg(fa, deadline, &m);

	if (rc == -EPIPE)
		return fa_fail("the daemon closed the channel");
	if (rc != 0)
		return rc < 0 ? fa_fail("read: %s", strerror(-rc)) : rc;
	switch (m.h.type) {
	case MSG_SERVICE_REFUSED:
		if (qrexec_service_refused_decode(m.untrusted_payload, m.h.len, &r) != QREXEC_OK)
			return fa_fail("malformed SERVICE_REFUSED");
		memcpy(last_refused, r.request_id, sizeof(last_refused));
		printf("refused %s\n", r.request_id);
		return 0;
	case MSG_SERVICE_CONNECT:
		if (qrexec_service_connect_decode(m.untrusted_payload, m.h.len, &c) != QREXEC_OK)
			return fa_fail("malformed SERVICE_CONNECT");
		printf("connect %u %u %s\n", c.connect_domain, c.connect_port, c.request_id);
		return 0;
	case MSG_EXEC_CMDLINE:
	case MSG_JUST_EXEC:
		if (qrexec_exec_decode(m.untrusted_payload, m.h.len, &x) != QREXEC_OK)
			return fa_fail("malformed EXEC_CMDLINE");
		printf("exec %u %u %s:%s%s\n", x.connect_domain, x.connect_port, x.user, x.nogui ? "nogui:" : "",
		       x.command);
		ct.domid = x.connect_domain;
		ct.port = x.connect_port;
		if (qrexec_conn_terminated_encode(&ct, out, sizeof(out), &n) != QREXEC_OK)
			return fa_fail("cannot encode CONNECTION_TERMINATED");
		return fa_send(fa, out, n);
	default:
		return fa_fail("unexpected message type 0x%x", m.h.type);
	}
}

static int serve_trigger(struct fa *fa, unsigned count)
{
	static unsigned seq;
	static struct fa_buf m;
	char id[REQUEST_ID_SIZE];
	int rc;

	for (unsigned i = 0; i < count; i++) {
		uint64_t deadline = now_ms() + FA_REPLY_MS;

		snprintf(id, sizeof(id), "s%u", seq++);
		fa_t3(&m, "dom0", id, "test.Service+serve");
		if ((rc = fa_send(fa, m.b, m.len)) != 0)
			return rc;
		if (fa->daemon_closed)
			return fa_fail("the daemon closed the channel");
		do
			if ((rc = serve_msg(fa, deadline)) != 0)
				return rc;
		while (strcmp(last_refused, id) != 0);
	}
	printf("triggered %u\n", count);
	return 0;
}

static char inbuf[LINE_MAX_LEN];
static size_t inlen;

/* One read from stdin into inbuf: 0, or -1 at EOF. */
static int fill_stdin(void)
{
	ssize_t n;

	if (inlen == sizeof(inbuf))
		inlen = 0;          /* an overlong line: drop it */
	n = read(0, inbuf + inlen, sizeof(inbuf) - inlen);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		return -1;
	if (n > 0)
		inlen += (size_t)n;
	return 0;
}

/* The next complete line of inbuf into line, without its '\n': 1 or 0. */
static int next_line(char *line)
{
	char *nl = memchr(inbuf, '\n', inlen);
	size_t len;

	if (nl == NULL)
		return 0;
	len = (size_t)(nl - inbuf);
	memcpy(line, inbuf, len);
	line[len] = '\0';
	memmove(inbuf, nl + 1, inlen - len - 1);
	inlen -= len + 1;
	return 1;
}

static int serve_command(struct fa *fa, const char *line)
{
	if (strncmp(line, "trigger ", 8) == 0)
		return serve_trigger(fa, (unsigned)strtoul(line + 8, NULL, 10));
	if (strncmp(line, "ping ", 5) == 0) {
		printf("pong %s\n", line + 5);
		return 0;
	}
	return fa_fail("unknown command");
}

int fa_serve(struct fa *fa)
{
	char line[LINE_MAX_LEN];
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((rc = fa_connect(fa)) != 0 || (rc = fa_handshake(fa)) != 0)
		return rc;
	printf("ready\n");
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = vchan_fd(fa->v), .events = vchan_poll_events(fa->v, 0) },
			{ .fd = 0, .events = POLLIN },
		};

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return fa_fail("poll: %s", strerror(errno));
		}
		if (p[0].revents) {
			(void)vchan_wait(fa->v, 0);
			while (vchan_data_ready(fa->v) > 0 || vchan_is_open(fa->v) == VCHAN_DISCONNECTED)
				if ((rc = serve_msg(fa, now_ms() + FA_REPLY_MS)) != 0)
					return rc;
		}
		if (p[1].revents) {
			int eof = fill_stdin();

			while (next_line(line))
				if ((rc = serve_command(fa, line)) != 0)
					return rc;
			if (eof < 0)
				break;
		}
	}
	vchan_close(fa->v);
	fa->v = NULL;
	return FA_OK;
}

/* dom0-refuse NAME ID [COUNT]      SERVICE_REFUSED(ID, or ID0..ID<COUNT-1>)
 * dom0-exec NAME CMDLINE [COUNT]   EXEC_CMDLINE for domain 0; prints "port P"
 * dom0-connect NAME DOMAIN PORT ID SERVICE_CONNECT
 * dom0-ping NAME DOMID             PING: answered as DOMID, the daemon serves
 * Each call on a new connection; every reply must have rc 0. */
int fa_dom0(const char *mode, int argc, char **argv, bool *found)
{
	struct dom0req req = { 0 };
	struct dom0rep rep;
	unsigned count = 1;
	const char *cmdline = NULL;

	*found = true;
	if (strcmp(mode, "dom0-refuse") == 0 && (argc == 3 || argc == 4)) {
		req.op = DREQ_SERVICE_REFUSED;
		count = argc == 4 ? (unsigned)strtoul(argv[3], NULL, 10) : 1;
	} else if (strcmp(mode, "dom0-exec") == 0 && (argc == 3 || argc == 4)) {
		req.op = DREQ_EXEC;
		/* An EXEC names its call; the harness's daemons (no --qid) ask
		 * capd nothing, so no capability goes with it. */
		snprintf(req.request_id, sizeof(req.request_id), "hostile-exec");
		cmdline = argv[2];
		req.cmdline_len = (uint32_t)strlen(cmdline) + 1;
		count = argc == 4 ? (unsigned)strtoul(argv[3], NULL, 10) : 1;
	} else if (strcmp(mode, "dom0-ping") == 0 && argc == 3) {
		int rc = dom0req_ping(argv[1], (uint32_t)strtoul(argv[2], NULL, 10), now_ms() + DOM0REQ_TIMEOUT_MS);

		return rc < 0 ? fa_fail("ping to %s: %s", argv[1], strerror(-rc)) : FA_OK;
	} else if (strcmp(mode, "dom0-connect") == 0 && argc == 5) {
		req.op = DREQ_SERVICE_CONNECT;
		req.domain = (uint32_t)strtoul(argv[2], NULL, 10);
		req.port = (uint32_t)strtoul(argv[3], NULL, 10);
		snprintf(req.request_id, sizeof(req.request_id), "%s", argv[4]);
	} else {
		*found = strncmp(mode, "dom0-", 5) == 0;
		return FA_USAGE;
	}
	for (unsigned i = 0; i < count; i++) {
		int rc;

		if (req.op == DREQ_SERVICE_REFUSED) {
			memset(req.request_id, 0, sizeof(req.request_id));
			if (count > 1)
				snprintf(req.request_id, sizeof(req.request_id), "%s%u", argv[2], i);
			else
				snprintf(req.request_id, sizeof(req.request_id), "%s", argv[2]);
		}
		rc = dom0req_call(argv[1], &req, cmdline, &rep);
		if (rc < 0)
			return fa_fail("request %u to %s: %s", i, argv[1], strerror(-rc));
		if (rep.rc != 0)
			return fa_fail("request %u to %s: the daemon answered %s", i, argv[1], strerror(-rep.rc));
		if (req.op == DREQ_EXEC && (rep.port < QREXEC_DATA_PORT_MIN || rep.port > QREXEC_DATA_PORT_MAX))
			return fa_fail("the daemon allocated port %u", rep.port);
		if (req.op == DREQ_EXEC && count == 1)
			printf("port %u\n", rep.port);
	}
	return FA_OK;
}
