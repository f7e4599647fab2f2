/* Admin request parser.  Validates every field before writing anything;
 * reject, never repair. */
#include "core/admin_parse.h"

#include <stdbool.h>
#include <string.h>

enum field_kind { F_SOURCE, F_METHOD, F_DEST, F_ARG };

/*@ predicate adm_arg_char(integer c) = nm_alnum(c) || c == '_' || c == '.' || c == ':' ||
      c == '+' || c == '@' || c == '-';
    predicate adm_method_char(integer c) = nm_alnum(c) || c == '_' || c == '.';
    predicate kv_key_char(integer c) = nm_lower(c) || c == '_';
    predicate kv_value_char(integer c) = nm_alnum(c) || c == '_' || c == '.' || c == '-';
    // A pair: key and value non-empty, NUL-padded strings of their charsets.
    predicate kv_sane(struct admin_kv kv) =
      kv.key[0] != 0 && kv.value[0] != 0 && kv.key[TOKEN_NAME_MAX] == 0 && kv.value[TOKEN_NAME_MAX] == 0 &&
      (\forall integer k; 0 <= k <= TOKEN_NAME_MAX ==> kv.key[k] == 0 || kv_key_char(kv.key[k])) &&
      (\forall integer k; 0 <= k <= TOKEN_NAME_MAX ==> kv.value[k] == 0 || kv_value_char(kv.value[k])); */

/*@ assigns \nothing;
    ensures \result <==> adm_arg_char(c); */
static bool arg_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == ':' || c == '+' || c == '@' || c == '-';
}

/*@ assigns \nothing;
    ensures \result <==> adm_method_char(c); */
static bool method_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.';
}

/* Length of the NUL-terminated field at buf[off..len), at most max bytes
 * before the NUL; -1 when there is no NUL in reach. */
/*@ requires off <= len <= ADMIN_MAX_REQUEST;
    requires max <= ADMIN_ARG_MAX;
    requires \valid_read(buf + (0 .. len - 1));
    assigns \nothing;
    ensures range: -1 <= \result <= (long)max;
    ensures found: \result >= 0 ==> off + \result < len && buf[off + \result] == 0; */
static long field_len(const uint8_t *buf, size_t len, size_t off, size_t max)
{
	size_t i;

	/*@ loop invariant bound: 0 <= i <= max + 1;
	    loop invariant in_buf: off + i <= len;
	    loop assigns i;
	    loop variant max + 1 - i; */
	for (i = 0; i <= max; i++) {
		if (off + i >= len)
			return -1;
		if (buf[off + i] == 0)
			return (long)i;
	}
	return -1;
}

/*@ requires \valid_read(p + (0 .. n - 1));
    assigns \nothing;
    ensures charset: \result ==> \forall integer k; 0 <= k < n ==>
      (method ? adm_method_char(p[k]) : adm_arg_char(p[k])); */
static bool all_chars(const uint8_t *p, size_t n, bool method)
{
	/*@ loop invariant 0 <= i <= n;
	    loop invariant charset: \forall integer k; 0 <= k < i ==>
	      (method ? adm_method_char(p[k]) : adm_arg_char(p[k]));
	    loop assigns i;
	    loop variant n - i; */
	for (size_t i = 0; i < n; i++)
		if (!(method ? method_char(p[i]) : arg_char(p[i])))
			return false;
	return true;
}

/*@ requires \valid_read(p + (0 .. n - 1));
    assigns \nothing;
    ensures \result ==> n == 4 && p[0] == 'd' && p[1] == 'o' && p[2] == 'm' && p[3] == '0'; */
static bool is_dom0(const uint8_t *p, size_t n)
{
	return n == 4 && p[0] == 'd' && p[1] == 'o' && p[2] == 'm' && p[3] == '0';
}

/*@ requires \valid_read(p + (0 .. n - 1));
    assigns \nothing;
    ensures range: ADMIN_PARSE_EARG <= \result <= 0 && \result != ADMIN_PARSE_ETOOBIG;
    ensures printable: \result == 0 ==> \forall integer k; 0 <= k < n ==> 0x20 <= p[k] <= 0x7e;
    ensures qube: \result == 0 && (kind == F_SOURCE || kind == F_DEST) ==>
      \forall integer k; 0 <= k < n ==> name_char(NAME_QUBE, k, p[k]);
    ensures source: \result == 0 && kind == F_SOURCE ==> n >= 1;
    ensures method: \result == 0 && kind == F_METHOD ==>
      n >= 7 && p[0] == 'a' && p[1] == 'd' && p[2] == 'm' && p[3] == 'i' && p[4] == 'n' && p[5] == '.' &&
      \forall integer k; 0 <= k < n ==> adm_method_char(p[k]);
    ensures arg: \result == 0 && kind == F_ARG ==> \forall integer k; 0 <= k < n ==> adm_arg_char(p[k]); */
