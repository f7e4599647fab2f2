/* qube-init: PID 1 inside every local qube.
 *
 * Starts the services in `services` (the qrexec agent), reaps every process that
 * ends up as its child, and on SIGTERM (the backend's shutdown) asks every
 * process of the qube to stop, waits up to GRACE_MS, kills what is left and
 * exits 0.  stdout is the qube's console log on the host. */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define GRACE_MS 10000u
#define POLL_OTHERS_MS 50     /* no SIGCHLD tells us of processes we did not fork */

struct service {
	const char *name;
	const char *path;        /* absolute, run with no arguments */
	pid_t pid;
};

/* Processes started at boot, in order.  NULL-terminated. */
static struct service services[] = {
	{ "qrexec-agent", "/usr/lib/bulkhead/bin/qrexec-agent", 0 },
	{ NULL, NULL, 0 },
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("qube-init: ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
	fflush(stdout);
}

static void start_services(const sigset_t *blocked)
{
	for (struct service *s = services; s->path != NULL; s++) {
		pid_t pid = fork();

		if (pid < 0) {
			say("%s: fork: %s", s->name, strerror(errno));
			continue;
		}
		if (pid == 0) {
			char *const argv[] = { (char *)s->name, NULL };

			sigprocmask(SIG_UNBLOCK, blocked, NULL);
			execv(s->path, argv);
			_exit(127);
		}
		s->pid = pid;
		say("started %s (pid %d)", s->name, (int)pid);
	}
}

/* Reap everything that has exited.  Returns false once no child is left. */
static bool reap_all(void)
{
	for (;;) {
		int st;
		pid_t pid = waitpid(-1, &st, WNOHANG);

		if (pid == 0)
			return true;
		if (pid < 0)
			return errno != ECHILD;
		for (struct service *s = services; s->path != NULL; s++) {
			if (s->pid != pid)
				continue;
			s->pid = 0;
			if (WIFEXITED(st))
				say("%s exited with status %d", s->name, WEXITSTATUS(st));
			else
				say("%s killed by signal %d", s->name, WTERMSIG(st));
		}
	}
}

/* Whether any process other than us lives in the qube's PID namespace.
 * Not all are our descendants: one entered from dom0 (nsenter, later the
 * qrexec agent's peers) is not, and the qube is not down while it runs. */
static bool others_alive(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	bool found = false;

	if (d == NULL)
		return false;
	while (!found && (e = readdir(d)) != NULL)
		found = e->d_name[0] >= '1' && e->d_name[0] <= '9' && strcmp(e->d_name, "1") != 0;
	closedir(d);
	return found;
}

/* The backend execs us with SIGTERM, SIGINT, SIGHUP and SIGCHLD already
 * blocked, so a shutdown that arrives before the signalfd exists waits
 * for it rather than being dropped (PID 1 ignores unhandled signals). */
int main(void)
{
	char host[65] = "?";
	sigset_t set;
	uint64_t deadline = 0;
	bool stopping = false;
	int sfd;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 || (sfd = signalfd(-1, &set, SFD_CLOEXEC)) < 0) {
		say("signals: %s", strerror(errno));
		return 1;
	}
	gethostname(host, sizeof(host) - 1);
	say("%s up (pid %d)", host, (int)getpid());
	start_services(&set);

	for (;;) {
		struct pollfd p = { .fd = sfd, .events = POLLIN };
		int timeout = -1;

		if (stopping) {
			uint64_t now = now_ms();

			bool children = reap_all();

			if (!children && !others_alive()) {
				say("all processes stopped");
				return 0;
			}
			if (now >= deadline) {
				say("grace period over: killing what is left");
				kill(-1, SIGKILL);
				while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
					;
				return 0;
			}
			timeout = (int)(deadline - now);
			if (!children && timeout > POLL_OTHERS_MS)
				timeout = POLL_OTHERS_MS;
		}
		if (poll(&p, 1, timeout) < 0 && errno != EINTR) {
			say("poll: %s", strerror(errno));
			return 1;
		}
		if (p.revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
				continue;
			if (si.ssi_signo == SIGCHLD) {
				reap_all();
			} else if (si.ssi_signo != SIGHUP && !stopping) {
				say("shutting down");
				stopping = true;
				deadline = now_ms() + GRACE_MS;
				kill(-1, SIGTERM);
			}
		}
	}
}
