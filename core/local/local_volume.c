/* Volumes: directories under $ROOT/var/lib/bulkhead/qubes/NAME/, owned on
 * disk by the qube's host uid range.  Everything below a qube's directory
 * is written by the qube, so every walk here uses *at() calls on directory
 * fds, never follows a symlink and never crosses a mount. */
#include "core/local/local.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "lib/log.h"

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
#define HARDLINKS_MAX 256u      /* hard links remembered per copy (each holds an fd) */
#define XATTR_LIST_MAX_ 65536u
#define XATTR_VALUE_MAX 65536u

static const char *const usrlocal_dirs[] = { "bin", "etc", "include", "lib", "sbin", "share", "src" };

/* mkdirat + chown; EEXIST is fine when `may_exist`. */
static int mkdir_owned(int dirfd, const char *name, unsigned mode, uint32_t uid, bool may_exist)
{
	if (mkdirat(dirfd, name, mode) < 0) {
		if (errno == EEXIST && may_exist)
			return 0;
		return -errno;
	}
	if (fchownat(dirfd, name, uid, uid, AT_SYMLINK_NOFOLLOW) < 0 ||
	    fchmodat(dirfd, name, mode, 0) < 0)
		return -errno;
	return 0;
}

int lvol_populate_private(int dirfd, uint32_t base, const char *user)
{
	int rc, ul;

	if ((rc = mkdir_owned(dirfd, "home", 0755, base, true)) < 0)
		return rc;
	{
		int hfd = openat(dirfd, "home", DIR_FLAGS);

		if (hfd < 0)
			return -errno;
		rc = mkdir_owned(hfd, user, 0755, base + LOCAL_USER_UID, true);
		close(hfd);
		if (rc < 0)
			return rc;
	}
	if ((rc = mkdir_owned(dirfd, "usrlocal", 0755, base, true)) < 0)
		return rc;
	if ((ul = openat(dirfd, "usrlocal", DIR_FLAGS)) < 0)
		return -errno;
	for (size_t i = 0; i < sizeof(usrlocal_dirs) / sizeof(usrlocal_dirs[0]) && rc == 0; i++)
		rc = mkdir_owned(ul, usrlocal_dirs[i], 0755, base, true);
	close(ul);
	return rc;
}

/* Open (creating when asked) $ROOT/var/lib/bulkhead/qubes[/name]. */
static int open_qubes_dir(bool create)
{
	char p[BH_PATH_MAX];
	int rc;

	if ((rc = local_path(p, sizeof(p), "%s", BH_QUBES_DIR)) < 0)
		return rc;
	if (create && (rc = mkdirs_abs(p, 0700)) < 0)
		return rc;
	rc = open(p, DIR_FLAGS);
	return rc < 0 ? -errno : rc;
}

static int create_layer(int qfd, uint32_t base)
{
	int rc, lfd;

	if ((rc = mkdir_owned(qfd, LV_LAYER, 0700, 0, true)) < 0 ||
	    (rc = mkdir_owned(qfd, LV_WORK, 0700, 0, true)) < 0)
		return rc;
	if ((lfd = openat(qfd, LV_LAYER, DIR_FLAGS)) < 0)
		return -errno;
	/* The upper dirs' owner and mode become those of / and /usr. */
	if ((rc = mkdir_owned(lfd, "root", 0755, base, true)) == 0)
		rc = mkdir_owned(lfd, "usr", 0755, base, true);
	close(lfd);
	if (rc < 0)
		return rc;
	if ((lfd = openat(qfd, LV_WORK, DIR_FLAGS)) < 0)
		return -errno;
	if ((rc = mkdir_owned(lfd, "root", 0700, 0, true)) == 0)
		rc = mkdir_owned(lfd, "usr", 0700, 0, true);
	close(lfd);
	return rc;
}

/* Create what q's class needs and is missing in the open qube dir qfd. */
static int create_in(int qfd, const struct vmm_qube *q)
{
	uint32_t base = LOCAL_UID_BASE(q->qid);
	int rc;

	if (q->klass != CLASS_DISPVM) {
		rc = mkdir_owned(qfd, LV_PRIVATE, 0755, base, false);
		if (rc == 0) {
			int pfd = openat(qfd, LV_PRIVATE, DIR_FLAGS);

			if (pfd < 0)
				return -errno;
			rc = lvol_populate_private(pfd, base, local_user(q));
			close(pfd);
		} else if (rc == -EEXIST) {
			rc = 0;   /* idempotent: an existing volume is left alone */
		}
		if (rc < 0)
			return rc;
	}
	if (local_has_layer(q->klass))
		return create_layer(qfd, base);
	return 0;
}

