#include "core/vmm_monitor.h"

#include <errno.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/vmm_proto.h"
#include "core/vmm_proto_parse.h"
#include "lib/io.h"
#include "lib/log.h"
#include "lib/paths.h"

#define MONITOR_REQ_TIMEOUT_MS 5000u
#define MAX_QREXEC_DAEMONS 256u
/* A start waits this long for qrexec (less if the daemon gives up
 * first: its exit closes the pipe) and then lets the qube run.  The
 * daemon itself waits the qube's qrexec_timeout for its agent (its
 * --timeout, 1..3600 s, validated by vmm_request_decode()), so an agent
 * that comes later than this but within that still gets qrexec; a
 * daemon that gave up leaves the qube running without qrexec until its
 * next start.  (A first boot of a Xen qube under QEMU on a loaded
 * machine took more than the property's default of 60 s: tests/xen/
 * raises it for their qubes.) */
#define QREXEC_READY_TIMEOUT_MS 10000u

static const struct vmm_backend *backend;

/* The qrexec-daemon of each running qube (SPEC/qrexec-daemons.md).  The
 * monitor waits on these pids only: the backend reaps its own. */
static struct qrexec_daemon {
	pid_t pid;
	char name[QUBE_NAME_MAX + 1];
} daemons[MAX_QREXEC_DAEMONS];
static char daemon_path[BH_PATH_MAX];
static pid_t policyd_pid, capd_pid;
static uint64_t capd_started_ms;

#define CAPD_RESTART_MS 1000u   /* a crashing capd is restarted at most once a second */

/* In a child: a monitor killed outright (SIGKILL) must not leave qrexec
 * processes behind, any more than qubes. */
static void die_with_monitor(pid_t monitor)
{
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != monitor)
		_exit(127);
}

static void stop_daemon(struct qrexec_daemon *d)
{
	if (d->pid <= 0)
		return;
	kill(d->pid, SIGTERM);
	waitpid(d->pid, NULL, 0);
	memset(d, 0, sizeof(*d));
}

/* Starts a qrexec program with stdout/stderr appended to log (relative
 * to the root); ready_fd, when >= 0, becomes its fd 3.  It dies with us. */
static pid_t spawn_logged(const char *path, char *const argv[], const char *rel_log, int ready_fd)
{
	char log[BH_PATH_MAX];
	pid_t monitor = getpid(), pid;

	if (bh_path(log, sizeof(log), rel_log) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		sigset_t none;
		int fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

		die_with_monitor(monitor);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		/* fd 3 is not close-on-exec: it carries the daemon's "ready". */
		if (ready_fd >= 0 && dup2(ready_fd, 3) < 0)
			_exit(127);
		execv(path, argv);
		_exit(127);
	}
	if (pid < 0)
		log_warn("monitor: fork");
	return pid;
}

/* capd (SPEC/capabilities.md), started before anything that calls it;
 * while it is down every call is refused (the callers fail closed), and
 * it is started again. */
static void start_capd(void)
{
	char path[BH_PATH_MAX + 8];
	char *argv[] = { "capd", NULL };

	if (daemon_path[0] == '\0')
		return;
	snprintf(path, sizeof(path), "%s", daemon_path);
	*strrchr(path, '/') = '\0';
	strncat(path, "/capd", sizeof(path) - strlen(path) - 1);
	if (access(path, X_OK) < 0) {
		log_warnx("monitor: %s not found: every call will be refused", path);
		return;
	}
	capd_started_ms = now_ms();
	capd_pid = spawn_logged(path, argv, BH_LOG_DIR "/capd.log", -1);
	if (capd_pid < 0)
		capd_pid = 0;
}

static void reap_daemons(void)
{
	if (capd_pid > 0 && waitpid(capd_pid, NULL, WNOHANG) == capd_pid) {
		log_warnx("monitor: capd exited: calls are refused until it is back");
		capd_pid = 0;
	}
	if (capd_pid == 0 && daemon_path[0] != '\0' && now_ms() - capd_started_ms >= CAPD_RESTART_MS)
		start_capd();
	if (policyd_pid > 0 && waitpid(policyd_pid, NULL, WNOHANG) == policyd_pid) {
		log_warnx("monitor: qrexec-policyd exited: qubes' requests are refused");
		policyd_pid = 0;
	}
	for (size_t i = 0; i < MAX_QREXEC_DAEMONS; i++)
		if (daemons[i].pid > 0 && waitpid(daemons[i].pid, NULL, WNOHANG) == daemons[i].pid)
			memset(&daemons[i], 0, sizeof(daemons[i]));
}

