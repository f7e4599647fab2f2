/* xenstore side of the Xen backend (xen_xs.c); needs libxenstore, so apart
 * from xen.h, which the Xen-free unit tests include. */
#ifndef BH_XEN_XS_H
#define BH_XEN_XS_H

#include "core/xen/xen.h"

struct xs_handle;

/* Writes q's subtree (xen_xs_entries) for domid in one transaction,
 * every node owned by dom0 and readable by domid only.  0 or -errno. */
int xen_xs_publish(struct xs_handle *xs, const struct vmm_qube *q, uint32_t domid, uint64_t instance)
	__attribute__((warn_unused_result));
/* Tells Xen's block backend which device serves a disk: writes
 * physical-device ("major:minor" in hex, as blkback reads it) and
 * physical-device-path under the disk's backend directory, then
 * hotplug-status "connected" -- what /etc/xen/scripts/block would do;
 * the monitor does it itself because it attached the loop device.
 * 0 or -errno. */
int xen_xs_physical_device(struct xs_handle *xs, const char *backend, const char *dev,
	unsigned major, unsigned minor) __attribute__((warn_unused_result));
/* Removes the subtree (libxl also removes the domain's whole directory
 * at destroy; this runs first so a failed destroy leaves no config). */
void xen_xs_forget(struct xs_handle *xs, uint32_t domid);
/* True when domid carries this instance's mark (a domain we started,
 * possibly before a crash of the monitor). */
bool xen_xs_is_ours(struct xs_handle *xs, uint32_t domid, uint64_t instance);

#endif