static int check_field(enum field_kind kind, const uint8_t *p, size_t n)
{
	switch (kind) {
	case F_SOURCE:
		return (is_dom0(p, n) || names_check(NAME_QUBE, p, n) == 0) ? 0 : ADMIN_PARSE_ESOURCE;
	case F_METHOD:
		if (n < 7 || p[0] != 'a' || p[1] != 'd' || p[2] != 'm' || p[3] != 'i' || p[4] != 'n' ||
		    p[5] != '.' || !all_chars(p, n, true))
			return ADMIN_PARSE_EMETHOD;
		return 0;
	case F_DEST:
		return (n == 0 || is_dom0(p, n) || names_check(NAME_QUBE, p, n) == 0) ? 0 : ADMIN_PARSE_EDEST;
	case F_ARG:
		return all_chars(p, n, false) ? 0 : ADMIN_PARSE_EARG;
	}
	return ADMIN_PARSE_EFIELD;
}

/*@ logic integer adm_max(integer f) =
      f == F_SOURCE || f == F_DEST ? QUBE_NAME_MAX : f == F_METHOD ? ADMIN_METHOD_MAX : ADMIN_ARG_MAX;
    // Byte c may stand at position k of field f: a qube name (dom0 is
    // one by this charset), the method's or the argument's charset.
    predicate adm_field_char(integer f, integer k, integer c) =
      f == F_SOURCE || f == F_DEST ? name_char(NAME_QUBE, k, c) :
      f == F_METHOD ? adm_method_char(c) : adm_arg_char(c);
    // An accepted request's fields, as C strings in their arrays: the
    // last byte is NUL (the string ends within the array), and every
    // byte is a NUL or of the field's charset.  Of the struct's value:
    // admin_request_parse() builds it in a local that is never
    // addressed, so WP reasons about values, not memory.
    predicate adm_source_ok(struct admin_request r) = r.source[0] != 0 && r.source[QUBE_NAME_MAX] == 0 &&
      \forall integer k; 0 <= k <= QUBE_NAME_MAX ==> r.source[k] == 0 || adm_field_char(F_SOURCE, k, r.source[k]);
    predicate adm_method_ok(struct admin_request r) = r.method[ADMIN_METHOD_MAX] == 0 &&
      r.method[0] == 'a' && r.method[1] == 'd' && r.method[2] == 'm' && r.method[3] == 'i' &&
      r.method[4] == 'n' && r.method[5] == '.' &&
      \forall integer k; 0 <= k <= ADMIN_METHOD_MAX ==> r.method[k] == 0 || adm_field_char(F_METHOD, k, r.method[k]);
    predicate adm_dest_ok(struct admin_request r) = r.dest[QUBE_NAME_MAX] == 0 &&
      \forall integer k; 0 <= k <= QUBE_NAME_MAX ==> r.dest[k] == 0 || adm_field_char(F_DEST, k, r.dest[k]);
    predicate adm_arg_ok(struct admin_request r) = r.arg[ADMIN_ARG_MAX] == 0 &&
      \forall integer k; 0 <= k <= ADMIN_ARG_MAX ==> r.arg[k] == 0 || adm_field_char(F_ARG, k, r.arg[k]);
    // The payload is exactly the bytes the four fields did not consume.
    predicate adm_consumed(struct admin_request r, integer len) =
      4 <= r.payload_off <= len && r.payload_off + r.payload_len == len;
    // All of it (one postcondition: each costs Qed seconds on the whole path).
    predicate adm_request_ok(struct admin_request r, integer len) =
      adm_source_ok(r) && adm_method_ok(r) && adm_dest_ok(r) && adm_arg_ok(r) && adm_consumed(r, len); */

/* Field f of the request, at the start of buf[0 .. len): its length (at
 * most adm_max(f), a NUL after it) and in *field where it starts (buf),
 * checked against its charset; or a negative code.  The contract says
 * what *field holds, not that it is buf: the caller's copy then reads
 * (*field)[k], the very terms the charset is stated of. */
