/* capd's message decoders and encoders.  Reject, never repair: a field
 * is accepted exactly as it is or the whole message is refused, and
 * nothing is written to *out before every check has passed. */
#include "capd/capd_parse.h"

/* Offsets inside the binding, the call and the token. */
enum {
	B_SQID = 0, B_TQID = 4, B_SOURCE = 8, B_TARGET = 40, B_SERVICE = 72, B_ARG = 144,
	C_REQID = CAPD_BINDING_SIZE,
	T_VERSION = 0, T_USES = 4, T_ID = 8, T_EPOCH = 24, T_GRANT = 40, T_EXPIRY = 48, T_MAC = 56,
	/* AUDIT */
	A_SOURCE = 0, A_TARGET = 32, A_SERVICE = 96, A_ARG = 168, A_REQID = 424, A_VERDICT = 456,
	A_REASON = 460, A_FILE = 492, A_LINE = 684,
	/* a grant entry */
	E_ID = 0, E_BINDING = 8, E_SCOPE = 408, E_VALUE = 412, E_REMAINING = 416, E_ZERO = 420,
	E_EXPIRES = 424, E_CREATED = 432,
};

_Static_assert(B_ARG + CAPD_ARG_FIELD == CAPD_BINDING_SIZE, "binding layout");
_Static_assert(C_REQID + CAPD_REQID_FIELD == CAPD_CALL_SIZE, "call layout");
_Static_assert(T_MAC + CAPD_MAC_SIZE == CAPD_TOKEN_SIZE && T_MAC == CAPD_TOKEN_MACED, "token layout");
_Static_assert(A_LINE + 4 == CAPD_AUDIT_SIZE, "audit layout");
_Static_assert(E_CREATED + 8 == CAPD_GRANT_ENTRY_SIZE, "grant entry layout");
_Static_assert(CAPD_REQID_FIELD == REQUEST_ID_SIZE, "request id field");
_Static_assert(CAPD_NAME_FIELD == QUBE_NAME_MAX + 1, "name field");
_Static_assert(CAPD_SERVICE_MAX < CAPD_SERVICE_FIELD && CAPD_ARG_MAX < CAPD_ARG_FIELD, "string fields");

uint32_t capd_req_size(uint32_t t)
{
	switch (t) {
	case CAPD_MINT:            return CAPD_MINT_SIZE;
	case CAPD_MINT_FROM_GRANT: return CAPD_MINT_GRANT_SIZE;
	case CAPD_REDEEM:          return CAPD_REDEEM_SIZE;
	case CAPD_GRANT_CREATE:    return CAPD_GRANT_SIZE;
	case CAPD_GRANT_LIST:      return CAPD_LIST_SIZE;
	case CAPD_GRANT_REVOKE:    return CAPD_REVOKE_SIZE;
	case CAPD_AUDIT:           return CAPD_AUDIT_SIZE;
	default:                   return 0;
	}
}

uint32_t capd_answer_size(uint32_t t)
{
	if (t == CAPD_MINT || t == CAPD_MINT_FROM_GRANT)
		return CAPD_TOKEN_SIZE;
	if (t == CAPD_GRANT_CREATE)
		return 8;
	if (t == CAPD_GRANT_LIST)
		return CAPD_LIST_ANSWER;
	return 0;
}

uint64_t capd_get_u64(const uint8_t *p)
{
	return (uint64_t)qrexec_get_u32(p) + 4294967296u * (uint64_t)qrexec_get_u32(p + 4);
}

void capd_put_u64(uint8_t *p, uint64_t v)
{
	qrexec_put_u32(p, (uint32_t)(v % 4294967296u));
	qrexec_put_u32(p + 4, (uint32_t)(v / 4294967296u));
}

int capd_req_hdr_decode(const uint8_t *untrusted_buf, size_t len, struct capd_hdr *out)
{
	uint32_t type, plen;

	if (len != CAPD_HDR_SIZE)
		return CAPD_ELENGTH;
	type = qrexec_get_u32(untrusted_buf);
	plen = qrexec_get_u32(untrusted_buf + 4);
	if (type < CAPD_MSG_MIN || type > CAPD_MSG_MAX)
		return CAPD_ETYPE;
	if (plen != capd_req_size(type))
		return CAPD_ELENGTH;
	out->type = type;
	out->len = plen;
	return CAPD_PARSE_OK;
}

