/* The monitor trusts its peer (bulkheadd's own registry process) only as
 * far as this decoder checks: if that process were subverted, it still
 * could not name a path, a uid or a class the backend does not expect. */
#include "core/vmm_proto_parse.h"

#include <stdbool.h>
#include <string.h>

#include "lib/bytes_parse.h"

/* s[0 .. size) holds a string: a NUL within the array.  (Said as "not
 * all non-NUL": the provers then find the witness themselves.) */
/*@ predicate vmm_cstr_ok(char *s, integer size) =
      !(\forall integer n; 0 <= n < size ==> s[n] != 0);
    predicate qube_sane(struct vmm_qube *q) =
      vmm_cstr_ok(&q->name[0], QUBE_NAME_MAX + 1) && vmm_cstr_ok(&q->default_user[0], USER_NAME_MAX + 1) &&
      q->qid <= QID_MAX && 0 <= q->klass < CLASS_COUNT && 0 <= q->label < LABEL_COUNT;
    predicate slot_zero(struct vmm_qube *q) =
      q->qid == 0 && q->klass == 0 && q->label == 0 && q->name[0] == 0 && q->default_user[0] == 0; */

/* Length of the NUL-padded string in f[0..n): -1 without a NUL or with a
 * non-NUL byte after it. */
/*@ requires 1 <= n <= 64;
    requires \valid_read(f + (0 .. n - 1));
    assigns \nothing;
    ensures range: -1 <= \result < n;
    ensures string: \result >= 0 ==> f[\result] == 0 &&
      (\forall integer k; 0 <= k < \result ==> f[k] != 0); */
static long cstr_len(const uint8_t *f, size_t n)
{
	size_t i;

	/*@ loop invariant bound: 0 <= i <= n;
	    loop invariant no_nul: \forall integer k; 0 <= k < i ==> f[k] != 0;
	    loop assigns i;
	    loop variant n - i; */
	for (i = 0; i < n; i++)
		if (f[i] == '\0')
			break;
	if (i == n)
		return -1;
	/* NUL-padded: nothing but NULs after the string. */
	/*@ loop invariant bound: i <= k <= n;
	    loop assigns k;
	    loop variant n - k; */
	for (size_t k = i; k < n; k++)
		if (f[k] != '\0')
			return -1;
	return (long)i;
}

/*@ requires \valid_read(p + (0 .. n - 1));
    assigns \nothing; */
static bool all_zero(const uint8_t *p, size_t n)
{
	/*@ loop invariant bound: 0 <= i <= n;
	    loop assigns i;
	    loop variant n - i; */
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

/*@ requires \valid_read(p + (0 .. 3));
    assigns \nothing; */
static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] + 256u * ((uint32_t)p[1] + 256u * ((uint32_t)p[2] + 256u * (uint32_t)p[3]));
}

/* Offsets inside struct vmm_wire_qube. */
enum { QO_NAME = 0, QO_U32 = 32, QO_USER = 64 };

/*@ requires \valid_read(w + (0 .. 99));
    requires \valid(name + (0 .. QUBE_NAME_MAX));
    requires \separated(w + (0 .. 99), name + (0 .. QUBE_NAME_MAX));
    assigns name[0 .. QUBE_NAME_MAX];
    ensures range: \result == 0 || \result == -1;
    ensures name: \result == 0 ==> vmm_cstr_ok(name, QUBE_NAME_MAX + 1); */
static int decode_name(const uint8_t *w, char *name)
{
	long n = cstr_len(w + QO_NAME, 32);

	if (n <= 0 || names_check(NAME_QUBE, w + QO_NAME, (size_t)n) < 0)
		return -1;
	bytes_copy_str(name, QUBE_NAME_MAX + 1, w + QO_NAME, (size_t)n);
	/*@ assert witness: name[n] == 0; */
	return 0;
}

/* q is all zero on entry (the caller's request starts zeroed). */
/*@ requires \valid_read(w + (0 .. 99));
    requires \valid(q);
    requires \separated(w + (0 .. 99), q);
    requires zero: q->qid == 0 && q->klass == 0 && q->label == 0 && q->default_user[0] == 0;
    assigns *q;
    ensures range: \result == 0 || \result == -1;
    ensures name: \result == 0 ==> vmm_cstr_ok(&q->name[0], QUBE_NAME_MAX + 1);
    ensures user: \result == 0 ==> vmm_cstr_ok(&q->default_user[0], USER_NAME_MAX + 1);
    ensures ranges: \result == 0 ==> q->qid <= QID_MAX && 0 <= q->klass < CLASS_COUNT &&
      0 <= q->label < LABEL_COUNT; */
