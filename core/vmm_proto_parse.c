/* The monitor trusts its peer (bulkheadd's own registry process) only as
 * far as this decoder checks: if that process were subverted, it still
 * could not name a path, a uid or a class the backend does not expect. */
#include "core/vmm_proto_parse.h"

#include <stdbool.h>
#include <string.h>

/* A decoded qube, as a value (the slots are built in locals that are
 * never addressed, so WP reasons about values, not memory): its name and
 * default user are C strings in their arrays (the last byte is NUL) of
 * names_check()'s charsets (every byte a NUL or name_char() of its kind
 * at its position); qid, class and label in range; a full slot (qid not
 * 0: a name-only or absent slot is all zero after its name) has its
 * memory within its ceiling and its qrexec timeout in range, all zero
 * otherwise. */
/*@ predicate qube_limits_ok(struct vmm_qube q) =
      32 <= q.memory_mb <= q.maxmem_mb <= 65536 && 1 <= q.qrexec_timeout_s <= 3600;
    predicate qube_ok(struct vmm_qube q) =
      q.name[QUBE_NAME_MAX] == 0 &&
      (\forall integer k; 0 <= k <= QUBE_NAME_MAX ==> q.name[k] == 0 || name_char(NAME_QUBE, k, q.name[k])) &&
      q.default_user[USER_NAME_MAX] == 0 &&
      (\forall integer k; 0 <= k <= USER_NAME_MAX ==>
        q.default_user[k] == 0 || name_char(NAME_USER, k, q.default_user[k])) &&
      q.qid <= QID_MAX && 0 <= q.klass < CLASS_COUNT && 0 <= q.label < LABEL_COUNT &&
      (q.qid != 0 ==> qube_limits_ok(q)) &&
      (q.qid == 0 ==> q.memory_mb == 0 && q.maxmem_mb == 0 && q.qrexec_timeout_s == 0);
    // A known op, with q[0] present (bit 0 of present).
    predicate request_op_ok(struct vmm_request r) =
      VMM_OP_VOLUME_CREATE <= r.op <= VMM_OP_MAX && r.present % 2 == 1;
    predicate request_ok(struct vmm_request r) = qube_ok(r.q[0]) && qube_ok(r.q[1]) && qube_ok(r.q[2]); */

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

/* Offsets inside struct vmm_wire_qube: the name, QN_U32 u32s, the user. */
enum { QO_NAME = 0, QO_U32 = 32, QN_U32 = 10, QO_USER = QO_U32 + 4 * QN_U32 };

/* The default user in f, the slot's VMM_USER_FIELD bytes: its length
 * (1..USER_NAME_MAX) and in *user where it starts (f), or -1.  The
 * contract says what *user holds, not that it is f: the caller's copy
 * then reads (*user)[k], the very terms the charset is stated of. */
/*@ requires \valid_read(f + (0 .. VMM_USER_FIELD - 1));
    requires \valid(user);
    assigns *user;
    ensures range: \result == -1 || 1 <= \result <= USER_NAME_MAX;
    ensures user: \result >= 1 ==> \valid_read(*user + (0 .. \result - 1)) &&
      \forall integer k; 0 <= k < \result ==> name_char(NAME_USER, k, (*user)[k]); */
static long user_at(const uint8_t *f, const uint8_t **user)
{
	long n = cstr_len(f, VMM_USER_FIELD);

	if (n <= 0 || n > (long)USER_NAME_MAX || names_check(NAME_USER, f, (size_t)n) < 0)
		return -1;
	*user = f;
	return n;
}

/* A slot decoded: rc 0 and the qube, or rc -1. */
struct vmm_slot {
	int rc;
	struct vmm_qube q;
};

/* Request slot w (108 bytes): a qube when present (its name only, the
 * rest zero, when name_only), else all zero.  Returned by value, built
 * in a local that is never addressed. */
/*@ requires \valid_read(w + (0 .. 107));
    assigns \nothing;
    ensures range: \result.rc == 0 || \result.rc == -1;
    ensures sane: \result.rc == 0 ==> qube_ok(\result.q);
    ensures full: \result.rc == 0 && present && !name_only ==> \result.q.qid != 0; */
static struct vmm_slot decode_slot(const uint8_t *w, bool present, bool name_only)
{
	struct vmm_slot s = { .rc = -1 };
	const uint8_t *user = w;
	uint32_t v[QN_U32];
	long n, ulen = 0;

