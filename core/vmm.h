/* The VMM interface: what the dom0 core asks of a virtualization backend.
 *
 * Modeled on Xen: a qube becomes a domain with a numeric domain id; its
 * storage is a set of volumes (template root shared read-only, private
 * persistent, volatile discarded at shutdown); channels are addressed by
 * (domain id, port).  Two backends implement it: "local" (Linux namespaces,
 * core/local/; weaker isolation, see SPEC/threat-model.md) and "xen"
 * (libxl; issue #6).
 *
 * The backend runs inside bulkheadd's privileged VMM monitor process (see
 * SPEC/architecture.md); the sandboxed registry process reaches it only
 * through core/vmm_proto.h.  All functions return 0 or -errno and never
 * exit.  They are called from one thread. */
#ifndef BH_VMM_H
#define BH_VMM_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/names_parse.h"

#define QID_MAX 16383u   /* qids are 1..QID_MAX; dom0 is 0 */

enum qube_class {
	CLASS_ADMINVM, CLASS_TEMPLATEVM, CLASS_APPVM, CLASS_STANDALONEVM, CLASS_DISPVM,
	CLASS_COUNT
};

/* Qubes' power states, with Qubes' spelling in SPEC/core.md. */
enum power_state {
	POWER_HALTED, POWER_TRANSIENT, POWER_RUNNING, POWER_PAUSED,
	POWER_HALTING, POWER_DYING, POWER_CRASHED,
	POWER_COUNT
};

/* Everything a backend needs to know about one qube.  Built by the registry
 * from validated properties; the monitor validates it again on receipt. */
struct vmm_qube {
	char name[QUBE_NAME_MAX + 1];
	uint32_t qid;                 /* 1..QID_MAX, stable; picks the uid range */
	enum qube_class klass;        /* never CLASS_ADMINVM */
	enum label label;
	uint32_t memory_mb;           /* initial memory: Xen's target */
	uint32_t maxmem_mb;           /* ceiling, >= memory_mb: Xen's max, the local limit */
	uint32_t vcpus;
	uint32_t pids_max;            /* process limit enforced by the backend */
	uint32_t shutdown_timeout_s;  /* clean shutdown, then killed */
	uint32_t qrexec_timeout_s;    /* qrexec-daemon's wait for the agent (monitor) */
	bool has_netvm;               /* false: loopback only */
	char default_user[USER_NAME_MAX + 1];
};

/* Per-start context: which other qubes' volumes this start reads. */
struct vmm_start {
	const struct vmm_qube *qube;
	/* The TemplateVM whose root layer this qube runs on (AppVM, DispVM);
	 * NULL for TemplateVM and StandaloneVM, which own their root layer. */
	const struct vmm_qube *root_template;
	/* DispVM only: the AppVM whose private volume is copied, fresh, at
	 * each start and discarded at shutdown; NULL otherwise. */
	const struct vmm_qube *private_source;
};

struct vmm_status {
	enum power_state state;
	uint32_t domid;        /* valid unless POWER_HALTED */
	int32_t init_pid;      /* host pid of the qube's init (local), 0 if none */
};

struct vmm_backend {
	const char *name;      /* "local" or "xen" */

	/* Prepare the backend for instance root `root` (absolute, no trailing
	 * slash except "/").  Called once in the monitor, as root. */
	int (*init)(const char *root);

	/* Volumes.  create is idempotent; clone copies every persistent
	 * volume of src into a fresh dst (re-owning files for dst's uid
	 * range); remove deletes all of q's volumes.  None may run on a
	 * running qube (the registry checks). */
	int (*volume_create)(const struct vmm_qube *q);
	int (*volume_clone)(const struct vmm_qube *src, const struct vmm_qube *dst);
	int (*volume_remove)(const struct vmm_qube *q);

	/* Creates and starts the domain; returns once its init is running. */
	int (*start)(const struct vmm_start *s, uint32_t *domid);
	int (*pause)(const char *name);
	int (*unpause)(const char *name);
	/* Asks the qube's init to shut down and returns at once; the backend
	 * kills the qube if it is still up after shutdown_timeout_s. */
	int (*shutdown)(const char *name);
	/* Immediate destruction of the domain and everything in it. */
	int (*kill)(const char *name);
	int (*status)(const char *name, struct vmm_status *out);

	/* Housekeeping: reap exited qubes, enforce shutdown deadlines,
	 * discard volatile volumes of stopped qubes.  Called on SIGCHLD and
	 * at least every `*next_ms` milliseconds (it sets how long it may
	 * wait; -1 = no deadline pending). */
	void (*tick)(int *next_ms);

	/* Kill every running qube (monitor exit). */
	void (*kill_all)(void);
};

extern const struct vmm_backend vmm_local_backend;
extern const struct vmm_backend vmm_xen_backend;     /* core/xen/, bulkheadd only */

const char *qube_class_name(enum qube_class c);
const char *power_state_name(enum power_state s);

#endif
