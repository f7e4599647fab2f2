/* The channel between bulkheadd's two processes: the sandboxed registry
 * process (holds the registry, serves the Admin API) sends fixed-size
 * requests to the privileged VMM monitor (runs the backend) and gets a
 * fixed-size reply.  One request at a time.  SPEC/architecture.md. */
#ifndef BH_VMM_PROTO_H
#define BH_VMM_PROTO_H

#include <stdint.h>

#include "core/vmm.h"

enum vmm_op {
	VMM_OP_VOLUME_CREATE = 1,  /* q[0] */
	VMM_OP_VOLUME_CLONE,       /* q[0] = source, q[1] = new qube */
	VMM_OP_VOLUME_REMOVE,      /* q[0] */
	VMM_OP_START,              /* q[0]; q[1] root template; q[2] private source */
	VMM_OP_PAUSE,              /* name only, in q[0] */
	VMM_OP_UNPAUSE,
	VMM_OP_SHUTDOWN,
	VMM_OP_KILL,
	VMM_OP_STATUS,
	VMM_OP_MAX = VMM_OP_STATUS
};

#define VMM_WIRE_QUBES 3u
#define VMM_USER_FIELD 36u     /* USER_NAME_MAX + NUL, padded */

/* Little-endian u32s, ranges checked by core/vmm_proto_parse.c: qid
 * 1..QID_MAX, memory_mb 32..65536, maxmem_mb memory_mb..65536 (the
 * effective ceiling: the registry resolves maxmem 0), vcpus 1..256,
 * pids_max 16..65536, shutdown_timeout_s and qrexec_timeout_s 1..3600,
 * has_netvm 0..1.  A name-only slot (PAUSE..STATUS) is zero after its
 * name. */
struct vmm_wire_qube {
	char name[32];             /* NUL-terminated, NUL-padded */
	uint32_t qid, klass, label, memory_mb, maxmem_mb, vcpus, pids_max, shutdown_timeout_s,
		qrexec_timeout_s, has_netvm;
	char default_user[VMM_USER_FIELD];
};
_Static_assert(sizeof(struct vmm_wire_qube) == 108, "vmm_wire_qube layout");

struct vmm_wire_req {
	uint32_t op;
	uint32_t present;          /* bit i: q[i] is meaningful; others all zero */
	struct vmm_wire_qube q[VMM_WIRE_QUBES];
};
_Static_assert(sizeof(struct vmm_wire_req) == 332, "vmm_wire_req layout");

struct vmm_wire_reply {
	int32_t rc;                /* 0 or -errno */
	uint32_t state;            /* enum power_state (STATUS) */
	uint32_t domid;            /* START, STATUS */
	int32_t init_pid;          /* STATUS */
};
_Static_assert(sizeof(struct vmm_wire_reply) == 16, "vmm_wire_reply layout");

#define VMM_CALL_TIMEOUT_MS  300000u   /* volume copies can be slow */

/* Decoded request, every field validated (monitor side). */
struct vmm_request {
	enum vmm_op op;
	unsigned present;
	struct vmm_qube q[VMM_WIRE_QUBES];
};

#endif