/*@ requires 0 <= f < 4;
    requires len <= ADMIN_MAX_REQUEST;
    requires \valid_read(buf + (0 .. len - 1));
    requires \valid(field);
    assigns *field;
    ensures range: ADMIN_PARSE_EARG <= \result <= adm_max(f) && \result != ADMIN_PARSE_ETOOBIG;
    ensures found: \result >= 0 ==> \result < len && \valid_read(*field + (0 .. \result - 1));
    ensures charset: \result >= 0 ==> \forall integer k; 0 <= k < \result ==>
      0x20 <= (*field)[k] <= 0x7e && adm_field_char(f, k, (*field)[k]);
    ensures source: \result >= 0 && f == F_SOURCE ==> \result >= 1;
    ensures method: \result >= 0 && f == F_METHOD ==> \result >= 7 &&
      (*field)[0] == 'a' && (*field)[1] == 'd' && (*field)[2] == 'm' && (*field)[3] == 'i' &&
      (*field)[4] == 'n' && (*field)[5] == '.'; */
static long field_at(enum field_kind f, const uint8_t *buf, size_t len, const uint8_t **field)
{
	size_t max = f == F_SOURCE || f == F_DEST ? QUBE_NAME_MAX : f == F_METHOD ? ADMIN_METHOD_MAX : ADMIN_ARG_MAX;
	long n = field_len(buf, len, 0, max);
	int rc;

	if (n < 0)
		return ADMIN_PARSE_EFIELD;
	rc = check_field(f, buf, (size_t)n);
	if (rc < 0)
		return rc;
	*field = buf;
	return n;
}

/*@ requires buf_readable: \valid_read(untrusted_buf + (0 .. len - 1));
    requires out_writable: \valid(out);
    requires \separated(untrusted_buf + (0 .. len - 1), out);
    assigns *out;
    behavior too_big:
      assumes len > ADMIN_MAX_REQUEST;
      assigns \nothing;
      ensures rejected: \result == ADMIN_PARSE_ETOOBIG;
    behavior fits:
      assumes len <= ADMIN_MAX_REQUEST;
      assigns *out;
      ensures range: ADMIN_PARSE_EARG <= \result <= ADMIN_PARSE_OK && \result != ADMIN_PARSE_ETOOBIG;
      ensures rejected_unchanged: \result != ADMIN_PARSE_OK ==> *out == \old(*out);
      ensures accepted: \result == ADMIN_PARSE_OK ==> adm_request_ok(*out, len);
    complete behaviors;
    disjoint behaviors; */
int admin_request_parse(const uint8_t *untrusted_buf, size_t len, struct admin_request *out)
{
	/* Never addressed: each field is copied in by the loop after its
	 * check, and *out is written once, only when all four are accepted. */
	struct admin_request r;
	const uint8_t *p = untrusted_buf;
	size_t pos = 0;
	long n;

	if (len > ADMIN_MAX_REQUEST)
		return ADMIN_PARSE_ETOOBIG;
	n = field_at(F_SOURCE, untrusted_buf + pos, len - pos, &p);
	if (n < 0)
		return (int)n;
	/*@ loop invariant bound: 0 <= k <= QUBE_NAME_MAX + 1;
	    loop invariant chars: \forall integer j; 0 <= j < k ==> r.source[j] == 0 || adm_field_char(F_SOURCE, j, r.source[j]);
	    loop invariant copied: \forall integer j; 0 <= j < k && j < n ==> r.source[j] == p[j];
	    loop invariant pad: \forall integer j; n <= j < k ==> r.source[j] == 0;
	    loop assigns k, r.source[0 .. QUBE_NAME_MAX];
	    loop variant QUBE_NAME_MAX + 1 - k; */
	for (size_t k = 0; k <= QUBE_NAME_MAX; k++)
		r.source[k] = k < (size_t)n ? (char)p[k] : '\0';
	pos += (size_t)n + 1;
	n = field_at(F_METHOD, untrusted_buf + pos, len - pos, &p);
	if (n < 0)
		return (int)n;
	/*@ loop invariant bound: 0 <= k <= ADMIN_METHOD_MAX + 1;
	    loop invariant chars: \forall integer j; 0 <= j < k ==> r.method[j] == 0 || adm_field_char(F_METHOD, j, r.method[j]);
	    loop invariant copied: \forall integer j; 0 <= j < k && j < n ==> r.method[j] == p[j];
	    loop invariant pad: \forall integer j; n <= j < k ==> r.method[j] == 0;
	    loop assigns k, r.method[0 .. ADMIN_METHOD_MAX];
	    loop variant ADMIN_METHOD_MAX + 1 - k; */
	for (size_t k = 0; k <= ADMIN_METHOD_MAX; k++)
		r.method[k] = k < (size_t)n ? (char)p[k] : '\0';
	pos += (size_t)n + 1;
	n = field_at(F_DEST, untrusted_buf + pos, len - pos, &p);
	if (n < 0)
		return (int)n;
	/*@ loop invariant bound: 0 <= k <= QUBE_NAME_MAX + 1;
	    loop invariant chars: \forall integer j; 0 <= j < k ==> r.dest[j] == 0 || adm_field_char(F_DEST, j, r.dest[j]);
	    loop invariant pad: \forall integer j; n <= j < k ==> r.dest[j] == 0;
	    loop assigns k, r.dest[0 .. QUBE_NAME_MAX];
	    loop variant QUBE_NAME_MAX + 1 - k; */
	for (size_t k = 0; k <= QUBE_NAME_MAX; k++)
		r.dest[k] = k < (size_t)n ? (char)p[k] : '\0';
	pos += (size_t)n + 1;
	n = field_at(F_ARG, untrusted_buf + pos, len - pos, &p);
	if (n < 0)
		return (int)n;
	/*@ loop invariant bound: 0 <= k <= ADMIN_ARG_MAX + 1;
	    loop invariant chars: \forall integer j; 0 <= j < k ==> r.arg[j] == 0 || adm_field_char(F_ARG, j, r.arg[j]);
	    loop invariant pad: \forall integer j; n <= j < k ==> r.arg[j] == 0;
	    loop assigns k, r.arg[0 .. ADMIN_ARG_MAX];
	    loop variant ADMIN_ARG_MAX + 1 - k; */
	for (size_t k = 0; k <= ADMIN_ARG_MAX; k++)
		r.arg[k] = k < (size_t)n ? (char)p[k] : '\0';
	pos += (size_t)n + 1;
	r.payload_off = pos;
	r.payload_len = len - pos;
	*out = r;
	return ADMIN_PARSE_OK;
}

