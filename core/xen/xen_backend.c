/* The Xen backend: qubes as Xen PV domains, built with libxl
 * (SPEC/xen.md).  This file keeps the table of running domains and
 * implements struct vmm_backend; plans, volumes, loop devices and
 * xenstore are in the other core/xen/ files.
 *
 * Called from one thread of the monitor, which keeps SIGCHLD blocked and
 * reads it from a signalfd.  libxl runs hotplug scripts as children and
 * learns of their exit from its own SIGCHLD handler, so every libxl call
 * is made with SIGCHLD unblocked (lx_enter/lx_leave), in libxl's
 * "selective reap" mode: it waits for its own children only, never the
 * monitor's (qrexec daemons, capd). */
#include "core/xen/xen_xs.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <libxl.h>
#include <libxl_utils.h>
#include <xenstore.h>

#include "lib/io.h"
#include "lib/log.h"

#define XEN_POLL_MS   1000u    /* how often tick looks at running domains */
#define XEN_CONSOLE_LOG "/var/log/xen/console/guest-%s.log"   /* xenconsoled --log=guest */
/* The disks' hotplug "script": nothing to do.  The monitor attached the
 * loop devices and tells blkback about them itself (connect_disks),
 * instead of Xen's bash block script with its locks, tools and seconds
 * per disk under emulation (it also timed out there).  libxl runs a
 * script for every PHY disk; this one succeeds at once. */
#define XEN_DISK_SCRIPT "/bin/true"

enum xstate { X_FREE, X_RUNNING, X_HALTING };

struct xdom {
	enum xstate state;
	char name[QUBE_NAME_MAX + 1];
	uint32_t domid;
	libxl_uuid uuid;            /* tells our domain from a later one with its domid */
	uint64_t deadline_ms;       /* X_HALTING: when it is destroyed */
	uint32_t shutdown_timeout_s;
	char root_owner[QUBE_NAME_MAX + 1];   /* whose root image is xvda */
	bool root_rw;
	int loop_fds[XEN_DISKS_MAX];
	size_t nloops;
};

static struct {
	bool inited;
	char root[BH_PATH_MAX / 2];
	uint64_t instance;
	libxl_ctx *ctx;
	xentoollog_logger_stdiostream *lg;
	struct xs_handle *xs;
} X;

static struct xdom table[XEN_MAX_RUNNING];

static const libxl_childproc_hooks child_hooks = {
	.chldowner = libxl_sigchld_owner_libxl_always_selective_reap,
};

static void lx_enter(sigset_t *saved)
{
	sigset_t chld;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_UNBLOCK, &chld, saved);
}

static void lx_leave(const sigset_t *saved)
{
	sigprocmask(SIG_SETMASK, saved, NULL);
}

/* libxl's ERROR_* (negative, its own) as an errno for the VMM channel. */
static int lx_errno(int rc)
{
	switch (rc) {
	case 0:
		return 0;
	case ERROR_DOMAIN_NOTFOUND:
		return -ESRCH;
	case ERROR_NOMEM:
		return -ENOMEM;
	case ERROR_INVAL:
		return -EINVAL;
	default:
		return -EIO;
	}
}

