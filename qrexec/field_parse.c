/* Field checks shared by the qrexec parsers.  Reject, never repair: a
 * field is accepted as it is or the whole message is refused. */
#include "qrexec/field_parse.h"

uint32_t qrexec_get_u32(const uint8_t *p)
{
	/* + and *, not shifts: the arithmetic form is what WP proves. */
	return (uint32_t)p[0] + 256u * (uint32_t)p[1] + 65536u * (uint32_t)p[2] +
	       16777216u * (uint32_t)p[3];
}

void qrexec_put_u32(uint8_t *p, uint32_t v)
{
	/* One division at a time, each step stated: linear facts prove fast. */
	uint32_t r1 = v / 256u, r2 = r1 / 256u, r3 = r2 / 256u;

	/*@ assert step0: v == v % 256 + 256 * r1; */
	/*@ assert step1: r1 == r1 % 256 + 256 * r2; */
	/*@ assert step2: r2 == r2 % 256 + 256 * r3 && r3 < 256; */
	p[0] = (uint8_t)(v % 256u);
	p[1] = (uint8_t)(r1 % 256u);
	p[2] = (uint8_t)(r2 % 256u);
	p[3] = (uint8_t)r3;
}

void qrexec_put_hdr(uint8_t *buf, uint32_t type, uint32_t len)
{
	qrexec_put_u32(buf, type);
	qrexec_put_u32(buf + 4, len);
}

uint8_t qrexec_byte(char c)
{
	/* No char -> uint8_t conversion of a negative value: written so that
	 * the proof needs no implementation-defined behaviour. */
	return (uint8_t)(c < 0 ? c + 256 : c);
}

size_t qrexec_nul_index(const uint8_t *p, size_t n)
{
	size_t i;

	/*@ loop invariant bound: 0 <= i <= n;
	    loop invariant none_yet: no_nul(p, i);
	    loop assigns i;
	    loop variant n - i; */
	for (i = 0; i < n; i++)
		if (p[i] == 0)
			break;
	return i;
}

size_t qrexec_find_byte(const uint8_t *p, size_t n, uint8_t c)
{
	size_t i;

	/*@ loop invariant bound: 0 <= i <= n;
	    loop invariant none_yet: \forall integer k; 0 <= k < i ==> p[k] != c;
	    loop assigns i;
	    loop variant n - i; */
	for (i = 0; i < n; i++)
		if (p[i] == c)
			break;
	return i;
}

/*@ assigns \nothing;
    ensures \result <==> cs_char(cs, c); */
static bool cs_ok(enum qrexec_charset cs, uint8_t c)
{
	bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

	if (cs == CS_SERVICE)
		return alnum || c == '+' || c == '.' || c == '_' || c == '-';
	if (cs == CS_REQID)
		return alnum || c == '_' || c == '.' || c == '-' || c == ' ';
	return false;
}

bool qrexec_all_chars(const uint8_t *p, size_t n, enum qrexec_charset cs)
{
	/*@ loop invariant bound: 0 <= i <= n;
	    loop invariant ok_so_far: all_cs(cs, p, i);
	    loop assigns i;
	    loop variant n - i; */
	for (size_t i = 0; i < n; i++)
		if (!cs_ok(cs, p[i]))
			return false;
	return true;
}

