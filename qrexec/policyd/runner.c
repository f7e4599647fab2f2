/* The dom0-service runner: a process policyd forks before it sandboxes
 * itself, because dom0 services are arbitrary programs and a seccomp
 * filter would be inherited by them.  It accepts one kind of record from
 * policyd's request children (over a SOCK_SEQPACKET socketpair): serve
 * the call whose channel is (source domain, port) by running
 * "QUBESRPC SVC+ARG SOURCE" as user.  Every field is checked again. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/paths.h"
#include "lib/names_parse.h"
#include "lib/spare.h"
#include "qrexec/lib/run_call.h"
#include "qrexec/msg_parse.h"
#include "qrexec/policyd/policyd.h"

static int runner_fd = -1;

static int check(const struct runner_req *r)
{
	size_t ul = strnlen(r->user, sizeof(r->user)), cl = strnlen(r->command, sizeof(r->command));
	static struct qrexec_rpc_cmd rpc;

	if (r->op == RUNNER_ASK)
		return r->argc >= 5 && r->argc <= 4 + POLICY_ASK_TARGETS_MAX &&
		       r->args[sizeof(r->args) - 1] == '\0' ? 0 : -1;
	if (r->op != RUNNER_SERVE || ul == sizeof(r->user) || cl == sizeof(r->command) || r->domain == 0 ||
	    qrexec_endpoint_check(r->domain, r->port) != QREXEC_OK ||
	    names_check(NAME_USER, (const uint8_t *)r->user, ul) < 0 ||
	    qrexec_rpc_cmd_parse((const uint8_t *)r->command, cl, &rpc) != QREXEC_OK)
		return -1;
	return 0;
}

/* Beside qrexec-policyd: the default prompt (found before the sandbox). */
static char default_prompt[BH_PATH_MAX];

/* In a child of the runner: run the prompt (the administrator's
 * etc/bulkhead/qrexec-ask, else bulkhead-ask; never a program the request
 * names), pass its answer on only when it allowed (exit 0).  The prompt
 * checks its arguments itself (capd/prompt/ask_args.c). */
static _Noreturn void ask(const struct runner_req *r, int out)
{
	static char *argv[2 + 4 + POLICY_ASK_TARGETS_MAX];
	static char answer[ASK_REPLY_MAX], prog[BH_PATH_MAX];
	const char *p = r->args;
	size_t got = 0;
	int pfd[2], st;
	pid_t pid;

	if (bh_path(prog, sizeof(prog), "etc/bulkhead/qrexec-ask") < 0 || access(prog, X_OK) < 0)
		memcpy(prog, default_prompt, sizeof(prog));
	argv[0] = prog;
	for (uint32_t i = 0; i < r->argc; i++) {
		argv[1 + i] = (char *)p;
		p += strlen(p) + 1;
		if (p >= r->args + sizeof(r->args))
			_exit(1);
	}
	argv[1 + r->argc] = NULL;
	if (pipe(pfd) < 0)
		_exit(1);
	pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	while (got < sizeof(answer) - 1) {
		ssize_t n = read(pfd[0], answer + got, sizeof(answer) - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	waitpid(pid, &st, 0);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0 && write(out, answer, got) != (ssize_t)got)
		_exit(1);
	_exit(0);
}

static int recv_with_fd(int fd, struct runner_req *r, int *passed)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { r, sizeof(*r) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	ssize_t n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);

	*passed = -1;
	for (c = CMSG_FIRSTHDR(&mh); n > 0 && c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(passed, CMSG_DATA(c), sizeof(int));
	if (n > 0 && (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
		return -EMSGSIZE;
	return (int)n;
}

static _Noreturn void runner_loop(int fd)
{
	log_init("qrexec-policyd-runner");
	for (;;) {
		static struct runner_req r;
		int passed, n = recv_with_fd(fd, &r, &passed);
		pid_t pid;

		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (n == 0)
			exit(0);                /* policyd is gone */
		if (n < 0) {
			if (errno == EINTR)
				continue;
			exit(1);
		}
		if (n != (int)sizeof(r) || check(&r) < 0 || (r.op == RUNNER_ASK) != (passed >= 0)) {
			log_warnx("malformed request; stopping");
			exit(1);
		}
		pid = fork();
		if (pid == 0) {
			close(fd);
			if (r.op == RUNNER_ASK)
				ask(&r, passed);
			_exit(run_call(r.domain, r.port, r.user, r.command) < 0);
		}
		if (passed >= 0)
			close(passed);
	}
}

int policyd_runner_start(void)
{
	char exe[BH_PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;
	int sv[2];
	pid_t pid;

	if (n <= 0 || (exe[n] = '\0', slash = strrchr(exe, '/')) == NULL ||
	    (size_t)(slash - exe) + sizeof("/bulkhead-ask") > sizeof(default_prompt))
		return -ENAMETOOLONG;
	memcpy(default_prompt, exe, (size_t)(slash - exe));
	memcpy(default_prompt + (slash - exe), "/bulkhead-ask", sizeof("/bulkhead-ask"));

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* Nothing of policyd's but our socket: not its listener (the
		 * runner never takes requests from the daemons). */
		int keep[1] = { sv[1] };

		if (spare_close_all_but(keep, 1) < 0)
			_exit(1);
		signal(SIGCHLD, SIG_DFL);
		runner_loop(sv[1]);
	}
	close(sv[1]);
	runner_fd = sv[0];
	return 0;
}

int policyd_runner_fd(void)
{
	return runner_fd;
}

int policyd_run_dom0(uint32_t domain, uint32_t port, const char *user, const char *command)
{
	static struct runner_req r;

	memset(&r, 0, sizeof(r));
	if (strlen(user) >= sizeof(r.user) || strlen(command) >= sizeof(r.command))
		return -ENAMETOOLONG;
	r.op = RUNNER_SERVE;
	r.domain = domain;
	r.port = port;
	memcpy(r.user, user, strlen(user));
	memcpy(r.command, command, strlen(command));
	return send(runner_fd, &r, sizeof(r), 0) == (ssize_t)sizeof(r) ? 0 : -EIO;
}

int policyd_run_ask(char *const argv[])
{
	static struct runner_req r;
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &r, sizeof(r) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	size_t off = 0;
	int pfd[2];

	memset(&r, 0, sizeof(r));
	r.op = RUNNER_ASK;
	for (; argv[r.argc] != NULL; r.argc++) {
		size_t len = strlen(argv[r.argc]) + 1;
		if (off + len >= sizeof(r.args))
			return -E2BIG;
		memcpy(r.args + off, argv[r.argc], len);
		off += len;
	}
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	memset(cbuf, 0, sizeof(cbuf));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &pfd[1], sizeof(int));
	if (sendmsg(runner_fd, &mh, 0) != (ssize_t)sizeof(r)) {
		close(pfd[0]);
		close(pfd[1]);
		return -EIO;
	}
	close(pfd[1]);
	return pfd[0];
}
