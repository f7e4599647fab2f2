/* Xen backend plans (core/xen/xen_plan.c), without Xen: the disks each
 * class gets (template root read-only for AppVMs and DispVMs, private,
 * volatile), the paths under the root, memory and vcpus, the kernel
 * command line's checks, the starts refused, and the xenstore entries a
 * qube reads at boot. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/xen/xen.h"
#include "qrexec/protocol.h"
#include "tests/lib/check.h"
#include "tests/lib/xen_fixture.h"

static void check_disk(const struct xen_disk *d, const char *image, const char *vdev, bool rw)
{
	CHECK_STR(d->image, image);
	CHECK_STR(d->vdev, vdev);
	CHECK(d->writable == rw);
}

static void test_appvm(void)
{
	struct vmm_qube tpl = xen_test_qube("deb", 2, CLASS_TEMPLATEVM), app = xen_test_qube("work", 3, CLASS_APPVM);
	struct vmm_start s = { .qube = &app, .root_template = &tpl };
	static struct xen_plan p;

	app.memory_mb = 128;
	app.maxmem_mb = 512;
	app.vcpus = 1;
	CHECK(xen_plan_build("/srv/bh", &s, NULL, &p) == 0);
	CHECK_STR(p.name, "work");
	CHECK_STR(p.kernel, "/srv/bh/etc/bulkhead/xen/vmlinuz");
	CHECK_STR(p.ramdisk, "/srv/bh/etc/bulkhead/xen/initrd");
	CHECK_STR(p.cmdline, XEN_CMDLINE_DEFAULT);
	CHECK(p.memory_kb == 128u * 1024u);
	CHECK(p.maxmem_kb == 512u * 1024u);
	CHECK(p.vcpus == 1);
	CHECK(p.ndisks == 3);
	check_disk(&p.disks[0], "/srv/bh/var/lib/bulkhead/qubes/deb/root.img", "xvda", false);
	check_disk(&p.disks[1], "/srv/bh/var/lib/bulkhead/qubes/work/private.img", "xvdb", true);
	check_disk(&p.disks[2], "/srv/bh/var/lib/bulkhead/qubes/work/volatile.img", "xvdc", true);

	/* The root "/" has no double slash. */
	CHECK(xen_plan_build("/", &s, "root=/dev/xvda ro\n", &p) == 0);
	CHECK_STR(p.kernel, "/etc/bulkhead/xen/vmlinuz");
	CHECK_STR(p.cmdline, "root=/dev/xvda ro");

	/* Inconsistent starts: no template, a template that is not one, a
	 * DispVM source on an AppVM. */
	s.root_template = NULL;
	CHECK(xen_plan_build("/", &s, NULL, &p) == -EINVAL);
	s.root_template = &app;
	CHECK(xen_plan_build("/", &s, NULL, &p) == -EINVAL);
	s.root_template = &tpl;
	s.private_source = &app;
	CHECK(xen_plan_build("/", &s, NULL, &p) == -EINVAL);
}

static void test_template_and_dispvm(void)
{
	struct vmm_qube tpl = xen_test_qube("deb", 2, CLASS_TEMPLATEVM), app = xen_test_qube("work", 3, CLASS_APPVM);
	struct vmm_qube disp = xen_test_qube("disp7", 9, CLASS_DISPVM), sa = xen_test_qube("solo", 4, CLASS_STANDALONEVM);
	struct vmm_start s = { .qube = &tpl };
	static struct xen_plan p;

	CHECK(xen_plan_build("/r", &s, NULL, &p) == 0);
	check_disk(&p.disks[0], "/r/var/lib/bulkhead/qubes/deb/root.img", "xvda", true);
	check_disk(&p.disks[1], "/r/var/lib/bulkhead/qubes/deb/private.img", "xvdb", true);
	/* A template owns its root: no template of its own. */
	s.root_template = &tpl;
	CHECK(xen_plan_build("/r", &s, NULL, &p) == -EINVAL);

	s = (struct vmm_start){ .qube = &sa };
	CHECK(xen_plan_build("/r", &s, NULL, &p) == 0);
	check_disk(&p.disks[0], "/r/var/lib/bulkhead/qubes/solo/root.img", "xvda", true);

	s = (struct vmm_start){ .qube = &disp, .root_template = &tpl, .private_source = &app };
	CHECK(xen_plan_build("/r", &s, NULL, &p) == 0);
	check_disk(&p.disks[0], "/r/var/lib/bulkhead/qubes/deb/root.img", "xvda", false);
	check_disk(&p.disks[1], "/r/var/lib/bulkhead/qubes/disp7/disp-private.img", "xvdb", true);
	check_disk(&p.disks[2], "/r/var/lib/bulkhead/qubes/disp7/volatile.img", "xvdc", true);
	s.private_source = NULL;
	CHECK(xen_plan_build("/r", &s, NULL, &p) == -EINVAL);
}

