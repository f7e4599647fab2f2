/* Domain plans and xenstore entries of the Xen backend: pure functions of
 * a qube's description and the instance root (SPEC/xen.md), unit tested
 * without Xen (tests/unit/test_xen_plan.c). */
#include "core/xen/xen.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "qrexec/protocol.h"

bool xen_owns_root(enum qube_class c)
{
	return c == CLASS_TEMPLATEVM || c == CLASS_STANDALONEVM;
}

uint64_t xen_instance_hash(const char *root)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (const unsigned char *p = (const unsigned char *)root; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ull;
	}
	return h;
}

int xen_check_qube(const struct vmm_qube *q)
{
	size_t n;

	if (q == NULL)
		return -EINVAL;
	n = strnlen(q->name, sizeof(q->name));
	if (n == sizeof(q->name) || names_check(NAME_QUBE, (const uint8_t *)q->name, n) < 0)
		return -EINVAL;
	if (q->qid < 1 || q->qid > QID_MAX || (unsigned)q->klass >= CLASS_COUNT ||
	    q->klass == CLASS_ADMINVM || (unsigned)q->label >= LABEL_COUNT)
		return -EINVAL;
	n = strnlen(q->default_user, sizeof(q->default_user));
	if (n == sizeof(q->default_user) ||
	    (n > 0 && names_check(NAME_USER, (const uint8_t *)q->default_user, n) < 0))
		return -EINVAL;
	/* SPEC/core.md: memory 32..65536 MiB, at most its ceiling maxmem
	 * (resolved by the registry: never 0 here), vcpus 1..256. */
	if (q->memory_mb < 32 || q->maxmem_mb < q->memory_mb || q->maxmem_mb > 65536 ||
	    q->vcpus < 1 || q->vcpus > 256)
		return -EINVAL;
	return 0;
}

int xen_check_start(const struct vmm_start *s)
{
	const struct vmm_qube *q = s->qube;
	int rc;

	if ((rc = xen_check_qube(q)) < 0)
		return rc;
	if (xen_owns_root(q->klass))
		return s->root_template == NULL && s->private_source == NULL ? 0 : -EINVAL;
	if (s->root_template == NULL || (rc = xen_check_qube(s->root_template)) < 0)
		return rc < 0 ? rc : -EINVAL;
	if (s->root_template->klass != CLASS_TEMPLATEVM || s->root_template->qid == q->qid)
		return -EINVAL;
	if (q->klass != CLASS_DISPVM)
		return s->private_source == NULL ? 0 : -EINVAL;
	if (s->private_source == NULL || (rc = xen_check_qube(s->private_source)) < 0)
		return rc < 0 ? rc : -EINVAL;
	return s->private_source->qid == q->qid ? -EINVAL : 0;
}

