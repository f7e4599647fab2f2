/* Internals of the local backend (core/local/): shared between its files,
 * never included outside core/local/ and tests/unit/test_local_*.c.
 * SPEC/local-backend.md describes what this builds. */
#ifndef BH_LOCAL_H
#define BH_LOCAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/vmm.h"
#include "lib/paths.h"

/* uid/gid range of a qube: its ids 0..65535 are host ids BASE..BASE+65535. */
#define LOCAL_UID_FIRST     0x40000000u
#define LOCAL_UID_COUNT     0x10000u
#define LOCAL_UID_BASE(qid) (LOCAL_UID_FIRST + (uint32_t)(qid) * LOCAL_UID_COUNT)
#define LOCAL_USER_UID      1000u      /* the default user inside every qube */
#define LOCAL_TTY_GID       5u
#define LOCAL_NOBODY        65534u

#define LOCAL_MAX_RUNNING   1024u      /* SPEC/core.md: at most 1024 qubes */
#define LOCAL_START_TIMEOUT_MS 30000u  /* start() gives up after this */
#define LOCAL_KILL_WAIT_MS  2000u      /* kill() waits this long for the reap */
#define LOCAL_TREE_DEPTH_MAX 128u      /* deepest tree volume copies accept (2 fds a level) */

/* Volume layout under $ROOT/var/lib/bulkhead/qubes/NAME/ (SPEC/local-backend.md). */
#define LV_PRIVATE      "private"        /* /rw; home/ is /home, usrlocal/ is /usr/local */
#define LV_DISP_PRIVATE "disp-private"   /* DispVM: fresh copy, deleted at stop */
#define LV_LAYER        "layer"          /* TemplateVM/StandaloneVM root layer */
#define LV_WORK         "work"           /* overlayfs work dirs of the layer */

/* Set once by init(). */
struct local_ctx {
	bool inited;
	char root[BH_PATH_MAX / 2];   /* instance root, "/" or no trailing slash */
	char tools[BH_PATH_MAX];      /* host dir bind-mounted at /usr/lib/bulkhead */
	uint64_t root_hash;           /* FNV-1a 64 of root: cgroup parent name */
};
extern struct local_ctx local_ctx;

/* out = root + "/" + rel.  0 or -ENAMETOOLONG. */
int local_path(char *out, size_t outlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), warn_unused_result));

uint64_t local_fnv1a64(const void *buf, size_t len);

/* 0 when q is a well-formed description this backend accepts. */
int local_check_qube(const struct vmm_qube *q) __attribute__((warn_unused_result));

/* True for classes that own a root layer (TemplateVM, StandaloneVM). */
bool local_has_layer(enum qube_class c);

/* The default user's name for q ("user" when unset). */
const char *local_user(const struct vmm_qube *q);

/* ---- cgroups (local_cgroup.c) ---- */

enum lcg_version { LCG_NONE, LCG_V1, LCG_V2 };

struct lcg {
	enum lcg_version version;
	bool freezer;         /* pause available (v2, or v1 with the freezer) */
	char base[256];       /* "/sys/fs/cgroup" normally; tests use a temp dir */
	char parent[32];      /* "bulkhead-<16 hex>" */
};

/* Detect the cgroup layout under `base` and name the parent group after
 * root_hash.  -ENOTSUP when neither v2 nor v1 memory+pids is found. */
int lcg_init(struct lcg *cg, const char *base, uint64_t root_hash)
	__attribute__((warn_unused_result));
/* Same, with the version forced (unit tests on a fake tree). */
void lcg_init_as(struct lcg *cg, const char *base, uint64_t root_hash, enum lcg_version v);
/* Create the qube's group(s) with its limits (memory in MiB). */
int lcg_create(const struct lcg *cg, const char *name, uint32_t memory_mb, uint32_t pids_max)
	__attribute__((warn_unused_result));
int lcg_attach(const struct lcg *cg, const char *name, pid_t pid) __attribute__((warn_unused_result));
/* rmdir the qube's group(s); -EBUSY while tasks remain. */
int lcg_remove(const struct lcg *cg, const char *name);
/* Freeze or thaw every task of the qube (pause).  -ENOTSUP without a freezer. */
int lcg_freeze(const struct lcg *cg, const char *name, bool frozen) __attribute__((warn_unused_result));
/* rmdir our parent group if no qube's group is left in it. */
void lcg_remove_parent(const struct lcg *cg);
/* SIGKILL every task in the qube's group(s) (stale groups, kill_all). */
void lcg_kill(const struct lcg *cg, const char *name);
/* Remove every group under our parent (crashed earlier run). */
void lcg_cleanup_stale(const struct lcg *cg);
/* Path of a control file of the qube's group for `ctrl` ("memory" or
 * "pids" selects the v1 hierarchy; ignored on v2). */
