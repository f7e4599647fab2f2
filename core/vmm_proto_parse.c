/* The monitor trusts its peer (bulkheadd's own registry process) only as
 * far as this decoder checks: if that process were subverted, it still
 * could not name a path, a uid or a class the backend does not expect. */
#include "core/vmm_proto_parse.h"

#include <stdbool.h>
#include <string.h>

/*@ requires \valid_read(f + (0 .. n - 1));
    assigns \nothing; */
static long cstr_len(const char *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (f[i] == '\0')
			break;
	if (i == n)
		return -1;
	/* NUL-padded: nothing but NULs after the string. */
	for (size_t k = i; k < n; k++)
		if (f[k] != '\0')
			return -1;
	return (long)i;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] + 256u * ((uint32_t)p[1] + 256u * ((uint32_t)p[2] + 256u * (uint32_t)p[3]));
}

/* Offsets inside struct vmm_wire_qube. */
enum { QO_NAME = 0, QO_U32 = 32, QO_USER = 64 };

static int decode_name(const uint8_t *w, char *name)
{
	long n = cstr_len((const char *)w + QO_NAME, 32);

	if (n <= 0 || names_check(NAME_QUBE, w + QO_NAME, (size_t)n) < 0)
		return -1;
	memcpy(name, w + QO_NAME, (size_t)n + 1);
	return 0;
}

static int decode_qube(const uint8_t *w, bool name_only, struct vmm_qube *q)
{
	uint32_t v[8];
	long ulen;

	memset(q, 0, sizeof(*q));
	if (decode_name(w, q->name) < 0)
		return -1;
	if (name_only)
		return all_zero(w + QO_U32, sizeof(struct vmm_wire_qube) - QO_U32) ? 0 : -1;
	for (int i = 0; i < 8; i++)
		v[i] = get_u32(w + QO_U32 + 4 * i);
	ulen = cstr_len((const char *)w + QO_USER, VMM_USER_FIELD);
	if (v[0] == 0 || v[0] > QID_MAX || v[1] == CLASS_ADMINVM || v[1] >= CLASS_COUNT ||
	    v[2] >= LABEL_COUNT || v[3] < 32 || v[3] > 65536 || v[4] < 1 || v[4] > 256 ||
	    v[5] < 16 || v[5] > 65536 || v[6] < 1 || v[6] > 3600 || v[7] > 1 ||
	    ulen <= 0 || names_check(NAME_USER, w + QO_USER, (size_t)ulen) < 0)
		return -1;
	q->qid = v[0];
	q->klass = (enum qube_class)v[1];
	q->label = (enum label)v[2];
	q->memory_mb = v[3];
	q->vcpus = v[4];
	q->pids_max = v[5];
	q->shutdown_timeout_s = v[6];
	q->has_netvm = v[7] != 0;
	memcpy(q->default_user, w + QO_USER, (size_t)ulen + 1);
	return 0;
}

int vmm_request_decode(const uint8_t *untrusted_buf, size_t len, struct vmm_request *out)
{
	struct vmm_request r;
	uint32_t op, present, need;
	bool name_only;

	if (len != sizeof(struct vmm_wire_req))
		return -1;
	op = get_u32(untrusted_buf);
	present = get_u32(untrusted_buf + 4);
	switch (op) {
	case VMM_OP_VOLUME_CREATE:
	case VMM_OP_VOLUME_REMOVE:
		need = 1;
		break;
	case VMM_OP_VOLUME_CLONE:
		need = 3;
		break;
	case VMM_OP_START:
		/* q[0] always; root template and private source optional. */
		need = present & 7u;
		if (!(present & 1u))
			return -1;
		break;
	case VMM_OP_PAUSE: case VMM_OP_UNPAUSE: case VMM_OP_SHUTDOWN:
	case VMM_OP_KILL: case VMM_OP_STATUS:
		need = 1;
		break;
	default:
		return -1;
	}
	if (present != need)
		return -1;
	name_only = op >= VMM_OP_PAUSE;
	memset(&r, 0, sizeof(r));
	r.op = (enum vmm_op)op;
	r.present = present;
	for (unsigned i = 0; i < VMM_WIRE_QUBES; i++) {
		const uint8_t *w = untrusted_buf + 8 + i * sizeof(struct vmm_wire_qube);
		if (!(present & (1u << i))) {
			if (!all_zero(w, sizeof(struct vmm_wire_qube)))
				return -1;
			continue;
		}
		if (decode_qube(w, name_only, &r.q[i]) < 0)
			return -1;
	}
	*out = r;
	return 0;
}