bool qrexec_zero_from(const uint8_t *p, size_t from, size_t n)
{
	/*@ loop invariant bound: from <= i <= n;
	    loop invariant zero_so_far: zero_from(p, from, i);
	    loop assigns i;
	    loop variant n - i; */
	for (size_t i = from; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

int qrexec_field_check(const uint8_t *f, size_t size, size_t *slen)
{
	size_t k = qrexec_nul_index(f, size);

	if (k == size)
		return QREXEC_ENUL;
	if (!qrexec_zero_from(f, k + 1, size))
		return QREXEC_EPADDING;
	/*@ assert witness: padded(f, size, k); */
	*slen = k;
	return QREXEC_OK;
}

int qrexec_service_check(const uint8_t *p, size_t n)
{
	if (n == 0 || p[0] == '+' || !qrexec_all_chars(p, n, CS_SERVICE))
		return QREXEC_ESERVICE;
	return QREXEC_OK;
}

int qrexec_reqid_check(const uint8_t *p, size_t n)
{
	if (n == 0 || !qrexec_all_chars(p, n, CS_REQID))
		return QREXEC_EREQID;
	return QREXEC_OK;
}

int qrexec_endpoint_check(uint32_t domid, uint32_t port)
{
	if (domid > QREXEC_DOMID_MAX)
		return QREXEC_EDOMAIN;
	if (port < QREXEC_DATA_PORT_MIN || port > QREXEC_DATA_PORT_MAX)
		return QREXEC_EPORT;
	return QREXEC_OK;
}

bool qrexec_has_prefix(const uint8_t *p, size_t n, const char *lit, size_t litlen)
{
	if (n < litlen)
		return false;
	/*@ loop invariant bound: 0 <= i <= litlen;
	    loop assigns i;
	    loop variant litlen - i; */
	for (size_t i = 0; i < litlen; i++)
		if (p[i] != qrexec_byte(lit[i]))
			return false;
	return true;
}

/*@ requires \valid_read(p + (0 .. n - 1));
    requires \valid_read(lit + (0 .. litlen - 1));
    assigns \nothing;
    ensures \result ==> litlen == n; */
static bool is_word(const uint8_t *p, size_t n, const char *lit, size_t litlen)
{
	return n == litlen && qrexec_has_prefix(p, n, lit, litlen);
}

int qrexec_target_check(const uint8_t *p, size_t n, enum qrexec_target_kind *kind, size_t *arg_off)
{
	/* "@dispvm:" and "@dispvm:@tag:" */
	const size_t dispvm_len = 8, tag_len = 13;
	enum qrexec_target_kind k;
	size_t off = n;

	if (n == 0)
		return QREXEC_ETARGET;
	if (p[0] != '@') {
		if (is_word(p, n, "dom0", 4))
			k = TARGET_DOM0;
		else if (names_check(NAME_QUBE, p, n) == 0)
			k = TARGET_QUBE;
		else
			return QREXEC_ETARGET;
	} else if (is_word(p, n, "@default", 8)) {
		k = TARGET_DEFAULT;
	} else if (is_word(p, n, "@adminvm", 8)) {
		k = TARGET_ADMINVM;
	} else if (is_word(p, n, "@dispvm", 7)) {
		k = TARGET_DISPVM;
	} else if (qrexec_has_prefix(p, n, "@dispvm:@tag:", tag_len)) {
		if (names_check(NAME_TAG, p + tag_len, n - tag_len) != 0)
			return QREXEC_ETARGET;
		k = TARGET_DISPVM_TAG;
		off = tag_len;
	} else if (qrexec_has_prefix(p, n, "@dispvm:", dispvm_len)) {
		if (names_check(NAME_QUBE, p + dispvm_len, n - dispvm_len) != 0)
			return QREXEC_ETARGET;
		k = TARGET_DISPVM_QUBE;
		off = dispvm_len;
	} else {
		return QREXEC_ETARGET;
	}
	*kind = k;
	*arg_off = off;
	return QREXEC_OK;
}

void qrexec_store_str(char *dst, size_t size, const uint8_t *p, size_t n)
{
	/*@ loop invariant bound: 0 <= i <= size;
	    loop invariant done: \forall integer k; 0 <= k < i ==> dst[k] == (k < n ? (char)p[k] : 0);
	    loop assigns i, dst[0 .. size - 1];
	    loop variant size - i; */
	for (size_t i = 0; i < size; i++)
		dst[i] = i < n ? (char)p[i] : '\0';
}

void qrexec_service_store(const uint8_t *p, size_t n, struct qrexec_service *out)
{
	size_t plus = qrexec_find_byte(p, n, '+');

	qrexec_store_str(out->full, MAX_SERVICE_NAME_LEN, p, n);
	out->len = (uint32_t)n;
	out->name_len = (uint32_t)plus;
	out->has_arg = plus < n;
	out->arg_off = (uint32_t)(plus < n ? plus + 1 : n);
}

size_t qrexec_cstr_len(const char *s, size_t size)
{
	size_t i;

	/*@ loop invariant bound: 0 <= i <= size;
	    loop invariant none_yet: \forall integer k; 0 <= k < i ==> s[k] != 0;
	    loop assigns i;
	    loop variant size - i; */
	for (i = 0; i < size; i++)
		if (s[i] == '\0')
			break;
	return i;
}

void qrexec_put_str(uint8_t *dst, size_t size, const char *s, size_t n)
{
	/*@ loop invariant bound: 0 <= i <= size;
	    loop assigns i, dst[0 .. size - 1];
	    loop variant size - i; */
	for (size_t i = 0; i < size; i++)
		dst[i] = i < n ? qrexec_byte(s[i]) : 0;
}
