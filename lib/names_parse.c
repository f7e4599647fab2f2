/* Token validation.  Reject, never repair: the caller gets -1 and the
 * offending value is not changed into something acceptable. */
#include "names_parse.h"

/*@ assigns \nothing;
    ensures alnum: \result <==> nm_alnum(c); */
static bool is_alnum(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Whether c may appear at position i (of a token of length len) of kind. */
/*@ requires i < len;
    assigns \nothing;
    ensures grammar: \result <==> name_char(kind, i, c); */
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

/*@ assigns \nothing;
    ensures max: \result == name_max(kind); */
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
    requires ascii: \forall integer k; 0 <= k < n ==> 0 <= lit[k] <= 127;
    assigns \nothing;
    ensures equal: \result <==> len == n && \forall integer k; 0 <= k < n ==> buf[k] == (uint8_t)lit[k]; */
static bool bytes_eq(const uint8_t *buf, size_t len, const char *lit, size_t n)
{
	if (len != n)
		return false;
	/*@ loop invariant bound: 0 <= i <= n;
	    loop invariant same: \forall integer k; 0 <= k < i ==> buf[k] == (uint8_t)lit[k];
	    loop assigns i;
	    loop variant n - i; */
	for (size_t i = 0; i < n; i++)
		if (buf[i] != (uint8_t)lit[i])
			return false;
	return true;
}

/* The names qube_reserved() lists. */
/*@ requires \valid_read(buf + (0 .. len - 1));
    assigns \nothing;
    ensures reserved: \result <==> qube_reserved(buf, len); */
static bool qube_name_reserved(const uint8_t *buf, size_t len)
{
	bool none = bytes_eq(buf, len, "none", 4);
	bool dflt = bytes_eq(buf, len, "default", 7);
	bool dom0 = bytes_eq(buf, len, "Domain-0", 8);

	/*@ assert none: none <==> (len == 4 && buf[0] == 'n' && buf[1] == 'o' && buf[2] == 'n' &&
	                            buf[3] == 'e'); */
	/*@ assert dflt: dflt <==> (len == 7 && buf[0] == 'd' && buf[1] == 'e' && buf[2] == 'f' &&
	                            buf[3] == 'a' && buf[4] == 'u' && buf[5] == 'l' && buf[6] == 't'); */
	/*@ assert dom0: dom0 <==> (len == 8 && buf[0] == 'D' && buf[1] == 'o' && buf[2] == 'm' &&
	                            buf[3] == 'a' && buf[4] == 'i' && buf[5] == 'n' && buf[6] == '-' &&
	                            buf[7] == '0'); */
	if (len >= 3 && buf[len - 3] == '-' && buf[len - 2] == 'd' && buf[len - 1] == 'm')
		return true;
	return none || dflt || dom0;
}

int names_check(enum name_kind kind, const uint8_t *buf, size_t len)
{
	size_t max = kind_max(kind);

	if (len > max || (len == 0 && kind != NAME_VALUE))
		return -1;
	/*@ loop invariant bound: 0 <= i <= len;
	    loop invariant chars: \forall integer k; 0 <= k < i ==> name_char(kind, k, buf[k]);
	    loop assigns i;
	    loop variant len - i; */
	for (size_t i = 0; i < len; i++)
		if (!char_ok(kind, buf[i], i, len))
			return -1;
	if (kind == NAME_QUBE && qube_name_reserved(buf, len))
		return -1;
	return 0;
}

/* NUL-padded rows rather than pointers to literals: label_from_name()
 * compares against a row of known size (proved without strlen). */
#define LABEL_NAME_SIZE 8u
static const uint8_t label_names[LABEL_COUNT][LABEL_NAME_SIZE] = {
	"red", "orange", "yellow", "green", "gray", "blue", "purple", "black",
};

/* Colors from REFERENCE.md; the GUI draws borders in exactly these. */
static const uint32_t label_colors[LABEL_COUNT] = {
	0xcc0000, 0xf57900, 0xedd400, 0x73d216, 0x555555, 0x3465a4, 0x75507b, 0x000000,
};

/* Whether buf[0..len) is the string in row[0..size): its bytes, then its NUL. */
/*@ requires \valid_read(buf + (0 .. len - 1));
    requires \valid_read(row + (0 .. size - 1));
    assigns \nothing;
    ensures equal: \result <==> len < size && row[len] == 0 &&
      \forall integer k; 0 <= k < len ==> row[k] != 0 && buf[k] == row[k]; */
static bool row_eq(const uint8_t *buf, size_t len, const uint8_t *row, size_t size)
{
	if (len >= size)
		return false;
	/*@ loop invariant bound: 0 <= i <= len;
	    loop invariant same: \forall integer k; 0 <= k < i ==> row[k] != 0 && buf[k] == row[k];
	    loop assigns i;
	    loop variant len - i; */
	for (size_t i = 0; i < len; i++)
		if (row[i] == 0 || buf[i] != row[i])
			return false;
	return row[len] == 0;
}

int label_from_name(const uint8_t *buf, size_t len)
{
	/*@ loop invariant bound: 0 <= i <= LABEL_COUNT;
	    loop assigns i;
	    loop variant LABEL_COUNT - i; */
	for (int i = 0; i < LABEL_COUNT; i++)
		if (row_eq(buf, len, label_names[i], LABEL_NAME_SIZE))
			return i;
	return -1;
}

const char *label_name(enum label lbl)
{
	return (unsigned)lbl < LABEL_COUNT ? (const char *)label_names[lbl] : "?";
}

uint32_t label_color(enum label lbl)
{
	return (unsigned)lbl < LABEL_COUNT ? label_colors[lbl] : 0;
}
