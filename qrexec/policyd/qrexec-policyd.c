/* qrexec-policyd: decides every service request a qube makes, and sets
 * up the allowed ones.  Started by bulkheadd's VMM monitor.
 *
 * A qube's qrexec-daemon sends it the (checked) request on
 * run/bulkhead/qrexec/policy.sock; a child process per request reads the
 * facts about qubes from bulkheadd, evaluates the policy
 * (qrexec/policy/), asks the user when the policy says ask, and on allow
 * makes the call happen:
 *  - into a qube: the target's daemon sends EXEC_CMDLINE to its agent,
 *    the source's daemon is told (target, port) for SERVICE_CONNECT, and
 *    the channel's socket is linked into the target's directory;
 *  - into dom0: a runner forked before the sandbox (runner.c) serves the
 *    call, running the service from $BULKHEAD_ROOT/etc/qubes-rpc.
 * Its runner stays root; the rest runs as BH_UID_POLICYD with
 * CAP_FOWNER (to link one qube's socket into another's directory: a
 * sticky directory, and an inode of another uid) and nothing else, under
 * its seccomp policy.
 * SPEC/qrexec-daemons.md. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/io.h"
#include "lib/log.h"
#include "lib/ratelimit.h"
#include "lib/spare.h"
#include "lib/paths.h"
#include "lib/unixsock.h"
#include "lib/dom0_uids.h"
#include "lib/privdrop.h"
#include "lib/sandbox.h"
#include "qrexec/lib/policyreq.h"
#include "qrexec/policy/policy.h"
#include "qrexec/policyd/admission.h"
#include "qrexec/policyd/policyd.h"

/* Decision lines in the log, across all qubes; every decision is still
 * made (and, with capd, audited).  A flood is summarised once a second.
 * Refusals of a full queue likewise. */
#define LOG_DECISIONS_PER_S 50u
#define LOG_DECISIONS_BURST 200u

/* What a request's child gets besides the connection. */
struct job {
	uint32_t dom0_port;
	uint32_t quiet;             /* 1: do not log the decision */
};

/* The policy the spare was forked with (it serves with its own copy). */
static struct policy *pol;
static struct spare spare = SPARE_NONE;
static struct admission adm;
static struct ratelimit decisions_rl, refusals_rl;
static uint32_t next_port;

static int serve_job(void *ctx, const void *buf, size_t len, int fd)
{
	struct job j;
	sigset_t none;

	(void)ctx;
	if (len != sizeof(j) || fd < 0)
		return 1;
	memcpy(&j, buf, sizeof(j));
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	return policyd_handle(fd, pol, j.dom0_port, j.quiet != 0);
}

/* A request's child: the spare if there is one, else a fork. */
static pid_t hand_off(int fd, const struct job *j)
{
	pid_t pid = spare.pid ? spare_hand(&spare, j, sizeof(*j), fd) : -ESRCH;

	if (pid > 0)
		return pid;
	pid = fork();
	if (pid == 0) {
		/* As a spare: the request and the runner, nothing else of
		 * ours (not the listener, not the requests waiting their turn). */
		int keep[2] = { fd, policyd_runner_fd() };

		if (spare_close_all_but(keep, 2) < 0)
			_exit(1);
		_exit(serve_job(NULL, j, sizeof(*j), fd));
	}
	return pid;
}

/* The child for uid's request on fd; fd is closed here (the child has
 * its own). */
static void start_request(int fd, uid_t uid)
{
	struct job j;
	pid_t pid;

	/* Qubes' semantics: a policy that no longer loads denies all.  A
	 * spare forked with the old policy must not serve. */
	if (pol != NULL && policy_reload(&pol) == 1) {
		spare_discard(&spare);
		if (policy_error(pol) != NULL)
			log_warnx("policy: %s: every request is denied", policy_error(pol));
	}
	/* Ports of channels into dom0 are ours to number (SPEC). */
	next_port = next_port % (QREXEC_DATA_PORT_MAX - QREXEC_DATA_PORT_MIN) + 1;
	j = (struct job){ QREXEC_DATA_PORT_MIN + next_port - 1, !ratelimit_take(&decisions_rl, now_ms()) };
	pid = hand_off(fd, &j);
	if (pid > 0)
		admission_started(&adm, pid, uid);
	else
		log_warn("fork");
	close(fd);
}

/* A new connection: its child now, or a place in the queue (admission.h). */
static void accepted(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || len != sizeof(cred)) {
		close(fd);
		return;
	}
	switch (admission_offer(&adm, fd, cred.uid)) {
	case ADMIT_NOW:
		start_request(fd, cred.uid);
		break;
	case ADMIT_QUEUED:
		break;
	case ADMIT_FULL:
		if (ratelimit_take(&refusals_rl, now_ms()))
			log_warnx("a request from uid %#x refused: %u of its requests already wait",
				  (unsigned)cred.uid, ADMIT_WAITING_PER_SOURCE_MAX);
		close(fd);
		break;
	}
}