const char *admin_parse_strerror(int code)
{
	switch (code) {
	case ADMIN_PARSE_OK:
		return "ok";
	case ADMIN_PARSE_ETOOBIG:
		return "request too large";
	case ADMIN_PARSE_EFIELD:
		return "malformed request: a field lacks its NUL or is too long";
	case ADMIN_PARSE_ESOURCE:
		return "malformed request: bad source";
	case ADMIN_PARSE_EMETHOD:
		return "malformed request: bad method name";
	case ADMIN_PARSE_EDEST:
		return "malformed request: bad destination";
	case ADMIN_PARSE_EARG:
		return "malformed request: bad argument";
	}
	return "malformed request";
}

/*@ assigns \nothing;
    ensures \result <==> kv_key_char(c); */
static bool kv_key_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || c == '_';
}

/*@ assigns \nothing;
    ensures \result <==> kv_value_char(c); */
static bool kv_value_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-';
}

/* The pair at buf[pos ..] into *kv: a key of [a-z_], '=', a value of
 * kv_value_char up to the next ' ' or the end, each of 1..TOKEN_NAME_MAX
 * bytes, NUL-padded.  Copied as it is read, each write checked against
 * its array where it is made: Eva, which does not relate offsets kept in
 * one array to lengths kept in another, then sees every access.  0 with
 * *end just after the pair, or -1. */
/*@ requires pos <= len;
    requires \valid_read(untrusted_buf + (0 .. len - 1));
    requires \valid(kv) && \valid(end);
    requires \separated(kv, end, untrusted_buf + (0 .. len - 1));
    assigns *kv, *end;
    ensures range: \result == 0 || \result == -1;
    ensures pair: \result == 0 ==> pos < *end <= len &&
      (*end == len || untrusted_buf[*end] == ' ') && kv_sane(*kv); */
