/* bulkheadd: the dom0 core daemon.  Serves $BULKHEAD_ROOT in the
 * foreground until SIGTERM/SIGINT.
 *
 * Two processes (SPEC/architecture.md):
 *  - the VMM monitor, forked first, keeps root and runs the backend;
 *  - the registry process (this one) drops every capability, installs its
 *    seccomp policy, then owns the registry and serves the Admin API,
 *    asking the monitor for anything that touches a qube. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/admin.h"
#include "core/bulkheadd_seccomp.h"
#include "core/store.h"
#include "core/vmm_client.h"
#include "core/vmm_monitor.h"
#include "lib/admin_proto.h"
#include "lib/dom0_uids.h"
#include "lib/io.h"
#include "lib/log.h"
#include "lib/paths.h"
#include "lib/unixsock.h"

struct conn {
	int fd;                     /* -1: free slot */
	uint8_t *untrusted_buf;     /* ADMIN_MAX_REQUEST bytes */
	size_t len;
	uint64_t deadline;
	enum admin_caller caller;   /* from SO_PEERCRED at accept */
};

static struct conn conns[ADMIN_MAX_CLIENTS];
static pid_t monitor_pid;

/* The backends this daemon can run, and the vchan transport (lib/vchan.h)
 * that goes with each: the monitor and every qrexec daemon it starts
 * inherit VCHAN_BACKEND, so channels follow the backend, not whatever
 * devices happen to exist (SPEC/xen.md "Channels"). */
static const struct backend_choice {
	const struct vmm_backend *vmm;
	const char *vchan;
} backends[] = {
	{ &vmm_local_backend, "socket" },
	{ &vmm_xen_backend, "xen" },
};
static const struct backend_choice *backend;

#define XEN_CAPS_FILE "/proc/xen/capabilities"
#define XEN_CAPS_MAX  64u

/* The default: xen in a Xen dom0 (its capabilities say control_d),
 * local anywhere else. */
static const struct backend_choice *default_backend(void)
{
	char caps[XEN_CAPS_MAX];
	size_t got = 0;
	int fd = open(XEN_CAPS_FILE, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		int rc = read_to_eof_deadline(fd, caps, sizeof(caps) - 1, &got, now_ms() + 1000);

		close(fd);
		caps[rc < 0 ? 0 : got] = '\0';
		if (strstr(caps, "control_d") != NULL)
			return &backends[1];
	}
	return &backends[0];
}

static void usage(void)
{
	printf("usage: bulkheadd [--backend xen|local]\n"
	       "Serves the Bulkhead dom0 core for $BULKHEAD_ROOT (default /) in the foreground\n"
	       "until SIGTERM.  The backend defaults to xen in a Xen dom0, local elsewhere.\n"
	       "See bulkheadd(8).\n");
}

static int usage_error(const char *what)
{
	fprintf(stderr, "bulkheadd: %s (usage: bulkheadd [--backend xen|local])\n", what);
	return 2;
}

static int path_or_die(char *out, size_t len, const char *rel)
{
	if (bh_path(out, len, rel) < 0)
		fatalx("path too long under BULKHEAD_ROOT: %s", rel);
	return 0;
}

static int take_lock(void)
{
	char path[BH_PATH_MAX];
	int fd;

	path_or_die(path, sizeof(path), BH_LOCK_FILE);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		fatal("open %s", path);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		fatalx("another bulkheadd is serving %s", bh_root());
	return fd;     /* held for the life of the process */
}

static int listen_admin(void)
{
	char path[BH_PATH_MAX];
	int fd;

	path_or_die(path, sizeof(path), BH_ADMIN_SOCK);
	fd = unix_listen(path, (int)ADMIN_MAX_CLIENTS);
	if (fd < 0)
		fatalx("admin socket %s: %s", path, strerror(-fd));
	/* Root's tools and qrexec-policyd (its group) reach it; who may call
	 * what is decided by the peer's uid (conn_accept, admin_handle). */
	if (chown(path, 0, BH_GID_POLICYD) < 0 || chmod(path, 0660) < 0)
		fatal("admin socket %s", path);
	return fd;
}