int lcg_file(const struct lcg *cg, const char *ctrl, const char *name, const char *file,
	char *out, size_t outlen) __attribute__((warn_unused_result));

/* ---- user namespaces (local_userns.c) ---- */

/* A user namespace fd whose uid and gid maps are "ns_first host_first count".
 * The caller owns and closes *fd.  Forks a short-lived helper. */
int lus_make(uint32_t ns_first, uint32_t host_first, uint32_t count, int *fd)
	__attribute__((warn_unused_result));

/* ---- volumes (local_volume.c) ---- */

int lvol_create(const struct vmm_qube *q) __attribute__((warn_unused_result));
int lvol_clone(const struct vmm_qube *src, const struct vmm_qube *dst) __attribute__((warn_unused_result));
int lvol_remove(const struct vmm_qube *q) __attribute__((warn_unused_result));
/* Fill a fresh private volume (home/USER, usrlocal/...) at dirfd, owned
 * by the range starting at base. */
int lvol_populate_private(int dirfd, uint32_t base, const char *user) __attribute__((warn_unused_result));

/* Copy the tree `srcname` in srcdir into a new `dstname` in dstdir (which
 * must not exist), never following symlinks, re-owning ids in
 * [from, from+65536) to the same offset from `to`; ids outside the range
 * become to+65534 (nobody), except overlayfs whiteouts (0:0 char 0/0),
 * which keep 0:0.  Copies user.* and trusted.overlay.* xattrs only; hard
 * links within the tree stay hard links. */
int lvol_copy_shift(int srcdir, const char *srcname, int dstdir, const char *dstname,
	uint32_t from, uint32_t to) __attribute__((warn_unused_result));
/* rm -rf of `name` in dirfd without following symlinks or crossing mounts.
 * -ENOENT is success. */
int lvol_rm_tree(int dirfd, const char *name) __attribute__((warn_unused_result));

/* ---- /etc generation (local_etc.c) ---- */

enum letc_file { LETC_PASSWD, LETC_GROUP, LETC_HOSTNAME, LETC_HOSTS, LETC_NSSWITCH,
	LETC_RESOLV, LETC_COUNT };
const char *letc_name(enum letc_file f);
/* Content of a generated /etc file for qube `qname` with default user
 * `user` and login shell `shell`.  Returns length, or -ENOSPC. */
int letc_render(enum letc_file f, const char *qname, const char *user, const char *shell,
	char *buf, size_t cap) __attribute__((warn_unused_result));

/* ---- the qube's root (local_rootfs.c, runs in the child) ---- */

struct lroot_plan {
	const char *name;
	uint32_t base;              /* the qube's uid range */
	uint32_t limit_mb;          /* the qube's memory limit: its tmpfs's size */
	const char *user;
	const char *stage;          /* empty host dir we mount a tmpfs on */
	const char *tools;          /* host dir of qube-side tools */
	/* Persistent layer (TemplateVM/StandaloneVM) or NULL (volatile upper). */
	const char *own_layer;      /* .../NAME/layer */
	const char *own_work;       /* .../NAME/work */
	/* Read-only template layer (AppVM/DispVM) and its idmap, or NULL/-1. */
	const char *tpl_layer;      /* .../TEMPLATE/layer */
	int tpl_idmap_fd;           /* userns mapping template ids to ours */
	int idmap_fd;               /* userns mapping host ids 0.. to ours */
	const char *private_dir;    /* .../NAME/private or disp-private */
	const char *vchan_dir;      /* host dir bind-mounted at LOCAL_QUBE_VCHAN_DIR */
	uint32_t domid;             /* VCHAN_DOMAIN of the qube's processes */
};

/* Where a qube sees its own channel directory (SPEC/vchan.md); the
 * _REL form is relative to the qube's root while it is being built. */
#define LOCAL_QUBE_VCHAN_REL "run/bulkhead/vchan"
#define LOCAL_QUBE_VCHAN_DIR "/" LOCAL_QUBE_VCHAN_REL

/* In the child, as host root in its own mount namespace: build the qube's
 * tree and pivot_root into it.  On failure sets *step to a short static
 * description and returns -errno. */
int lroot_build(const struct lroot_plan *p, const char **step) __attribute__((warn_unused_result));

/* ---- the child (local_child.c) ---- */

struct lchild_args {
	struct lroot_plan plan;
	int userns_fd;          /* the qube's user namespace */
	int go_fd;              /* socket: parent says go; EOF = parent died */
	int status_fd;          /* write: failure report; EOF at exec = success */
	int log_fd;             /* console log: init's stdout and stderr */
};

/* Report layout on status_fd. */
struct lchild_report {
	int32_t err;            /* positive errno */
	char step[60];
};

_Noreturn void lchild_main(const struct lchild_args *a);

/* Bring `lo` up in the current network namespace (ioctl, no shell). */
int lnet_lo_up(void) __attribute__((warn_unused_result));

#endif
