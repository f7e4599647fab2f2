/* The qube's root, built in the child while it is still host root in its
 * own (private) mount namespace, then pivot_root'ed into.  Layout and
 * reasons: SPEC/local-backend.md, "Mount layout".
 *
 * Every path inside the tree being built is resolved from the new root's
 * fd with RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS: its layers hold files a
 * qube wrote, and a symlink there must not steer a host-root mount. */
#include "core/local/local.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
#define RESOLVE_SAFE (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)

/* Host top-level names that merged-/usr systems make symlinks into usr. */
static const char *const usr_links[] = { "bin", "sbin", "lib", "lib32", "lib64", "libx32" };
/* Host device nodes bind-mounted into the qube's /dev. */
static const char *const dev_nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };

struct skel_dir {
	const char *path;
	unsigned mode;
};
static const struct skel_dir skel_dirs[] = {
	{ "dev", 0755 }, { "etc", 0755 }, { "home", 0755 }, { "mnt", 0755 }, { "opt", 0755 },
	{ "proc", 0555 }, { "root", 0700 }, { "run", 0755 }, { "rw", 0755 }, { "srv", 0755 },
	{ "sys", 0555 }, { "tmp", 01777 }, { "usr", 0755 }, { "usr/lib", 0755 },
	{ "usr/lib/bulkhead", 0755 }, { "usr/local", 0755 }, { "var", 0755 },
	{ "var/cache", 0755 }, { "var/lib", 0755 }, { "var/log", 0755 }, { "var/tmp", 01777 },
};

static int openat2_safe(int dirfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_SAFE,
	};
	long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));

	return fd < 0 ? -errno : (int)fd;
}

static int mk(int dirfd, const char *path, unsigned mode, uint32_t uid)
{
	if (mkdirat(dirfd, path, 0700) < 0)
		return -errno;
	if (fchownat(dirfd, path, uid, uid, AT_SYMLINK_NOFOLLOW) < 0 || fchmodat(dirfd, path, mode, 0) < 0)
		return -errno;
	return 0;
}

static int write_file(int dirfd, const char *path, const char *data, size_t len, uint32_t uid)
{
	int fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	int rc = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, data, len) != (ssize_t)len || fchown(fd, uid, uid) < 0 || fchmod(fd, 0644) < 0)
		rc = errno ? -errno : -EIO;
	close(fd);
	return rc;
}

