/* The local backend: qubes as Linux namespaces (SPEC/local-backend.md).
 * This file keeps the table of running qubes and implements struct
 * vmm_backend; the child side is local_child.c and local_rootfs.c.
 *
 * Called from one thread of the monitor.  It forks (userns helpers, the
 * qube's init) and waitpid()s only those pids, never -1, and installs no
 * signal handlers: the monitor calls tick() on SIGCHLD and on timeouts. */
#include "core/local/local.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/atomicfile.h"
#include "lib/io.h"
#include "lib/log.h"

#define STAGE_DIR   "run/bulkhead/vmm-local/stage"
#define PID_DIR     "run/bulkhead/qubes"
#define VCHAN_DIR   "run/bulkhead/vchan"   /* one subdirectory per domain id */
#define RETRY_MS    50

struct local_ctx local_ctx;
static struct lcg cgroups;

enum rstate {
	R_FREE,
	R_RUNNING,
	R_HALTING,    /* SIGTERM sent; SIGKILL at deadline */
	R_DYING,      /* SIGKILL sent; waiting for the reap */
	R_CLEANUP,    /* reaped; cgroup removal still pending */
};

struct running {
	enum rstate state;
	char name[QUBE_NAME_MAX + 1];
	uint32_t qid;
	pid_t pid;
	uint64_t deadline_ms;     /* R_HALTING: when SIGKILL follows */
	uint32_t shutdown_timeout_s;
	bool paused;           /* frozen by pause(); thawed before any signal */
	bool disp_private;     /* remove NAME/disp-private when stopped */
};

static struct running table[LOCAL_MAX_RUNNING];

/* ---- small helpers shared by the backend's files ---- */

