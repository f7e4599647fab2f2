/* qrexec/lib/dom0req.c: dom0req_check takes each op with exactly the
 * fields it uses (DREQ_PING: op and zeros), dom0rep_ping_check, and
 * dom0req_ping against stand-in daemons on a real socket: one that
 * answers, one that lies, one that has not started serving (the request
 * waits in its backlog: the deadline ends it), one that exits before
 * serving (its agent never came), none at all; and a full backlog, where
 * the connect itself waits by the deadline (unix_connect_deadline). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/io.h"
#include "lib/paths.h"
#include "lib/unixsock.h"
#include "qrexec/lib/dom0req.h"
#include "tests/lib/check.h"

static struct dom0req ping(void)
{
	return (struct dom0req){ .op = DREQ_PING };
}

static void checker(void)
{
	struct dom0req r = ping();

	CHECK(dom0req_check(&r) == 0);
	/* Every field a PING does not use, one at a time. */
	r = ping(), r.domain = 1;
	CHECK(dom0req_check(&r) < 0);
	r = ping(), r.port = VCHAN_BASE_PORT + 1;
	CHECK(dom0req_check(&r) < 0);
	r = ping(), r.just_exec = 1;
	CHECK(dom0req_check(&r) < 0);
	r = ping(), r.cmdline_len = 2;
	CHECK(dom0req_check(&r) < 0);
	r = ping(), r.request_id[0] = 'x';
	CHECK(dom0req_check(&r) < 0);
	r = ping(), r.request_id[REQUEST_ID_SIZE - 1] = 'x';
	CHECK(dom0req_check(&r) < 0);
	r = ping(), r.source_qid = 2;
	CHECK(dom0req_check(&r) < 0);
	r = ping(), r.token[CAPD_TOKEN_SIZE - 1] = 1;
	CHECK(dom0req_check(&r) < 0);
	/* Ops around it. */
	r = ping(), r.op = DREQ_OP_MAX + 1;
	CHECK(dom0req_check(&r) < 0);
	r = ping(), r.op = 0;
	CHECK(dom0req_check(&r) < 0);
	r = (struct dom0req){ .op = DREQ_WAIT_PORT, .domain = 2, .port = VCHAN_BASE_PORT + 1 };
	CHECK(dom0req_check(&r) == 0);
	r = (struct dom0req){ .op = DREQ_SERVICE_REFUSED, .request_id = "1" };
	CHECK(dom0req_check(&r) == 0);
	r = (struct dom0req){ .op = DREQ_EXEC, .cmdline_len = 6, .request_id = "1", .source_qid = 2 };
	CHECK(dom0req_check(&r) == 0);
}

static void reply_checker(void)
{
	struct dom0rep rep = { 0, 0, 7 };

	CHECK(dom0rep_ping_check(&rep, 7) == 0);
	CHECK(dom0rep_ping_check(&rep, 8) < 0);
	CHECK(dom0rep_ping_check(&rep, 0) < 0);
	rep = (struct dom0rep){ -EACCES, 0, 7 };
	CHECK(dom0rep_ping_check(&rep, 7) < 0);
	rep = (struct dom0rep){ 0, QREXEC_DATA_PORT_MIN, 7 };
	CHECK(dom0rep_ping_check(&rep, 7) < 0);
}

/* A stand-in daemon for qube q, in a child: how it treats the one
 * connection it gets. */
enum standin { ANSWER, LIE, NEVER_ACCEPT, EXIT_AFTER };

static pid_t standin(const char *q, enum standin how, int *lfd_out)
{
	char path[BH_PATH_MAX];
	int lfd, fd;
	pid_t pid;

	if (dom0req_socket_path(q, path, sizeof(path)) < 0 || (lfd = unix_listen(path, 1)) < 0)
		return -1;
	pid = fork();
	if (pid != 0) {
		if (lfd_out != NULL)
			*lfd_out = lfd;
		else
			close(lfd);
		return pid;
	}
	if (how == NEVER_ACCEPT)
		pause();
	if (how == EXIT_AFTER) {
		usleep(300 * 1000);     /* gives up before serving */
		_exit(0);
	}
	for (;;) {
		struct dom0req req;
		struct dom0rep rep = { 0, 0, how == LIE ? 99u : 7u };

		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			usleep(1000);
			continue;
		}
		if (read_exact_deadline(fd, &req, sizeof(req), now_ms() + 2000) == 0 && dom0req_check(&req) == 0 &&
		    req.op == DREQ_PING && write_all_deadline(fd, &rep, sizeof(rep), now_ms() + 2000) < 0)
			fprintf(stderr, "stand-in: the ping left before its answer\n");
		close(fd);
	}
}

static void stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void pings(void)
{
	uint64_t t0;
	pid_t pid;
	int lfd, fds[4], n = 0, rc;

	pid = standin("answers", ANSWER, NULL);
	CHECK(pid > 0);
	CHECK(dom0req_ping("answers", 7, now_ms() + 2000) == 0);
	CHECK(dom0req_ping("answers", 8, now_ms() + 2000) == -EPROTO);     /* another domain */
	stop(pid);

	pid = standin("lies", LIE, NULL);
	CHECK(dom0req_ping("lies", 7, now_ms() + 2000) == -EPROTO);
	stop(pid);

	/* Not serving yet: the deadline, not before. */
	pid = standin("unready", NEVER_ACCEPT, NULL);
	t0 = now_ms();
	CHECK(dom0req_ping("unready", 7, t0 + 300) == -ETIMEDOUT);
	CHECK(now_ms() - t0 >= 300 && now_ms() - t0 < 2000);
	/* Its backlog full (1 and what Linux adds): the connect waits by
	 * the deadline too, where unix_connect would block. */
	{
		char path[BH_PATH_MAX];

		CHECK(dom0req_socket_path("unready", path, sizeof(path)) == 0);
		while (n < 4 && (fds[n] = unix_connect_deadline(path, now_ms() + 100)) >= 0)
			n++;
		CHECK(n < 4);
		t0 = now_ms();
		CHECK(unix_connect_deadline(path, t0 + 200) == -ETIMEDOUT);
		CHECK(now_ms() - t0 >= 200 && now_ms() - t0 < 2000);
		t0 = now_ms();
		CHECK(dom0req_ping("unready", 7, t0 + 200) == -ETIMEDOUT);
		CHECK(now_ms() - t0 >= 200 && now_ms() - t0 < 2000);
		while (n > 0)
			close(fds[--n]);
	}
	stop(pid);

	/* Exits before serving: the waiting ping ends with it, early. */
	pid = standin("gaveup", EXIT_AFTER, &lfd);
	close(lfd);
	t0 = now_ms();
	rc = dom0req_ping("gaveup", 7, t0 + 5000);
	CHECK(rc == -EPIPE || rc == -ECONNRESET);
	CHECK(now_ms() - t0 < 3000);
	waitpid(pid, NULL, 0);
	/* Its stale socket, and no socket at all: at once. */
	CHECK(dom0req_ping("gaveup", 7, now_ms() + 5000) == -ECONNREFUSED);
	CHECK(dom0req_ping("nobody", 7, now_ms() + 5000) == -ENOENT);
}

int main(void)
{
	char root[] = "/tmp/test-dom0req.XXXXXX";
	char cmd[64];

	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(root) == NULL || setenv("BULKHEAD_ROOT", root, 1) < 0 || bh_mkdirs("run/bulkhead/qrexec", 0700) < 0)
		return 1;
	checker();
	reply_checker();
	pings();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", root);
	return check_exit();
}