static int decode_qube(const uint8_t *w, bool name_only, struct vmm_qube *q)
{
	uint32_t v[8];
	long ulen;

	if (decode_name(w, q->name) < 0)
		return -1;
	/*@ assert zero_user: q->default_user[0] == 0; */
	if (name_only)
		return all_zero(w + QO_U32, sizeof(struct vmm_wire_qube) - QO_U32) ? 0 : -1;
	/*@ loop invariant bound: 0 <= i <= 8;
	    loop assigns i, v[0 .. 7];
	    loop variant 8 - i; */
	for (int i = 0; i < 8; i++)
		v[i] = get_u32(w + QO_U32 + 4 * i);
	ulen = cstr_len(w + QO_USER, VMM_USER_FIELD);
	if (v[0] == 0 || v[0] > QID_MAX || v[1] == CLASS_ADMINVM || v[1] >= CLASS_COUNT ||
	    v[2] >= LABEL_COUNT || v[3] < 32 || v[3] > 65536 || v[4] < 1 || v[4] > 256 ||
	    v[5] < 16 || v[5] > 65536 || v[6] < 1 || v[6] > 3600 || v[7] > 1 ||
	    ulen <= 0 || ulen > (long)USER_NAME_MAX || names_check(NAME_USER, w + QO_USER, (size_t)ulen) < 0)
		return -1;
	q->qid = v[0];
	q->klass = (enum qube_class)v[1];
	q->label = (enum label)v[2];
	q->memory_mb = v[3];
	q->vcpus = v[4];
	q->pids_max = v[5];
	q->shutdown_timeout_s = v[6];
	q->has_netvm = v[7] != 0;
	bytes_copy_str(q->default_user, USER_NAME_MAX + 1, w + QO_USER, (size_t)ulen);
	/*@ assert witness: q->default_user[ulen] == 0; */
	return 0;
}

/* Request slot w (100 bytes) into q: a qube when present, else all zero. */
/*@ requires \valid_read(w + (0 .. 99));
    requires \valid(q);
    requires \separated(w + (0 .. 99), q);
    requires zero: q->qid == 0 && q->klass == 0 && q->label == 0 && q->name[0] == 0 &&
      q->default_user[0] == 0;
    assigns *q;
    ensures range: \result == 0 || \result == -1;
    ensures sane: \result == 0 ==> qube_sane(q); */
static int decode_slot(const uint8_t *w, bool present, bool name_only, struct vmm_qube *q)
{
	if (!present)
		return all_zero(w, sizeof(struct vmm_wire_qube)) ? 0 : -1;
	return decode_qube(w, name_only, q);
}

/* The request in the 308 bytes at untrusted_buf into *r (zeroed by the
 * caller); vmm_request_decode() copies it out only when it is accepted. */
/*@ requires \valid_read(untrusted_buf + (0 .. 307));
    requires \valid(r);
    requires \separated(untrusted_buf + (0 .. 307), r);
    requires zero: slot_zero(&r->q[0]) && slot_zero(&r->q[1]) && slot_zero(&r->q[2]);
    assigns *r;
    ensures range: \result == 0 || \result == -1;
    ensures accepted_op: \result == 0 ==> VMM_OP_VOLUME_CREATE <= r->op <= VMM_OP_MAX &&
      (r->present & 1u) != 0;
    ensures accepted_qubes: \result == 0 ==> qube_sane(&r->q[0]) && qube_sane(&r->q[1]) &&
      qube_sane(&r->q[2]); */
static int decode_request(const uint8_t *untrusted_buf, struct vmm_request *r)
{
	uint32_t op, present, need;
	bool name_only;

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
	_Static_assert(VMM_WIRE_QUBES == 3 && sizeof(struct vmm_wire_qube) == 100, "three 100-byte slots");
	r->op = (enum vmm_op)op;
	r->present = present;
	/* The three slots, in order (VMM_WIRE_QUBES). */
	if (decode_slot(untrusted_buf + 8, (present & 1u) != 0, name_only, &r->q[0]) < 0 ||
	    decode_slot(untrusted_buf + 108, (present & 2u) != 0, name_only, &r->q[1]) < 0 ||
	    decode_slot(untrusted_buf + 208, (present & 4u) != 0, name_only, &r->q[2]) < 0)
		return -1;
	return 0;
}

/*@ requires buf_readable: \valid_read(untrusted_buf + (0 .. len - 1));
    requires out_writable: \valid(out);
    requires \separated(untrusted_buf + (0 .. len - 1), out);
    assigns *out;
    behavior wrong_size:
      assumes len != sizeof(struct vmm_wire_req);
      assigns \nothing;
      ensures rejected: \result == -1;
    behavior sized:
      assumes len == sizeof(struct vmm_wire_req);
      assigns *out;
      ensures range: \result == 0 || \result == -1;
      ensures rejected_unchanged: \result == -1 ==> *out == \old(*out);
      ensures accepted_op: \result == 0 ==> VMM_OP_VOLUME_CREATE <= out->op <= VMM_OP_MAX &&
        (out->present & 1u) != 0;
    complete behaviors;
    disjoint behaviors; */
int vmm_request_decode(const uint8_t *untrusted_buf, size_t len, struct vmm_request *out)
{
	struct vmm_request r = { 0 };

	if (len != sizeof(struct vmm_wire_req))
		return -1;
	/*@ assert fresh: \separated(&r, out); */
	if (decode_request(untrusted_buf, &r) < 0)
		return -1;
	/* decode_request() proved qube_sane() of every slot of r; *out is r. */
	*out = r;
	/*@ assert copied: *out == r; */
	return 0;
}
