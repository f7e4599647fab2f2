/* vmmctl: drives the local backend directly, for tests and debugging.
 *
 *   vmmctl CMD ARGS...     one command, then exit (start stays in the
 *                          foreground until the qube halts; SIGTERM shuts
 *                          it down)
 *   vmmctl serve           commands from stdin, one a line, each answered
 *                          by one line on stdout: "ok [INFO]" or
 *                          "err ERRNO MESSAGE".  Like the monitor, it runs
 *                          tick() on SIGCHLD (signalfd) and on timeouts.
 *                          EOF, SIGTERM or "quit" kill every qube and exit.
 *
 * Commands (QUBE is NAME QID CLASS, CLASS in Qubes' spelling):
 *   create QUBE | remove QUBE | clone QUBE QUBE
 *   start QUBE [--template NAME QID] [--private NAME QID] [--memory MB]
 *              [--pids N] [--user U] [--timeout S] [--netvm]
 *   status NAME | shutdown NAME | kill NAME | pause NAME | unpause NAME
 *   wait NAME SECONDS | tick
 *
 * The instance root is $BULKHEAD_ROOT (default /).  Exit status (one-shot):
 * 0 ok, 1 refused or failed, 2 usage. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "core/vmm.h"
#include "lib/io.h"
#include "lib/log.h"
#include "lib/paths.h"

#define LINE_MAX_ 1024
#define ARGS_MAX 32

static const struct vmm_backend *be = &vmm_local_backend;

static int parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int parse_class(const char *s, enum qube_class *out)
{
	for (int c = 0; c < CLASS_COUNT; c++) {
		if (strcmp(qube_class_name((enum qube_class)c), s) == 0) {
			*out = (enum qube_class)c;
			return 0;
		}
	}
	return -1;
}

static void qube_defaults(struct vmm_qube *q)
{
	memset(q, 0, sizeof(*q));
	q->label = LABEL_RED;
	q->memory_mb = 400;
	q->maxmem_mb = 400;
	q->vcpus = 2;
	q->pids_max = 4096;
	q->shutdown_timeout_s = 60;
	q->qrexec_timeout_s = 60;
	memcpy(q->default_user, "user", 5);
}

/* NAME QID CLASS at argv[0..2]. */
static int parse_qube(char **argv, int argc, struct vmm_qube *q)
{
	qube_defaults(q);
	if (argc < 3 || strlen(argv[0]) > QUBE_NAME_MAX || parse_u32(argv[1], QID_MAX, &q->qid) < 0 ||
	    parse_class(argv[2], &q->klass) < 0)
		return -1;
	memcpy(q->name, argv[0], strlen(argv[0]) + 1);
	return 0;
}

/* NAME QID for a referenced qube of a fixed class. */
static int parse_ref(char **argv, int argc, enum qube_class c, struct vmm_qube *q)
{
	qube_defaults(q);
	if (argc < 2 || strlen(argv[0]) > QUBE_NAME_MAX || parse_u32(argv[1], QID_MAX, &q->qid) < 0)
		return -1;
	memcpy(q->name, argv[0], strlen(argv[0]) + 1);
	q->klass = c;
	return 0;
}

static int status_line(const char *name, char *out, size_t len)
{
	struct vmm_status st;
	int rc = be->status(name, &st);

	if (rc < 0)
		return rc;
	snprintf(out, len, "%s domid=%u pid=%d", power_state_name(st.state), st.domid, (int)st.init_pid);
	return 0;
}

/* Wait until `name` is halted, running tick() like the monitor would. */
static int wait_halted(const char *name, uint32_t seconds)
{
	uint64_t deadline = now_ms() + (uint64_t)seconds * 1000u;
	struct vmm_status st;

	for (;;) {
		int next;

		be->tick(&next);
		if (be->status(name, &st) < 0 || st.state == POWER_HALTED)
			return 0;
		if (now_ms() >= deadline)
			return -ETIMEDOUT;
		usleep(10000);
	}
}