/* Whether p[0..n) is exactly "dom0". */
/*@ requires \valid_read(p + (0 .. n - 1));
    assigns \nothing; */
static bool is_dom0(const uint8_t *p, size_t n)
{
	return n == 4 && qrexec_has_prefix(p, n, "dom0", 4);
}

/* A qube-name field of CAPD_NAME_FIELD bytes for a qid: dom0 exactly
 * when qid is 0, else a qube name (never "dom0").  *n is its length. */
/*@ requires \valid_read(f + (0 .. CAPD_NAME_FIELD - 1));
    requires \valid(n);
    requires \separated(n, f + (0 .. CAPD_NAME_FIELD - 1));
    assigns *n;
    ensures \result <= 0;
    ensures \result == CAPD_PARSE_OK ==> 1 <= *n < CAPD_NAME_FIELD && padded(f, CAPD_NAME_FIELD, *n); */
static int name_check(const uint8_t *f, uint32_t qid, size_t *n)
{
	size_t k = 0;
	int rc = qrexec_field_check(f, CAPD_NAME_FIELD, &k);

	if (rc == QREXEC_ENUL)
		return CAPD_ENUL;
	if (rc != QREXEC_OK)
		return CAPD_EPADDING;
	if (k == 0)
		return CAPD_ENAME;
	if (qid == 0) {
		if (!is_dom0(f, k))
			return CAPD_ENAME;
	} else if (is_dom0(f, k) || names_check(NAME_QUBE, f, k) != 0) {
		return CAPD_ENAME;
	}
	*n = k;
	return CAPD_PARSE_OK;
}

/* A string field of `size` bytes whose string has 0..max bytes of class
 * CS_SERVICE (with_plus: '+' allowed).  *n is its length. */
/*@ requires 1 <= max < size;
    requires err < 0;
    requires \valid_read(f + (0 .. size - 1));
    requires \valid(n);
    requires \separated(n, f + (0 .. size - 1));
    assigns *n;
    ensures \result <= 0;
    ensures \result == CAPD_PARSE_OK ==> *n <= max && padded(f, size, *n); */
static int svc_field(const uint8_t *f, size_t size, size_t max, bool with_plus, size_t *n, int err)
{
	size_t k = 0;
	int rc = qrexec_field_check(f, size, &k);

	if (rc == QREXEC_ENUL)
		return CAPD_ENUL;
	if (rc != QREXEC_OK)
		return CAPD_EPADDING;
	if (k > max || !qrexec_all_chars(f, k, CS_SERVICE))
		return err;
	if (!with_plus && qrexec_find_byte(f, k, '+') != k)
		return err;
	*n = k;
	return CAPD_PARSE_OK;
}

int capd_binding_decode(const uint8_t *untrusted_buf, size_t len, struct capd_binding *out)
{
	size_t sl = 0, tl = 0, vl = 0, al = 0;
	uint32_t sq, tq;
	int rc;

	if (len != CAPD_BINDING_SIZE)
		return CAPD_ELENGTH;
	sq = qrexec_get_u32(untrusted_buf + B_SQID);
	tq = qrexec_get_u32(untrusted_buf + B_TQID);
	if (sq > QREXEC_DOMID_MAX || tq > QREXEC_DOMID_MAX)
		return CAPD_EQID;
	rc = name_check(untrusted_buf + B_SOURCE, sq, &sl);
	if (rc != CAPD_PARSE_OK)
		return rc;
	rc = name_check(untrusted_buf + B_TARGET, tq, &tl);
	if (rc != CAPD_PARSE_OK)
		return rc;
	/* A qid names one qube: the same qid twice is a call to itself. */
	if (sq == tq)
		return CAPD_EQID;
	rc = svc_field(untrusted_buf + B_SERVICE, CAPD_SERVICE_FIELD, CAPD_SERVICE_MAX, false, &vl, CAPD_ESERVICE);
	if (rc != CAPD_PARSE_OK)
		return rc;
	if (vl == 0)
		return CAPD_ESERVICE;
	rc = svc_field(untrusted_buf + B_ARG, CAPD_ARG_FIELD, CAPD_ARG_MAX, true, &al, CAPD_EARG);
	if (rc != CAPD_PARSE_OK)
		return rc;
	out->source_qid = sq;
	out->target_qid = tq;
	qrexec_store_str(out->source, CAPD_NAME_FIELD, untrusted_buf + B_SOURCE, sl);
	qrexec_store_str(out->target, CAPD_NAME_FIELD, untrusted_buf + B_TARGET, tl);
	qrexec_store_str(out->service, CAPD_SERVICE_FIELD, untrusted_buf + B_SERVICE, vl);
	qrexec_store_str(out->argument, CAPD_ARG_FIELD, untrusted_buf + B_ARG, al);
	return CAPD_PARSE_OK;
}

