/* Token validation.  Reject, never repair: the caller gets -1 and the
 * offending value is not changed into something acceptable. */
#include "names_parse.h"

#include <string.h>

/*@ assigns \nothing;
    ensures \result != 0 <==> (('a' <= c <= 'z') || ('A' <= c <= 'Z') || ('0' <= c <= '9')); */
static bool is_alnum(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Whether c may appear at position i (of a token of length len) of kind. */
/*@ requires i < len;
    assigns \nothing; */
static bool char_ok(enum name_kind kind, uint8_t c, size_t i, size_t len)
{
	(void)len;
	switch (kind) {
	case NAME_QUBE:
		if (i == 0)
			return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
		return is_alnum(c) || c == '_' || c == '.' || c == '-';
	case NAME_PROPERTY:
		if (i == 0)
			return c >= 'a' && c <= 'z';
		return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
	case NAME_FEATURE:
		if (i == 0 && c == '.')
			return false;
		return is_alnum(c) || c == '_' || c == '.' || c == '-';
	case NAME_TAG:
		return is_alnum(c) || c == '_' || c == '-';
	case NAME_USER:
		if (i == 0)
			return (c >= 'a' && c <= 'z') || c == '_';
		return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
	case NAME_VALUE:
		return c >= 0x20 && c <= 0x7e;
	}
	return false;
}

/*@ assigns \nothing; */
static size_t kind_max(enum name_kind kind)
{
	switch (kind) {
	case NAME_QUBE:
		return QUBE_NAME_MAX;
	case NAME_USER:
		return USER_NAME_MAX;
	case NAME_VALUE:
		return VALUE_MAX;
	case NAME_PROPERTY:
	case NAME_FEATURE:
	case NAME_TAG:
		return TOKEN_NAME_MAX;
	}
	return 0;
}

/*@ requires \valid_read(buf + (0 .. len - 1));
    requires \valid_read(lit + (0 .. n - 1));
    assigns \nothing; */
static bool bytes_eq(const uint8_t *buf, size_t len, const char *lit, size_t n)
{
	if (len != n)
		return false;
	/*@ loop invariant 0 <= i <= n;
	    loop assigns i;
	    loop variant n - i; */
	for (size_t i = 0; i < n; i++)
		if (buf[i] != (uint8_t)lit[i])
			return false;
	return true;
}

/*@ requires \valid_read(buf + (0 .. len - 1));
    assigns \nothing;
    ensures \result == 0 || \result == -1;
    ensures \result == 0 ==> len <= 1023; */
int names_check(enum name_kind kind, const uint8_t *buf, size_t len)
{
	size_t max = kind_max(kind);

	if (len > max || (len == 0 && kind != NAME_VALUE))
		return -1;
	/*@ loop invariant 0 <= i <= len;
	    loop assigns i;
	    loop variant len - i; */
	for (size_t i = 0; i < len; i++)
		if (!char_ok(kind, buf[i], i, len))
			return -1;
	if (kind == NAME_QUBE) {
		if (len >= 3 && buf[len - 3] == '-' && buf[len - 2] == 'd' && buf[len - 1] == 'm')
			return -1;
		if (bytes_eq(buf, len, "none", 4) || bytes_eq(buf, len, "default", 7) ||
		    bytes_eq(buf, len, "Domain-0", 8))
			return -1;
	}
	return 0;
}

static const char *const label_names[LABEL_COUNT] = {
	"red", "orange", "yellow", "green", "gray", "blue", "purple", "black",
};

/* Colors from REFERENCE.md; the GUI draws borders in exactly these. */
static const uint32_t label_colors[LABEL_COUNT] = {
	0xcc0000, 0xf57900, 0xedd400, 0x73d216, 0x555555, 0x3465a4, 0x75507b, 0x000000,
};

int label_from_name(const uint8_t *buf, size_t len)
{
	for (int i = 0; i < LABEL_COUNT; i++)
		if (bytes_eq(buf, len, label_names[i], strlen(label_names[i])))
			return i;
	return -1;
}

const char *label_name(enum label lbl)
{
	return (unsigned)lbl < LABEL_COUNT ? label_names[lbl] : "?";
}

uint32_t label_color(enum label lbl)
{
	return (unsigned)lbl < LABEL_COUNT ? label_colors[lbl] : 0;
}