int lvol_create(const struct vmm_qube *q)
{
	int rc, dfd, qfd;

	if ((rc = local_check_qube(q)) < 0)
		return rc;
	if ((dfd = open_qubes_dir(true)) < 0)
		return dfd;
	if ((rc = mkdir_owned(dfd, q->name, 0700, 0, true)) < 0) {
		close(dfd);
		return rc;
	}
	qfd = openat(dfd, q->name, DIR_FLAGS);
	close(dfd);
	if (qfd < 0)
		return -errno;
	rc = create_in(qfd, q);
	close(qfd);
	return rc;
}

int lvol_remove(const struct vmm_qube *q)
{
	int rc, dfd;

	if ((rc = local_check_qube(q)) < 0)
		return rc;
	if ((dfd = open_qubes_dir(false)) < 0)
		return dfd == -ENOENT ? 0 : dfd;
	rc = lvol_rm_tree(dfd, q->name);
	close(dfd);
	return rc;
}

int lvol_clone(const struct vmm_qube *src, const struct vmm_qube *dst)
{
	uint32_t from = LOCAL_UID_BASE(src->qid), to = LOCAL_UID_BASE(dst->qid);
	int rc, dfd, sfd = -1, qfd = -1, sl = -1, dl = -1;
	struct stat st;

	if ((rc = local_check_qube(src)) < 0 || (rc = local_check_qube(dst)) < 0)
		return rc;
	if (strcmp(src->name, dst->name) == 0 || src->qid == dst->qid)
		return -EINVAL;
	if ((dfd = open_qubes_dir(true)) < 0)
		return dfd;
	if ((sfd = openat(dfd, src->name, DIR_FLAGS)) < 0) {
		rc = -errno;
		goto out;
	}
	/* dst must be fresh: absent, or an empty directory. */
	if (unlinkat(dfd, dst->name, AT_REMOVEDIR) < 0 && errno != ENOENT) {
		rc = errno == ENOTEMPTY ? -EEXIST : -errno;
		goto out;
	}
	if ((rc = mkdir_owned(dfd, dst->name, 0700, 0, false)) < 0)
		goto out;
	if ((qfd = openat(dfd, dst->name, DIR_FLAGS)) < 0) {
		rc = -errno;
		goto undo;
	}
	if (fstatat(sfd, LV_PRIVATE, &st, AT_SYMLINK_NOFOLLOW) == 0 && dst->klass != CLASS_DISPVM &&
	    (rc = lvol_copy_shift(sfd, LV_PRIVATE, qfd, LV_PRIVATE, from, to)) < 0)
		goto undo;
	if (local_has_layer(dst->klass) && (sl = openat(sfd, LV_LAYER, DIR_FLAGS)) >= 0) {
		if ((rc = mkdir_owned(qfd, LV_LAYER, 0700, 0, false)) < 0)
			goto undo;
		if ((dl = openat(qfd, LV_LAYER, DIR_FLAGS)) < 0) {
			rc = -errno;
			goto undo;
		}
		if ((rc = lvol_copy_shift(sl, "root", dl, "root", from, to)) < 0 ||
		    (rc = lvol_copy_shift(sl, "usr", dl, "usr", from, to)) < 0)
			goto undo;
	}
	/* Whatever dst's class needs and src lacked (work dirs, at least). */
	if ((rc = create_in(qfd, dst)) < 0)
		goto undo;
	goto out;
undo:
	if (qfd >= 0)
		close(qfd);
	qfd = -1;
	if (lvol_rm_tree(dfd, dst->name) < 0)
		rc = rc == 0 ? -EIO : rc;
out:
	if (dl >= 0)
		close(dl);
	if (sl >= 0)
		close(sl);
	if (qfd >= 0)
		close(qfd);
	if (sfd >= 0)
		close(sfd);
	close(dfd);
	return rc;
}

/* ---- copy with uid shift ---- */

struct hardlink {
	dev_t dev;
	ino_t ino;
	int dst_fd;          /* O_PATH fd of the first copy */
};