uint64_t local_fnv1a64(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

int local_path(char *out, size_t outlen, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = bh_root_vpathf(out, outlen, local_ctx.root, fmt, ap);
	va_end(ap);
	return rc;
}

bool local_has_layer(enum qube_class c)
{
	return c == CLASS_TEMPLATEVM || c == CLASS_STANDALONEVM;
}

const char *local_user(const struct vmm_qube *q)
{
	return q->default_user[0] ? q->default_user : "user";
}

int local_check_qube(const struct vmm_qube *q)
{
	size_t n;

	if (q == NULL || !local_ctx.inited)
		return q == NULL ? -EINVAL : -ENXIO;
	n = strnlen(q->name, sizeof(q->name));
	if (n == sizeof(q->name) || names_check(NAME_QUBE, (const uint8_t *)q->name, n) < 0)
		return -EINVAL;
	if (q->qid < 1 || q->qid > QID_MAX || (unsigned)q->klass >= CLASS_COUNT || q->klass == CLASS_ADMINVM)
		return -EINVAL;
	n = strnlen(q->default_user, sizeof(q->default_user));
	if (n == sizeof(q->default_user) ||
	    (n > 0 && names_check(NAME_USER, (const uint8_t *)q->default_user, n) < 0))
		return -EINVAL;
	/* maxmem_mb is the limit enforced; memory_mb only has to be below it. */
	if (q->memory_mb < 16 || q->maxmem_mb < q->memory_mb || q->maxmem_mb > (1u << 20) ||
	    q->pids_max < 1 || q->pids_max > (1u << 22))
		return -EINVAL;
	return 0;
}

/* ---- the table ---- */

static struct running *find(const char *name)
{
	for (size_t i = 0; i < LOCAL_MAX_RUNNING; i++)
		if (table[i].state != R_FREE && strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

static void remove_disp_private(const char *name)
{
	char p[BH_PATH_MAX];
	int fd, rc;

	if (local_path(p, sizeof(p), BH_QUBES_DIR "/%s", name) < 0)
		return;
	if ((fd = open(p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return;
	if ((rc = lvol_rm_tree(fd, LV_DISP_PRIVATE)) < 0)
		log_warnx("%s: removing the DispVM's private volume: %s", name, strerror(-rc));
	close(fd);
}

/* The qube's channel directory VCHAN_DIR/DOMID: emptied (a qube may
 * have left anything there, subdirectories included) and made afresh,
 * root-owned 01777 so the qube's users create their sockets and dom0's
 * daemons (its qrexec-daemon under the qube's daemon uid, policyd with
 * CAP_FOWNER) create theirs and remove what they must. */
static int vchan_dir_reset(uint32_t domid, bool make, char *path, size_t len)
{
	char parent[BH_PATH_MAX], name[16];
	int pfd, rc = 0;

	snprintf(name, sizeof(name), "%u", domid);
	/* 0711: not listable; searchable by the qrexec-daemons, which run
	 * under their own uids (lib/dom0_uids.h).  The sockets in it are 0666
	 * (qubes of other uids connect), so a daemon could reach another
	 * qube's channel names: they are checked by the peers' protocol, not
	 * by this mode (SPEC/qrexec-daemons.md, "Why these privileges"). */
	if ((rc = local_path(parent, sizeof(parent), VCHAN_DIR)) < 0 ||
	    (rc = mkdirs_abs(parent, 0711)) < 0)
		return rc;
	if (chmod(parent, 0711) < 0)
		return -errno;
	if ((pfd = open(parent, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -errno;
	rc = lvol_rm_tree(pfd, name);
	if (rc == -ENOENT)
		rc = 0;
	if (rc == 0 && make &&
	    (mkdirat(pfd, name, 0700) < 0 || fchownat(pfd, name, 0, 0, AT_SYMLINK_NOFOLLOW) < 0 ||
	     fchmodat(pfd, name, 01777, 0) < 0))
		rc = -errno;
	close(pfd);
	if (rc == 0 && path != NULL && snprintf(path, len, "%s/%s", parent, name) >= (int)len)
		rc = -ENAMETOOLONG;
	return rc;
}

/* After the reap: pid file, DispVM private copy, cgroups.  Leaves the
 * entry in R_CLEANUP while the cgroup is not yet removable. */
static void cleanup(struct running *r)
{
	char p[BH_PATH_MAX];

	if (r->pid != 0) {
		if (local_path(p, sizeof(p), PID_DIR "/%s.pid", r->name) == 0)
			unlink(p);
		if (r->disp_private)
			remove_disp_private(r->name);
		(void)vchan_dir_reset(r->qid, false, NULL, 0);
		r->disp_private = false;
		r->pid = 0;
	}
	r->state = R_CLEANUP;
	if (lcg_remove(&cgroups, r->name) == -EBUSY) {
		lcg_kill(&cgroups, r->name);
		return;
	}
	lcg_remove_parent(&cgroups);
	memset(r, 0, sizeof(*r));
}

/* waitpid our own pid only.  True when it was reaped (now or before). */
static bool reap(struct running *r)
{
	int st;
	pid_t w;

	if (r->pid == 0)
		return true;
	w = waitpid(r->pid, &st, WNOHANG);
	if (w == 0)
		return false;
	if (w == r->pid) {
		if (WIFEXITED(st))
			bh_console_note(local_ctx.root, r->name, "qube-init exited with status %d", WEXITSTATUS(st));
		else if (WIFSIGNALED(st))
			bh_console_note(local_ctx.root, r->name, "qube-init killed by signal %d", WTERMSIG(st));
	}
	/* w < 0 (ECHILD): someone else reaped it; it is gone all the same. */
	cleanup(r);
	return true;
}

/* Frozen tasks do not act on signals: thaw before expecting them to. */
static void thaw(struct running *r)
{
	if (r->paused && lcg_freeze(&cgroups, r->name, false) == 0)
		r->paused = false;
}

/* SIGKILL and wait, at most wait_ms, for the reap and the cgroup removal
 * (a task can linger in the cgroup for a moment after the init's reap). */
static void kill_and_wait(struct running *r, uint64_t wait_ms)
{
	uint64_t deadline = now_ms() + wait_ms;

	if (r->pid != 0)
		kill(r->pid, SIGKILL);
	thaw(r);
	if (r->state != R_CLEANUP)
		r->state = R_DYING;
	for (;;) {
		if (reap(r)) {
			if (r->state == R_CLEANUP)
				cleanup(r);
			if (r->state == R_FREE)
				return;
		}
		if (now_ms() >= deadline)
			return;
		usleep(2000);
	}
}

/* ---- init ---- */

static int find_tools(char *out, size_t len)
{
	const char *env = getenv("BULKHEAD_QUBE_TOOLS");
	char exe[BH_PATH_MAX], cand[BH_PATH_MAX + 64], init[BH_PATH_MAX + 96];
	static const char *const rel[] = { "../qube", "../libexec/bulkhead/qube" };
	ssize_t n;

	if (env != NULL && env[0] == '/') {
		snprintf(cand, sizeof(cand), "%s", env);
		goto check;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return -errno;
	exe[n] = '\0';
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(cand, sizeof(cand), "%s/%s", dirname(exe), rel[i]);
		snprintf(init, sizeof(init), "%s/bin/qube-init", cand);
		if (access(init, X_OK) == 0)
			goto found;
		exe[n] = '\0';   /* dirname may write into exe */
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n < 0)
			return -errno;
		exe[n] = '\0';
	}
	return -ENOENT;
check:
	snprintf(init, sizeof(init), "%s/bin/qube-init", cand);
	if (access(init, X_OK) < 0)
		return -errno;
found:
	if (realpath(cand, exe) == NULL)
		return -errno;
	if (strlen(exe) >= len)
		return -ENAMETOOLONG;
	memcpy(out, exe, strlen(exe) + 1);
	return 0;
}

/* Leftovers of a crashed earlier monitor for this root. */
static void cleanup_stale(void)
{
	char p[BH_PATH_MAX];
	int dfd;

	lcg_cleanup_stale(&cgroups);
	if (local_path(p, sizeof(p), PID_DIR) == 0 && (dfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		DIR *d = fdopendir(dfd);
		struct dirent *e;

		while (d && (e = readdir(d)) != NULL) {
			size_t l = strlen(e->d_name);

			if (l > 4 && strcmp(e->d_name + l - 4, ".pid") == 0)
				unlinkat(dirfd(d), e->d_name, 0);
		}
		if (d)
			closedir(d);
		else
			close(dfd);
	}
	if (local_path(p, sizeof(p), BH_QUBES_DIR) == 0 && (dfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		DIR *d = fdopendir(dfd);
		struct dirent *e;

		while (d && (e = readdir(d)) != NULL) {
			int q;

			if (e->d_name[0] == '.')
				continue;
			q = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (q < 0)
				continue;
			if (lvol_rm_tree(q, LV_DISP_PRIVATE) < 0)
				log_warnx("%s: stale DispVM private volume not removed", e->d_name);
			close(q);
		}
		if (d)
			closedir(d);
		else
			close(dfd);
	}
}

static int local_init(const char *root)
{
	size_t n;
	int rc;

	if (root == NULL || root[0] != '/')
		return -EINVAL;
	n = strlen(root);
	if (n >= sizeof(local_ctx.root) || (n > 1 && root[n - 1] == '/'))
		return -EINVAL;
	if (local_ctx.inited) {
		if (strcmp(root, local_ctx.root) == 0)
			return 0;
		for (size_t i = 0; i < LOCAL_MAX_RUNNING; i++)
			if (table[i].state != R_FREE)
				return -EBUSY;
	}
	memset(&local_ctx, 0, sizeof(local_ctx));
	memcpy(local_ctx.root, root, n + 1);
	local_ctx.root_hash = local_fnv1a64(root, n);
	if ((rc = find_tools(local_ctx.tools, sizeof(local_ctx.tools))) < 0) {
		log_warnx("local backend: qube tools (bin/qube-init) not found: %s", strerror(-rc));
		return rc;
	}
	if ((rc = lcg_init(&cgroups, "/sys/fs/cgroup", local_ctx.root_hash)) < 0) {
		log_warnx("local backend: no usable cgroup v2 or v1 memory+pids: %s", strerror(-rc));
		return rc;
	}
	local_ctx.inited = true;
	{
		static const char *const dirs[] = { PID_DIR, BH_QUBE_LOG_DIR, BH_QUBES_DIR, STAGE_DIR };
		char p[BH_PATH_MAX];

		for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
			if ((rc = local_path(p, sizeof(p), "%s", dirs[i])) < 0 || (rc = mkdirs_abs(p, 0700)) < 0) {
				local_ctx.inited = false;
				return rc;
			}
		}
	}
	cleanup_stale();
	return 0;
}

/* ---- start ---- */

static int fd_high(int *fd)
{
	if (*fd >= 3)
		return 0;
	int n = fcntl(*fd, F_DUPFD_CLOEXEC, 3);

	if (n < 0)
		return -errno;
	close(*fd);
	*fd = n;
	return 0;
}

static int check_start(const struct vmm_start *s)
{
	const struct vmm_qube *q = s->qube;
	int rc;

	if ((rc = local_check_qube(q)) < 0)
		return rc;
	if (local_has_layer(q->klass)) {
		if (s->root_template != NULL || s->private_source != NULL)
			return -EINVAL;
		return 0;
	}
	if (s->root_template == NULL || (rc = local_check_qube(s->root_template)) < 0)
		return rc < 0 ? rc : -EINVAL;
	if (s->root_template->klass != CLASS_TEMPLATEVM || s->root_template->qid == q->qid)
		return -EINVAL;
	if (q->klass == CLASS_DISPVM) {
		if (s->private_source == NULL || (rc = local_check_qube(s->private_source)) < 0)
			return rc < 0 ? rc : -EINVAL;
		if (s->private_source->qid == q->qid)
			return -EINVAL;
	} else if (s->private_source != NULL) {
		return -EINVAL;
	}
	return 0;
}

/* DispVM: a fresh, re-owned copy of the source's private volume. */
static int make_disp_private(const struct vmm_qube *q, const struct vmm_qube *src)
{
	char p[BH_PATH_MAX];
	int qfd = -1, sfd = -1, rc;

	if ((rc = local_path(p, sizeof(p), BH_QUBES_DIR "/%s", q->name)) < 0)
		return rc;
	if ((qfd = open(p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -errno;
	if ((rc = local_path(p, sizeof(p), BH_QUBES_DIR "/%s", src->name)) < 0)
		goto out;
	if ((sfd = open(p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		rc = -errno;
		goto out;
	}
	if ((rc = lvol_rm_tree(qfd, LV_DISP_PRIVATE)) < 0)
		goto out;
	rc = lvol_copy_shift(sfd, LV_PRIVATE, qfd, LV_DISP_PRIVATE, LOCAL_UID_BASE(src->qid),
		LOCAL_UID_BASE(q->qid));
out:
	if (sfd >= 0)
		close(sfd);
	close(qfd);
	return rc;
}

struct start_paths {
	char stage[BH_PATH_MAX];
	char own_layer[BH_PATH_MAX];
	char own_work[BH_PATH_MAX];
	char tpl_layer[BH_PATH_MAX];
	char private_dir[BH_PATH_MAX];
	char pidfile[BH_PATH_MAX];
	char log[BH_PATH_MAX];
	char vchan_dir[BH_PATH_MAX];
};

static int fill_paths(const struct vmm_start *s, struct start_paths *sp)
{
	const struct vmm_qube *q = s->qube;
	struct stat st;
	int rc;

	if ((rc = local_path(sp->stage, sizeof(sp->stage), STAGE_DIR)) < 0 ||
	    (rc = local_path(sp->own_layer, sizeof(sp->own_layer), BH_QUBES_DIR "/%s/" LV_LAYER, q->name)) < 0 ||
	    (rc = local_path(sp->own_work, sizeof(sp->own_work), BH_QUBES_DIR "/%s/" LV_WORK, q->name)) < 0 ||
	    (rc = local_path(sp->private_dir, sizeof(sp->private_dir), BH_QUBES_DIR "/%s/%s", q->name,
		    q->klass == CLASS_DISPVM ? LV_DISP_PRIVATE : LV_PRIVATE)) < 0 ||
	    (rc = local_path(sp->pidfile, sizeof(sp->pidfile), PID_DIR "/%s.pid", q->name)) < 0 ||
	    (rc = local_path(sp->log, sizeof(sp->log), BH_QUBE_LOG_DIR "/%s.log", q->name)) < 0)
		return rc;
	if (s->root_template != NULL &&
	    (rc = local_path(sp->tpl_layer, sizeof(sp->tpl_layer), BH_QUBES_DIR "/%s/" LV_LAYER,
		    s->root_template->name)) < 0)
		return rc;
	/* Volumes must exist (volume_create); a missing one is an error,
	 * not something start makes up. */
	if (q->klass != CLASS_DISPVM && lstat(sp->private_dir, &st) < 0)
		return -errno;
	if (local_has_layer(q->klass) && lstat(sp->own_layer, &st) < 0)
		return -errno;
	if (s->root_template != NULL && lstat(sp->tpl_layer, &st) < 0)
		return -errno;
	return 0;
}

static int local_start(const struct vmm_start *s, uint32_t *domid)
{
	const struct vmm_qube *q = s->qube;
	struct lchild_args a;
	struct start_paths *sp = NULL;
	struct running *r = NULL;
	struct lchild_report rep;
	int go[2] = { -1, -1 }, stp[2] = { -1, -1 }, userns = -1, tplns = -1, logfd = -1, rc;
	bool cg_made = false, disp_made = false;
	uint32_t base;
	size_t got = 0;
	pid_t pid = -1;
	char line[64];

	if ((rc = check_start(s)) < 0)
		return rc;
	base = LOCAL_UID_BASE(q->qid);
	if ((r = find(q->name)) != NULL) {
		if (r->state != R_CLEANUP)
			return -EBUSY;
		cleanup(r);
		if (r->state == R_CLEANUP)
			memset(r, 0, sizeof(*r));   /* the old cgroup is reused below */
	}
	for (size_t i = 0; i < LOCAL_MAX_RUNNING && r == NULL; i++)
		if (table[i].state == R_FREE)
			r = &table[i];
	if (r == NULL)
		return -EAGAIN;
	if ((sp = calloc(1, sizeof(*sp))) == NULL)
		return -ENOMEM;
	if ((rc = fill_paths(s, sp)) < 0)
		goto fail;

	if (q->klass == CLASS_DISPVM) {
		if ((rc = make_disp_private(q, s->private_source)) < 0)
			goto fail;
		disp_made = true;
	}
	if ((rc = vchan_dir_reset(q->qid, true, sp->vchan_dir, sizeof(sp->vchan_dir))) < 0)
		goto fail;
	if ((rc = lus_make(0, base, LOCAL_UID_COUNT, &userns)) < 0)
		goto fail;
	if (s->root_template != NULL &&
	    (rc = lus_make(LOCAL_UID_BASE(s->root_template->qid), base, LOCAL_UID_COUNT, &tplns)) < 0)
		goto fail;
	(void)lcg_remove(&cgroups, q->name);
	if ((rc = lcg_create(&cgroups, q->name, q->maxmem_mb, q->pids_max)) < 0)
		goto fail;
	cg_made = true;
	if ((logfd = open(sp->log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640)) < 0) {
		rc = -errno;
		goto fail;
	}
	dprintf(logfd, "bulkhead: starting %s (qid %u)\n", q->name, q->qid);
	/* go is a socketpair so that sending to a child that already died
	 * is EPIPE, never a SIGPIPE in the monitor. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, go) < 0 || pipe2(stp, O_CLOEXEC) < 0) {
		rc = -errno;
		goto fail;
	}
	if ((rc = fd_high(&go[0])) < 0 || (rc = fd_high(&go[1])) < 0 || (rc = fd_high(&stp[0])) < 0 ||
	    (rc = fd_high(&stp[1])) < 0 || (rc = fd_high(&logfd)) < 0)
		goto fail;

	memset(&a, 0, sizeof(a));
	a.plan.name = q->name;
	a.plan.base = base;
	a.plan.limit_mb = q->maxmem_mb;
	a.plan.user = local_user(q);
	a.plan.stage = sp->stage;
	a.plan.tools = local_ctx.tools;
	a.plan.own_layer = local_has_layer(q->klass) ? sp->own_layer : NULL;
	a.plan.own_work = local_has_layer(q->klass) ? sp->own_work : NULL;
	a.plan.tpl_layer = s->root_template ? sp->tpl_layer : NULL;
	a.plan.tpl_idmap_fd = tplns;
	a.plan.idmap_fd = userns;
	a.plan.private_dir = sp->private_dir;
	a.plan.vchan_dir = sp->vchan_dir;
	a.plan.domid = q->qid;
	a.userns_fd = userns;
	a.go_fd = go[0];
	a.status_fd = stp[1];
	a.log_fd = logfd;

	/* fork-like clone (no stack): the child is PID 1 of a new PID
	 * namespace, in a copy of our mount namespace, and our own child so
	 * that we reap it.  It only _exit()s or execs. */
	pid = (pid_t)syscall(SYS_clone, CLONE_NEWPID | CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0);
	if (pid < 0) {
		rc = -errno;
		goto fail;
	}
	if (pid == 0) {
		close(go[1]);
		close(stp[0]);
		lchild_main(&a);
	}
	close(go[0]);
	go[0] = -1;
	close(stp[1]);
	stp[1] = -1;
	if ((rc = lcg_attach(&cgroups, q->name, pid)) < 0)
		goto fail;
	if (send(go[1], "g", 1, MSG_NOSIGNAL) != 1) {
		rc = -errno;
		goto fail;
	}
	rc = read_to_eof_deadline(stp[0], &rep, sizeof(rep), &got, now_ms() + LOCAL_START_TIMEOUT_MS);
	if (rc == 0 && got == sizeof(rep)) {
		rep.step[sizeof(rep.step) - 1] = '\0';
		log_warnx("%s: start failed at %s: %s", q->name, rep.step, strerror(rep.err));
		rc = rep.err > 0 ? -rep.err : -EIO;
		goto fail;
	}
	if (rc == 0 && got != 0)
		rc = -EPROTO;
	if (rc < 0)
		goto fail;
	/* Exec happened: the init runs inside its namespaces. */
	snprintf(line, sizeof(line), "%d\n", (int)pid);
	if ((rc = atomic_write_file(sp->pidfile, line, strlen(line), 0644)) < 0)
		goto fail;
	memset(r, 0, sizeof(*r));
	r->state = R_RUNNING;
	memcpy(r->name, q->name, sizeof(r->name));
	r->qid = q->qid;
	r->pid = pid;
	r->disp_private = disp_made;
	r->shutdown_timeout_s = q->shutdown_timeout_s ? q->shutdown_timeout_s : 60;
	*domid = q->qid;
	rc = 0;
	goto out;

fail:
	if (pid > 0) {
		int st;

		kill(pid, SIGKILL);
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		unlink(sp->pidfile);
	}
	if (cg_made)
		for (int i = 0; i < 100 && lcg_remove(&cgroups, q->name) == -EBUSY; i++)
			usleep(1000);
	if (disp_made)
		remove_disp_private(q->name);
out:
	if (go[0] >= 0)
		close(go[0]);
	if (go[1] >= 0)
		close(go[1]);
	if (stp[0] >= 0)
		close(stp[0]);
	if (stp[1] >= 0)
		close(stp[1]);
	if (userns >= 0)
		close(userns);
	if (tplns >= 0)
		close(tplns);
	if (logfd >= 0)
		close(logfd);
	free(sp);
	return rc;
}

/* ---- the other operations ---- */

static int local_shutdown(const char *name)
{
	struct running *r = find(name);

	if (r == NULL || r->state == R_CLEANUP || reap(r))
		return -ESRCH;
	if (r->state != R_RUNNING)
		return 0;   /* already on its way down */
	if (kill(r->pid, SIGTERM) < 0)
		return -errno;
	thaw(r);
	r->state = R_HALTING;
	r->deadline_ms = now_ms() + (uint64_t)r->shutdown_timeout_s * 1000u;
	return 0;
}

static int local_kill(const char *name)
{
	struct running *r = find(name);

	if (r == NULL || r->state == R_CLEANUP)
		return -ESRCH;
	kill_and_wait(r, LOCAL_KILL_WAIT_MS);
	return 0;
}

static int local_status(const char *name, struct vmm_status *out)
{
	struct running *r = find(name);

	memset(out, 0, sizeof(*out));
	out->state = POWER_HALTED;
	if (r == NULL || reap(r))
		return 0;
	out->state = r->state == R_RUNNING ? (r->paused ? POWER_PAUSED : POWER_RUNNING)
		   : r->state == R_HALTING ? POWER_HALTING : POWER_DYING;
	out->domid = r->qid;
	out->init_pid = r->pid;
	return 0;
}

/* Pause freezes the qube's cgroup.  Processes that entered the qube's
 * namespaces from outside (nsenter) are not in it and keep running. */
static int set_paused(const char *name, bool pause)
{
	struct running *r = find(name);
	int rc;

	if (r == NULL || r->state == R_CLEANUP || reap(r))
		return -ESRCH;
	if (pause && r->state != R_RUNNING)
		return -EBUSY;
	if (r->paused == pause)
		return 0;
	if ((rc = lcg_freeze(&cgroups, r->name, pause)) < 0)
		return rc;
	r->paused = pause;
	return 0;
}

static int local_pause(const char *name)
{
	return set_paused(name, true);
}

static int local_unpause(const char *name)
{
	return set_paused(name, false);
}

static void local_tick(int *next_ms)
{
	uint64_t now = now_ms(), next = UINT64_MAX;

	for (size_t i = 0; i < LOCAL_MAX_RUNNING; i++) {
		struct running *r = &table[i];

		if (r->state == R_FREE)
			continue;
		if (r->state == R_CLEANUP) {
			cleanup(r);
			if (r->state != R_FREE)
				next = now + RETRY_MS < next ? now + RETRY_MS : next;
			continue;
		}
		if (reap(r)) {
			if (r->state != R_FREE)
				next = now + RETRY_MS < next ? now + RETRY_MS : next;
			continue;
		}
		if (r->state == R_HALTING && now >= r->deadline_ms) {
			bh_console_note(local_ctx.root, r->name, "shutdown timed out: killing the qube");
			kill(r->pid, SIGKILL);
			thaw(r);
			r->state = R_DYING;
		}
		if (r->state == R_HALTING && r->deadline_ms < next)
			next = r->deadline_ms;
		if (r->state == R_DYING && now + RETRY_MS < next)
			next = now + RETRY_MS;
	}
	if (next_ms != NULL)
		*next_ms = next == UINT64_MAX ? -1 : next <= now ? 0 : (int)(next - now);
}

static void local_kill_all(void)
{
	for (size_t i = 0; i < LOCAL_MAX_RUNNING; i++)
		if (table[i].state != R_FREE && table[i].pid != 0) {
			kill(table[i].pid, SIGKILL);
			thaw(&table[i]);
		}
	for (size_t i = 0; i < LOCAL_MAX_RUNNING; i++)
		if (table[i].state != R_FREE)
			kill_and_wait(&table[i], 5000);
}

static int local_volume_create(const struct vmm_qube *q)
{
	return lvol_create(q);
}

static int local_volume_clone(const struct vmm_qube *src, const struct vmm_qube *dst)
{
	return lvol_clone(src, dst);
}

static int local_volume_remove(const struct vmm_qube *q)
{
	int rc = local_check_qube(q);

	if (rc < 0)
		return rc;
	if (find(q->name) != NULL && find(q->name)->state != R_CLEANUP)
		return -EBUSY;
	return lvol_remove(q);
}

const struct vmm_backend vmm_local_backend = {
	.name = "local",
	.init = local_init,
	.volume_create = local_volume_create,
	.volume_clone = local_volume_clone,
	.volume_remove = local_volume_remove,
	.start = local_start,
	.pause = local_pause,
	.unpause = local_unpause,
	.shutdown = local_shutdown,
	.kill = local_kill,
	.status = local_status,
	.tick = local_tick,
	.kill_all = local_kill_all,
};