/* Returns 0 ok (info in out), 2 usage, or -errno. */
static int run(int argc, char **argv, char *out, size_t outlen)
{
	struct vmm_qube q, t, p;
	const char *cmd = argc > 0 ? argv[0] : "";

	out[0] = '\0';
	if (strcmp(cmd, "create") == 0 || strcmp(cmd, "remove") == 0) {
		if (argc != 4 || parse_qube(argv + 1, 3, &q) < 0)
			return 2;
		return cmd[0] == 'c' ? be->volume_create(&q) : be->volume_remove(&q);
	}
	if (strcmp(cmd, "clone") == 0) {
		if (argc != 7 || parse_qube(argv + 1, 3, &q) < 0 || parse_qube(argv + 4, 3, &t) < 0)
			return 2;
		return be->volume_clone(&q, &t);
	}
	if (strcmp(cmd, "start") == 0) {
		struct vmm_start s = { .qube = &q };
		uint32_t domid;
		int rc;

		if (argc < 4 || parse_qube(argv + 1, 3, &q) < 0)
			return 2;
		for (int i = 4; i < argc; i++) {
			const char *o = argv[i];

			if (strcmp(o, "--template") == 0 && i + 2 < argc) {
				if (parse_ref(argv + i + 1, 2, CLASS_TEMPLATEVM, &t) < 0)
					return 2;
				s.root_template = &t;
				i += 2;
			} else if (strcmp(o, "--private") == 0 && i + 2 < argc) {
				if (parse_ref(argv + i + 1, 2, CLASS_APPVM, &p) < 0)
					return 2;
				s.private_source = &p;
				i += 2;
			} else if (strcmp(o, "--memory") == 0 && i + 1 < argc) {
				if (parse_u32(argv[++i], 1u << 20, &q.maxmem_mb) < 0)
					return 2;
				q.memory_mb = q.maxmem_mb;      /* the local limit */
			} else if (strcmp(o, "--pids") == 0 && i + 1 < argc) {
				if (parse_u32(argv[++i], 1u << 22, &q.pids_max) < 0)
					return 2;
			} else if (strcmp(o, "--timeout") == 0 && i + 1 < argc) {
				if (parse_u32(argv[++i], 3600, &q.shutdown_timeout_s) < 0)
					return 2;
			} else if (strcmp(o, "--user") == 0 && i + 1 < argc) {
				if (strlen(argv[++i]) > USER_NAME_MAX)
					return 2;
				memcpy(q.default_user, argv[i], strlen(argv[i]) + 1);
			} else if (strcmp(o, "--netvm") == 0) {
				q.has_netvm = true;
			} else {
				return 2;
			}
		}
		rc = be->start(&s, &domid);
		if (rc < 0)
			return rc;
		return status_line(q.name, out, outlen);
	}
	{
		const struct {
			const char *cmd;
			int (*op)(const char *);
		} ops[] = {
			{ "status", NULL }, { "shutdown", be->shutdown }, { "kill", be->kill },
			{ "pause", be->pause }, { "unpause", be->unpause },
		};

		for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
			int rc;

			if (strcmp(cmd, ops[i].cmd) != 0)
				continue;
			if (argc != 2)
				return 2;
			if (ops[i].op != NULL && (rc = ops[i].op(argv[1])) < 0)
				return rc;
			return status_line(argv[1], out, outlen);
		}
	}
	if (strcmp(cmd, "wait") == 0) {
		uint32_t secs;
		int rc;

		if (argc != 3 || parse_u32(argv[2], 3600, &secs) < 0)
			return 2;
		if ((rc = wait_halted(argv[1], secs)) < 0)
			return rc;
		return status_line(argv[1], out, outlen);
	}
	if (strcmp(cmd, "tick") == 0) {
		int next;

		if (argc != 1)
			return 2;
		be->tick(&next);
		snprintf(out, outlen, "next_ms=%d", next);
		return 0;
	}
	return 2;
}

