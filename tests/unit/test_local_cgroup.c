/* Local backend cgroups (core/local/local_cgroup.c) on fake v1 and v2
 * trees: group names, limit files and values; then detection on the real
 * /sys/fs/cgroup. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/local/local.h"
#include "lib/io.h"
#include "tests/lib/check.h"

static char tmp[64];

static void touch(const char *rel)
{
	char p[512];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", tmp, rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
}

static void mkd(const char *rel)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", tmp, rel);
	CHECK(mkdirs_abs(p, 0755) == 0);
}

static const char *slurp(const char *rel)
{
	static char buf[256];
	char p[512];
	ssize_t n;

	snprintf(p, sizeof(p), "%s/%s", tmp, rel);
	n = read_small_file(p, buf, sizeof(buf));
	if (n < 0)
		return "(unreadable)";
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return buf;
}

int main(void)
{
	struct lcg cg;
	char p[512];

	snprintf(tmp, sizeof(tmp), "/tmp/test_local_cgroup.XXXXXX");
	if (mkdtemp(tmp) == NULL) {
		perror("mkdtemp");
		return 1;
	}

	/* v1: control files pre-made, since a plain directory has none. */
	lcg_init_as(&cg, tmp, 0x0123456789abcdefull, LCG_V1);
	CHECK_STR(cg.parent, "bulkhead-0123456789abcdef");
	mkd("memory/bulkhead-0123456789abcdef/work");
	mkd("pids/bulkhead-0123456789abcdef/work");
	touch("memory/bulkhead-0123456789abcdef/work/memory.limit_in_bytes");
	touch("memory/bulkhead-0123456789abcdef/work/cgroup.procs");
	touch("pids/bulkhead-0123456789abcdef/work/pids.max");
	touch("pids/bulkhead-0123456789abcdef/work/cgroup.procs");
	CHECK(lcg_create(&cg, "work", 400, 4096) == 0);
	CHECK_STR(slurp("memory/bulkhead-0123456789abcdef/work/memory.limit_in_bytes"), "419430400");
	CHECK_STR(slurp("pids/bulkhead-0123456789abcdef/work/pids.max"), "4096");
	CHECK(lcg_attach(&cg, "work", 4242) == 0);
	CHECK_STR(slurp("memory/bulkhead-0123456789abcdef/work/cgroup.procs"), "4242");
	CHECK_STR(slurp("pids/bulkhead-0123456789abcdef/work/cgroup.procs"), "4242");
	CHECK(lcg_file(&cg, "pids", "work", "pids.max", p, sizeof(p)) == 0);
	CHECK(strcmp(p + strlen(tmp), "/pids/bulkhead-0123456789abcdef/work/pids.max") == 0);
	/* A knob that cannot be written fails the create. */
	CHECK(lcg_create(&cg, "other", 400, 4096) == -ENOENT);

	/* v2: one tree, controllers enabled down the path, memory.max. */
	lcg_init_as(&cg, tmp, 0xfedcba9876543210ull, LCG_V2);
	touch("cgroup.subtree_control");
	mkd("bulkhead-fedcba9876543210/q");
	touch("bulkhead-fedcba9876543210/cgroup.subtree_control");
	touch("bulkhead-fedcba9876543210/q/memory.max");
	touch("bulkhead-fedcba9876543210/q/memory.swap.max");
	touch("bulkhead-fedcba9876543210/q/pids.max");
	touch("bulkhead-fedcba9876543210/q/cgroup.procs");
	CHECK(lcg_create(&cg, "q", 32, 16) == 0);
	CHECK_STR(slurp("cgroup.subtree_control"), "+memory +pids");
	CHECK_STR(slurp("bulkhead-fedcba9876543210/cgroup.subtree_control"), "+memory +pids");
	CHECK_STR(slurp("bulkhead-fedcba9876543210/q/memory.max"), "33554432");
	CHECK_STR(slurp("bulkhead-fedcba9876543210/q/memory.swap.max"), "0");
	CHECK_STR(slurp("bulkhead-fedcba9876543210/q/pids.max"), "16");
	CHECK(lcg_attach(&cg, "q", 7) == 0);
	CHECK_STR(slurp("bulkhead-fedcba9876543210/q/cgroup.procs"), "7");
	CHECK(lcg_file(&cg, "memory", "q", "memory.max", p, sizeof(p)) == 0);
	CHECK(strcmp(p + strlen(tmp), "/bulkhead-fedcba9876543210/q/memory.max") == 0);

	/* Not a cgroup filesystem at all. */
	CHECK(lcg_init(&cg, tmp, 1) == -ENOTSUP);

	{
		int d = open("/tmp", O_RDONLY | O_DIRECTORY);

		CHECK(d >= 0 && lvol_rm_tree(d, tmp + strlen("/tmp/")) == 0);
		if (d >= 0)
			close(d);
	}
	/* The real hierarchy: whatever it is, detection names it. */
	if (lcg_init(&cg, "/sys/fs/cgroup", 1) == 0)
		CHECK(cg.version == LCG_V1 || cg.version == LCG_V2);
	else
		printf("note: no usable cgroup hierarchy on this machine\n");
	return check_exit();
}
