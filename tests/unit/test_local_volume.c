/* Local backend volumes (core/local/local_volume.c): the layout create
 * makes, copies with a uid shift, and removal that never follows a
 * symlink or crosses a mount, on hostile trees.  Needs root (chown,
 * mknod, trusted xattrs, a private mount namespace). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "core/local/local.h"
#include "tests/lib/check.h"

#define FROM LOCAL_UID_BASE(2)
#define TO   LOCAL_UID_BASE(7)

static int tmpfd;
static char tmppath[] = "/tmp/test_local_volume.XXXXXX";

static void put(const char *rel, const char *data, uint32_t uid, unsigned mode)
{
	int fd = openat(tmpfd, rel, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK(write(fd, data, strlen(data)) == (ssize_t)strlen(data));
	CHECK(fchown(fd, uid, uid) == 0 && fchmod(fd, mode) == 0);
	close(fd);
}

static void dir(const char *rel, uint32_t uid)
{
	CHECK(mkdirat(tmpfd, rel, 0755) == 0);
	CHECK(fchownat(tmpfd, rel, uid, uid, 0) == 0);
}

static uint32_t owner(const char *rel)
{
	struct stat st;

	return fstatat(tmpfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0 ? st.st_uid : 0xffffffffu;
}

static void chain(const char *top, unsigned depth)
{
	int fd = openat(tmpfd, top, O_RDONLY | O_DIRECTORY);

	for (unsigned i = 0; i < depth && fd >= 0; i++) {
		int n;

		CHECK(mkdirat(fd, "d", 0755) == 0);
		n = openat(fd, "d", O_RDONLY | O_DIRECTORY);
		if (i % 100 == 0)
			CHECK(symlinkat("/etc", fd, "up") == 0);
		close(fd);
		fd = n;
	}
	if (fd >= 0)
		close(fd);
}

static void test_copy(void)
{
	struct stat st;
	char buf[64];
	ssize_t n;

	dir("src", FROM);
	dir("src/home", FROM);
	dir("src/home/user", FROM + 1000);
	put("src/home/user/f", "data", FROM + 1000, 04750);
	CHECK(linkat(tmpfd, "src/home/user/f", tmpfd, "src/home/user/hard", 0) == 0);
	put("src/alien", "x", 12345, 0644);                 /* outside the range */
	CHECK(symlinkat("/etc/shadow", tmpfd, "src/home/user/evil") == 0);
	CHECK(symlinkat("/", tmpfd, "src/rootlink") == 0);
	CHECK(mknodat(tmpfd, "src/whiteout", S_IFCHR | 0600, makedev(0, 0)) == 0);
	CHECK(mkfifoat(tmpfd, "src/fifo", 0640) == 0);
	{
		char p[128];

		snprintf(p, sizeof(p), "/proc/self/fd/%d/src/home", tmpfd);
		CHECK(setxattr(p, "trusted.overlay.opaque", "y", 1, 0) == 0);
		CHECK(setxattr(p, "user.keep", "k", 1, 0) == 0);
		CHECK(setxattr(p, "trusted.other", "no", 2, 0) == 0);
	}

	CHECK(lvol_copy_shift(tmpfd, "src", tmpfd, "dst", FROM, TO) == 0);
	CHECK(owner("dst") == TO);
	CHECK(owner("dst/home/user") == TO + 1000);
	CHECK(owner("dst/home/user/f") == TO + 1000);
	CHECK(fstatat(tmpfd, "dst/home/user/f", &st, 0) == 0 && (st.st_mode & 07777) == 04750 && st.st_nlink == 2);
	CHECK(owner("dst/alien") == TO + LOCAL_NOBODY);
	n = readlinkat(tmpfd, "dst/home/user/evil", buf, sizeof(buf) - 1);
	CHECK(n == 11 && memcmp(buf, "/etc/shadow", 11) == 0);
	CHECK(owner("dst/home/user/evil") == TO + LOCAL_NOBODY || owner("dst/home/user/evil") == 0 ||
		owner("dst/home/user/evil") == TO + 0);
	CHECK(fstatat(tmpfd, "dst/whiteout", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISCHR(st.st_mode) &&
		st.st_rdev == makedev(0, 0) && st.st_uid == 0);
	CHECK(fstatat(tmpfd, "dst/fifo", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISFIFO(st.st_mode));
	{
		char p[128];

		snprintf(p, sizeof(p), "/proc/self/fd/%d/dst/home", tmpfd);
		CHECK(getxattr(p, "trusted.overlay.opaque", buf, sizeof(buf)) == 1 && buf[0] == 'y');
		CHECK(getxattr(p, "user.keep", buf, sizeof(buf)) == 1);
		CHECK(getxattr(p, "trusted.other", buf, sizeof(buf)) < 0);
	}
	/* The destination must be fresh. */
	CHECK(lvol_copy_shift(tmpfd, "src", tmpfd, "dst", FROM, TO) == -EEXIST);
	CHECK(owner("dst/home/user/f") == TO + 1000);

	/* Too deep a tree: refused, and nothing half-copied is left. */
	dir("deep", FROM);
	chain("deep", LOCAL_TREE_DEPTH_MAX + 5);
	CHECK(lvol_copy_shift(tmpfd, "deep", tmpfd, "deepcopy", FROM, TO) == -ELOOP);
	CHECK(faccessat(tmpfd, "deepcopy", F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT);
	/* A symlink is never a tree to copy. */
	CHECK(lvol_copy_shift(tmpfd, "src/rootlink", tmpfd, "x", FROM, TO) == -ENOTDIR);
}

static void test_remove(void)
{
	/* Outside content reachable through symlinks in the tree survives. */
	dir("outside", 0);
	put("outside/precious", "p", 0, 0644);
	dir("victim", FROM);
	CHECK(symlinkat("../outside", tmpfd, "victim/link") == 0);
	{
		char p[128];

		snprintf(p, sizeof(p), "/proc/self/fd/%d/outside/precious", tmpfd);
		CHECK(symlinkat(p, tmpfd, "victim/abs") == 0);
	}
	dir("victim/sub", FROM);
	put("victim/sub/ro", "r", FROM, 0);
	CHECK(fchmodat(tmpfd, "victim/sub", 0, 0) == 0);   /* no permissions: root removes anyway */
	CHECK(lvol_rm_tree(tmpfd, "victim") == 0);
	CHECK(faccessat(tmpfd, "victim", F_OK, AT_SYMLINK_NOFOLLOW) < 0);
	CHECK(faccessat(tmpfd, "outside/precious", F_OK, 0) == 0);
	CHECK(lvol_rm_tree(tmpfd, "victim") == 0);          /* absent: fine */

	/* Far deeper than any fd budget: removed all the same. */
	dir("deep2", FROM);
	chain("deep2", 3000);
	CHECK(lvol_rm_tree(tmpfd, "deep2") == 0);
	CHECK(faccessat(tmpfd, "deep2", F_OK, AT_SYMLINK_NOFOLLOW) < 0);

	/* Never across a mount (in a private mount namespace). */
	if (unshare(CLONE_NEWNS) == 0 && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0) {
		char p[128];

		dir("mnt", 0);
		dir("mnt/point", 0);
		/* By path: tmpfd belongs to the old mount namespace. */
		snprintf(p, sizeof(p), "%s/mnt/point", tmppath);
		CHECK(mount("tmpfs", p, "tmpfs", 0, NULL) == 0);
		{
			int t = open(tmppath, O_RDONLY | O_DIRECTORY);

			CHECK(lvol_rm_tree(t, "mnt") == -EXDEV);
			CHECK(umount2(p, MNT_DETACH) == 0);
			CHECK(lvol_rm_tree(t, "mnt") == 0);
			close(t);
		}
	} else {
		printf("note: no private mount namespace, mount crossing not tested\n");
	}
}

static void test_layout(const char *root)
{
	struct vmm_qube t = { .name = "host-base", .qid = 1, .klass = CLASS_TEMPLATEVM, .memory_mb = 400,
		.maxmem_mb = 400, .pids_max = 100 };
	struct vmm_qube a = { .name = "work", .qid = 2, .klass = CLASS_APPVM, .memory_mb = 400, .maxmem_mb = 400,
		.pids_max = 100, .default_user = "alice" };
	struct vmm_qube bad = a;

	memcpy(local_ctx.root, root, strlen(root) + 1);
	local_ctx.inited = true;
	CHECK(lvol_create(&t) == 0);
	CHECK(lvol_create(&t) == 0);   /* idempotent */
	CHECK(lvol_create(&a) == 0);
	CHECK(owner("var/lib/bulkhead/qubes/host-base/layer/root") == LOCAL_UID_BASE(1));
	CHECK(owner("var/lib/bulkhead/qubes/host-base/layer/usr") == LOCAL_UID_BASE(1));
	CHECK(owner("var/lib/bulkhead/qubes/host-base/work/root") == 0);
	CHECK(owner("var/lib/bulkhead/qubes/work/private") == LOCAL_UID_BASE(2));
	CHECK(owner("var/lib/bulkhead/qubes/work/private/home/alice") == LOCAL_UID_BASE(2) + 1000);
	CHECK(owner("var/lib/bulkhead/qubes/work/private/usrlocal/bin") == LOCAL_UID_BASE(2));
	CHECK(faccessat(tmpfd, "var/lib/bulkhead/qubes/work/layer", F_OK, 0) < 0);

	memcpy(bad.name, "../x", 5);
	CHECK(lvol_create(&bad) == -EINVAL);
	bad = a;
	bad.qid = QID_MAX + 1;
	CHECK(lvol_create(&bad) == -EINVAL);
	bad = a;
	bad.klass = CLASS_ADMINVM;
	CHECK(lvol_create(&bad) == -EINVAL);
	bad = a;
	bad.maxmem_mb = bad.memory_mb - 1;    /* the ceiling below memory */
	CHECK(lvol_create(&bad) == -EINVAL);

	{
		struct vmm_qube c = a;

		memcpy(c.name, "copy", 5);
		c.qid = 9;
		CHECK(lvol_clone(&a, &c) == 0);
		CHECK(owner("var/lib/bulkhead/qubes/copy/private/home/alice") == LOCAL_UID_BASE(9) + 1000);
		CHECK(lvol_clone(&a, &c) == -EEXIST);
		CHECK(lvol_clone(&a, &a) == -EINVAL);
		CHECK(lvol_remove(&c) == 0);
		CHECK(faccessat(tmpfd, "var/lib/bulkhead/qubes/copy", F_OK, 0) < 0);
	}
	CHECK(lvol_remove(&a) == 0);
	CHECK(lvol_remove(&t) == 0);
	local_ctx.inited = false;
}

int main(void)
{
	char *tmp = tmppath;

	if (geteuid() != 0) {
		printf("skipped: needs root (chown, mknod, trusted xattrs)\n");
		return 77;
	}
	if (mkdtemp(tmp) == NULL || (tmpfd = open(tmp, O_RDONLY | O_DIRECTORY)) < 0) {
		perror(tmp);
		return 1;
	}
	test_copy();
	test_layout(tmp);
	test_remove();
	close(tmpfd);
	{
		int d = open("/tmp", O_RDONLY | O_DIRECTORY);

		CHECK(d >= 0 && lvol_rm_tree(d, tmp + 5) == 0);
		close(d);
	}
	return check_exit();
}