static struct xdom *find(const char *name)
{
	for (size_t i = 0; i < XEN_MAX_RUNNING; i++)
		if (table[i].state != X_FREE && strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

static void close_loops(struct xdom *d)
{
	for (size_t i = 0; i < d->nloops; i++)
		close(d->loop_fds[i]);
	d->nloops = 0;
}

/* The domain is gone: its loop devices detach at this close, its
 * volatile images go. */
static void forget(struct xdom *d)
{
	close_loops(d);
	xv_stop(X.root, d->name);
	memset(d, 0, sizeof(*d));
}

/* libxl_domain_destroy also removes the domain's xenstore directory and
 * its devices' backends; ours is removed first all the same. */
static int destroy_domid(uint32_t domid)
{
	sigset_t saved;
	int rc;

	xen_xs_forget(X.xs, domid);
	/* A failed create may have removed it already. */
	if (libxl_domain_info(X.ctx, NULL, domid) == ERROR_DOMAIN_NOTFOUND)
		return 0;
	lx_enter(&saved);
	rc = libxl_domain_destroy(X.ctx, domid, NULL);
	lx_leave(&saved);
	return rc == ERROR_DOMAIN_NOTFOUND ? 0 : lx_errno(rc);
}

static void destroy(struct xdom *d, const char *why)
{
	int rc = destroy_domid(d->domid);

	bh_console_note(X.root, d->name, "domain %u destroyed (%s)%s", d->domid, why, rc < 0 ? ": destroy failed" : "");
	if (rc < 0)
		log_warnx("%s: destroying domain %u: %s", d->name, d->domid, strerror(-rc));
	forget(d);
}

/* Our domain's info; -ESRCH when it no longer exists (or its domid now
 * names another domain). */
static int info(const struct xdom *d, libxl_dominfo *out)
{
	int rc;

	libxl_dominfo_init(out);
	rc = libxl_domain_info(X.ctx, out, d->domid);
	if (rc == 0 && libxl_uuid_compare(&out->uuid, &d->uuid) != 0)
		rc = ERROR_DOMAIN_NOTFOUND;
	if (rc != 0)
		libxl_dominfo_dispose(out);
	return lx_errno(rc);
}

/* ---- init ---- */

/* Domains of this instance left by a monitor that died without its
 * kill_all (SIGKILL): destroyed, as the local backend kills its stale
 * process trees. */
static void cleanup_stale(void)
{
	libxl_dominfo *list;
	int n = 0;

	list = libxl_list_domain(X.ctx, &n);
	if (list == NULL)
		return;
	for (int i = 0; i < n; i++) {
		uint32_t domid = list[i].domid;

		if (domid != 0 && xen_xs_is_ours(X.xs, domid, X.instance)) {
			log_warnx("xen backend: destroying domain %u left by an earlier run", domid);
			(void)destroy_domid(domid);
		}
	}
	libxl_dominfo_list_free(list, n);
}

static int xen_init(const char *root)
{
	char p[BH_PATH_MAX];
	size_t n;
	int rc;

	if (root == NULL || root[0] != '/')
		return -EINVAL;
	n = strlen(root);
	if (n >= sizeof(X.root) || (n > 1 && root[n - 1] == '/'))
		return -EINVAL;
	if (X.inited)
		return strcmp(root, X.root) == 0 ? 0 : -EBUSY;
	memcpy(X.root, root, n + 1);
	X.instance = xen_instance_hash(root);
	if ((rc = bh_root_pathf(p, sizeof(p), root, BH_QUBE_LOG_DIR)) < 0 || (rc = mkdirs_abs(p, 0700)) < 0 ||
	    (rc = bh_root_pathf(p, sizeof(p), root, BH_QUBES_DIR)) < 0 || (rc = mkdirs_abs(p, 0700)) < 0)
		return rc;
	X.lg = xtl_createlogger_stdiostream(stderr, XTL_WARN, XTL_STDIOSTREAM_HIDE_PROGRESS);
	if (X.lg == NULL)
		return -ENOMEM;
	if (libxl_ctx_alloc(&X.ctx, LIBXL_VERSION, 0, (xentoollog_logger *)X.lg) != 0) {
		log_warnx("xen backend: cannot open libxl (is this a Xen dom0?)");
		xtl_logger_destroy((xentoollog_logger *)X.lg);
		return -ENXIO;
	}
	libxl_childproc_setmode(X.ctx, &child_hooks, NULL);
	if ((X.xs = xs_open(0)) == NULL) {
		rc = errno > 0 ? -errno : -EIO;
		log_warnx("xen backend: cannot open xenstore: %s", strerror(-rc));
		libxl_ctx_free(X.ctx);
		xtl_logger_destroy((xentoollog_logger *)X.lg);
		return rc;
	}
	X.inited = true;
	cleanup_stale();
	return 0;
}

/* ---- start ---- */

/* XEN_CONF_CMDLINE's content, or "" when there is none.  cap leaves room
 * for a line of XEN_CMDLINE_MAX, its newline and the NUL: a file that
 * fills buf is too long. */
static int read_cmdline(char *buf, size_t cap)
{
	char p[BH_PATH_MAX];
	size_t got = 0;
	int fd, rc;

	buf[0] = '\0';
	if ((rc = bh_root_pathf(p, sizeof(p), X.root, XEN_CONF_CMDLINE)) < 0)
		return rc;
	if ((fd = open(p, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : -errno;
	rc = read_to_eof_deadline(fd, buf, cap - 1, &got, now_ms() + 1000);
	close(fd);
	if (rc < 0)
		return rc;
	if (got == cap - 1)
		return -EINVAL;     /* longer than XEN_CMDLINE_MAX */
	buf[got] = '\0';
	if (strlen(buf) != got)
		return -EINVAL;
	return 0;
}

/* A template's root image is written while the template runs, so it
 * never runs at the same time as a qube that reads it. */
static int check_root_exclusive(const struct vmm_start *s)
{
	const char *owner = xen_owns_root(s->qube->klass) ? s->qube->name : s->root_template->name;
	bool rw = xen_owns_root(s->qube->klass);

	for (size_t i = 0; i < XEN_MAX_RUNNING; i++) {
		const struct xdom *d = &table[i];

		if (d->state == X_FREE || strcmp(d->root_owner, owner) != 0)
			continue;
		if (rw || d->root_rw) {
			log_warnx("%s: %s's root image is in use by %s", s->qube->name, owner, d->name);
			return -EBUSY;
		}
	}
	return 0;
}

static char *dup_or_null(const char *s)
{
	return s[0] ? strdup(s) : NULL;
}

/* libxl's config for plan p, its disks on the loop devices devs.
 * libxl_domain_config_dispose frees what is strdup'ed here. */
static int make_config(const struct xen_plan *p, char devs[][32], libxl_domain_config *dc)
{
	libxl_domain_build_info *b = &dc->b_info;

	libxl_domain_config_init(dc);
	dc->c_info.type = LIBXL_DOMAIN_TYPE_PV;
	dc->c_info.name = strdup(p->name);
	libxl_domain_build_info_init_type(b, LIBXL_DOMAIN_TYPE_PV);
	b->max_vcpus = (int)p->vcpus;
	if (libxl_cpu_bitmap_alloc(X.ctx, &b->avail_vcpus, (int)p->vcpus) != 0)
		return -ENOMEM;
	for (uint32_t i = 0; i < p->vcpus; i++)
		libxl_bitmap_set(&b->avail_vcpus, (int)i);
	/* The domain is built with target_memkb; max_memkb is the ceiling
	 * Xen lets it grow to (a balloon driver asking for more): no
	 * ballooning daemon raises the target yet. */
	b->max_memkb = p->maxmem_kb;
	b->target_memkb = p->memory_kb;
	b->kernel = strdup(p->kernel);
	b->ramdisk = dup_or_null(p->ramdisk);
	b->cmdline = strdup(p->cmdline);
	/* Only xl's own daemon acts on these; tick() destroys a domain that
	 * shut down, whatever the reason. */
	dc->on_poweroff = dc->on_reboot = dc->on_crash = dc->on_watchdog = LIBXL_ACTION_ON_SHUTDOWN_DESTROY;
	dc->disks = calloc(p->ndisks, sizeof(*dc->disks));
	if (dc->c_info.name == NULL || b->kernel == NULL || b->cmdline == NULL || dc->disks == NULL ||
	    (p->ramdisk[0] && b->ramdisk == NULL))
		return -ENOMEM;
	dc->num_disks = (int)p->ndisks;
	for (size_t i = 0; i < p->ndisks; i++) {
		libxl_device_disk *d = &dc->disks[i];

		libxl_device_disk_init(d);
		d->backend_domid = 0;
		d->backend = LIBXL_DISK_BACKEND_PHY;
		d->format = LIBXL_DISK_FORMAT_RAW;
		d->readwrite = p->disks[i].writable;
		d->pdev_path = strdup(devs[i]);
		d->vdev = strdup(p->disks[i].vdev);
		d->script = strdup(XEN_DISK_SCRIPT);
		if (d->pdev_path == NULL || d->vdev == NULL || d->script == NULL)
			return -ENOMEM;
	}
	return 0;
}

/* Each disk's backend learns its device (xen_xs_physical_device) while
 * the domain is paused: blkback connects, the qube's blkfront finds its
 * disks at boot. */
static int connect_disks(uint32_t domid, const libxl_domain_config *dc, int *loop_fds)
{
	for (int i = 0; i < dc->num_disks; i++) {
		libxl_diskinfo di;
		struct stat st;
		int rc;

		if (fstat(loop_fds[i], &st) < 0)
			return -errno;
		libxl_diskinfo_init(&di);
		rc = lx_errno(libxl_device_disk_getinfo(X.ctx, domid, &dc->disks[i], &di));
		if (rc == 0 && di.backend == NULL)
			rc = -EIO;
		if (rc == 0)
			rc = xen_xs_physical_device(X.xs, di.backend, dc->disks[i].pdev_path,
				major(st.st_rdev), minor(st.st_rdev));
		libxl_diskinfo_dispose(&di);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Every file the plan names must exist before libxl is asked. */
static int check_files(const struct xen_plan *p)
{
	struct stat st;

	if (stat(p->kernel, &st) < 0 || !S_ISREG(st.st_mode)) {
		log_warnx("%s: no qube kernel at %s (SPEC/xen.md \"Configuration\")", p->name, p->kernel);
		return -ENOENT;
	}
	for (size_t i = 0; i < p->ndisks; i++)
		if (lstat(p->disks[i].image, &st) < 0 || !S_ISREG(st.st_mode)) {
			log_warnx("%s: volume %s missing", p->name, p->disks[i].image);
			return -ENOENT;
		}
	return 0;
}

static int xen_start(const struct vmm_start *s, uint32_t *domid_out)
{
	const struct vmm_qube *q = s->qube;
	struct xen_plan *p = NULL;
	char cmdline[XEN_CMDLINE_MAX + 3], devs[XEN_DISKS_MAX][32];
	struct xdom *d = NULL;
	libxl_domain_config dc;
	libxl_dominfo di;
	bool dc_made = false, vols = false;
	uint32_t domid = (uint32_t)INVALID_DOMID;
	sigset_t saved;
	int rc;

	if (!X.inited)
		return -ENXIO;
	if ((rc = xen_check_start(s)) < 0)
		return rc;
	if (find(q->name) != NULL)
		return -EBUSY;
	if ((rc = check_root_exclusive(s)) < 0)
		return rc;
	for (size_t i = 0; i < XEN_MAX_RUNNING && d == NULL; i++)
		if (table[i].state == X_FREE)
			d = &table[i];
	if (d == NULL)
		return -EAGAIN;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return -ENOMEM;
	if ((rc = read_cmdline(cmdline, sizeof(cmdline))) < 0 ||
	    (rc = xen_plan_build(X.root, s, cmdline, p)) < 0) {
		log_warnx("%s: %s: %s", q->name, XEN_CONF_CMDLINE, strerror(-rc));
		goto out;
	}
	if (access(p->ramdisk, R_OK) < 0)
		p->ramdisk[0] = '\0';     /* optional */
	if ((rc = xv_start(X.root, q, s->private_source)) < 0)
		goto out;
	vols = true;
	if ((rc = check_files(p)) < 0)
		goto fail;
	memset(d, 0, sizeof(*d));
	for (size_t i = 0; i < p->ndisks; i++) {
		if ((rc = xloop_attach(p->disks[i].image, p->disks[i].writable, devs[i], sizeof(devs[i]),
			    &d->loop_fds[i])) < 0) {
			log_warnx("%s: loop device for %s: %s", q->name, p->disks[i].image, strerror(-rc));
			goto fail;
		}
		d->nloops = i + 1;
	}
	dc_made = true;
	if ((rc = make_config(p, devs, &dc)) < 0)
		goto fail;
	bh_console_note(X.root, q->name, "starting %s (qid %u): Xen PV, %u MiB (max %u MiB), %u vcpus; console in "
		XEN_CONSOLE_LOG, q->name, q->qid, q->memory_mb, q->maxmem_mb, q->vcpus, q->name);
	/* Created paused: the qube runs only once its configuration is in
	 * xenstore, so its agent never reads a half-written subtree. */
	lx_enter(&saved);
	rc = lx_errno(libxl_domain_create_new(X.ctx, &dc, &domid, NULL, NULL));
	lx_leave(&saved);
	if (rc < 0) {
		log_warnx("%s: libxl could not create the domain", q->name);
		goto fail;
	}
	/* Its uuid tells this domain from a later one given the same domid. */
	libxl_dominfo_init(&di);
	if ((rc = lx_errno(libxl_domain_info(X.ctx, &di, domid))) < 0)
		goto fail;
	libxl_uuid_copy(X.ctx, &d->uuid, &di.uuid);
	libxl_dominfo_dispose(&di);
	if ((rc = connect_disks(domid, &dc, d->loop_fds)) < 0) {
		log_warnx("%s: connecting its disks: %s", q->name, strerror(-rc));
		goto fail;
	}
	if ((rc = xen_xs_publish(X.xs, q, domid, X.instance)) < 0) {
		log_warnx("%s: writing its xenstore configuration: %s", q->name, strerror(-rc));
		goto fail;
	}
	lx_enter(&saved);
	rc = lx_errno(libxl_domain_unpause(X.ctx, domid, NULL));
	lx_leave(&saved);
	if (rc < 0)
		goto fail;
	d->state = X_RUNNING;
	memcpy(d->name, q->name, sizeof(d->name));
	d->domid = domid;
	d->shutdown_timeout_s = q->shutdown_timeout_s ? q->shutdown_timeout_s : 60;
	snprintf(d->root_owner, sizeof(d->root_owner), "%s",
		 xen_owns_root(q->klass) ? q->name : s->root_template->name);
	d->root_rw = xen_owns_root(q->klass);
	*domid_out = domid;
	bh_console_note(X.root, q->name, "domain %u running", domid);
	rc = 0;
	goto out;
fail:
	if (domid != (uint32_t)INVALID_DOMID)
		(void)destroy_domid(domid);
	if (d != NULL)
		close_loops(d);
	if (vols)
		xv_stop(X.root, q->name);
	if (d != NULL)
		memset(d, 0, sizeof(*d));
	bh_console_note(X.root, q->name, "start failed: %s", strerror(-rc));
out:
	if (dc_made)
		libxl_domain_config_dispose(&dc);
	free(p);
	return rc;
}

/* ---- the other operations ---- */

static int xen_shutdown(const char *name)
{
	struct xdom *d = find(name);
	sigset_t saved;
	int rc;

	if (d == NULL)
		return -ESRCH;
	if (d->state == X_HALTING)
		return 0;     /* already on its way down */
	lx_enter(&saved);
	/* A paused domain cannot act on the request. */
	(void)libxl_domain_unpause(X.ctx, d->domid, NULL);
	rc = lx_errno(libxl_domain_shutdown(X.ctx, d->domid, NULL));
	lx_leave(&saved);
	if (rc == -ESRCH) {
		forget(d);
		return -ESRCH;
	}
	if (rc < 0)
		return rc;
	d->state = X_HALTING;
	d->deadline_ms = now_ms() + (uint64_t)d->shutdown_timeout_s * 1000u;
	bh_console_note(X.root, d->name, "shutdown requested");
	return 0;
}

static int xen_kill(const char *name)
{
	struct xdom *d = find(name);

	if (d == NULL)
		return -ESRCH;
	destroy(d, "killed");
	return 0;
}

static int set_paused(const char *name, bool pause)
{
	struct xdom *d = find(name);
	sigset_t saved;
	int rc;

	if (d == NULL)
		return -ESRCH;
	if (pause && d->state != X_RUNNING)
		return -EBUSY;
	lx_enter(&saved);
	rc = pause ? libxl_domain_pause(X.ctx, d->domid, NULL) : libxl_domain_unpause(X.ctx, d->domid, NULL);
	lx_leave(&saved);
	return lx_errno(rc);
}

static int xen_pause(const char *name)
{
	return set_paused(name, true);
}

static int xen_unpause(const char *name)
{
	return set_paused(name, false);
}

/* Looks at d's domain: destroys it when it shut down (by itself, by
 * shutdown(), or crashed) or when its shutdown deadline passed, forgets
 * it when it is gone.  True when d is still there. */
static bool check(struct xdom *d, uint64_t now, libxl_dominfo *out)
{
	libxl_dominfo di;
	int rc = info(d, &di);

	if (rc == -ESRCH) {
		bh_console_note(X.root, d->name, "domain %u is gone", d->domid);
		forget(d);
		return false;
	}
	if (rc < 0)
		return true;     /* libxl trouble: look again next time */
	if (di.shutdown) {
		bool crashed = di.shutdown_reason == LIBXL_SHUTDOWN_REASON_CRASH;

		libxl_dominfo_dispose(&di);
		destroy(d, crashed ? "crashed" : "shut down");
		return false;
	}
	if (d->state == X_HALTING && now >= d->deadline_ms) {
		libxl_dominfo_dispose(&di);
		destroy(d, "shutdown timed out");
		return false;
	}
	if (out != NULL)
		*out = di;
	else
		libxl_dominfo_dispose(&di);
	return true;
}

static int xen_status(const char *name, struct vmm_status *out)
{
	struct xdom *d = find(name);
	libxl_dominfo di;

	memset(out, 0, sizeof(*out));
	out->state = POWER_HALTED;
	if (d == NULL || !X.inited || !check(d, now_ms(), &di))
		return 0;
	out->domid = d->domid;
	out->state = di.dying ? POWER_DYING : d->state == X_HALTING ? POWER_HALTING
		   : di.paused ? POWER_PAUSED : POWER_RUNNING;
	libxl_dominfo_dispose(&di);
	return 0;
}

static void xen_tick(int *next_ms)
{
	uint64_t now = now_ms(), next = UINT64_MAX;

	for (size_t i = 0; X.inited && i < XEN_MAX_RUNNING; i++) {
		struct xdom *d = &table[i];

		if (d->state == X_FREE || !check(d, now, NULL))
			continue;
		/* Xen tells the monitor nothing when a domain stops: look. */
		if (now + XEN_POLL_MS < next)
			next = now + XEN_POLL_MS;
		if (d->state == X_HALTING && d->deadline_ms < next)
			next = d->deadline_ms;
	}
	if (next_ms != NULL)
		*next_ms = next == UINT64_MAX ? -1 : next <= now ? 0 : (int)(next - now);
}

static void xen_kill_all(void)
{
	for (size_t i = 0; i < XEN_MAX_RUNNING; i++)
		if (table[i].state != X_FREE)
			destroy(&table[i], "bulkheadd stopping");
}

static int xen_volume_create(const struct vmm_qube *q)
{
	return X.inited ? xv_create(X.root, q) : -ENXIO;
}

static int xen_volume_clone(const struct vmm_qube *src, const struct vmm_qube *dst)
{
	return X.inited ? xv_clone(X.root, src, dst) : -ENXIO;
}

static int xen_volume_remove(const struct vmm_qube *q)
{
	if (!X.inited)
		return -ENXIO;
	if (q != NULL && find(q->name) != NULL)
		return -EBUSY;
	return xv_remove(X.root, q);
}

const struct vmm_backend vmm_xen_backend = {
	.name = "xen",
	.init = xen_init,
	.volume_create = xen_volume_create,
	.volume_clone = xen_volume_clone,
	.volume_remove = xen_volume_remove,
	.start = xen_start,
	.pause = xen_pause,
	.unpause = xen_unpause,
	.shutdown = xen_shutdown,
	.kill = xen_kill,
	.status = xen_status,
	.tick = xen_tick,
	.kill_all = xen_kill_all,
};