struct copy_ctx {
	uint32_t from, to;
	dev_t dev;
	struct hardlink links[HARDLINKS_MAX];
	size_t nlinks;
	bool made_top;       /* we created the destination: ours to undo */
};

static uint32_t shift_id(const struct copy_ctx *c, uint32_t id)
{
	if (id - c->from < LOCAL_UID_COUNT)
		return c->to + (id - c->from);
	return c->to + LOCAL_NOBODY;
}

static bool xattr_copied(const char *name)
{
	return strncmp(name, "user.", 5) == 0 || strncmp(name, "trusted.overlay.", 16) == 0;
}

static int copy_xattrs(int sfd, int dfd)
{
	char *list = malloc(XATTR_LIST_MAX_), *val = malloc(XATTR_VALUE_MAX);
	ssize_t n;
	int rc = 0;

	if (list == NULL || val == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	n = flistxattr(sfd, list, XATTR_LIST_MAX_);
	if (n < 0) {
		rc = errno == ENOTSUP ? 0 : -errno;
		goto out;
	}
	for (char *p = list; p < list + n; p += strlen(p) + 1) {
		ssize_t v;

		if (!xattr_copied(p))
			continue;
		v = fgetxattr(sfd, p, val, XATTR_VALUE_MAX);
		if (v < 0) {
			if (errno == ENODATA)
				continue;
			rc = -errno;
			break;
		}
		if (fsetxattr(dfd, p, val, (size_t)v, 0) < 0) {
			rc = -errno;
			break;
		}
	}
out:
	free(list);
	free(val);
	return rc;
}

static int copy_data(int sfd, int dfd)
{
	char buf[65536];

	for (;;) {
		ssize_t n = copy_file_range(sfd, NULL, dfd, NULL, 1u << 30, 0);

		if (n == 0)
			return 0;
		if (n > 0)
			continue;
		if (errno == EINTR)
			continue;
		if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP)
			return -errno;
		break;
	}
	for (;;) {
		ssize_t n = read(sfd, buf, sizeof(buf)), w;

		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (ssize_t off = 0; off < n; off += w) {
			w = write(dfd, buf + off, (size_t)(n - off));
			if (w < 0) {
				if (errno == EINTR) {
					w = 0;
					continue;
				}
				return -errno;
			}
		}
	}
}

/* chown, then chmod (chown clears set-id bits), then times. */
static int finish_fd(const struct copy_ctx *c, int fd, const struct stat *st)
{
	struct timespec ts[2] = { st->st_atim, st->st_mtim };

	if (fchown(fd, shift_id(c, st->st_uid), shift_id(c, st->st_gid)) < 0 ||
	    fchmod(fd, st->st_mode & 07777) < 0 || futimens(fd, ts) < 0)
		return -errno;
	return 0;
}

static int copy_entry(struct copy_ctx *c, int sdir, const char *sname, int ddir, const char *dname,
	unsigned depth);

static int copy_dir(struct copy_ctx *c, int sdir, const char *sname, int ddir, const char *dname,
	const struct stat *st, unsigned depth)
{
	struct stat st2;
	struct dirent *e;
	DIR *d;
	int sfd, dfd, rc = 0;

	if (depth > LOCAL_TREE_DEPTH_MAX)
		return -ELOOP;
	if ((sfd = openat(sdir, sname, DIR_FLAGS)) < 0)
		return -errno;
	if (fstat(sfd, &st2) < 0 || st2.st_ino != st->st_ino || st2.st_dev != st->st_dev) {
		close(sfd);
		return -ESTALE;   /* swapped under us */
	}
	if ((d = fdopendir(sfd)) == NULL) {
		rc = -errno;
		close(sfd);
		return rc;
	}
	if (mkdirat(ddir, dname, 0700) < 0) {
		rc = -errno;
		closedir(d);
		return rc;
	}
	if (depth == 0)
		c->made_top = true;
	if ((dfd = openat(ddir, dname, DIR_FLAGS)) < 0) {
		rc = -errno;
		closedir(d);
		return rc;
	}
	errno = 0;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		rc = copy_entry(c, dirfd(d), e->d_name, dfd, e->d_name, depth + 1);
	}
	if (rc == 0 && errno != 0)
		rc = -errno;
	if (rc == 0)
		rc = copy_xattrs(dirfd(d), dfd);
	if (rc == 0)
		rc = finish_fd(c, dfd, st);
	close(dfd);
	closedir(d);
	return rc;
}

