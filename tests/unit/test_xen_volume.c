/* Xen backend volumes (core/xen/xen_volume.c, xen_loop.c), without Xen:
 * the images each class gets, that they are sparse, the root seed, clone
 * (sparse, data kept, dst fresh), the volatile and DispVM images made at
 * start and gone at stop, removal that keeps another backend's files, and
 * (as root, with loop devices) the read-only and read-write attachments
 * the domains' disks are. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <linux/loop.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "core/xen/xen.h"
#include "tests/lib/check.h"
#include "tests/lib/xen_fixture.h"

static char root[] = "/tmp/test_xen_volume.XXXXXX";

static char *path(const char *qube_name, const char *file)
{
	static char p[BH_PATH_MAX];

	snprintf(p, sizeof(p), "%s/" BH_QUBES_DIR "/%s/%s", root, qube_name, file);
	return p;
}

/* Size of the file, -1 if absent; *blocks_kb its allocated KiB. */
static long long size_of(const char *p, long long *blocks_kb)
{
	struct stat st;

	if (stat(p, &st) < 0)
		return -1;
	if (blocks_kb)
		*blocks_kb = (long long)st.st_blocks / 2;
	return (long long)st.st_size;
}

static void write_at(const char *p, off_t off, const char *data)
{
	int fd = open(p, O_WRONLY);

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK(pwrite(fd, data, strlen(data), off) == (ssize_t)strlen(data));
	close(fd);
}