static pid_t start_monitor(int *chan)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		fatal("socketpair");
	pid = fork();
	if (pid < 0)
		fatal("fork");
	if (pid == 0) {
		close(sv[0]);
		vmm_monitor_run(sv[1], backend->vmm, bh_root());
	}
	close(sv[1]);
	*chan = sv[0];
	return pid;
}

static void load_registry(struct admin_server *srv)
{
	struct bh_error err = { 0 };
	bool missing;

	path_or_die(srv->store_path, sizeof(srv->store_path), BH_REGISTRY_FILE);
	sb_init(&srv->saved, STORE_MAX_BYTES);
	srv->reg = store_load(srv->store_path, backend->vmm->name, &missing, &err);
	if (srv->reg == NULL && !missing)
		fatalx("refusing to start: %s: %s", srv->store_path, err.msg);
	if (srv->reg == NULL) {
		srv->reg = registry_new_default(backend->vmm->name);
		if (srv->reg == NULL)
			fatalx("out of memory");
		log_info("new registry at %s", srv->store_path);
	}
	/* Commit also when loaded: srv->saved must hold the committed state. */
	if (admin_commit(srv, &err) < 0)
		fatalx("%s", err.msg);
	/* Volumes are idempotent to create: make sure every qube has them. */
	for (size_t i = 0; i < registry_count(srv->reg); i++) {
		struct qube *q = registry_at(srv->reg, i);
		struct vmm_qube v;
		struct vmm_wire_reply rep;
		int rc;

		if (qube_class(q) == CLASS_ADMINVM)
			continue;
		qube_to_vmm(srv->reg, q, &v);
		rc = vmm_call(VMM_OP_VOLUME_CREATE, &v, NULL, NULL, &rep);
		if (rc < 0)
			log_warnx("volumes of %s: %s", v.name, strerror(-rc));
	}
}

static void conn_close(struct conn *c)
{
	close(c->fd);
	free(c->untrusted_buf);
	c->fd = -1;
	c->untrusted_buf = NULL;
}

static void conn_accept(int lfd)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	enum admin_caller caller;

	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0 ||
	    (cred.uid != 0 && cred.uid != BH_UID_POLICYD)) {
		log_warnx("admin connection from uid %d refused", clen == sizeof(cred) ? (int)cred.uid : -1);
		close(fd);
		return;
	}
	caller = cred.uid == 0 ? ADMIN_ROOT : ADMIN_POLICYD;
	for (size_t i = 0; i < ADMIN_MAX_CLIENTS; i++) {
		if (conns[i].fd >= 0)
			continue;
		conns[i].untrusted_buf = malloc(ADMIN_MAX_REQUEST);
		if (conns[i].untrusted_buf == NULL)
			break;
		conns[i].fd = fd;
		conns[i].caller = caller;
		conns[i].len = 0;
		conns[i].deadline = now_ms() + ADMIN_REQ_TIMEOUT_MS;
		return;
	}
	log_warnx("too many admin connections; refusing one");
	close(fd);
}

/* Reads what is there; on EOF handles the request and replies. */
static void conn_readable(struct admin_server *srv, struct conn *c)
{
	struct strbuf reply;
	ssize_t n;
	int rc;

	if (c->len == ADMIN_MAX_REQUEST) {
		char untrusted_probe;
		n = read(c->fd, &untrusted_probe, 1);
		if (n > 0) {
			log_warnx("admin request over %u bytes; dropped", ADMIN_MAX_REQUEST);
			conn_close(c);
			return;
		}
	} else {
		n = read(c->fd, c->untrusted_buf + c->len, ADMIN_MAX_REQUEST - c->len);
	}
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			conn_close(c);
		return;
	}
	if (n > 0) {
		c->len += (size_t)n;
		return;
	}
	sb_init(&reply, ADMIN_MAX_REPLY);
	admin_handle(srv, c->caller, c->untrusted_buf, c->len, &reply);
	rc = reply.err ? reply.err : write_all_deadline(c->fd, reply.buf, reply.len,
							 now_ms() + ADMIN_REQ_TIMEOUT_MS);
	if (rc < 0)
		log_warnx("admin reply not delivered: %s", strerror(-rc));
	sb_free(&reply);
	conn_close(c);
}