static int copy_reg(struct copy_ctx *c, int sdir, const char *sname, int ddir, const char *dname,
	const struct stat *st)
{
	struct stat st2;
	int sfd, dfd, rc;

	if (st->st_nlink > 1) {
		for (size_t i = 0; i < c->nlinks; i++) {
			if (c->links[i].dev == st->st_dev && c->links[i].ino == st->st_ino)
				return linkat(c->links[i].dst_fd, "", ddir, dname, AT_EMPTY_PATH) < 0 ? -errno : 0;
		}
	}
	/* O_NONBLOCK: a FIFO swapped in after the stat must not hang us. */
	if ((sfd = openat(sdir, sname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)) < 0)
		return -errno;
	if (fstat(sfd, &st2) < 0 || !S_ISREG(st2.st_mode) || st2.st_ino != st->st_ino) {
		close(sfd);
		return -ESTALE;
	}
	if ((dfd = openat(ddir, dname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
		rc = -errno;
		close(sfd);
		return rc;
	}
	rc = copy_data(sfd, dfd);
	if (rc == 0)
		rc = copy_xattrs(sfd, dfd);
	if (rc == 0)
		rc = finish_fd(c, dfd, st);
	if (rc == 0 && st->st_nlink > 1 && c->nlinks < HARDLINKS_MAX) {
		int pfd = openat(ddir, dname, O_PATH | O_NOFOLLOW | O_CLOEXEC);

		if (pfd >= 0) {
			c->links[c->nlinks].dev = st->st_dev;
			c->links[c->nlinks].ino = st->st_ino;
			c->links[c->nlinks].dst_fd = pfd;
			c->nlinks++;
		}
	}
	close(dfd);
	close(sfd);
	return rc;
}

static int copy_entry(struct copy_ctx *c, int sdir, const char *sname, int ddir, const char *dname,
	unsigned depth)
{
	struct stat st;
	char untrusted_target[PATH_MAX];   /* a qube's link: copied, never followed */
	ssize_t n;

	if (fstatat(sdir, sname, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;   /* vanished: a live source */
	if (st.st_dev != c->dev)
		return -EXDEV;
	switch (st.st_mode & S_IFMT) {
	case S_IFDIR:
		return copy_dir(c, sdir, sname, ddir, dname, &st, depth);
	case S_IFREG:
		return copy_reg(c, sdir, sname, ddir, dname, &st);
	case S_IFLNK:
		n = readlinkat(sdir, sname, untrusted_target, sizeof(untrusted_target) - 1);
		if (n < 0)
			return -errno;
		untrusted_target[n] = '\0';
		if (symlinkat(untrusted_target, ddir, dname) < 0 ||
		    fchownat(ddir, dname, shift_id(c, st.st_uid), shift_id(c, st.st_gid), AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
		return 0;
	case S_IFCHR:
		/* Only overlayfs whiteouts; a qube cannot make other nodes. */
		if (st.st_rdev != makedev(0, 0))
			return 0;
		if (mknodat(ddir, dname, S_IFCHR | (st.st_mode & 0777), makedev(0, 0)) < 0)
			return -errno;
		return fchownat(ddir, dname, 0, 0, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
	case S_IFIFO:
		if (mkfifoat(ddir, dname, 0600) < 0 ||
		    fchownat(ddir, dname, shift_id(c, st.st_uid), shift_id(c, st.st_gid), AT_SYMLINK_NOFOLLOW) < 0 ||
		    fchmodat(ddir, dname, st.st_mode & 07777, 0) < 0)
			return -errno;
		return 0;
	default:
		return 0;   /* sockets, block devices: not volume content */
	}
}

int lvol_copy_shift(int srcdir, const char *srcname, int dstdir, const char *dstname,
	uint32_t from, uint32_t to)
{
	struct copy_ctx *c = calloc(1, sizeof(*c));
	struct stat st;
	int rc;

	if (c == NULL)
		return -ENOMEM;
	c->from = from;
	c->to = to;
	if (fstatat(srcdir, srcname, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		rc = -errno;
	} else if (!S_ISDIR(st.st_mode)) {
		rc = -ENOTDIR;
	} else {
		c->dev = st.st_dev;
		rc = copy_dir(c, srcdir, srcname, dstdir, dstname, &st, 0);
	}
	for (size_t i = 0; i < c->nlinks; i++)
		close(c->links[i].dst_fd);
	if (rc < 0 && c->made_top && lvol_rm_tree(dstdir, dstname) < 0)
		log_warnx("copy to %s failed and its partial copy could not be removed", dstname);
	free(c);
	return rc;
}

/* ---- removal ---- */

struct level {
	dev_t dev;
	ino_t ino;
	char name[NAME_MAX + 1];
};

/* One pass over cur: unlink non-directories; on the first subdirectory,
 * return it opened in *sub (its stat in *sst).  *seen counts entries. */
static int rm_scan(int cur, dev_t dev, int *sub, struct stat *sst, char *subname, unsigned *seen)
{
	int dfd = dup(cur), rc = 0;
	struct dirent *e;
	DIR *d;

	*sub = -1;
	*seen = 0;
	if (dfd < 0)
		return -errno;
	if ((d = fdopendir(dfd)) == NULL) {
		rc = -errno;
		close(dfd);
		return rc;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		(*seen)++;
		if (fstatat(cur, e->d_name, sst, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;
			rc = -errno;
			break;
		}
		if (S_ISDIR(sst->st_mode)) {
			if (sst->st_dev != dev) {
				rc = -EXDEV;   /* a mount point: never descend */
				break;
			}
			*sub = openat(cur, e->d_name, DIR_FLAGS);
			if (*sub < 0) {
				rc = -errno;
				break;
			}
			snprintf(subname, NAME_MAX + 1, "%s", e->d_name);
			break;
		}
		if (unlinkat(cur, e->d_name, 0) < 0 && errno != ENOENT) {
			rc = -errno;
			break;
		}
	}
	closedir(d);
	return rc;
}

/* Iterative, holding one directory fd at a time, so depth is unbounded;
 * climbing uses ".." checked against the recorded device and inode. */
int lvol_rm_tree(int dirfd, const char *name)
{
	struct level *stack = NULL;
	size_t depth = 0, cap = 0;
	struct stat st, sst;
	int cur = -1, rc = 0;
	dev_t dev;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dirfd, name, 0) < 0 ? -errno : 0;
	dev = st.st_dev;
	if ((cur = openat(dirfd, name, DIR_FLAGS)) < 0)
		return -errno;
	if (fstat(cur, &sst) < 0 || sst.st_ino != st.st_ino) {
		close(cur);
		return -ESTALE;
	}
	for (;;) {
		char subname[NAME_MAX + 1];
		unsigned seen;
		int sub;

		rc = rm_scan(cur, dev, &sub, &sst, subname, &seen);
		if (rc < 0)
			break;
		if (sub >= 0) {
			if (depth == cap) {
				size_t ncap = cap ? cap * 2 : 32;
				struct level *n = realloc(stack, ncap * sizeof(*n));

				if (n == NULL) {
					close(sub);
					rc = -ENOMEM;
					break;
				}
				stack = n;
				cap = ncap;
			}
			stack[depth].dev = sst.st_dev;
			stack[depth].ino = sst.st_ino;
			memcpy(stack[depth].name, subname, sizeof(subname));
			depth++;
			close(cur);
			cur = sub;
			continue;
		}
		if (seen > 0)
			continue;   /* unlinked something: scan until a pass sees nothing */
		if (depth == 0) {
			close(cur);
			cur = -1;
			if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
				rc = -errno;
			break;
		}
		{
			int up = openat(cur, "..", DIR_FLAGS);
			struct stat ust;
			bool ok;

			if (up < 0) {
				rc = -errno;
				break;
			}
			ok = fstat(up, &ust) == 0 &&
				(depth == 1 ? ust.st_ino == st.st_ino && ust.st_dev == st.st_dev
					    : ust.st_ino == stack[depth - 2].ino && ust.st_dev == stack[depth - 2].dev);
			if (!ok) {
				close(up);
				rc = -ESTALE;
				break;
			}
			depth--;
			if (unlinkat(up, stack[depth].name, AT_REMOVEDIR) < 0 && errno != ENOENT &&
			    errno != ENOTEMPTY) {
				rc = -errno;
				close(up);
				break;
			}
			close(cur);
			cur = up;
		}
	}
	if (cur >= 0)
		close(cur);
	free(stack);
	return rc;
}