static void start_daemon(const struct vmm_qube *vq, uint32_t domid)
{
	const char *name = vq->name;
	struct qrexec_daemon *slot = NULL;
	char dom[16], q[16], timeout[16], rel[96];
	char *argv[] = { "qrexec-daemon", dom, (char *)name, "--qid", q, "--ready-fd", "3",
			 "--timeout", timeout, NULL };
	struct pollfd p;
	int ready[2];
	char untrusted_ready;   /* the daemon runs under its qube's uid by then */

	if (daemon_path[0] == '\0')
		return;
	for (size_t i = 0; i < MAX_QREXEC_DAEMONS; i++) {
		if (daemons[i].pid > 0 && strcmp(daemons[i].name, name) == 0)
			stop_daemon(&daemons[i]);       /* left from the qube's last run */
		if (slot == NULL && daemons[i].pid <= 0)
			slot = &daemons[i];
	}
	if (slot == NULL || pipe2(ready, O_CLOEXEC) < 0) {
		log_warnx("monitor: no qrexec-daemon for %s", name);
		return;
	}
	snprintf(dom, sizeof(dom), "%u", domid);
	snprintf(q, sizeof(q), "%u", vq->qid);
	snprintf(timeout, sizeof(timeout), "%u", vq->qrexec_timeout_s);
	snprintf(rel, sizeof(rel), BH_LOG_DIR "/qrexec.%s.log", name);
	slot->pid = spawn_logged(daemon_path, argv, rel, ready[1]);
	close(ready[1]);
	if (slot->pid <= 0) {
		slot->pid = 0;
		close(ready[0]);
		return;
	}
	memcpy(slot->name, name, sizeof(slot->name));
	/* Like Qubes, a start is complete when qrexec works: wait for the
	 * agent to reach the daemon, bounded; after that the qube runs
	 * without qrexec (said in the log) rather than failing to start. */
	p = (struct pollfd){ .fd = ready[0], .events = POLLIN };
	if (poll(&p, 1, QREXEC_READY_TIMEOUT_MS) != 1 || read(ready[0], &untrusted_ready, 1) != 1)
		log_warnx("monitor: qrexec to %s not ready within %u ms (its daemon waits up to %u s)",
			  name, QREXEC_READY_TIMEOUT_MS, vq->qrexec_timeout_s);
	close(ready[0]);
}

/* qrexec-policyd, one for every qube's requests; without it every
 * request is refused by the qube's daemon (fail closed). */
static void start_policyd(void)
{
	char path[BH_PATH_MAX + 16];
	char *argv[] = { "qrexec-policyd", NULL };

	if (daemon_path[0] == '\0')
		return;
	snprintf(path, sizeof(path), "%s", daemon_path);
	*strrchr(path, '/') = '\0';
	strncat(path, "/qrexec-policyd", sizeof(path) - strlen(path) - 1);
	if (access(path, X_OK) < 0) {
		log_warnx("monitor: %s not found: qubes' requests will be refused", path);
		return;
	}
	policyd_pid = spawn_logged(path, argv, BH_LOG_DIR "/qrexec-policyd.log", -1);
	if (policyd_pid < 0)
		policyd_pid = 0;
}

/* The daemons that run under their own uids (lib/dom0_uids.h) reach
 * their sockets through the root and run/bulkhead: search permission
 * for all there (never read or write), and the socket directories made
 * now, before anyone makes them 0700.  The sockets keep their own modes
 * and every daemon checks its peers' credentials. */
static int runtime_dirs(const char *root)
{
	static const char *const dirs[] = { "run", "run/bulkhead", "run/bulkhead/vchan", "run/bulkhead/qrexec" };
	char path[BH_PATH_MAX];
	struct stat st;

	if (stat(root, &st) < 0 || chmod(root, (st.st_mode & 07777) | 0111) < 0)
		return -errno;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		int rc = bh_mkdirs(dirs[i], 0711);

		if (rc < 0 || (rc = bh_path(path, sizeof(path), dirs[i])) < 0)
			return rc < 0 ? rc : -ENAMETOOLONG;
		if (chmod(path, 0711) < 0)
			return -errno;
	}
	return 0;
}

/* qrexec-daemon is installed next to bulkheadd; without it qubes run
 * without qrexec (said once, at start). */
static void find_daemon(void)
{
	char self[BH_PATH_MAX - sizeof("/qrexec-daemon")];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n <= 0)
		return;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (slash == NULL)
		return;
	*slash = '\0';
	snprintf(daemon_path, sizeof(daemon_path), "%s/qrexec-daemon", self);
	if (access(daemon_path, X_OK) < 0) {
		log_warnx("monitor: %s not found: qubes will run without qrexec", daemon_path);
		daemon_path[0] = '\0';
	}
}

