/* Memory and pids limits through cgroups, v1 (memory and pids
 * hierarchies) or v2 (unified), detected once.  Every qube's group lives
 * under a parent named after a hash of the instance root, so instances
 * with different roots never touch each other's groups. */
#include "core/local/local.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "lib/io.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* v1 hierarchies, in the order we create them: memory and pids are
 * required; freezer (pause) is used when mounted. */
static const char *const v1_ctrls[] = { "memory", "pids", "freezer" };
#define N_V1_REQUIRED 2u

/* How many hierarchies this qube's groups span. */
static size_t n_ctrls(const struct lcg *cg)
{
	if (cg->version == LCG_V2)
		return 1;
	return cg->freezer ? N_V1_REQUIRED + 1 : N_V1_REQUIRED;
}

void lcg_init_as(struct lcg *cg, const char *base, uint64_t root_hash, enum lcg_version v)
{
	memset(cg, 0, sizeof(*cg));
	cg->version = v;
	snprintf(cg->base, sizeof(cg->base), "%s", base);
	snprintf(cg->parent, sizeof(cg->parent), "bulkhead-%016" PRIx64, root_hash);
}

int lcg_init(struct lcg *cg, const char *base, uint64_t root_hash)
{
	struct statfs sf;
	char p[512];
	enum lcg_version v = LCG_NONE;

	if (strlen(base) >= sizeof(cg->base))
		return -ENAMETOOLONG;
	if (statfs(base, &sf) < 0)
		return -errno;
	if (sf.f_type == CGROUP2_SUPER_MAGIC) {
		v = LCG_V2;
	} else {
		v = LCG_V1;
		for (size_t i = 0; i < N_V1_REQUIRED; i++) {
			snprintf(p, sizeof(p), "%s/%s/cgroup.procs", base, v1_ctrls[i]);
			if (access(p, W_OK) < 0)
				v = LCG_NONE;
		}
	}
	if (v == LCG_NONE)
		return -ENOTSUP;
	lcg_init_as(cg, base, root_hash, v);
	snprintf(p, sizeof(p), "%s/freezer/cgroup.procs", base);
	cg->freezer = v == LCG_V2 || access(p, W_OK) == 0;
	return 0;
}