	if (!present) {
		if (all_zero(w, sizeof(struct vmm_wire_qube)))
			s.rc = 0;
		return s;
	}
	n = cstr_len(w + QO_NAME, 32);
	if (n <= 0 || names_check(NAME_QUBE, w + QO_NAME, (size_t)n) < 0)
		return s;
	if (name_only) {
		if (!all_zero(w + QO_U32, sizeof(struct vmm_wire_qube) - QO_U32))
			return s;
	} else {
		/*@ loop invariant bound: 0 <= i <= QN_U32;
		    loop assigns i, v[0 .. QN_U32 - 1];
		    loop variant QN_U32 - i; */
		for (int i = 0; i < QN_U32; i++)
			v[i] = get_u32(w + QO_U32 + 4 * i);
		ulen = user_at(w + QO_USER, &user);
		/* In struct vmm_wire_qube's order; maxmem (v[4]) is the
		 * effective ceiling, never below memory (v[3]). */
		if (v[0] == 0 || v[0] > QID_MAX || v[1] == CLASS_ADMINVM || v[1] >= CLASS_COUNT ||
		    v[2] >= LABEL_COUNT || v[3] < 32 || v[3] > 65536 || v[4] < v[3] || v[4] > 65536 ||
		    v[5] < 1 || v[5] > 256 || v[6] < 16 || v[6] > 65536 || v[7] < 1 || v[7] > 3600 ||
		    v[8] < 1 || v[8] > 3600 || v[9] > 1 || ulen < 0)
			return s;
		s.q.qid = v[0];
		s.q.klass = (enum qube_class)v[1];
		s.q.label = (enum label)v[2];
		s.q.memory_mb = v[3];
		s.q.maxmem_mb = v[4];
		s.q.vcpus = v[5];
		s.q.pids_max = v[6];
		s.q.shutdown_timeout_s = v[7];
		s.q.qrexec_timeout_s = v[8];
		s.q.has_netvm = v[9] != 0;
	}
	/*@ loop invariant bound: 0 <= k <= QUBE_NAME_MAX + 1;
	    loop invariant chars: \forall integer j; 0 <= j < k ==> s.q.name[j] == 0 || name_char(NAME_QUBE, j, s.q.name[j]);
	    loop invariant pad: \forall integer j; n <= j < k ==> s.q.name[j] == 0;
	    loop assigns k, s.q.name[0 .. QUBE_NAME_MAX];
	    loop variant QUBE_NAME_MAX + 1 - k; */
	for (size_t k = 0; k <= QUBE_NAME_MAX; k++)
		s.q.name[k] = k < (size_t)n ? (char)w[QO_NAME + k] : '\0';
	/* ulen is 0 for name_only: the user stays all NUL. */
	/*@ loop invariant bound: 0 <= k <= USER_NAME_MAX + 1;
	    loop invariant chars: \forall integer j; 0 <= j < k ==>
	      s.q.default_user[j] == 0 || name_char(NAME_USER, j, s.q.default_user[j]);
	    loop invariant pad: \forall integer j; ulen <= j < k ==> s.q.default_user[j] == 0;
	    loop assigns k, s.q.default_user[0 .. USER_NAME_MAX];
	    loop variant USER_NAME_MAX + 1 - k; */
	for (size_t k = 0; k <= USER_NAME_MAX; k++)
		s.q.default_user[k] = k < (size_t)ulen ? (char)user[k] : '\0';
	s.rc = 0;
	return s;
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
      ensures accepted_op: \result == 0 ==> request_op_ok(*out);
      ensures accepted_qubes: \result == 0 ==> request_ok(*out);
      ensures accepted_full: \result == 0 && out->op < VMM_OP_PAUSE ==> qube_limits_ok(out->q[0]);
    complete behaviors;
    disjoint behaviors; */
int vmm_request_decode(const uint8_t *untrusted_buf, size_t len, struct vmm_request *out)
{
	/* Never addressed: the slots are decoded by value into it, and *out
	 * is written once, only when the whole request is accepted. */
	struct vmm_request r;
	struct vmm_slot s;
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
		/* q[0] always; root template and private source optional.
		 * (% rather than &: the provers compute remainders of
		 * constants, not bitwise ands.) */
		need = present % 8u;
		if (present % 2u == 0)
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
	_Static_assert(VMM_WIRE_QUBES == 3 && sizeof(struct vmm_wire_qube) == 108, "three 108-byte slots");
	_Static_assert(offsetof(struct vmm_wire_qube, qid) == QO_U32 &&
		       offsetof(struct vmm_wire_qube, has_netvm) == QO_U32 + 4 * (QN_U32 - 1) &&
		       offsetof(struct vmm_wire_qube, default_user) == QO_USER, "slot offsets");
	r.op = (enum vmm_op)op;
	r.present = present;
	/* The three slots, in order (VMM_WIRE_QUBES); q[0] is present in
	 * every request accepted so far (present is odd). */
	s = decode_slot(untrusted_buf + 8, present % 2u != 0, name_only);
	if (s.rc < 0)
		return -1;
	r.q[0] = s.q;
	s = decode_slot(untrusted_buf + 116, (present & 2u) != 0, name_only);
	if (s.rc < 0)
		return -1;
	r.q[1] = s.q;
	s = decode_slot(untrusted_buf + 224, (present & 4u) != 0, name_only);
	if (s.rc < 0)
		return -1;
	r.q[2] = s.q;
	*out = r;
	return 0;
}