static _Noreturn void monitor_exit(int status)
{
	backend->kill_all();
	for (size_t i = 0; i < MAX_QREXEC_DAEMONS; i++)
		stop_daemon(&daemons[i]);
	if (policyd_pid > 0) {
		kill(policyd_pid, SIGTERM);
		waitpid(policyd_pid, NULL, 0);
	}
	if (capd_pid > 0) {
		kill(capd_pid, SIGTERM);
		waitpid(capd_pid, NULL, 0);
	}
	exit(status);
}

static int serve(const struct vmm_request *r, struct vmm_wire_reply *rep)
{
	struct vmm_status st = { 0 };
	struct vmm_start s;
	const char *name = r->q[0].name;
	int rc;

	switch (r->op) {
	case VMM_OP_VOLUME_CREATE:
		return backend->volume_create(&r->q[0]);
	case VMM_OP_VOLUME_CLONE:
		return backend->volume_clone(&r->q[0], &r->q[1]);
	case VMM_OP_VOLUME_REMOVE:
		rc = backend->volume_remove(&r->q[0]);
		/* Volumes go last in a removal: the qube is gone. */
		if (rc == 0)
			monitor_forget_grants(r->q[0].name, r->q[0].qid);
		return rc;
	case VMM_OP_START:
		s.qube = &r->q[0];
		s.root_template = (r->present & 2u) ? &r->q[1] : NULL;
		s.private_source = (r->present & 4u) ? &r->q[2] : NULL;
		rc = backend->start(&s, &rep->domid);
		if (rc == 0)
			start_daemon(&r->q[0], rep->domid);
		return rc;
	case VMM_OP_PAUSE:
		return backend->pause(name);
	case VMM_OP_UNPAUSE:
		return backend->unpause(name);
	case VMM_OP_SHUTDOWN:
		return backend->shutdown(name);
	case VMM_OP_KILL:
		return backend->kill(name);
	case VMM_OP_STATUS: {
		rc = backend->status(name, &st);
		rep->state = (uint32_t)st.state;
		rep->domid = st.domid;
		rep->init_pid = st.init_pid;
		return rc;
	}
	}
	return -EINVAL;
}

static void handle_request(int fd)
{
	uint8_t untrusted_buf[sizeof(struct vmm_wire_req)];
	struct vmm_wire_reply rep = { 0 };
	struct vmm_request req;
	ssize_t n;
	int rc;

	/* SOCK_SEQPACKET: one request is one message of exactly this size. */
	n = recv(fd, untrusted_buf, sizeof(untrusted_buf), MSG_TRUNC);
	if (n == 0)
		monitor_exit(0);        /* registry process gone: stop every qube */
	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return;
		log_warn("monitor: recv");
		monitor_exit(1);
	}
	if (vmm_request_decode(untrusted_buf, (size_t)n, &req) < 0) {
		log_warnx("monitor: malformed request (%zd bytes), stopping", n);
		monitor_exit(1);
	}
	rc = serve(&req, &rep);
	rep.rc = rc;
	rc = write_all_deadline(fd, &rep, sizeof(rep), now_ms() + MONITOR_REQ_TIMEOUT_MS);
	if (rc < 0) {
		log_warnx("monitor: cannot reply: %s", strerror(-rc));
		monitor_exit(1);
	}
}

void vmm_monitor_run(int fd, const struct vmm_backend *be, const char *root)
{
	sigset_t mask;
	int sfd, rc;

	backend = be;
	log_init("bulkheadd-monitor");
	prctl(PR_SET_NAME, "bh-monitor", 0, 0, 0);
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		fatal("monitor: signalfd");
	find_daemon();
	rc = be->init(root);
	if (rc < 0)
		fatalx("monitor: %s backend: %s", be->name, strerror(-rc));
	if ((rc = runtime_dirs(root)) < 0)
		fatalx("monitor: run/bulkhead: %s", strerror(-rc));
	start_capd();
	start_policyd();
	for (;;) {
		struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
		int next = -1;

		be->tick(&next);
		reap_daemons();
		/* Wake up to restart capd. */
		if (capd_pid == 0 && daemon_path[0] != '\0' && (next < 0 || next > (int)CAPD_RESTART_MS))
			next = (int)CAPD_RESTART_MS;
		if (poll(p, 2, next) < 0 && errno != EINTR)
			fatal("monitor: poll");
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == sizeof(si))
				if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
					monitor_exit(0);
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR))
			handle_request(fd);
	}
}