/* Split on spaces and tabs in place; -1 with more than ARGS_MAX words. */
static int split(char *line, char **argv)
{
	int argc = 0;

	for (char *s = line; *s;) {
		while (*s == ' ' || *s == '\t')
			*s++ = '\0';
		if (*s == '\0')
			break;
		if (argc == ARGS_MAX)
			return -1;
		argv[argc++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
	}
	return argc;
}

static void answer(int rc, const char *info)
{
	if (rc == 0)
		printf("ok%s%s\n", info[0] ? " " : "", info);
	else if (rc == 2)
		printf("err EINVAL usage\n");
	else
		printf("err %d %s\n", -rc, strerror(-rc));
	fflush(stdout);
}

static int serve(void)
{
	char buf[LINE_MAX_ * 2], info[256];
	size_t have = 0;
	sigset_t set;
	int sfd, next = -1;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if ((sfd = signalfd(-1, &set, SFD_CLOEXEC)) < 0)
		fatal("signalfd");
	printf("ok ready\n");
	fflush(stdout);
	for (;;) {
		struct pollfd p[2] = { { .fd = 0, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
		int n = poll(p, 2, next);

		if (n < 0 && errno != EINTR)
			fatal("poll");
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si) && si.ssi_signo != SIGCHLD)
				break;
		}
		if (p[0].revents & (POLLIN | POLLHUP)) {
			ssize_t r = read(0, buf + have, sizeof(buf) - have);
			char *nl;

			if (r <= 0)
				break;
			have += (size_t)r;
			while ((nl = memchr(buf, '\n', have)) != NULL) {
				char *argv[ARGS_MAX];
				size_t len = (size_t)(nl - buf);
				int argc;

				*nl = '\0';
				argc = split(buf, argv);
				if (argc == 1 && strcmp(argv[0], "quit") == 0)
					goto out;
				if (argc < 0)
					answer(2, "");
				else if (argc > 0)
					answer(run(argc, argv, info, sizeof(info)), info);
				memmove(buf, nl + 1, have - len - 1);
				have -= len + 1;
			}
			if (have == sizeof(buf)) {
				answer(-EMSGSIZE, "");
				have = 0;
			}
		}
		be->tick(&next);
	}
out:
	be->kill_all();
	return 0;
}

int main(int argc, char **argv)
{
	const char *root;
	char info[256];
	int rc;

	log_init("vmmctl");
	if (argc < 2) {
		fprintf(stderr, "usage: vmmctl serve | vmmctl CMD ARGS... (see the source's header)\n");
		return 2;
	}
	if ((root = bh_root()) == NULL) {
		fprintf(stderr, "vmmctl: bad BULKHEAD_ROOT\n");
		return 2;
	}
	if ((rc = be->init(root)) < 0) {
		fprintf(stderr, "vmmctl: init: %s\n", strerror(-rc));
		return 1;
	}
	if (strcmp(argv[1], "init") == 0)
		return 0;
	if (strcmp(argv[1], "serve") == 0)
		return serve();
	rc = run(argc - 1, argv + 1, info, sizeof(info));
	if (rc == 2) {
		fprintf(stderr, "vmmctl: usage: bad arguments for %s\n", argv[1]);
		return 2;
	}
	if (rc < 0) {
		fprintf(stderr, "vmmctl: %s: %s\n", argv[1], strerror(-rc));
		return 1;
	}
	if (info[0])
		printf("%s\n", info);
	if (strcmp(argv[1], "start") == 0) {
		/* Foreground: the qube dies with us, so stay until it halts. */
		sigset_t set;
		int sfd;

		sigemptyset(&set);
		sigaddset(&set, SIGCHLD);
		sigaddset(&set, SIGTERM);
		sigaddset(&set, SIGINT);
		sigprocmask(SIG_BLOCK, &set, NULL);
		if ((sfd = signalfd(-1, &set, SFD_CLOEXEC)) < 0)
			fatal("signalfd");
		fflush(stdout);
		for (;;) {
			struct vmm_status st;
			struct pollfd p = { .fd = sfd, .events = POLLIN };
			int next;

			be->tick(&next);
			if (be->status(argv[2], &st) < 0 || st.state == POWER_HALTED)
				return 0;
			if (poll(&p, 1, next < 0 || next > 1000 ? 1000 : next) > 0) {
				struct signalfd_siginfo si;

				if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si) && si.ssi_signo != SIGCHLD)
					(void)be->shutdown(argv[2]);
			}
		}
	}
	return 0;
}
