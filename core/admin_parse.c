/* Admin request parser.  Validates every field before writing anything;
 * reject, never repair. */
#include "core/admin_parse.h"

#include <stdbool.h>
#include <string.h>

#include "lib/bytes_parse.h"

enum field_kind { F_SOURCE, F_METHOD, F_DEST, F_ARG };

/*@ predicate adm_arg_char(integer c) = nm_alnum(c) || c == '_' || c == '.' || c == ':' ||
      c == '+' || c == '@' || c == '-';
    predicate adm_method_char(integer c) = nm_alnum(c) || c == '_' || c == '.';
    predicate kv_key_char(integer c) = nm_lower(c) || c == '_';
    predicate kv_value_char(integer c) = nm_alnum(c) || c == '_' || c == '.' || c == '-';
    // s[0 .. size) holds a string: a NUL within the array.  The copies
    // are NUL-padded to the end of their arrays, so the last byte is one.
    predicate cstr_ok(char *s, integer size) = s[size - 1] == 0;
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
      f == 0 || f == 2 ? QUBE_NAME_MAX : f == 1 ? ADMIN_METHOD_MAX : ADMIN_ARG_MAX; */

/* Longest value of field f (source, method, dest, arg), without its NUL. */
/*@ requires 0 <= f < 4;
    assigns \nothing;
    ensures \result == adm_max(f); */
static size_t field_max(int f)
{
	return f == 0 || f == 2 ? QUBE_NAME_MAX : f == 1 ? ADMIN_METHOD_MAX : ADMIN_ARG_MAX;
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
      ensures consumed: \result == ADMIN_PARSE_OK ==>
        4 <= out->payload_off <= len && out->payload_off + out->payload_len == len;
      ensures strings: \result == ADMIN_PARSE_OK ==>
        cstr_ok(&out->source[0], QUBE_NAME_MAX + 1) && cstr_ok(&out->method[0], ADMIN_METHOD_MAX + 1) &&
        cstr_ok(&out->dest[0], QUBE_NAME_MAX + 1) && cstr_ok(&out->arg[0], ADMIN_ARG_MAX + 1);
      ensures method_prefix: \result == ADMIN_PARSE_OK ==>
        out->method[0] == 'a' && out->method[1] == 'd' && out->method[2] == 'm' &&
        out->method[3] == 'i' && out->method[4] == 'n' && out->method[5] == '.';
    complete behaviors;
    disjoint behaviors; */
int admin_request_parse(const uint8_t *untrusted_buf, size_t len, struct admin_request *out)
{
	size_t off[4], flen[4], pos = 0;

	if (len > ADMIN_MAX_REQUEST)
		return ADMIN_PARSE_ETOOBIG;
	/*@ loop invariant bound: 0 <= f <= 4;
	    loop invariant pos: f <= pos <= len;
	    loop invariant lengths: \forall integer g; 0 <= g < f ==> flen[g] <= adm_max(g) && off[g] + flen[g] < pos;
	    loop invariant nul: \forall integer g; 0 <= g < f ==> untrusted_buf[off[g] + flen[g]] == 0;
	    loop invariant last: f > 0 ==> pos == off[f - 1] + flen[f - 1] + 1;
	    loop invariant method: f > 1 ==> flen[1] >= 7 && untrusted_buf[off[1]] == 'a' &&
	      untrusted_buf[off[1] + 1] == 'd' && untrusted_buf[off[1] + 2] == 'm' &&
	      untrusted_buf[off[1] + 3] == 'i' && untrusted_buf[off[1] + 4] == 'n' &&
	      untrusted_buf[off[1] + 5] == '.';
	    loop assigns f, pos, off[0 .. 3], flen[0 .. 3];
	    loop variant 4 - f; */
	for (int f = 0; f < 4; f++) {
		long n = field_len(untrusted_buf, len, pos, field_max(f));
		int rc;

		if (n < 0)
			return ADMIN_PARSE_EFIELD;
		off[f] = pos;
		flen[f] = (size_t)n;
		rc = check_field((enum field_kind)f, untrusted_buf + pos, (size_t)n);
		if (rc < 0)
			return rc;
		pos += (size_t)n + 1;
	}
	/* Everything validated: now, and only now, write the output. */
	bytes_copy_str(out->source, sizeof(out->source), untrusted_buf + off[0], flen[0]);
	bytes_copy_str(out->method, sizeof(out->method), untrusted_buf + off[1], flen[1]);
	bytes_copy_str(out->dest, sizeof(out->dest), untrusted_buf + off[2], flen[2]);
	bytes_copy_str(out->arg, sizeof(out->arg), untrusted_buf + off[3], flen[3]);
	out->payload_off = pos;
	out->payload_len = len - pos;
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
	struct admin_kv kv[ADMIN_KV_MAX] = { 0 }, cur;
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