/* A request-id field: NUL-padded, non-empty (unless may_be_empty), and
 * of the qrexec request-id charset.  *n is its length. */
/*@ requires \valid_read(f + (0 .. CAPD_REQID_FIELD - 1));
    requires \valid(n);
    requires \separated(n, f + (0 .. CAPD_REQID_FIELD - 1));
    assigns *n;
    ensures \result <= 0;
    ensures \result == CAPD_PARSE_OK ==> *n < CAPD_REQID_FIELD && padded(f, CAPD_REQID_FIELD, *n) &&
        (!may_be_empty ==> *n >= 1); */
static int reqid_field(const uint8_t *f, bool may_be_empty, size_t *n)
{
	size_t k = 0;
	int rc = qrexec_field_check(f, CAPD_REQID_FIELD, &k);

	if (rc == QREXEC_ENUL)
		return CAPD_ENUL;
	if (rc != QREXEC_OK)
		return CAPD_EPADDING;
	if (!(k == 0 && may_be_empty) && qrexec_reqid_check(f, k) != QREXEC_OK)
		return CAPD_EREQID;
	*n = k;
	return CAPD_PARSE_OK;
}

int capd_call_decode(const uint8_t *untrusted_buf, size_t len, struct capd_call *out)
{
	struct capd_binding b;
	size_t rl = 0;
	int rc;

	if (len != CAPD_CALL_SIZE)
		return CAPD_ELENGTH;
	rc = capd_binding_decode(untrusted_buf, CAPD_BINDING_SIZE, &b);
	if (rc != CAPD_PARSE_OK)
		return rc;
	rc = reqid_field(untrusted_buf + C_REQID, false, &rl);
	if (rc != CAPD_PARSE_OK)
		return rc;
	out->b = b;
	qrexec_store_str(out->request_id, CAPD_REQID_FIELD, untrusted_buf + C_REQID, rl);
	return CAPD_PARSE_OK;
}

/* dst[0..n) = src[0..n). */
/*@ requires \valid(dst + (0 .. n - 1));
    requires \valid_read(src + (0 .. n - 1));
    requires \separated(dst + (0 .. n - 1), src + (0 .. n - 1));
    assigns dst[0 .. n - 1];
    ensures \forall integer i; 0 <= i < n ==> dst[i] == src[i]; */
static void copy_bytes(uint8_t *dst, const uint8_t *src, size_t n)
{
	/*@ loop invariant bound: 0 <= i <= n;
	    loop invariant copied: \forall integer k; 0 <= k < i ==> dst[k] == src[k];
	    loop assigns i, dst[0 .. n - 1];
	    loop variant n - i; */
	for (size_t i = 0; i < n; i++)
		dst[i] = src[i];
}

int capd_token_decode(const uint8_t *untrusted_buf, size_t len, struct capd_token *out)
{
	if (len != CAPD_TOKEN_SIZE)
		return CAPD_ELENGTH;
	if (qrexec_get_u32(untrusted_buf + T_VERSION) != CAPD_TOKEN_VERSION ||
	    qrexec_get_u32(untrusted_buf + T_USES) != CAPD_TOKEN_USES)
		return CAPD_EVERSION;
	/* The byte arrays first, the numbers last: each ensures then has
	 * only plain field writes to see past. */
	copy_bytes(out->id, untrusted_buf + T_ID, CAPD_ID_SIZE);
	copy_bytes(out->epoch, untrusted_buf + T_EPOCH, CAPD_EPOCH_SIZE);
	copy_bytes(out->mac, untrusted_buf + T_MAC, CAPD_MAC_SIZE);
	out->version = CAPD_TOKEN_VERSION;
	out->uses = CAPD_TOKEN_USES;
	out->grant_id = capd_get_u64(untrusted_buf + T_GRANT);
	out->expiry_ms = capd_get_u64(untrusted_buf + T_EXPIRY);
	return CAPD_PARSE_OK;
}

