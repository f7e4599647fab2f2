/* Admin request parser.  Validates every field before writing anything;
 * reject, never repair. */
#include "core/admin_parse.h"

#include <stdbool.h>
#include <string.h>

enum field_kind { F_SOURCE, F_METHOD, F_DEST, F_ARG };

/*@ assigns \nothing; */
static bool arg_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == ':' || c == '+' || c == '@' || c == '-';
}

/*@ assigns \nothing; */
static bool method_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.';
}

/* Length of the NUL-terminated field at buf[off..len), at most max bytes
 * before the NUL; -1 when there is no NUL in reach. */
/*@ requires off <= len;
    requires \valid_read(buf + (0 .. len - 1));
    assigns \nothing;
    ensures -1 <= \result <= (long)max;
    ensures \result >= 0 ==> off + \result < len && buf[off + \result] == 0; */
static long field_len(const uint8_t *buf, size_t len, size_t off, size_t max)
{
	size_t i;

	/*@ loop invariant 0 <= i <= max + 1;
	    loop invariant \forall integer k; 0 <= k < i ==> off + k < len && buf[off + k] != 0;
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
    assigns \nothing; */
static bool all_chars(const uint8_t *p, size_t n, bool method)
{
	/*@ loop invariant 0 <= i <= n;
	    loop assigns i;
	    loop variant n - i; */
	for (size_t i = 0; i < n; i++)
		if (!(method ? method_char(p[i]) : arg_char(p[i])))
			return false;
	return true;
}

static bool is_dom0(const uint8_t *p, size_t n)
{
	return n == 4 && p[0] == 'd' && p[1] == 'o' && p[2] == 'm' && p[3] == '0';
}

static int check_field(enum field_kind kind, const uint8_t *p, size_t n)
{
	switch (kind) {
	case F_SOURCE:
		return (is_dom0(p, n) || names_check(NAME_QUBE, p, n) == 0) ? 0 : ADMIN_PARSE_ESOURCE;
	case F_METHOD:
		if (n < 7 || memcmp(p, "admin.", 6) != 0 || !all_chars(p, n, true))
			return ADMIN_PARSE_EMETHOD;
		return 0;
	case F_DEST:
		return (n == 0 || is_dom0(p, n) || names_check(NAME_QUBE, p, n) == 0) ? 0 : ADMIN_PARSE_EDEST;
	case F_ARG:
		return all_chars(p, n, false) ? 0 : ADMIN_PARSE_EARG;
	}
	return ADMIN_PARSE_EFIELD;
}

int admin_request_parse(const uint8_t *untrusted_buf, size_t len, struct admin_request *out)
{
	static const size_t max[4] = { QUBE_NAME_MAX, ADMIN_METHOD_MAX, QUBE_NAME_MAX, ADMIN_ARG_MAX };
	size_t off[4], flen[4], pos = 0;

	if (len > ADMIN_MAX_REQUEST)
		return ADMIN_PARSE_ETOOBIG;
	for (int f = 0; f < 4; f++) {
		long n = field_len(untrusted_buf, len, pos, max[f]);
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
	memcpy(out->source, untrusted_buf + off[0], flen[0]);
	out->source[flen[0]] = '\0';
	memcpy(out->method, untrusted_buf + off[1], flen[1]);
	out->method[flen[1]] = '\0';
	memcpy(out->dest, untrusted_buf + off[2], flen[2]);
	out->dest[flen[2]] = '\0';
	memcpy(out->arg, untrusted_buf + off[3], flen[3]);
	out->arg[flen[3]] = '\0';
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

/*@ assigns \nothing; */
static bool kv_key_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || c == '_';
}

/*@ assigns \nothing; */
static bool kv_value_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-';
}

int admin_kv_parse(const uint8_t *untrusted_buf, size_t len, struct admin_kv out[ADMIN_KV_MAX])
{
	size_t koff[ADMIN_KV_MAX], klen[ADMIN_KV_MAX], voff[ADMIN_KV_MAX], vlen[ADMIN_KV_MAX];
	size_t n = 0, pos = 0;

	if (len == 0)
		return 0;
	/* Pass 1: find and check every pair. */
	while (pos <= len) {
		size_t start = pos, eq = 0, end;
		bool have_eq = false;

		if (n == ADMIN_KV_MAX)
			return -1;
		for (end = pos; end < len && untrusted_buf[end] != ' '; end++) {
			uint8_t c = untrusted_buf[end];
			if (!have_eq && c == '=') {
				have_eq = true;
				eq = end;
			} else if (!have_eq ? !kv_key_char(c) : !kv_value_char(c))
				return -1;
		}
		if (!have_eq || eq == start || eq - start > TOKEN_NAME_MAX || end == eq + 1 ||
		    end - eq - 1 > TOKEN_NAME_MAX)
			return -1;
		koff[n] = start;
		klen[n] = eq - start;
		voff[n] = eq + 1;
		vlen[n] = end - eq - 1;
		for (size_t k = 0; k < n; k++)
			if (klen[k] == klen[n] && memcmp(untrusted_buf + koff[k], untrusted_buf + koff[n], klen[n]) == 0)
				return -1;
		n++;
		if (end == len)
			break;
		pos = end + 1;          /* skip the single space */
		if (pos == len)
			return -1;      /* trailing space */
	}
	/* Pass 2: all valid, copy out. */
	for (size_t i = 0; i < n; i++) {
		memcpy(out[i].key, untrusted_buf + koff[i], klen[i]);
		out[i].key[klen[i]] = '\0';
		memcpy(out[i].value, untrusted_buf + voff[i], vlen[i]);
		out[i].value[vlen[i]] = '\0';
	}
	return (int)n;
}
