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
    // s[0 .. size) holds a string: a NUL within the array.  (Said as "not
    // all non-NUL": the provers then find the witness themselves.)
    predicate cstr_ok(char *s, integer size) =
      !(\forall integer n; 0 <= n < size ==> s[n] != 0); */

/*@ requires \valid_read(a + (0 .. n - 1));
    requires \valid_read(b + (0 .. n - 1));
    assigns \nothing;
    ensures equal: \result <==> \forall integer k; 0 <= k < n ==> a[k] == b[k]; */
static bool span_eq(const uint8_t *a, const uint8_t *b, size_t n)
{
	/*@ loop invariant bound: 0 <= i <= n;
	    loop invariant equal: \forall integer k; 0 <= k < i ==> a[k] == b[k];
	    loop assigns i;
	    loop variant n - i; */
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

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
	bytes_copy_str(out->source, untrusted_buf + off[0], flen[0]);
	bytes_copy_str(out->method, untrusted_buf + off[1], flen[1]);
	bytes_copy_str(out->dest, untrusted_buf + off[2], flen[2]);
	bytes_copy_str(out->arg, untrusted_buf + off[3], flen[3]);
	/*@ assert witnesses: out->source[flen[0]] == 0 && out->method[flen[1]] == 0 &&
	      out->dest[flen[2]] == 0 && out->arg[flen[3]] == 0; */
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

/* The pair at buf[pos ..]: a key of [a-z_], '=', a value of
 * kv_value_char, up to the next ' ' or the end.  0 with *eq at its '='
 * and *end just after it, or -1. */
/*@ requires pos <= len;
    requires \valid_read(untrusted_buf + (0 .. len - 1));
    requires \valid(eq) && \valid(end) && \separated(eq, end);
    assigns *eq, *end;
    ensures range: \result == 0 || \result == -1;
    ensures pair: \result == 0 ==> pos < *eq && *eq + 1 < *end <= len &&
      *eq - pos <= TOKEN_NAME_MAX && *end - *eq - 1 <= TOKEN_NAME_MAX &&
      (*end == len || untrusted_buf[*end] == ' ') &&
      (\forall integer k; pos <= k < *eq ==> kv_key_char(untrusted_buf[k])) &&
      (\forall integer k; *eq < k < *end ==> kv_value_char(untrusted_buf[k])); */
static int kv_pair(const uint8_t *untrusted_buf, size_t len, size_t pos, size_t *eq, size_t *end)
{
	size_t e = 0, i;
	bool have_eq = false;

	/*@ loop invariant bound: pos <= i <= len;
	    loop invariant no_eq: !have_eq ==> \forall integer k; pos <= k < i ==> kv_key_char(untrusted_buf[k]);
	    loop invariant eq: have_eq ==> pos <= e < i && untrusted_buf[e] == '=' &&
	      (\forall integer k; pos <= k < e ==> kv_key_char(untrusted_buf[k])) &&
	      (\forall integer k; e < k < i ==> kv_value_char(untrusted_buf[k]));
	    loop invariant no_space: \forall integer k; pos <= k < i ==> untrusted_buf[k] != ' ';
	    loop assigns i, e, have_eq;
	    loop variant len - i; */
	for (i = pos; i < len && untrusted_buf[i] != ' '; i++) {
		uint8_t c = untrusted_buf[i];
		if (!have_eq && c == '=') {
			have_eq = true;
			e = i;
		} else if (!have_eq ? !kv_key_char(c) : !kv_value_char(c))
			return -1;
	}
	if (!have_eq || e == pos || e - pos > TOKEN_NAME_MAX || i == e + 1 || i - e - 1 > TOKEN_NAME_MAX)
		return -1;
	*eq = e;
	*end = i;
	return 0;
}

/* Whether the key buf[off .. off+n) is one of the first `count` keys. */
/*@ requires count <= ADMIN_KV_MAX;
    requires \valid_read(koff + (0 .. ADMIN_KV_MAX - 1)) && \valid_read(klen + (0 .. ADMIN_KV_MAX - 1));
    requires \forall integer k; 0 <= k < count ==> \valid_read(untrusted_buf + (koff[k] .. koff[k] + klen[k] - 1));
    requires \valid_read(untrusted_buf + (off .. off + n - 1));
    assigns \nothing; */
static bool key_seen(const uint8_t *untrusted_buf, const size_t *koff, const size_t *klen, size_t count,
		     size_t off, size_t n)
{
	/*@ loop invariant bound: 0 <= k <= count;
	    loop assigns k;
	    loop variant count - k; */
	for (size_t k = 0; k < count; k++)
		if (klen[k] == n && span_eq(untrusted_buf + koff[k], untrusted_buf + off, n))
			return true;
	return false;
}

/*@ requires buf_readable: \valid_read(untrusted_buf + (0 .. len - 1));
    requires out_writable: \valid(out + (0 .. ADMIN_KV_MAX - 1));
    requires \separated(untrusted_buf + (0 .. len - 1), out + (0 .. ADMIN_KV_MAX - 1));
    assigns out[0 .. ADMIN_KV_MAX - 1];
    ensures range: -1 <= \result <= (int)ADMIN_KV_MAX;
    ensures pairs: \forall integer i; 0 <= i < \result ==>
      cstr_ok(&out[i].key[0], TOKEN_NAME_MAX + 1) && cstr_ok(&out[i].value[0], TOKEN_NAME_MAX + 1); */
int admin_kv_parse(const uint8_t *untrusted_buf, size_t len, struct admin_kv out[ADMIN_KV_MAX])
{
	size_t koff[ADMIN_KV_MAX], klen[ADMIN_KV_MAX], voff[ADMIN_KV_MAX], vlen[ADMIN_KV_MAX];
	size_t n = 0, pos = 0;

	if (len == 0)
		return 0;
	/* Pass 1: find and check every pair. */
	/*@ loop invariant bound: pos < len && n <= ADMIN_KV_MAX;
	    loop invariant lengths: \forall integer i; 0 <= i < n ==>
	      1 <= klen[i] <= TOKEN_NAME_MAX && 1 <= vlen[i] <= TOKEN_NAME_MAX &&
	      koff[i] + klen[i] < voff[i] && voff[i] + vlen[i] < pos;
	    loop assigns pos, n, koff[0 .. ADMIN_KV_MAX - 1], klen[0 .. ADMIN_KV_MAX - 1],
	                 voff[0 .. ADMIN_KV_MAX - 1], vlen[0 .. ADMIN_KV_MAX - 1];
	    loop variant len - pos; */
	while (pos <= len) {
		size_t eq = 0, end = 0;

		if (n == ADMIN_KV_MAX)
			return -1;
		if (kv_pair(untrusted_buf, len, pos, &eq, &end) < 0)
			return -1;
		koff[n] = pos;
		klen[n] = eq - pos;
		voff[n] = eq + 1;
		vlen[n] = end - eq - 1;
		if (key_seen(untrusted_buf, koff, klen, n, koff[n], klen[n]))
			return -1;
		n++;
		if (end == len)
			break;
		pos = end + 1;          /* skip the single space */
		if (pos == len)
			return -1;      /* trailing space */
	}
	/* Pass 2: all valid, copy out. */
	/*@ loop invariant bound: 0 <= i <= n;
	    loop invariant keys: \forall integer j; 0 <= j < i ==> out[j].key[klen[j]] == 0;
	    loop invariant values: \forall integer j; 0 <= j < i ==> out[j].value[vlen[j]] == 0;
	    loop assigns i, out[0 .. n - 1];
	    loop variant n - i; */
	for (size_t i = 0; i < n; i++) {
		bytes_copy_str(out[i].key, untrusted_buf + koff[i], klen[i]);
		bytes_copy_str(out[i].value, untrusted_buf + voff[i], vlen[i]);
	}
	/*@ assert keys: \forall integer j; 0 <= j < n ==> cstr_ok(&out[j].key[0], TOKEN_NAME_MAX + 1); */
	/*@ assert values: \forall integer j; 0 <= j < n ==> cstr_ok(&out[j].value[0], TOKEN_NAME_MAX + 1); */
	return (int)n;
}