static int serve(struct admin_server *srv, int lfd, int sfd)
{
	for (;;) {
		struct pollfd p[2 + ADMIN_MAX_CLIENTS];
		uint64_t now = now_ms(), next = UINT64_MAX;
		int timeout;

		p[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		for (size_t i = 0; i < ADMIN_MAX_CLIENTS; i++) {
			p[2 + i] = (struct pollfd){ .fd = conns[i].fd, .events = POLLIN };
			if (conns[i].fd < 0)
				continue;
			if (conns[i].deadline <= now) {
				log_warnx("admin request not complete within %u ms; dropped", ADMIN_REQ_TIMEOUT_MS);
				conn_close(&conns[i]);
				p[2 + i].fd = -1;
			} else if (conns[i].deadline < next) {
				next = conns[i].deadline;
			}
		}
		timeout = next == UINT64_MAX ? -1 : (int)(next - now);
		if (poll(p, 2 + ADMIN_MAX_CLIENTS, timeout) < 0) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGCHLD)
					fatalx("the VMM monitor exited");
				return 0;
			}
		}
		for (size_t i = 0; i < ADMIN_MAX_CLIENTS; i++) {
			uint64_t t0 = now_ms(), spent;

			if (conns[i].fd < 0 || !(p[2 + i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			conn_readable(srv, &conns[i]);
			/* Requests are served one at a time, and a qube start can
			 * take seconds: that time is ours, not the other clients',
			 * so it does not count against their receive deadline. */
			spent = now_ms() - t0;
			for (size_t k = 0; k < ADMIN_MAX_CLIENTS; k++)
				if (k != i && conns[k].fd >= 0)
					conns[k].deadline += spent;
		}
		if (p[0].revents & POLLIN)
			conn_accept(lfd);
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "backend", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct admin_server srv = { 0 };
	sigset_t mask;
	int c, chan, lfd, sfd, status;

	log_init(argv[0]);
	opterr = 0;     /* one line of our own on a usage error */
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			backend = NULL;
			for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
				if (strcmp(optarg, backends[i].vmm->name) == 0)
					backend = &backends[i];
			if (backend == NULL)
				return usage_error("--backend takes xen or local");
			break;
		case 'h':
			usage();
			return 0;
		default:
			return usage_error("unknown option");
		}
	}
	if (optind != argc)
		return usage_error("unexpected argument");
	if (backend == NULL)
		backend = default_backend();
	if (setenv("VCHAN_BACKEND", backend->vchan, 1) < 0)
		fatal("setenv");
	if (bh_root() == NULL)
		fatalx("BULKHEAD_ROOT must be an absolute path");
	if (geteuid() != 0)
		fatalx("must run as root (it runs the VMM backend)");
	for (size_t i = 0; i < ADMIN_MAX_CLIENTS; i++)
		conns[i].fd = -1;
	if (bh_mkdirs(BH_RUN_DIR, 0700) < 0 || bh_mkdirs(BH_STATE_DIR, 0700) < 0 ||
	    bh_mkdirs(BH_LOG_DIR, 0700) < 0 || bh_mkdirs(BH_ETC_DIR, 0755) < 0)
		fatal("cannot create the directories under %s", bh_root());
	take_lock();

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);

	monitor_pid = start_monitor(&chan);
	vmm_client_init(chan);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		fatal("signalfd");
	lfd = listen_admin();

	/* From here on the process holds no privilege beyond owning its
	 * files, and may only make the system calls in its table. */
	if (bulkheadd_sandbox() < 0)
		fatalx("cannot install the sandbox");
	load_registry(&srv);
	admin_autostart(&srv);
	log_info("serving %s (backend %s)", bh_root(), backend->vmm->name);

	serve(&srv, lfd, sfd);

	/* Closing the channel makes the monitor stop every qube and exit. */
	close(chan);
	waitpid(monitor_pid, &status, 0);
	registry_free(srv.reg);
	sb_free(&srv.saved);
	log_info("stopped");
	return 0;
}