static int kv_pair(const uint8_t *untrusted_buf, size_t len, size_t pos, struct admin_kv *kv, size_t *end)
{
	size_t i, kl = 0, vl = 0;
	bool have_eq = false;

	/*@ loop invariant bound: 0 <= k <= TOKEN_NAME_MAX + 1;
	    loop invariant zero: \forall integer j; 0 <= j < k ==> kv->key[j] == 0 && kv->value[j] == 0;
	    loop assigns k, kv->key[0 .. TOKEN_NAME_MAX], kv->value[0 .. TOKEN_NAME_MAX];
	    loop variant TOKEN_NAME_MAX + 1 - k; */
	for (size_t k = 0; k <= TOKEN_NAME_MAX; k++) {
		kv->key[k] = '\0';
		kv->value[k] = '\0';
	}
	/*@ loop invariant bound: pos <= i <= len;
	    loop invariant lengths: kl <= TOKEN_NAME_MAX && vl <= TOKEN_NAME_MAX && kl + vl <= i - pos &&
	      (!have_eq ==> vl == 0);
	    loop invariant key: \forall integer k; 0 <= k < kl ==> kv_key_char(kv->key[k]);
	    loop invariant key_pad: \forall integer k; kl <= k <= TOKEN_NAME_MAX ==> kv->key[k] == 0;
	    loop invariant value: \forall integer k; 0 <= k < vl ==> kv_value_char(kv->value[k]);
	    loop invariant value_pad: \forall integer k; vl <= k <= TOKEN_NAME_MAX ==> kv->value[k] == 0;
	    loop assigns i, kl, vl, have_eq, kv->key[0 .. TOKEN_NAME_MAX - 1], kv->value[0 .. TOKEN_NAME_MAX - 1];
	    loop variant len - i; */
	for (i = pos; i < len && untrusted_buf[i] != ' '; i++) {
		uint8_t c = untrusted_buf[i];

		if (!have_eq && c == '=') {
			have_eq = true;
		} else if (!have_eq) {
			if (!kv_key_char(c) || kl == TOKEN_NAME_MAX)
				return -1;
			/*@ assert ascii: (char)c == c; */
			kv->key[kl++] = (char)c;
		} else {
			if (!kv_value_char(c) || vl == TOKEN_NAME_MAX)
				return -1;
			/*@ assert ascii: (char)c == c; */
			kv->value[vl++] = (char)c;
		}
	}
	if (kl == 0 || vl == 0)
		return -1;
	*end = i;
	return 0;
}

/* Whether a and b hold the same key: the whole arrays, NUL padding
 * included (a key holds no NUL, so equal arrays are equal keys).  By
 * value: admin_kv_parse()'s pairs never have their address taken, so WP
 * reasons about them as plain values. */
/*@ assigns \nothing; */
static bool same_key(struct admin_kv a, struct admin_kv b)
{
	/*@ loop invariant bound: 0 <= k <= TOKEN_NAME_MAX + 1;
	    loop assigns k;
	    loop variant TOKEN_NAME_MAX + 1 - k; */
	for (size_t k = 0; k <= TOKEN_NAME_MAX; k++)
		if (a.key[k] != b.key[k])
			return false;
	return true;
}

/*@ requires buf_readable: \valid_read(untrusted_buf + (0 .. len - 1));
    requires out_writable: \valid(out + (0 .. ADMIN_KV_MAX - 1));
    requires \separated(untrusted_buf + (0 .. len - 1), out + (0 .. ADMIN_KV_MAX - 1));
    assigns out[0 .. ADMIN_KV_MAX - 1];
    ensures range: -1 <= \result <= (int)ADMIN_KV_MAX;
    ensures pairs: \forall integer i; 0 <= i < \result ==> kv_sane(out[i]); */
int admin_kv_parse(const uint8_t *untrusted_buf, size_t len, struct admin_kv out[ADMIN_KV_MAX])
{
	/* Zeroed although every pair is written whole: Eva, which does not
	 * know which pairs are filled, then sees no uninitialised read. */
	struct admin_kv kv[ADMIN_KV_MAX] = { 0 }, cur = { 0 };
	size_t n = 0, pos = 0, end = 0;

	if (len == 0)
		return 0;
	/* Every pair, checked, into kv[]; out is written once all are. */
	/*@ loop invariant bound: pos < len && n <= ADMIN_KV_MAX;
	    loop invariant sane: \forall integer j; 0 <= j < n ==> kv_sane(kv[j]);
	    loop assigns pos, n, end, cur, kv[0 .. ADMIN_KV_MAX - 1];
	    loop variant len - pos; */
	while (pos <= len) {
		if (n == ADMIN_KV_MAX)
			return -1;
		if (kv_pair(untrusted_buf, len, pos, &cur, &end) < 0)
			return -1;
		/*@ loop invariant bound: 0 <= j <= n;
		    loop assigns j;
		    loop variant n - j; */
		for (size_t j = 0; j < n; j++)
			if (same_key(kv[j], cur))
				return -1;
		kv[n++] = cur;
		if (end == len)
			break;
		pos = end + 1;          /* skip the single space */
		if (pos == len)
			return -1;      /* trailing space */
	}
	/*@ loop invariant bound: 0 <= i <= n;
	    loop invariant copied: \forall integer j; 0 <= j < i ==> kv_sane(out[j]);
	    loop assigns i, out[0 .. n - 1];
	    loop variant n - i; */
	for (size_t i = 0; i < n; i++)
		out[i] = kv[i];
	return (int)n;
}