int capd_mint_decode(const uint8_t *untrusted_buf, size_t len, struct capd_mint_req *out)
{
	struct capd_call c;
	uint32_t ttl, zero;
	int rc;

	if (len != CAPD_MINT_SIZE)
		return CAPD_ELENGTH;
	rc = capd_call_decode(untrusted_buf, CAPD_CALL_SIZE, &c);
	if (rc != CAPD_PARSE_OK)
		return rc;
	ttl = qrexec_get_u32(untrusted_buf + CAPD_CALL_SIZE);
	zero = qrexec_get_u32(untrusted_buf + CAPD_CALL_SIZE + 4);
	if (ttl > CAPD_TTL_MAX_MS)
		return CAPD_EVALUE;
	if (zero != 0)
		return CAPD_EZERO;
	out->call = c;
	out->ttl_ms = ttl;
	return CAPD_PARSE_OK;
}

int capd_redeem_decode(const uint8_t *untrusted_buf, size_t len, struct capd_redeem_req *out)
{
	struct capd_token t;
	struct capd_call c;
	int rc;

	if (len != CAPD_REDEEM_SIZE)
		return CAPD_ELENGTH;
	rc = capd_token_decode(untrusted_buf, CAPD_TOKEN_SIZE, &t);
	if (rc != CAPD_PARSE_OK)
		return rc;
	rc = capd_call_decode(untrusted_buf + CAPD_TOKEN_SIZE, CAPD_CALL_SIZE, &c);
	if (rc != CAPD_PARSE_OK)
		return rc;
	out->token = t;
	out->call = c;
	return CAPD_PARSE_OK;
}

/*@ assigns \nothing;
    ensures \result <==> capd_scope_ok(scope, value); */
static bool scope_valid(uint32_t scope, uint32_t value)
{
	switch (scope) {
	case CAPD_SCOPE_CALLS:
		return value >= 1 && value <= CAPD_GRANT_CALLS_MAX;
	case CAPD_SCOPE_MINUTES:
		return value >= 1 && value <= CAPD_GRANT_MINUTES_MAX;
	case CAPD_SCOPE_ALWAYS:
		return value == 0;
	default:
		return false;
	}
}

int capd_grant_decode(const uint8_t *untrusted_buf, size_t len, struct capd_grant_req *out)
{
	struct capd_binding b;
	uint32_t scope, value;
	int rc;

	if (len != CAPD_GRANT_SIZE)
		return CAPD_ELENGTH;
	rc = capd_binding_decode(untrusted_buf, CAPD_BINDING_SIZE, &b);
	if (rc != CAPD_PARSE_OK)
		return rc;
	scope = qrexec_get_u32(untrusted_buf + CAPD_BINDING_SIZE);
	value = qrexec_get_u32(untrusted_buf + CAPD_BINDING_SIZE + 4);
	if (!scope_valid(scope, value))
		return CAPD_ESCOPE;
	out->b = b;
	out->scope = scope;
	out->value = value;
	return CAPD_PARSE_OK;
}

int capd_u64_decode(const uint8_t *untrusted_buf, size_t len, uint64_t min_id, uint64_t *out)
{
	uint64_t v;

	if (len != 8)
		return CAPD_ELENGTH;
	v = capd_get_u64(untrusted_buf);
	if (v < min_id)
		return CAPD_EVALUE;
	*out = v;
	return CAPD_PARSE_OK;
}

/* Whether c may appear in an AUDIT reason ([a-z0-9-]) or file
 * ([A-Za-z0-9._/-]). */
/*@ assigns \nothing; */
static bool reason_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/*@ assigns \nothing; */
static bool file_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '/' || c == '-';
}

/*@ requires \valid_read(p + (0 .. n - 1));
    assigns \nothing; */
static bool all_reason(const uint8_t *p, size_t n)
{
	/*@ loop invariant bound: 0 <= i <= n;
	    loop assigns i;
	    loop variant n - i; */
	for (size_t i = 0; i < n; i++)
		if (!reason_char(p[i]))
			return false;
	return true;
}

