/* Internals of the Xen backend (core/xen/): shared between its files,
 * never included outside core/xen/ and tests/unit/test_xen_*.c.
 * SPEC/xen.md describes what this builds.
 *
 * Split so that everything but the hypervisor calls runs (and is unit
 * tested) without Xen: xen_plan.c (domain plans and xenstore entries) and
 * xen_volume.c (image files) use only libc; xen_loop.c needs root and
 * /dev/loop-control; xen_xs.c (libxenstore) and xen_backend.c (libxl)
 * need a Xen dom0. */
#ifndef BH_XEN_H
#define BH_XEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/vmm.h"
#include "lib/paths.h"

#define XEN_MAX_RUNNING     1024u      /* SPEC/core.md: at most 1024 qubes */

/* Configuration, relative to the root (SPEC/xen.md "Configuration"). */
#define XEN_CONF_DIR        "etc/bulkhead/xen"
#define XEN_CONF_KERNEL     XEN_CONF_DIR "/vmlinuz"   /* required to start */
#define XEN_CONF_RAMDISK    XEN_CONF_DIR "/initrd"    /* optional */
#define XEN_CONF_ROOT_SEED  XEN_CONF_DIR "/root.img"  /* optional seed of new roots */
#define XEN_CONF_PRIVATE_SEED XEN_CONF_DIR "/private.img"  /* optional seed of new private images */
#define XEN_CONF_CMDLINE    XEN_CONF_DIR "/cmdline"   /* optional, one line */
#define XEN_CMDLINE_DEFAULT "console=hvc0"
#define XEN_CMDLINE_MAX     512u

/* Volumes: files in $ROOT/var/lib/bulkhead/qubes/NAME/ (SPEC/xen.md). */
#define XV_ROOT         "root.img"          /* TemplateVM, StandaloneVM */
#define XV_PRIVATE      "private.img"       /* every class but DispVM */
#define XV_DISP_PRIVATE "disp-private.img"  /* DispVM: fresh copy, removed at stop */
#define XV_VOLATILE     "volatile.img"      /* every class: made at start, removed at stop */

/* Sizes of new (sparse, unformatted) images, in bytes. */
#define XV_ROOT_SIZE     (10ull << 30)
#define XV_PRIVATE_SIZE  (2ull << 30)
#define XV_VOLATILE_SIZE (1ull << 30)

#define XEN_DISKS_MAX    3u          /* xvda root, xvdb private, xvdc volatile */
#define XEN_VDEV_MAX     8u

/* 0 when q is a description this backend accepts (SPEC/core.md's ranges). */
int xen_check_qube(const struct vmm_qube *q) __attribute__((warn_unused_result));
/* 0 when s is a consistent start (template and DispVM source as the
 * class requires). */
int xen_check_start(const struct vmm_start *s) __attribute__((warn_unused_result));
/* True for classes that own their root image. */
bool xen_owns_root(enum qube_class c);

/* ---- domain plans (xen_plan.c) ---- */

struct xen_disk {
	char image[BH_PATH_MAX];   /* the image file under the root */
	char vdev[XEN_VDEV_MAX];   /* "xvda".. */
	bool writable;
};

/* Everything a domain is built from, in plain C: xen_backend.c turns it
 * into a libxl_domain_config. */
struct xen_plan {
	char name[QUBE_NAME_MAX + 1];
	char kernel[BH_PATH_MAX];
	char ramdisk[BH_PATH_MAX];     /* "" for none */
	char cmdline[XEN_CMDLINE_MAX + 1];
	uint64_t memory_kb;            /* libxl's target_memkb: allocated at creation */
	uint64_t maxmem_kb;            /* libxl's max_memkb: the most it may ever have */
	uint32_t vcpus;
	struct xen_disk disks[XEN_DISKS_MAX];
	size_t ndisks;
};

/* Fills p for a start of s under root.  The files are not opened; a
 * missing kernel or volume is for the caller to find.  cmdline is the
 * content of XEN_CONF_CMDLINE (NULL or "" for the default); it must be
 * one line of printable ASCII.  0, -EINVAL, or -ENAMETOOLONG. */
int xen_plan_build(const char *root, const struct vmm_start *s, const char *cmdline,
	struct xen_plan *p) __attribute__((warn_unused_result));

/* The per-qube configuration a qube reads at boot from xenstore, under
 * /local/domain/<domid>/XEN_XS_DIR (SPEC/xen.md "Xenstore"). */
#define XEN_XS_DIR          "bulkhead"
#define XEN_XS_ENTRIES_MAX  8u
#define XEN_XS_VALUE_MAX    48u
#define XEN_XS_PATH_MAX     96u

struct xen_xs_entry {
	char path[XEN_XS_PATH_MAX];    /* absolute xenstore path */
	char value[XEN_XS_VALUE_MAX];
};

/* The subtree's path for domid ("/local/domain/<domid>/bulkhead"). */
int xen_xs_dir(uint32_t domid, char *out, size_t outlen) __attribute__((warn_unused_result));

/* The entries of q's subtree when it runs as domid, for the instance
 * whose root hashes to instance.  Returns the count, or -errno. */
int xen_xs_entries(const struct vmm_qube *q, uint32_t domid, uint64_t instance,
	struct xen_xs_entry *out, size_t max) __attribute__((warn_unused_result));

/* FNV-1a 64 of the root: marks this instance's domains in xenstore. */
uint64_t xen_instance_hash(const char *root);

/* ---- volumes (xen_volume.c) ---- */

/* Each takes the instance root.  create is idempotent (missing images
 * are made, existing ones kept); clone copies src's persistent images
 * into a fresh dst (sparse); remove deletes the qube's directory. */
int xv_create(const char *root, const struct vmm_qube *q) __attribute__((warn_unused_result));
int xv_clone(const char *root, const struct vmm_qube *src, const struct vmm_qube *dst)
	__attribute__((warn_unused_result));
int xv_remove(const char *root, const struct vmm_qube *q) __attribute__((warn_unused_result));
/* At start: a fresh volatile image, and for a DispVM a fresh copy of
 * src's private image.  At stop: both removed (-ENOENT is success). */
int xv_start(const char *root, const struct vmm_qube *q, const struct vmm_qube *disp_src)
	__attribute__((warn_unused_result));
void xv_stop(const char *root, const char *name);

/* Copy the file src to a new file dst (which must not exist), mode 0600,
 * keeping holes: only the data extents are written. */
int xv_copy_sparse(const char *src, const char *dst) __attribute__((warn_unused_result));
/* A new sparse file of size bytes (which must not exist), mode 0600. */
int xv_make_sparse(const char *path, uint64_t size) __attribute__((warn_unused_result));

/* ---- loop devices (xen_loop.c) ---- */

/* Attaches image to a free loop device, read-only unless writable, and
 * returns the open device fd (the caller keeps it while the domain runs:
 * the device is detached at its last close) and its path. */
int xloop_attach(const char *image, bool writable, char *dev, size_t devlen, int *fd)
	__attribute__((warn_unused_result));

#endif
