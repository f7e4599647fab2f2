/* The per-qube configuration in xenstore (SPEC/xen.md "Xenstore"):
 * written in one transaction while the domain is still paused, owned by
 * dom0 and readable by the qube alone, so a qube reads its own subtree
 * and nobody else's, and cannot change it.
 *
 * libxenstore calls have no timeout: xenstored is dom0's own daemon, as
 * trusted as the monitor (SPEC/xen.md "Assumptions"). */
#include "core/xen/xen_xs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#define XS_TRIES 8u     /* a transaction that keeps conflicting gives up */

/* Owner dom0 with no rights for others, and read for the domain. */
static bool set_perms(struct xs_handle *xs, xs_transaction_t t, const char *path, uint32_t domid)
{
	struct xs_permissions perms[2] = {
		{ .id = 0, .perms = XS_PERM_NONE },
		{ .id = domid, .perms = XS_PERM_READ },
	};

	return xs_set_permissions(xs, t, path, perms, 2);
}

/* Parent directories of an entry below dir ("qrexec" of qrexec/port):
 * made and given the same permissions before their children. */
static bool make_parents(struct xs_handle *xs, xs_transaction_t t, const char *dir,
	const char *path, uint32_t domid)
{
	char p[XEN_XS_PATH_MAX];
	size_t base = strlen(dir) + 1;

	for (size_t i = base; path[i] != '\0'; i++) {
		if (path[i] != '/')
			continue;
		memcpy(p, path, i);
		p[i] = '\0';
		if (!xs_mkdir(xs, t, p) || !set_perms(xs, t, p, domid))
			return false;
	}
	return true;
}

int xen_xs_publish(struct xs_handle *xs, const struct vmm_qube *q, uint32_t domid, uint64_t instance)
{
	struct xen_xs_entry e[XEN_XS_ENTRIES_MAX];
	char dir[XEN_XS_PATH_MAX];
	int n, rc = -EAGAIN;

	if ((n = xen_xs_entries(q, domid, instance, e, XEN_XS_ENTRIES_MAX)) < 0)
		return n;
	if ((rc = xen_xs_dir(domid, dir, sizeof(dir))) < 0)
		return rc;
	for (unsigned tries = 0; tries < XS_TRIES; tries++) {
		xs_transaction_t t = xs_transaction_start(xs);
		bool ok;

		if (t == XBT_NULL)
			return errno > 0 ? -errno : -EIO;
		/* Every node's permissions set explicitly: a new node would
		 * otherwise inherit its parent's, and the domain owns
		 * /local/domain/<domid> itself. */
		ok = xs_mkdir(xs, t, dir) && set_perms(xs, t, dir, domid);
		for (int i = 0; ok && i < n; i++)
			ok = make_parents(xs, t, dir, e[i].path, domid) &&
			     xs_write(xs, t, e[i].path, e[i].value, (unsigned)strlen(e[i].value)) &&
			     set_perms(xs, t, e[i].path, domid);
		rc = ok ? 0 : (errno > 0 ? -errno : -EIO);
		if (!xs_transaction_end(xs, t, !ok)) {
			if (ok && errno == EAGAIN)
				continue;     /* conflicted with another writer: again */
			return ok ? (errno > 0 ? -errno : -EIO) : rc;
		}
		return rc;
	}
	return -EAGAIN;
}

int xen_xs_physical_device(struct xs_handle *xs, const char *backend, const char *dev,
	unsigned major, unsigned minor)
{
	/* blkback watches physical-device: the path goes first. */
	const char *const keys[] = { "physical-device-path", "physical-device", "hotplug-status" };
	char path[XEN_XS_PATH_MAX + 32], mm[24];
	const char *const values[] = { dev, mm, "connected" };

	snprintf(mm, sizeof(mm), "%x:%x", major, minor);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		int n = snprintf(path, sizeof(path), "%s/%s", backend, keys[i]);

		if (n < 0 || (size_t)n >= sizeof(path))
			return -ENAMETOOLONG;
		if (!xs_write(xs, XBT_NULL, path, values[i], (unsigned)strlen(values[i])))
			return errno > 0 ? -errno : -EIO;
	}
	return 0;
}

void xen_xs_forget(struct xs_handle *xs, uint32_t domid)
{
	char dir[XEN_XS_PATH_MAX];

	if (xen_xs_dir(domid, dir, sizeof(dir)) == 0)
		(void)xs_rm(xs, XBT_NULL, dir);
}

bool xen_xs_is_ours(struct xs_handle *xs, uint32_t domid, uint64_t instance)
{
	char dir[XEN_XS_PATH_MAX], path[XEN_XS_PATH_MAX + 16], want[24];
	unsigned int len = 0;
	char *v;
	bool ours;

	if (xen_xs_dir(domid, dir, sizeof(dir)) < 0)
		return false;
	snprintf(path, sizeof(path), "%s/instance", dir);
	snprintf(want, sizeof(want), "%016llx", (unsigned long long)instance);
	/* Only dom0 writes this key (the domain may only read it). */
	v = xs_read(xs, XBT_NULL, path, &len);
	ours = v != NULL && len == strlen(want) && memcmp(v, want, len) == 0;
	free(v);
	return ours;
}