/*@ requires \valid_read(p + (0 .. n - 1));
    assigns \nothing; */
static bool all_file(const uint8_t *p, size_t n)
{
	/*@ loop invariant bound: 0 <= i <= n;
	    loop assigns i;
	    loop variant n - i; */
	for (size_t i = 0; i < n; i++)
		if (!file_char(p[i]))
			return false;
	return true;
}

/* A plain NUL-padded field: 0 with *n its length, or ENUL / EPADDING. */
/*@ requires size >= 1;
    requires \valid_read(f + (0 .. size - 1));
    requires \valid(n);
    requires \separated(n, f + (0 .. size - 1));
    assigns *n;
    ensures \result <= 0;
    ensures \result == CAPD_PARSE_OK ==> padded(f, size, *n); */
static int plain_field(const uint8_t *f, size_t size, size_t *n)
{
	size_t k = 0;
	int rc = qrexec_field_check(f, size, &k);

	if (rc == QREXEC_ENUL)
		return CAPD_ENUL;
	if (rc != QREXEC_OK)
		return CAPD_EPADDING;
	*n = k;
	return CAPD_PARSE_OK;
}

/* Writes a checked AUDIT record (field lengths sl..fl) into *out.  Apart
 * so that capd_audit_decode's goals see one call, not eight stores:
 * proving its "\result <= 0" through the stores took Qed 30 s and more. */
/*@ requires \valid_read(untrusted_buf + (0 .. CAPD_AUDIT_SIZE - 1));
    requires \valid(out);
    requires \separated(out, untrusted_buf + (0 .. CAPD_AUDIT_SIZE - 1));
    requires sl < CAPD_NAME_FIELD && tl < CAPD_TARGET_FIELD && vl < CAPD_SERVICE_FIELD;
    requires al < CAPD_ARG_FIELD && rl < CAPD_REQID_FIELD;
    requires el < CAPD_REASON_FIELD && fl < CAPD_FILE_FIELD;
    requires verdict <= CAPD_VERDICT_MAX;
    assigns *out;
    ensures out->verdict <= CAPD_VERDICT_MAX &&
        out->file[CAPD_FILE_FIELD - 1] == 0 && out->reason[CAPD_REASON_FIELD - 1] == 0 &&
        out->target[CAPD_TARGET_FIELD - 1] == 0 && out->source[CAPD_NAME_FIELD - 1] == 0; */
static void audit_store(struct capd_audit_rec *out, const uint8_t *untrusted_buf, size_t sl, size_t tl,
			size_t vl, size_t al, size_t rl, size_t el, size_t fl, uint32_t verdict, uint32_t line)
{
	qrexec_store_str(out->source, CAPD_NAME_FIELD, untrusted_buf + A_SOURCE, sl);
	qrexec_store_str(out->target, CAPD_TARGET_FIELD, untrusted_buf + A_TARGET, tl);
	qrexec_store_str(out->service, CAPD_SERVICE_FIELD, untrusted_buf + A_SERVICE, vl);
	qrexec_store_str(out->argument, CAPD_ARG_FIELD, untrusted_buf + A_ARG, al);
	qrexec_store_str(out->request_id, CAPD_REQID_FIELD, untrusted_buf + A_REQID, rl);
	out->verdict = verdict;
	qrexec_store_str(out->reason, CAPD_REASON_FIELD, untrusted_buf + A_REASON, el);
	qrexec_store_str(out->file, CAPD_FILE_FIELD, untrusted_buf + A_FILE, fl);
	out->line = line;
}