static void test_refused(void)
{
	struct vmm_qube q = xen_test_qube("deb", 2, CLASS_TEMPLATEVM);
	struct vmm_start s = { .qube = &q };
	static struct xen_plan p;
	char longline[XEN_CMDLINE_MAX + 2];

	memset(longline, 'a', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	CHECK(xen_plan_build("/", &s, longline, &p) == -EINVAL);
	longline[XEN_CMDLINE_MAX] = '\0';
	CHECK(xen_plan_build("/", &s, longline, &p) == 0);
	CHECK(xen_plan_build("/", &s, "two\nlines", &p) == -EINVAL);
	CHECK(xen_plan_build("/", &s, "tab\there", &p) == -EINVAL);
	CHECK(xen_plan_build("/", &s, "\n", &p) == -EINVAL);

	q.memory_mb = 31;
	CHECK(xen_plan_build("/", &s, NULL, &p) == -EINVAL);
	q.memory_mb = 400;
	q.maxmem_mb = 399;                  /* below memory */
	CHECK(xen_check_qube(&q) == -EINVAL);
	q.maxmem_mb = 65537;
	CHECK(xen_check_qube(&q) == -EINVAL);
	q.maxmem_mb = 65536;
	CHECK(xen_check_qube(&q) == 0);
	q.vcpus = 0;
	CHECK(xen_plan_build("/", &s, NULL, &p) == -EINVAL);
	q.vcpus = 257;
	CHECK(xen_check_qube(&q) == -EINVAL);
	q.vcpus = 1;
	q.klass = CLASS_ADMINVM;
	CHECK(xen_check_qube(&q) == -EINVAL);
	q.klass = CLASS_TEMPLATEVM;
	snprintf(q.name, sizeof(q.name), "../x");
	CHECK(xen_check_qube(&q) == -EINVAL);
	snprintf(q.name, sizeof(q.name), "deb");
	q.qid = 0;
	CHECK(xen_check_qube(&q) == -EINVAL);
	q.qid = 2;
	q.label = LABEL_COUNT;
	CHECK(xen_check_qube(&q) == -EINVAL);
	q.label = LABEL_RED;
	CHECK(xen_check_qube(&q) == 0);
}

/* e[i] is want[i]: the entry dir/want[i][0] with the value want[i][1]. */
static void check_xs(const struct xen_xs_entry *e, const char *dir, const char *const want[][2], size_t n)
{
	char path[XEN_XS_PATH_MAX];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, want[i][0]);
		CHECK_STR(e[i].path, path);
		CHECK_STR(e[i].value, want[i][1]);
	}
}

static void test_xenstore(void)
{
	struct vmm_qube q = xen_test_qube("work", 3, CLASS_APPVM);
	struct xen_xs_entry e[XEN_XS_ENTRIES_MAX];
	char port[16], dir[XEN_XS_PATH_MAX];
	const char *const want[][2] = {   /* in order; port is filled in below */
		{ "name", "work" }, { "class", "AppVM" }, { "label", "blue" }, { "default-user", "user" },
		{ "qid", "3" }, { "qrexec/domain", "0" }, { "qrexec/port", port },
		{ "instance", "0123456789abcdef" },
	};
	int n;

	CHECK(xen_xs_dir(17, dir, sizeof(dir)) == 0);
	CHECK_STR(dir, "/local/domain/17/bulkhead");
	n = xen_xs_entries(&q, 17, 0x0123456789abcdefull, e, XEN_XS_ENTRIES_MAX);
	CHECK(n == 8);
	if (n != 8)
		return;
	snprintf(port, sizeof(port), "%u", VCHAN_BASE_PORT);
	check_xs(e, "/local/domain/17/bulkhead", want, sizeof(want) / sizeof(want[0]));

	snprintf(q.default_user, sizeof(q.default_user), "alice");
	n = xen_xs_entries(&q, 17, 1, e, XEN_XS_ENTRIES_MAX);
	CHECK(n == 8 && strcmp(e[3].value, "alice") == 0);
	CHECK(xen_xs_entries(&q, 17, 1, e, 7) == -ENOSPC);
	q.qid = 0;
	CHECK(xen_xs_entries(&q, 17, 1, e, XEN_XS_ENTRIES_MAX) == -EINVAL);
	/* Two roots are two instances. */
	CHECK(xen_instance_hash("/") != xen_instance_hash("/srv/bh"));
}

int main(void)
{
	test_appvm();
	test_template_and_dispvm();
	test_refused();
	test_xenstore();
	return check_exit();
}