/* Directory of the qube's group (name NULL: the parent) in hierarchy ctrl. */
static int group_dir(const struct lcg *cg, const char *ctrl, const char *name, char *out, size_t len)
{
	int n;

	if (cg->version == LCG_V2)
		n = snprintf(out, len, "%s/%s%s%s", cg->base, cg->parent, name ? "/" : "", name ? name : "");
	else
		n = snprintf(out, len, "%s/%s/%s%s%s", cg->base, ctrl, cg->parent, name ? "/" : "",
			name ? name : "");
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int lcg_file(const struct lcg *cg, const char *ctrl, const char *name, const char *file,
	char *out, size_t outlen)
{
	char dir[512];
	int rc = group_dir(cg, ctrl, name, dir, sizeof(dir)), n;

	if (rc < 0)
		return rc;
	n = snprintf(out, outlen, "%s/%s", dir, file);
	return n < 0 || (size_t)n >= outlen ? -ENAMETOOLONG : 0;
}

static int mkdir_ok(const char *p)
{
	return mkdir(p, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

static int write_knob(const char *dir, const char *file, const char *val)
{
	char p[600];
	int n = snprintf(p, sizeof(p), "%s/%s", dir, file);

	if (n < 0 || (size_t)n >= sizeof(p))
		return -ENAMETOOLONG;
	return write_small_file(p, val);
}

/* v2: controllers must be enabled in every ancestor's subtree_control. */
static int v2_enable(const struct lcg *cg, const char *dir)
{
	int rc = write_knob(dir, "cgroup.subtree_control", "+memory +pids");

	(void)cg;
	return rc;
}

int lcg_create(const struct lcg *cg, const char *name, uint32_t memory_mb, uint32_t pids_max)
{
	char dir[512], val[32];
	uint64_t bytes = (uint64_t)memory_mb * 1024u * 1024u;
	int rc;

	snprintf(val, sizeof(val), "%" PRIu64, bytes);
	if (cg->version == LCG_V2) {
		if ((rc = v2_enable(cg, cg->base)) < 0)
			return rc;
		if ((rc = group_dir(cg, NULL, NULL, dir, sizeof(dir))) < 0 || (rc = mkdir_ok(dir)) < 0 ||
		    (rc = v2_enable(cg, dir)) < 0)
			return rc;
		if ((rc = group_dir(cg, NULL, name, dir, sizeof(dir))) < 0 || (rc = mkdir_ok(dir)) < 0)
			return rc;
		if ((rc = write_knob(dir, "memory.max", val)) < 0)
			goto fail;
		/* No swap: the limit is the limit.  Absent without swap accounting. */
		rc = write_knob(dir, "memory.swap.max", "0");
		if (rc < 0 && rc != -ENOENT)
			goto fail;
		snprintf(val, sizeof(val), "%" PRIu32, pids_max);
		if ((rc = write_knob(dir, "pids.max", val)) < 0)
			goto fail;
		return 0;
	}
	for (size_t i = 0; i < n_ctrls(cg); i++) {
		if ((rc = group_dir(cg, v1_ctrls[i], NULL, dir, sizeof(dir))) < 0 || (rc = mkdir_ok(dir)) < 0)
			goto fail;
		if ((rc = group_dir(cg, v1_ctrls[i], name, dir, sizeof(dir))) < 0 || (rc = mkdir_ok(dir)) < 0)
			goto fail;
	}
	if ((rc = group_dir(cg, "memory", name, dir, sizeof(dir))) < 0 ||
	    (rc = write_knob(dir, "memory.limit_in_bytes", val)) < 0)
		goto fail;
	/* memsw exists only with swap accounting; when it does, cap it too. */
	rc = write_knob(dir, "memory.memsw.limit_in_bytes", val);
	if (rc < 0 && rc != -ENOENT)
		goto fail;
	snprintf(val, sizeof(val), "%" PRIu32, pids_max);
	if ((rc = group_dir(cg, "pids", name, dir, sizeof(dir))) < 0 ||
	    (rc = write_knob(dir, "pids.max", val)) < 0)
		goto fail;
	return 0;
fail:
	lcg_remove(cg, name);
	return rc;
}

int lcg_attach(const struct lcg *cg, const char *name, pid_t pid)
{
	char dir[512], val[24];
	int rc;

	snprintf(val, sizeof(val), "%d", (int)pid);
	if (cg->version == LCG_V2) {
		if ((rc = group_dir(cg, NULL, name, dir, sizeof(dir))) < 0)
			return rc;
		return write_knob(dir, "cgroup.procs", val);
	}
	for (size_t i = 0; i < n_ctrls(cg); i++) {
		if ((rc = group_dir(cg, v1_ctrls[i], name, dir, sizeof(dir))) < 0 ||
		    (rc = write_knob(dir, "cgroup.procs", val)) < 0)
			return rc;
	}
	return 0;
}

int lcg_remove(const struct lcg *cg, const char *name)
{
	char dir[512];
	int rc = 0;
	size_t n = n_ctrls(cg);

	for (size_t i = 0; i < n; i++) {
		if (group_dir(cg, v1_ctrls[i], name, dir, sizeof(dir)) < 0)
			return -ENAMETOOLONG;
		if (rmdir(dir) < 0 && errno != ENOENT && rc == 0)
			rc = -errno;
	}
	return rc;
}

int lcg_freeze(const struct lcg *cg, const char *name, bool frozen)
{
	char p[600];
	int rc;

	if (!cg->freezer)
		return -ENOTSUP;
	if (cg->version == LCG_V2) {
		if ((rc = lcg_file(cg, NULL, name, "cgroup.freeze", p, sizeof(p))) < 0)
			return rc;
		return write_small_file(p, frozen ? "1" : "0");
	}
	if ((rc = lcg_file(cg, "freezer", name, "freezer.state", p, sizeof(p))) < 0)
		return rc;
	return write_small_file(p, frozen ? "FROZEN" : "THAWED");
}

void lcg_remove_parent(const struct lcg *cg)
{
	char dir[512];
	size_t n = n_ctrls(cg);

	/* Fails (EBUSY) while any qube's group remains: that is fine. */
	for (size_t i = 0; i < n; i++)
		if (group_dir(cg, v1_ctrls[i], NULL, dir, sizeof(dir)) == 0)
			(void)rmdir(dir);
}

void lcg_kill(const struct lcg *cg, const char *name)
{
	char p[600], buf[65536];
	size_t n = n_ctrls(cg);

	for (size_t i = 0; i < n; i++) {
		ssize_t len;
		char *s, *end;

		if (lcg_file(cg, v1_ctrls[i], name, "cgroup.procs", p, sizeof(p)) < 0)
			continue;
		len = read_small_file(p, buf, sizeof(buf));
		if (len <= 0)
			continue;
		for (s = buf; *s; s = end) {
			long pid = strtol(s, &end, 10);

			if (end == s)
				break;
			if (pid > 1)
				kill((pid_t)pid, SIGKILL);
			while (*end == '\n')
				end++;
		}
	}
}

void lcg_cleanup_stale(const struct lcg *cg)
{
	char dir[512];
	size_t n = n_ctrls(cg);

	for (size_t i = 0; i < n; i++) {
		DIR *d;
		struct dirent *e;

		if (group_dir(cg, v1_ctrls[i], NULL, dir, sizeof(dir)) < 0 || (d = opendir(dir)) == NULL)
			continue;
		while ((e = readdir(d)) != NULL) {
			if (e->d_type != DT_DIR || e->d_name[0] == '.')
				continue;
			/* A crashed monitor's qubes died with it (PDEATHSIG);
			 * anything left is killed before the group goes. */
			lcg_kill(cg, e->d_name);
			for (int tries = 0; tries < 100; tries++) {
				if (lcg_remove(cg, e->d_name) != -EBUSY)
					break;
				usleep(10000);
			}
		}
		closedir(d);
	}
	lcg_remove_parent(cg);
}