int capd_audit_decode(const uint8_t *untrusted_buf, size_t len, struct capd_audit_rec *out)
{
	const uint8_t *untrusted_tgt = untrusted_buf + A_TARGET, *untrusted_reason = untrusted_buf + A_REASON;
	const uint8_t *untrusted_file = untrusted_buf + A_FILE;
	enum qrexec_target_kind kind = TARGET_QUBE;
	size_t sl = 0, tl = 0, vl = 0, al = 0, rl = 0, el = 0, fl = 0, off = 0;
	uint32_t verdict, line;
	int rc;

	if (len != CAPD_AUDIT_SIZE)
		return CAPD_ELENGTH;
	/* The source: a qube or dom0 (its qid is not in the record). */
	rc = plain_field(untrusted_buf + A_SOURCE, CAPD_NAME_FIELD, &sl);
	if (rc != CAPD_PARSE_OK)
		return rc;
	if (sl == 0 || (!is_dom0(untrusted_buf + A_SOURCE, sl) &&
			names_check(NAME_QUBE, untrusted_buf + A_SOURCE, sl) != 0))
		return CAPD_ENAME;
	rc = plain_field(untrusted_tgt, CAPD_TARGET_FIELD, &tl);
	if (rc != CAPD_PARSE_OK)
		return rc;
	if (qrexec_target_check(untrusted_tgt, tl, &kind, &off) != QREXEC_OK)
		return CAPD_ETARGET;
	rc = svc_field(untrusted_buf + A_SERVICE, CAPD_SERVICE_FIELD, CAPD_SERVICE_MAX, false, &vl, CAPD_ESERVICE);
	if (rc != CAPD_PARSE_OK)
		return rc;
	if (vl == 0)
		return CAPD_ESERVICE;
	rc = svc_field(untrusted_buf + A_ARG, CAPD_ARG_FIELD, CAPD_ARG_MAX, true, &al, CAPD_EARG);
	if (rc != CAPD_PARSE_OK)
		return rc;
	rc = reqid_field(untrusted_buf + A_REQID, true, &rl);
	if (rc != CAPD_PARSE_OK)
		return rc;
	verdict = qrexec_get_u32(untrusted_buf + A_VERDICT);
	if (verdict > CAPD_VERDICT_MAX)
		return CAPD_EVALUE;
	rc = plain_field(untrusted_reason, CAPD_REASON_FIELD, &el);
	if (rc != CAPD_PARSE_OK)
		return rc;
	if (el == 0 || !all_reason(untrusted_reason, el))
		return CAPD_EREASON;
	rc = plain_field(untrusted_file, CAPD_FILE_FIELD, &fl);
	if (rc != CAPD_PARSE_OK)
		return rc;
	line = qrexec_get_u32(untrusted_buf + A_LINE);
	if (!all_file(untrusted_file, fl) || (fl == 0) != (line == 0))
		return CAPD_EFILE;
	audit_store(out, untrusted_buf, sl, tl, vl, al, rl, el, fl, verdict, line);
	return CAPD_PARSE_OK;
}

int capd_reply_hdr_decode(const uint8_t *untrusted_buf, size_t len, uint32_t req_type, uint32_t *paylen)
{
	uint32_t type, plen;

	if (len != CAPD_HDR_SIZE || req_type < CAPD_MSG_MIN || req_type > CAPD_MSG_MAX)
		return CAPD_ELENGTH;
	type = qrexec_get_u32(untrusted_buf);
	plen = qrexec_get_u32(untrusted_buf + 4);
	if (type != (CAPD_REPLY | req_type))
		return CAPD_ETYPE;
	if (plen != CAPD_STATUS_SIZE && plen != CAPD_STATUS_SIZE + capd_answer_size(req_type))
		return CAPD_ELENGTH;
	*paylen = plen;
	return CAPD_PARSE_OK;
}