static int listen_policy(void)
{
	char path[BH_PATH_MAX];
	int fd;

	if (bh_mkdirs("run/bulkhead/qrexec", 0700) < 0 || bh_path(path, sizeof(path), POLICY_SOCKET_REL) < 0)
		fatalx("cannot make the policy socket path");
	fd = unix_listen(path, 32);
	if (fd < 0)
		fatalx("%s: %s", path, strerror(-fd));
	/* The qrexec-daemons run under their own uids: anyone may connect,
	 * and each request is checked against its sender's uid (handle.c). */
	if (chmod(path, 0666) < 0)
		fatal("chmod %s", path);
	return fd;
}

int main(int argc, char **argv)
{
	static const int keep[] = { CAP_FOWNER };
	uint64_t quieted;
	char vdir[BH_PATH_MAX], dirs[2 * BH_PATH_MAX + 2], etc[BH_PATH_MAX];
	sigset_t mask;
	int lfd, sfd, rc, n, keep_fds[1];

	log_init(argv[0]);
	if (argc != 1) {
		fprintf(stderr, "qrexec-policyd: takes no arguments\n");
		return 2;
	}
	if (bh_root() == NULL)
		fatalx("BULKHEAD_ROOT must be absolute");
	if (bh_path(vdir, sizeof(vdir), "run/bulkhead/vchan") < 0)
		fatalx("path too long");
	setenv("VCHAN_SOCKET_DIR", vdir, 1);
	unsetenv("VCHAN_DOMAIN");
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		fatal("signalfd");
	lfd = listen_policy();
	/* dom0 services are looked up under the instance root. */
	if (bh_path(dirs, sizeof(dirs) / 2, "usr/local/etc/qubes-rpc") < 0 ||
	    bh_path(etc, sizeof(etc), "etc/qubes-rpc") < 0)
		fatalx("path too long");
	strncat(dirs, ":", sizeof(dirs) - strlen(dirs) - 1);
	strncat(dirs, etc, sizeof(dirs) - strlen(dirs) - 1);
	setenv("QREXEC_SERVICE_PATH", dirs, 1);
	if (policyd_runner_start() < 0)
		fatal("cannot start the dom0-service runner");
	/* A request's child talks to the runner, and nothing else of ours. */
	keep_fds[0] = policyd_runner_fd();
	/* The runner stays root (dom0 services, the prompt); the rest of
	 * policyd becomes BH_UID_POLICYD, which capd, bulkheadd and the
	 * qrexec-daemons know it by, keeping only CAP_FOWNER. */
	if ((rc = privdrop_keep(BH_UID_POLICYD, BH_GID_POLICYD, keep, 1)) < 0)
		fatalx("cannot become uid %#x: %s", BH_UID_POLICYD, strerror(-rc));
	if (sandbox_install(policyd_seccomp, policyd_seccomp_len) < 0)
		fatalx("cannot install the sandbox");
	pol = policy_load_dir(NULL);
	if (pol == NULL || policy_error(pol) != NULL)
		log_warnx("policy: %s: every request is denied", pol ? policy_error(pol) : "out of memory");
	log_info("serving %s", bh_root());
	ratelimit_init(&decisions_rl, LOG_DECISIONS_PER_S, LOG_DECISIONS_BURST, now_ms());
	ratelimit_init(&refusals_rl, LOG_DECISIONS_PER_S, LOG_DECISIONS_BURST, now_ms());
	admission_init(&adm);

	for (;;) {
		struct pollfd p[2] = { { .fd = lfd, .events = admission_has_room(&adm) ? POLLIN : 0 },
				       { .fd = sfd, .events = POLLIN } };
		uid_t uid;
		int fd;

		/* A new spare once idle for SPARE_IDLE_MS (lib/spare.h). */
		n = poll(p, 2, spare.pid == 0 ? SPARE_IDLE_MS : -1);
		if (n == 0 && (rc = spare_start(&spare, serve_job, NULL, keep_fds, 1)) < 0)
			log_warnx("cannot fork a spare: %s", strerror(-rc));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			pid_t dead;
			while (read(sfd, &si, sizeof(si)) == sizeof(si))
				if (si.ssi_signo != SIGCHLD) {
					spare_discard(&spare);
					return 0;
				}
			while ((dead = waitpid(-1, NULL, WNOHANG)) > 0) {
				if (admission_ended(&adm, dead) || dead != spare.pid)
					continue;
				/* The spare died idle (it never should): it is replaced below. */
				close(spare.fd);
				spare = (struct spare)SPARE_NONE;
			}
			/* Children freed: waiting requests get them. */
			while ((fd = admission_next(&adm, &uid)) >= 0)
				start_request(fd, uid);
		}
		if ((p[0].revents & POLLIN) && (fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) >= 0)
			accepted(fd);
		if ((quieted = ratelimit_report(&decisions_rl, now_ms())) > 0)
			log_warnx("%llu decisions not logged (over %u a second)", (unsigned long long)quieted,
				  LOG_DECISIONS_PER_S);
		if ((quieted = ratelimit_report(&refusals_rl, now_ms())) > 0)
			log_warnx("%llu refusals of a full queue not logged (over %u a second)",
				  (unsigned long long)quieted, LOG_DECISIONS_PER_S);
	}
}