/* One line of printable ASCII, without the final newline it may have. */
static int set_cmdline(struct xen_plan *p, const char *cmdline)
{
	size_t n;

	if (cmdline == NULL || cmdline[0] == '\0')
		cmdline = XEN_CMDLINE_DEFAULT;
	n = strlen(cmdline);
	if (n > 0 && cmdline[n - 1] == '\n')
		n--;
	if (n == 0 || n > XEN_CMDLINE_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (cmdline[i] < 0x20 || cmdline[i] > 0x7e)
			return -EINVAL;
	memcpy(p->cmdline, cmdline, n);
	p->cmdline[n] = '\0';
	return 0;
}

static int add_disk(const char *root, struct xen_plan *p, const char *owner, const char *image,
	bool writable)
{
	struct xen_disk *d = &p->disks[p->ndisks];
	int rc;

	if (p->ndisks == XEN_DISKS_MAX)
		return -EINVAL;
	if ((rc = bh_root_pathf(d->image, sizeof(d->image), root, BH_QUBES_DIR "/%s/%s", owner, image)) < 0)
		return rc;
	snprintf(d->vdev, sizeof(d->vdev), "xvd%c", (char)('a' + p->ndisks));
	d->writable = writable;
	p->ndisks++;
	return 0;
}

int xen_plan_build(const char *root, const struct vmm_start *s, const char *cmdline,
	struct xen_plan *p)
{
	const struct vmm_qube *q = s->qube;
	int rc;

	memset(p, 0, sizeof(*p));
	if ((rc = xen_check_start(s)) < 0 || (rc = set_cmdline(p, cmdline)) < 0)
		return rc;
	memcpy(p->name, q->name, sizeof(p->name));
	p->memory_kb = (uint64_t)q->memory_mb * 1024u;
	p->maxmem_kb = (uint64_t)q->maxmem_mb * 1024u;
	p->vcpus = q->vcpus;
	if ((rc = bh_root_pathf(p->kernel, sizeof(p->kernel), root, XEN_CONF_KERNEL)) < 0 ||
	    (rc = bh_root_pathf(p->ramdisk, sizeof(p->ramdisk), root, XEN_CONF_RAMDISK)) < 0)
		return rc;
	/* xvda: the root, the template's read-only for AppVMs and DispVMs
	 * (SPEC/xen.md: a template and its qubes never run at once). */
	if (xen_owns_root(q->klass))
		rc = add_disk(root, p, q->name, XV_ROOT, true);
	else
		rc = add_disk(root, p, s->root_template->name, XV_ROOT, false);
	/* xvdb: private, persistent (a DispVM's is a fresh copy); xvdc:
	 * volatile, made at each start. */
	if (rc == 0)
		rc = add_disk(root, p, q->name, q->klass == CLASS_DISPVM ? XV_DISP_PRIVATE : XV_PRIVATE, true);
	if (rc == 0)
		rc = add_disk(root, p, q->name, XV_VOLATILE, true);
	return rc;
}

int xen_xs_dir(uint32_t domid, char *out, size_t outlen)
{
	int n = snprintf(out, outlen, "/local/domain/%u/" XEN_XS_DIR, domid);

	return n < 0 || (size_t)n >= outlen ? -ENAMETOOLONG : 0;
}

int xen_xs_entries(const struct vmm_qube *q, uint32_t domid, uint64_t instance,
	struct xen_xs_entry *out, size_t max)
{
	char dir[XEN_XS_PATH_MAX], v[3][XEN_XS_VALUE_MAX];
	const struct { const char *key; const char *value; } e[] = {
		{ "name", q->name },
		{ "class", qube_class_name(q->klass) },
		{ "label", label_name(q->label) },
		{ "default-user", q->default_user[0] ? q->default_user : "user" },
		{ "qid", v[0] },
		/* qrexec: where the agent finds its qrexec-daemon's channel. */
		{ "qrexec/domain", "0" },
		{ "qrexec/port", v[1] },
		/* dom0's mark of this instance's domains (stale cleanup). */
		{ "instance", v[2] },
	};
	size_t n = sizeof(e) / sizeof(e[0]);
	int rc;

	if ((rc = xen_check_qube(q)) < 0)
		return rc;
	if (n > max || n > XEN_XS_ENTRIES_MAX)
		return -ENOSPC;
	if ((rc = xen_xs_dir(domid, dir, sizeof(dir))) < 0)
		return rc;
	snprintf(v[0], sizeof(v[0]), "%u", q->qid);
	snprintf(v[1], sizeof(v[1]), "%u", VCHAN_BASE_PORT);
	snprintf(v[2], sizeof(v[2]), "%016llx", (unsigned long long)instance);
	for (size_t i = 0; i < n; i++) {
		int m = snprintf(out[i].path, sizeof(out[i].path), "%s/%s", dir, e[i].key);

		if (m < 0 || (size_t)m >= sizeof(out[i].path) || strlen(e[i].value) >= sizeof(out[i].value))
			return -ENAMETOOLONG;
		memcpy(out[i].value, e[i].value, strlen(e[i].value) + 1);
	}
	return (int)n;
}