int capd_status_decode(const uint8_t *untrusted_buf, size_t len, uint32_t req_type, uint32_t *status)
{
	uint32_t s;

	if (len < CAPD_STATUS_SIZE)
		return CAPD_ELENGTH;
	s = qrexec_get_u32(untrusted_buf);
	if (s > CAPD_R_MAX)
		return CAPD_ESTATUS;
	/* An answer exactly with OK, a bare status exactly with a refusal
	 * (for the types whose answer is empty the two lengths coincide). */
	if (s == CAPD_OK && len != CAPD_STATUS_SIZE + capd_answer_size(req_type))
		return CAPD_ESTATUS;
	if (s != CAPD_OK && len != CAPD_STATUS_SIZE)
		return CAPD_ESTATUS;
	*status = s;
	return CAPD_PARSE_OK;
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

int capd_grant_entry_decode(const uint8_t *untrusted_buf, size_t len, struct capd_grant_entry *out)
{
	struct capd_binding b;
	uint64_t id, expires;
	uint32_t scope, value, remaining;
	int rc;

	if (len != CAPD_GRANT_ENTRY_SIZE)
		return CAPD_ELENGTH;
	id = capd_get_u64(untrusted_buf + E_ID);
	if (id == 0)
		return CAPD_EVALUE;
	rc = capd_binding_decode(untrusted_buf + E_BINDING, CAPD_BINDING_SIZE, &b);
	if (rc != CAPD_PARSE_OK)
		return rc;
	scope = qrexec_get_u32(untrusted_buf + E_SCOPE);
	value = qrexec_get_u32(untrusted_buf + E_VALUE);
	remaining = qrexec_get_u32(untrusted_buf + E_REMAINING);
	expires = capd_get_u64(untrusted_buf + E_EXPIRES);
	if (!scope_valid(scope, value))
		return CAPD_ESCOPE;
	/* Calls left only for a CALLS grant, an end only for a MINUTES one. */
	if (scope == CAPD_SCOPE_CALLS ? remaining > value : remaining != 0)
		return CAPD_EVALUE;
	if ((scope == CAPD_SCOPE_MINUTES) != (expires != 0))
		return CAPD_EVALUE;
	if (qrexec_get_u32(untrusted_buf + E_ZERO) != 0)
		return CAPD_EZERO;
	out->id = id;
	out->b = b;
	out->scope = scope;
	out->value = value;
	out->remaining = remaining;
	out->expires = expires;
	out->created = capd_get_u64(untrusted_buf + E_CREATED);
	return CAPD_PARSE_OK;
}

int capd_list_head_decode(const uint8_t *untrusted_buf, size_t len, uint32_t *count, uint32_t *more)
{
	uint32_t c, m;

	if (len != CAPD_LIST_ANSWER)
		return CAPD_ELENGTH;
	c = qrexec_get_u32(untrusted_buf);
	m = qrexec_get_u32(untrusted_buf + 4);
	if (c > CAPD_LIST_BATCH || m > 1)
		return CAPD_EVALUE;
	if (!all_zero(untrusted_buf + 8 + (size_t)c * CAPD_GRANT_ENTRY_SIZE,
		      (size_t)(CAPD_LIST_BATCH - c) * CAPD_GRANT_ENTRY_SIZE))
		return CAPD_EZERO;
	*count = c;
	*more = m;
	return CAPD_PARSE_OK;
}

/* ---- Encoders ---- */

/* dst[0..size) = the string in src (of at most size - 1 bytes, cut there
 * if longer), then NULs: a caller's field goes out NUL-padded whatever
 * bytes followed its NUL in memory. */
/*@ requires size >= 1;
    requires \valid_read(src + (0 .. size - 1));
    requires \valid(dst + (0 .. size - 1));
    requires \separated(dst + (0 .. size - 1), src + (0 .. size - 1));
    assigns dst[0 .. size - 1]; */
static void put_field(uint8_t *dst, size_t size, const char *src)
{
	bool ended = false;

	/*@ loop invariant bound: 0 <= i <= size;
	    loop assigns i, ended, dst[0 .. size - 1];
	    loop variant size - i; */
	for (size_t i = 0; i < size; i++) {
		if (i == size - 1 || src[i] == 0)
			ended = true;
		dst[i] = ended ? 0 : qrexec_byte(src[i]);
	}
}

void capd_hdr_encode(uint32_t type, uint32_t len, uint8_t *out)
{
	qrexec_put_u32(out, type);
	qrexec_put_u32(out + 4, len);
}

void capd_binding_encode(const struct capd_binding *b, uint8_t *out)
{
	qrexec_put_u32(out + B_SQID, b->source_qid);
	qrexec_put_u32(out + B_TQID, b->target_qid);
	put_field(out + B_SOURCE, CAPD_NAME_FIELD, b->source);
	put_field(out + B_TARGET, CAPD_NAME_FIELD, b->target);
	put_field(out + B_SERVICE, CAPD_SERVICE_FIELD, b->service);
	put_field(out + B_ARG, CAPD_ARG_FIELD, b->argument);
}

void capd_call_encode(const struct capd_call *c, uint8_t *out)
{
	capd_binding_encode(&c->b, out);
	put_field(out + C_REQID, CAPD_REQID_FIELD, c->request_id);
}

void capd_token_encode(const struct capd_token *t, uint8_t *out)
{
	qrexec_put_u32(out + T_VERSION, t->version);
	qrexec_put_u32(out + T_USES, t->uses);
	copy_bytes(out + T_ID, t->id, CAPD_ID_SIZE);
	copy_bytes(out + T_EPOCH, t->epoch, CAPD_EPOCH_SIZE);
	capd_put_u64(out + T_GRANT, t->grant_id);
	capd_put_u64(out + T_EXPIRY, t->expiry_ms);
	copy_bytes(out + T_MAC, t->mac, CAPD_MAC_SIZE);
}

void capd_grant_entry_encode(const struct capd_grant_entry *e, uint8_t *out)
{
	capd_put_u64(out + E_ID, e->id);
	capd_binding_encode(&e->b, out + E_BINDING);
	qrexec_put_u32(out + E_SCOPE, e->scope);
	qrexec_put_u32(out + E_VALUE, e->value);
	qrexec_put_u32(out + E_REMAINING, e->remaining);
	qrexec_put_u32(out + E_ZERO, 0);
	capd_put_u64(out + E_EXPIRES, e->expires);
	capd_put_u64(out + E_CREATED, e->created);
}

void capd_audit_encode(const struct capd_audit_rec *a, uint8_t *out)
{
	put_field(out + A_SOURCE, CAPD_NAME_FIELD, a->source);
	put_field(out + A_TARGET, CAPD_TARGET_FIELD, a->target);
	put_field(out + A_SERVICE, CAPD_SERVICE_FIELD, a->service);
	put_field(out + A_ARG, CAPD_ARG_FIELD, a->argument);
	put_field(out + A_REQID, CAPD_REQID_FIELD, a->request_id);
	qrexec_put_u32(out + A_VERDICT, a->verdict);
	put_field(out + A_REASON, CAPD_REASON_FIELD, a->reason);
	put_field(out + A_FILE, CAPD_FILE_FIELD, a->file);
	qrexec_put_u32(out + A_LINE, a->line);
}

int capd_binding_set(struct capd_binding *out, const char *source, uint32_t source_qid,
		     const char *target, uint32_t target_qid, const char *service, const char *argument)
{
	uint8_t w[CAPD_BINDING_SIZE];
	size_t sl = qrexec_cstr_len(source, CAPD_NAME_FIELD);
	size_t tl = qrexec_cstr_len(target, CAPD_NAME_FIELD);
	size_t vl = qrexec_cstr_len(service, CAPD_SERVICE_FIELD);
	size_t al = qrexec_cstr_len(argument, CAPD_ARG_FIELD);

	if (sl == CAPD_NAME_FIELD || tl == CAPD_NAME_FIELD)
		return CAPD_ENAME;
	if (vl == CAPD_SERVICE_FIELD)
		return CAPD_ESERVICE;
	if (al == CAPD_ARG_FIELD)
		return CAPD_EARG;
	/* The same checks as the wire's, on the bytes the wire will carry. */
	qrexec_put_u32(w + B_SQID, source_qid);
	qrexec_put_u32(w + B_TQID, target_qid);
	qrexec_put_str(w + B_SOURCE, CAPD_NAME_FIELD, source, sl);
	qrexec_put_str(w + B_TARGET, CAPD_NAME_FIELD, target, tl);
	qrexec_put_str(w + B_SERVICE, CAPD_SERVICE_FIELD, service, vl);
	qrexec_put_str(w + B_ARG, CAPD_ARG_FIELD, argument, al);
	return capd_binding_decode(w, sizeof(w), out);
}

int capd_call_set_reqid(struct capd_call *call, const char *request_id)
{
	uint8_t w[CAPD_REQID_FIELD];
	size_t rl = qrexec_cstr_len(request_id, CAPD_REQID_FIELD), n = 0;
	int rc;

	if (rl == CAPD_REQID_FIELD)
		return CAPD_EREQID;
	qrexec_put_str(w, CAPD_REQID_FIELD, request_id, rl);
	rc = reqid_field(w, false, &n);
	if (rc != CAPD_PARSE_OK)
		return rc;
	qrexec_store_str(call->request_id, CAPD_REQID_FIELD, w, n);
	return CAPD_PARSE_OK;
}