static bool has_at(const char *p, off_t off, const char *data)
{
	char buf[64] = { 0 };
	int fd = open(p, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return false;
	n = pread(fd, buf, strlen(data), off);
	close(fd);
	return n == (ssize_t)strlen(data) && memcmp(buf, data, strlen(data)) == 0;
}

static void test_create(void)
{
	struct vmm_qube tpl = xen_test_qube("deb", 2, CLASS_TEMPLATEVM), app = xen_test_qube("work", 3, CLASS_APPVM);
	struct vmm_qube disp = xen_test_qube("disp1", 4, CLASS_DISPVM);
	long long kb = -1;

	CHECK(xv_create(root, &tpl) == 0);
	CHECK(size_of(path("deb", XV_ROOT), &kb) == (long long)XV_ROOT_SIZE);
	CHECK(kb >= 0 && kb < 1024);       /* sparse: nothing allocated */
	CHECK(size_of(path("deb", XV_PRIVATE), NULL) == (long long)XV_PRIVATE_SIZE);
	CHECK(size_of(path("deb", XV_VOLATILE), NULL) == -1);
	/* Idempotent, and data kept. */
	write_at(path("deb", XV_ROOT), 4096, "template data");
	CHECK(xv_create(root, &tpl) == 0);
	CHECK(has_at(path("deb", XV_ROOT), 4096, "template data"));

	CHECK(xv_create(root, &app) == 0);
	CHECK(size_of(path("work", XV_ROOT), NULL) == -1);     /* runs on deb's */
	CHECK(size_of(path("work", XV_PRIVATE), NULL) == (long long)XV_PRIVATE_SIZE);
	CHECK(xv_create(root, &disp) == 0);
	CHECK(size_of(path("disp1", XV_PRIVATE), NULL) == -1); /* made at each start */

	/* A bad description changes nothing. */
	app.qid = 0;
	CHECK(xv_create(root, &app) == -EINVAL);
}

static void test_seed(void)
{
	struct vmm_qube sa = xen_test_qube("solo", 5, CLASS_STANDALONEVM);
	char seed[BH_PATH_MAX];
	long long kb = -1;

	snprintf(seed, sizeof(seed), "%s/" XEN_CONF_DIR, root);
	CHECK(mkdirs_abs(seed, 0755) == 0);
	snprintf(seed, sizeof(seed), "%s/" XEN_CONF_ROOT_SEED, root);
	CHECK(xv_make_sparse(seed, 64ull << 20) == 0);
	CHECK(xv_make_sparse(seed, 1) == -EEXIST);
	write_at(seed, 32 << 20, "seeded root");
	CHECK(xv_create(root, &sa) == 0);
	CHECK(size_of(path("solo", XV_ROOT), &kb) == 64ll << 20);
	CHECK(has_at(path("solo", XV_ROOT), 32 << 20, "seeded root"));
	CHECK(kb >= 0 && kb < 1024);       /* the copy kept the holes */
	CHECK(unlink(seed) == 0);
}

static void test_clone(void)
{
	struct vmm_qube tpl = xen_test_qube("deb", 2, CLASS_TEMPLATEVM), tpl2 = xen_test_qube("deb2", 6, CLASS_TEMPLATEVM);
	struct vmm_qube app = xen_test_qube("work", 3, CLASS_APPVM), app2 = xen_test_qube("work2", 7, CLASS_APPVM);

	write_at(path("work", XV_PRIVATE), 1 << 20, "private data");
	CHECK(xv_clone(root, &app, &app2) == 0);
	CHECK(has_at(path("work2", XV_PRIVATE), 1 << 20, "private data"));
	CHECK(size_of(path("work2", XV_PRIVATE), NULL) == (long long)XV_PRIVATE_SIZE);
	/* dst must be fresh. */
	CHECK(xv_clone(root, &app, &app2) == -EEXIST);
	CHECK(xv_clone(root, &app, &app) == -EINVAL);

	CHECK(xv_clone(root, &tpl, &tpl2) == 0);
	CHECK(has_at(path("deb2", XV_ROOT), 4096, "template data"));
	/* An AppVM cloned into a TemplateVM gets an empty root of its own. */
	CHECK(xv_remove(root, &tpl2) == 0);
	CHECK(xv_clone(root, &app, &tpl2) == 0);
	CHECK(size_of(path("deb2", XV_ROOT), NULL) == (long long)XV_ROOT_SIZE);
	CHECK(has_at(path("deb2", XV_PRIVATE), 1 << 20, "private data"));
}

static void test_start_stop(void)
{
	struct vmm_qube app = xen_test_qube("work", 3, CLASS_APPVM), disp = xen_test_qube("disp1", 4, CLASS_DISPVM);

	CHECK(xv_start(root, &app, NULL) == 0);
	CHECK(size_of(path("work", XV_VOLATILE), NULL) == (long long)XV_VOLATILE_SIZE);
	write_at(path("work", XV_VOLATILE), 0, "scratch");
	xv_stop(root, "work");
	CHECK(size_of(path("work", XV_VOLATILE), NULL) == -1);
	/* A volatile image left by a crash is never reused. */
	CHECK(xv_start(root, &app, NULL) == 0);
	write_at(path("work", XV_VOLATILE), 0, "scratch");
	CHECK(xv_start(root, &app, NULL) == 0);
	CHECK(!has_at(path("work", XV_VOLATILE), 0, "scratch"));
	xv_stop(root, "work");

	CHECK(xv_start(root, &disp, &app) == 0);
	CHECK(has_at(path("disp1", XV_DISP_PRIVATE), 1 << 20, "private data"));
	write_at(path("disp1", XV_DISP_PRIVATE), 0, "disposable");
	CHECK(!has_at(path("work", XV_PRIVATE), 0, "disposable"));
	xv_stop(root, "disp1");
	CHECK(size_of(path("disp1", XV_DISP_PRIVATE), NULL) == -1);
	CHECK(size_of(path("disp1", XV_VOLATILE), NULL) == -1);
	CHECK(xv_start(root, &disp, NULL) == -EINVAL);
	CHECK(size_of(path("disp1", XV_VOLATILE), NULL) == -1);
}

static void test_remove(void)
{
	struct vmm_qube app = xen_test_qube("work", 3, CLASS_APPVM), app2 = xen_test_qube("work2", 7, CLASS_APPVM);
	char other[BH_PATH_MAX];

	/* Another backend's volume in the same directory stays. */
	snprintf(other, sizeof(other), "%s", path("work", "private"));
	CHECK(mkdir(other, 0700) == 0);
	CHECK(xv_remove(root, &app) == 0);
	CHECK(size_of(path("work", XV_PRIVATE), NULL) == -1);
	CHECK(size_of(other, NULL) >= 0);
	CHECK(rmdir(other) == 0);
	CHECK(xv_remove(root, &app2) == 0);
	CHECK(size_of(path("work2", ""), NULL) == -1);
	CHECK(xv_remove(root, &app2) == 0);     /* nothing left: still fine */
}

static void test_loop(void)
{
	char dev[32], *img = path("deb", XV_ROOT);
	struct loop_info64 info;
	int fd = -1, probe, ctl = open("/dev/loop-control", O_RDWR);

	if (ctl < 0) {
		printf("loop devices not tested: /dev/loop-control: %s\n", strerror(errno));
		return;
	}
	close(ctl);
	/* Read-only: a write through the device is refused. */
	CHECK(xloop_attach(img, false, dev, sizeof(dev), &fd) == 0);
	CHECK(strncmp(dev, "/dev/loop", 9) == 0);
	CHECK(fd >= 0 && pwrite(fd, "x", 1, 0) < 0);
	CHECK(ioctl(fd, LOOP_GET_STATUS64, &info) == 0 && (info.lo_flags & LO_FLAGS_READ_ONLY) &&
	      (info.lo_flags & LO_FLAGS_AUTOCLEAR));
	probe = open(dev, O_RDONLY);
	close(fd);
	/* Autoclear: detached at the last close. */
	CHECK(probe >= 0);
	close(probe);
	probe = open(dev, O_RDONLY);
	CHECK(probe < 0 || (ioctl(probe, LOOP_GET_STATUS64, &info) < 0 && errno == ENXIO));
	if (probe >= 0)
		close(probe);
	/* Read-write: what the domain writes reaches the image. */
	CHECK(xloop_attach(img, true, dev, sizeof(dev), &fd) == 0);
	CHECK(fd >= 0 && pwrite(fd, "through the loop", 16, 8192) == 16 && fsync(fd) == 0);
	if (fd >= 0)
		close(fd);
	CHECK(has_at(img, 8192, "through the loop"));
	CHECK(xloop_attach(path("deb", "absent.img"), true, dev, sizeof(dev), &fd) == -ENOENT);
}

int main(void)
{
	char cmd[sizeof(root) + 16];

	if (mkdtemp(root) == NULL) {
		perror(root);
		return 1;
	}
	test_create();
	test_seed();
	test_loop();
	test_clone();
	test_start_stop();
	test_remove();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	CHECK(system(cmd) == 0);
	return check_exit();
}
