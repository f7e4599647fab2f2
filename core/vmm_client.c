#include "core/vmm_client.h"

#include <stddef.h>
#include <string.h>

#include "lib/io.h"
#include "lib/log.h"

static int chan_fd = -1;

void vmm_client_init(int fd)
{
	chan_fd = fd;
}

static void put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void encode_qube(uint8_t *w, const struct vmm_qube *q, int name_only)
{
	/* struct vmm_wire_qube's u32s, in its order. */
	const uint32_t v[] = {
		q->qid, (uint32_t)q->klass, (uint32_t)q->label, q->memory_mb, q->maxmem_mb, q->vcpus,
		q->pids_max, q->shutdown_timeout_s, q->qrexec_timeout_s, q->has_netvm ? 1u : 0u,
	};
	_Static_assert(offsetof(struct vmm_wire_qube, default_user) ==
		       offsetof(struct vmm_wire_qube, qid) + sizeof(v), "vmm_wire_qube's u32s");

	memcpy(w, q->name, strnlen(q->name, 31));
	if (name_only)
		return;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		put_u32(w + offsetof(struct vmm_wire_qube, qid) + 4 * i, v[i]);
	memcpy(w + offsetof(struct vmm_wire_qube, default_user), q->default_user,
	       strnlen(q->default_user, VMM_USER_FIELD - 1));
}

static int transact(uint8_t *req, struct vmm_wire_reply *reply)
{
	uint64_t deadline = now_ms() + VMM_CALL_TIMEOUT_MS;
	int rc = write_all_deadline(chan_fd, req, sizeof(struct vmm_wire_req), deadline);

	if (rc == 0)
		rc = read_exact_deadline(chan_fd, reply, sizeof(*reply), deadline);
	if (rc < 0)
		fatalx("VMM monitor channel broken: %s", strerror(-rc));
	return reply->rc;
}

int vmm_call(enum vmm_op op, const struct vmm_qube *q0, const struct vmm_qube *q1,
	     const struct vmm_qube *q2, struct vmm_wire_reply *reply)
{
	uint8_t req[sizeof(struct vmm_wire_req)] = { 0 };
	const struct vmm_qube *qs[VMM_WIRE_QUBES] = { q0, q1, q2 };
	uint32_t present = 0;

	put_u32(req, (uint32_t)op);
	for (unsigned i = 0; i < VMM_WIRE_QUBES; i++) {
		if (qs[i] == NULL)
			continue;
		present |= 1u << i;
		encode_qube(req + 8 + i * sizeof(struct vmm_wire_qube), qs[i], 0);
	}
	put_u32(req + 4, present);
	return transact(req, reply);
}

int vmm_call_name(enum vmm_op op, const char *name, struct vmm_wire_reply *reply)
{
	uint8_t req[sizeof(struct vmm_wire_req)] = { 0 };
	struct vmm_qube q = { 0 };

	memcpy(q.name, name, strnlen(name, QUBE_NAME_MAX));
	put_u32(req, (uint32_t)op);
	put_u32(req + 4, 1);
	encode_qube(req + 8, &q, 1);
	return transact(req, reply);
}