/* Attach the detached mount mntfd at `path` beneath rootfd, then close it. */
static int attach(int mntfd, int rootfd, const char *path)
{
	int t = openat2_safe(rootfd, path, O_PATH | O_NOFOLLOW), rc = 0;

	if (t < 0) {
		close(mntfd);
		return t;
	}
	if (move_mount(mntfd, "", t, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		rc = -errno;
	close(t);
	close(mntfd);
	return rc;
}

static int set_attr(int mntfd, uint64_t attr, int userns_fd)
{
	struct mount_attr a = { .attr_set = attr };

	if (userns_fd >= 0) {
		a.attr_set |= MOUNT_ATTR_IDMAP;
		a.userns_fd = (uint64_t)userns_fd;
	}
	return mount_setattr(mntfd, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0 ? -errno : 0;
}

/* A detached clone of the directory `dirfd`, with attributes (and idmap). */
static int clone_tree(int dirfd, uint64_t attr, int userns_fd)
{
	int m = open_tree(dirfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH), rc;

	if (m < 0)
		return -errno;
	if ((rc = set_attr(m, attr, userns_fd)) < 0) {
		close(m);
		return rc;
	}
	return m;
}

/* A new detached filesystem.  opts is "key=value" pairs, NULL-terminated;
 * a key without '=' is a flag. */
static int new_fs(const char *type, const char *const *opts, uint64_t attr)
{
	int fs = fsopen(type, FSOPEN_CLOEXEC), m, rc = 0;

	if (fs < 0)
		return -errno;
	for (const char *const *o = opts; o && *o && rc == 0; o++) {
		char key[64];
		const char *eq = strchr(*o, '=');
		size_t kl = eq ? (size_t)(eq - *o) : strlen(*o);

		if (kl >= sizeof(key)) {
			rc = -EINVAL;
			break;
		}
		memcpy(key, *o, kl);
		key[kl] = '\0';
		if (eq ? fsconfig(fs, FSCONFIG_SET_STRING, key, eq + 1, 0) < 0
		       : fsconfig(fs, FSCONFIG_SET_FLAG, key, NULL, 0) < 0)
			rc = -errno;
	}
	if (rc == 0 && fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		rc = -errno;
	if (rc < 0) {
		close(fs);
		return rc;
	}
	m = fsmount(fs, FSMOUNT_CLOEXEC, (unsigned)attr);
	rc = m < 0 ? -errno : m;
	close(fs);
	return rc;
}

/* An overlay of `lowers` (top first, NULL-terminated) under upper/work. */
static int new_overlay(const char *const *lowers, const char *upper, const char *work)
{
	int fs = fsopen("overlay", FSOPEN_CLOEXEC), m, rc = 0;
	/* No redirects, index or metacopy: the layers stay plain trees that
	 * volume_clone can copy and other qubes can stack. */
	static const char *const flags[][2] = {
		{ "redirect_dir", "off" }, { "index", "off" }, { "metacopy", "off" }, { "xino", "off" },
	};

	if (fs < 0)
		return -errno;
	for (const char *const *l = lowers; *l && rc == 0; l++)
		if (fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir+", *l, 0) < 0)
			rc = -errno;
	if (rc == 0 && (fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", upper, 0) < 0 ||
			fsconfig(fs, FSCONFIG_SET_STRING, "workdir", work, 0) < 0))
		rc = -errno;
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]) && rc == 0; i++)
		if (fsconfig(fs, FSCONFIG_SET_STRING, flags[i][0], flags[i][1], 0) < 0)
			rc = -errno;
	if (rc == 0 && fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		rc = -errno;
	if (rc < 0) {
		close(fs);
		return rc;
	}
	m = fsmount(fs, FSMOUNT_CLOEXEC, 0);
	rc = m < 0 ? -errno : m;
	close(fs);
	return rc;
}

static const char *login_shell(void)
{
	return access("/usr/bin/bash", X_OK) == 0 ? "/bin/bash" : "/bin/sh";
}

/* Debian reaches many programs in /usr (awk, editor, pager, ...) through
 * /etc/alternatives symlinks; without them those names dangle in a qube.
 * Recreate only links that point into /usr: each is a program choice, not
 * a byte of host configuration. */
static int copy_alternatives(int etcfd, uint32_t base)
{
	DIR *d = opendir("/etc/alternatives");
	struct dirent *e;
	int afd, rc = 0;

	if (d == NULL)
		return 0;
	if ((rc = mk(etcfd, "alternatives", 0755, base)) < 0 ||
	    (afd = openat(etcfd, "alternatives", DIR_FLAGS)) < 0) {
		closedir(d);
		return rc < 0 ? rc : -errno;
	}
	while (rc == 0 && (e = readdir(d)) != NULL) {
		char untrusted_target[256];
		ssize_t n;

		if (e->d_type != DT_LNK || e->d_name[0] == '.' ||
		    names_check(NAME_FEATURE, (const uint8_t *)e->d_name, strlen(e->d_name)) < 0)
			continue;
		n = readlinkat(dirfd(d), e->d_name, untrusted_target, sizeof(untrusted_target) - 1);
		if (n <= 0)
			continue;
		untrusted_target[n] = '\0';
		if (strncmp(untrusted_target, "/usr/", 5) != 0 || strstr(untrusted_target, "..") != NULL)
			continue;
		if (symlinkat(untrusted_target, afd, e->d_name) < 0 ||
		    fchownat(afd, e->d_name, base, base, AT_SYMLINK_NOFOLLOW) < 0)
			rc = -errno;
	}
	close(afd);
	closedir(d);
	return rc;
}

/* The lowest layer: mount points, the usr symlinks and the generated /etc. */
static int build_skel(int sfd, const struct lroot_plan *p)
{
	char buf[1024], link[64], target[64];
	int rc, efd;

	if ((rc = mk(sfd, "skel", 0755, p->base)) < 0)
		return rc;
	for (size_t i = 0; i < sizeof(skel_dirs) / sizeof(skel_dirs[0]); i++) {
		snprintf(link, sizeof(link), "skel/%s", skel_dirs[i].path);
		if ((rc = mk(sfd, link, skel_dirs[i].mode, p->base)) < 0)
			return rc;
	}
	for (size_t i = 0; i < sizeof(usr_links) / sizeof(usr_links[0]); i++) {
		char host[16];
		ssize_t n;

		/* Only where the host itself is merged-/usr for that name. */
		snprintf(host, sizeof(host), "/%s", usr_links[i]);
		n = readlink(host, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		snprintf(buf, sizeof(buf), "usr/%s", usr_links[i]);
		if (strcmp(target, buf) != 0 && !(target[0] == '/' && strcmp(target + 1, buf) == 0))
			continue;
		snprintf(link, sizeof(link), "skel/%s", usr_links[i]);
		if (symlinkat(buf, sfd, link) < 0 ||
		    fchownat(sfd, link, p->base, p->base, AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
	}
	if (symlinkat("/run", sfd, "skel/var/run") < 0 ||
	    fchownat(sfd, "skel/var/run", p->base, p->base, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if ((efd = openat(sfd, "skel/etc", DIR_FLAGS)) < 0)
		return -errno;
	for (int f = 0; f < LETC_COUNT && rc == 0; f++) {
		int n = letc_render((enum letc_file)f, p->name, p->user, login_shell(), buf, sizeof(buf));

		rc = n < 0 ? n : write_file(efd, letc_name((enum letc_file)f), buf, (size_t)n, p->base);
	}
	if (rc == 0)
		rc = copy_alternatives(efd, p->base);
	close(efd);
	return rc;
}

/* Bind `sub` of the private volume (created if the qube deleted it). */
static int bind_private(int privfd, const char *sub, int rootfd, const char *target, uint32_t base)
{
	int d = privfd, m;

	if (sub != NULL) {
		d = openat2_safe(privfd, sub, O_PATH | O_DIRECTORY | O_NOFOLLOW);
		if (d == -ENOENT) {
			if (mk(privfd, sub, 0755, base) < 0)
				return -ENOENT;
			d = openat2_safe(privfd, sub, O_PATH | O_DIRECTORY | O_NOFOLLOW);
		}
		if (d < 0)
			return d;
	}
	m = clone_tree(d, MOUNT_ATTR_NODEV, -1);
	if (sub != NULL)
		close(d);
	return m < 0 ? m : attach(m, rootfd, target);
}

static int build_dev(int rootfd, const struct lroot_plan *p)
{
	char opt[3][48];
	const char *tmpfs_opts[] = { "mode=0755", opt[0], opt[1], "size=256k", "nr_inodes=256", NULL };
	const char *pts_opts[] = { "newinstance", "ptmxmode=0666", "mode=0620", opt[2], NULL };
	int m, dfd, rc;

	snprintf(opt[0], sizeof(opt[0]), "uid=%u", p->base);
	snprintf(opt[1], sizeof(opt[1]), "gid=%u", p->base);
	snprintf(opt[2], sizeof(opt[2]), "gid=%u", p->base + LOCAL_TTY_GID);
	if ((m = new_fs("tmpfs", tmpfs_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC)) < 0)
		return m;
	if ((rc = attach(m, rootfd, "dev")) < 0)
		return rc;
	if ((dfd = openat2_safe(rootfd, "dev", O_RDONLY | O_DIRECTORY)) < 0)
		return dfd;
	for (size_t i = 0; i < sizeof(dev_nodes) / sizeof(dev_nodes[0]); i++) {
		char host[32];
		int fd = openat(dfd, dev_nodes[i], O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);

		if (fd < 0) {
			rc = -errno;
			goto out;
		}
		close(fd);
		snprintf(host, sizeof(host), "/dev/%s", dev_nodes[i]);
		if ((m = open_tree(AT_FDCWD, host, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)) < 0) {
			rc = -errno;
			goto out;
		}
		if ((rc = set_attr(m, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, -1)) < 0) {
			close(m);
			goto out;
		}
		if ((rc = attach(m, dfd, dev_nodes[i])) < 0)
			goto out;
	}
	{
		static const char *const links[][2] = {
			{ "ptmx", "pts/ptmx" }, { "fd", "/proc/self/fd" }, { "stdin", "/proc/self/fd/0" },
			{ "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
		};
		for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
			if (symlinkat(links[i][1], dfd, links[i][0]) < 0 ||
			    fchownat(dfd, links[i][0], p->base, p->base, AT_SYMLINK_NOFOLLOW) < 0) {
				rc = -errno;
				goto out;
			}
		}
	}
	if ((rc = mk(dfd, "pts", 0755, p->base)) < 0 || (rc = mk(dfd, "shm", 01777, p->base)) < 0)
		goto out;
	if ((m = new_fs("devpts", pts_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC)) < 0) {
		rc = m;
		goto out;
	}
	rc = attach(m, dfd, "pts");
out:
	close(dfd);
	return rc;
}

static int path_of(char *out, size_t len, const char *a, const char *b)
{
	int n = snprintf(out, len, "%s/%s", a, b);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

#define STEP(s) (*step = (s))

int lroot_build(const struct lroot_plan *p, const char **step)
{
	char lp[6][BH_PATH_MAX];   /* host-usr, tpl-root, tpl-usr, skel, skel/usr, newroot */
	char up[2][BH_PATH_MAX], wk[2][BH_PATH_MAX];
	char size[32], opt_uid[32], opt_gid[32];
	const char *stage_opts[] = { "mode=0700", size, NULL };
	const char *lowers[4];
	int sfd = -1, rootfd = -1, privfd = -1, m, rc;
	size_t n;

	STEP("stage tmpfs");
	snprintf(size, sizeof(size), "size=%um", p->limit_mb);
	snprintf(opt_uid, sizeof(opt_uid), "uid=%u", p->base);
	snprintf(opt_gid, sizeof(opt_gid), "gid=%u", p->base);
	if ((m = new_fs("tmpfs", stage_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)) < 0)
		return m;
	if (move_mount(m, "", AT_FDCWD, p->stage, MOVE_MOUNT_F_EMPTY_PATH) < 0) {
		rc = -errno;
		close(m);
		return rc;
	}
	close(m);
	if ((sfd = open(p->stage, DIR_FLAGS)) < 0)
		return -errno;

	STEP("skeleton");
	if ((rc = build_skel(sfd, p)) < 0)
		goto out;
	if ((rc = mk(sfd, "l", 0700, 0)) < 0 || (rc = mk(sfd, "l/host-usr", 0755, 0)) < 0 ||
	    (rc = mk(sfd, "l/tpl-root", 0755, 0)) < 0 || (rc = mk(sfd, "l/tpl-usr", 0755, 0)) < 0 ||
	    (rc = mk(sfd, "newroot", 0755, 0)) < 0)
		goto out;
	if ((rc = path_of(lp[0], sizeof(lp[0]), p->stage, "l/host-usr")) < 0 ||
	    (rc = path_of(lp[1], sizeof(lp[1]), p->stage, "l/tpl-root")) < 0 ||
	    (rc = path_of(lp[2], sizeof(lp[2]), p->stage, "l/tpl-usr")) < 0 ||
	    (rc = path_of(lp[3], sizeof(lp[3]), p->stage, "skel")) < 0 ||
	    (rc = path_of(lp[4], sizeof(lp[4]), p->stage, "skel/usr")) < 0 ||
	    (rc = path_of(lp[5], sizeof(lp[5]), p->stage, "newroot")) < 0)
		goto out;
	if (p->own_layer != NULL) {
		if ((rc = path_of(up[0], sizeof(up[0]), p->own_layer, "root")) < 0 ||
		    (rc = path_of(up[1], sizeof(up[1]), p->own_layer, "usr")) < 0 ||
		    (rc = path_of(wk[0], sizeof(wk[0]), p->own_work, "root")) < 0 ||
		    (rc = path_of(wk[1], sizeof(wk[1]), p->own_work, "usr")) < 0)
			goto out;
	} else {
		STEP("volatile layer");
		if ((rc = mk(sfd, "vol", 0700, 0)) < 0 || (rc = mk(sfd, "vol/root", 0755, p->base)) < 0 ||
		    (rc = mk(sfd, "vol/usr", 0755, p->base)) < 0 || (rc = mk(sfd, "vol/root-work", 0700, 0)) < 0 ||
		    (rc = mk(sfd, "vol/usr-work", 0700, 0)) < 0)
			goto out;
		if ((rc = path_of(up[0], sizeof(up[0]), p->stage, "vol/root")) < 0 ||
		    (rc = path_of(up[1], sizeof(up[1]), p->stage, "vol/usr")) < 0 ||
		    (rc = path_of(wk[0], sizeof(wk[0]), p->stage, "vol/root-work")) < 0 ||
		    (rc = path_of(wk[1], sizeof(wk[1]), p->stage, "vol/usr-work")) < 0)
			goto out;
	}

	/* Host /usr, read-only, with host uid 0 shown as the qube's root. */
	STEP("idmapped host /usr");
	{
		int u = open("/usr", DIR_FLAGS);

		if (u < 0) {
			rc = -errno;
			goto out;
		}
		m = clone_tree(u, MOUNT_ATTR_RDONLY, p->idmap_fd);
		close(u);
		if (m < 0 || (m = move_mount(m, "", AT_FDCWD, lp[0], MOVE_MOUNT_F_EMPTY_PATH) < 0 ? -errno : 0) < 0) {
			rc = m;
			goto out;
		}
	}
	if (p->tpl_layer != NULL) {
		STEP("idmapped template layer");
		for (int i = 0; i < 2; i++) {
			char src[BH_PATH_MAX];
			int d, mm;

			if ((rc = path_of(src, sizeof(src), p->tpl_layer, i == 0 ? "root" : "usr")) < 0)
				goto out;
			if ((d = open(src, DIR_FLAGS)) < 0) {
				rc = -errno;
				goto out;
			}
			mm = clone_tree(d, MOUNT_ATTR_RDONLY, p->tpl_idmap_fd);
			close(d);
			if (mm < 0) {
				rc = mm;
				goto out;
			}
			rc = move_mount(mm, "", AT_FDCWD, lp[1 + i], MOVE_MOUNT_F_EMPTY_PATH) < 0 ? -errno : 0;
			close(mm);
			if (rc < 0)
				goto out;
		}
	}

	STEP("overlay /");
	n = 0;
	if (p->tpl_layer != NULL)
		lowers[n++] = lp[1];
	lowers[n++] = lp[3];
	lowers[n] = NULL;
	if ((m = new_overlay(lowers, up[0], wk[0])) < 0) {
		rc = m;
		goto out;
	}
	rc = move_mount(m, "", AT_FDCWD, lp[5], MOVE_MOUNT_F_EMPTY_PATH) < 0 ? -errno : 0;
	close(m);
	if (rc < 0)
		goto out;
	if ((rootfd = open(lp[5], DIR_FLAGS)) < 0) {
		rc = -errno;
		goto out;
	}

	STEP("overlay /usr");
	n = 0;
	if (p->tpl_layer != NULL)
		lowers[n++] = lp[2];
	lowers[n++] = lp[0];
	lowers[n++] = lp[4];
	lowers[n] = NULL;
	if ((m = new_overlay(lowers, up[1], wk[1])) < 0 || (m = attach(m, rootfd, "usr")) < 0) {
		rc = m;
		goto out;
	}

	STEP("private volume");
	if ((privfd = open(p->private_dir, DIR_FLAGS)) < 0) {
		rc = -errno;
		goto out;
	}
	if ((rc = bind_private(privfd, NULL, rootfd, "rw", p->base)) < 0 ||
	    (rc = bind_private(privfd, "home", rootfd, "home", p->base)) < 0 ||
	    (rc = bind_private(privfd, "usrlocal", rootfd, "usr/local", p->base)) < 0)
		goto out;

	STEP("qube tools");
	{
		int t = open(p->tools, DIR_FLAGS);

		if (t < 0) {
			rc = -errno;
			goto out;
		}
		m = clone_tree(t, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, -1);
		close(t);
		if (m < 0 || (m = attach(m, rootfd, "usr/lib/bulkhead")) < 0) {
			rc = m;
			goto out;
		}
	}

	STEP("proc");
	if ((m = new_fs("proc", NULL, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)) < 0 ||
	    (m = attach(m, rootfd, "proc")) < 0) {
		rc = m;
		goto out;
	}
	STEP("dev");
	if ((rc = build_dev(rootfd, p)) < 0)
		goto out;
	STEP("tmp and run");
	{
		const char *tmp_opts[] = { "mode=1777", opt_uid, opt_gid, NULL };
		const char *run_opts[] = { "mode=0755", opt_uid, opt_gid, NULL };

		if ((m = new_fs("tmpfs", tmp_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)) < 0 ||
		    (m = attach(m, rootfd, "tmp")) < 0 ||
		    (m = new_fs("tmpfs", run_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)) < 0 ||
		    (m = attach(m, rootfd, "run")) < 0) {
			rc = m;
			goto out;
		}
	}

	/* The qube's own channel directory, and nothing of the others'. */
	STEP("vchan directory");
	{
		int v = open(p->vchan_dir, DIR_FLAGS);

		if (v < 0) {
			rc = -errno;
			goto out;
		}
		m = clone_tree(v, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, -1);
		close(v);
		if (m < 0 || (rc = mk(rootfd, "run/bulkhead", 0755, p->base)) < 0 ||
		    (rc = mk(rootfd, LOCAL_QUBE_VCHAN_REL, 0755, p->base)) < 0 ||
		    (m = attach(m, rootfd, LOCAL_QUBE_VCHAN_REL)) < 0) {
			rc = m < 0 ? m : rc;
			goto out;
		}
	}

	/* pivot_root(".", ".") stacks the old root on the new one; detaching
	 * it leaves nothing of the host reachable by "..", unlike chroot. */
	STEP("pivot_root");
	if (fchdir(rootfd) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 ||
	    chdir("/") < 0) {
		rc = -errno;
		goto out;
	}
	rc = 0;
out:
	if (privfd >= 0)
		close(privfd);
	if (rootfd >= 0)
		close(rootfd);
	if (sfd >= 0)
		close(sfd);
	return rc;
}
