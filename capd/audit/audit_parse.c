/* The audit log's text formats (SPEC/audit-log.md).  Reject, never
 * repair: a line is accepted exactly as the writer produces it or refused
 * with the first problem found; nothing is normalized. */
#include "capd/audit/audit_parse.h"

#include <string.h>

/*@ predicate hexval_low(integer c, integer v) =
      (is_digit(c) && v == c - '0') || ('a' <= c <= 'f' && v == c - 'a' + 10);
    predicate hexval_up(integer c, integer v) =
      (is_digit(c) && v == c - '0') || ('A' <= c <= 'F' && v == c - 'A' + 10);
*/

bool audit_is_safe(uint8_t c)
{
	return c >= 0x21 && c <= 0x7e && c != '%' && c != '=';
}

/* Value of a lowercase hex digit, or 16. */
/*@ assigns \nothing;
    ensures \result <= 16;
    ensures \result < 16 <==> is_hexlow(c); */
static uint8_t hex_low(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return (uint8_t)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (uint8_t)(c - 'a' + 10);
	return 16;
}

/* Value of an uppercase hex digit, or 16. */
/*@ assigns \nothing;
    ensures \result <= 16;
    ensures \result < 16 <==> is_hexup(c); */
static uint8_t hex_up(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return (uint8_t)(c - '0');
	if (c >= 'A' && c <= 'F')
		return (uint8_t)(c - 'A' + 10);
	return 16;
}

/* The uppercase hex digit of v (v < 16). */
/*@ requires v < 16;
    assigns \nothing;
    ensures is_hexup(\result); */
static uint8_t hex_digit_up(uint8_t v)
{
	return (uint8_t)(v < 10 ? '0' + v : 'A' + (v - 10));
}

/* Whether p[0..n) starts with the ASCII literal lit[0..litlen). */
/*@ requires \valid_read(p + (0 .. n - 1));
    requires \valid_read(lit + (0 .. litlen - 1));
    assigns \nothing;
    ensures \result ==> litlen <= n; */
static bool has_prefix(const uint8_t *p, size_t n, const char *lit, size_t litlen)
{
	if (n < litlen)
		return false;
	/*@ loop invariant bound: 0 <= i <= litlen;
	    loop assigns i;
	    loop variant litlen - i; */
	for (size_t i = 0; i < litlen; i++)
		if (p[i] != lit[i])
			return false;
	return true;
}

/*@ requires \valid_read(p + (0 .. n - 1));
    requires \valid_read(lit + (0 .. litlen - 1));
    assigns \nothing;
    ensures \result ==> litlen == n; */
static bool is_word(const uint8_t *p, size_t n, const char *lit, size_t litlen)
{
	return n == litlen && has_prefix(p, n, lit, litlen);
}

/* Index of the first byte c in p[from..n), or n.  Indices stay absolute
 * (no sub-slice p + from of length n - from) so that Eva, which does not
 * relate from to n, still sees every read below n. */
/*@ requires from <= n;
    requires \valid_read(p + (0 .. n - 1));
    assigns \nothing;
    ensures from <= \result <= n;
    ensures \result < n ==> p[\result] == c; */
static size_t next_byte(const uint8_t *p, size_t from, size_t n, uint8_t c)
{
	size_t i;

	/*@ loop invariant bound: from <= i <= n;
	    loop assigns i;
	    loop variant n - i; */
	for (i = from; i < n; i++)
		if (p[i] == c)
			break;
	return i;
}

/* Decimal digits p[0..n) (1 <= n <= AUDIT_SEQ_DIGITS), leading zeros
 * allowed (the caller decides). */
/*@ requires 1 <= n <= AUDIT_SEQ_DIGITS;
    requires \valid_read(p + (0 .. n - 1));
    requires \valid(v);
    requires \separated(v, p + (0 .. n - 1));
    assigns *v;
    ensures \result ==> \forall integer i; 0 <= i < n ==> is_digit(p[i]); */
static bool dec_digits(const uint8_t *p, size_t n, uint64_t *v)
{
	uint64_t acc = 0;

	/*@ loop invariant bound: 0 <= i <= n;
	    loop invariant digits: \forall integer k; 0 <= k < i ==> is_digit(p[k]);
	    loop assigns i, acc;
	    loop variant n - i; */
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		/* Never true for 15 digits; keeps the multiplication visibly in range. */
		if (acc >= 1000000000000000000ull)
			return false;
		acc = acc * 10u + (uint64_t)(p[i] - '0');
	}
	*v = acc;
	return true;
}

bool audit_hex_decode(const uint8_t *p, size_t n, uint8_t *out)
{
	/*@ loop invariant bound: 0 <= i <= n;
	    loop invariant hex: \forall integer k; 0 <= k < 2 * i ==> is_hexlow(p[k]);
	    loop assigns i, out[0 .. n - 1];
	    loop variant n - i; */
	for (size_t i = 0; i < n; i++) {
		uint8_t hi = hex_low(p[2 * i]), lo = hex_low(p[2 * i + 1]);

		if (hi > 15 || lo > 15)
			return false;
		out[i] = (uint8_t)(hi * 16u + lo);
	}
	return true;
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

/*@ requires \valid_read(p + (0 .. n - 1));
    assigns \nothing; */
static bool is_reserved(const uint8_t *p, size_t n)
{
	return is_word(p, n, "seq", 3) || is_word(p, n, "time", 4) || is_word(p, n, "event", 5) ||
	       is_word(p, n, "prev", 4) || is_word(p, n, "hash", 4) || is_word(p, n, "sig", 3);
}

/*@ assigns \nothing;
    ensures \result <==> name_char(kind, c, i); */
static bool name_char_ok(enum audit_name_kind kind, uint8_t c, size_t i)
{
	if (i == 0)
		return c >= 'a' && c <= 'z';
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
	       (kind == AUDIT_NAME_EVENT && c == '-');
}

int audit_name_check(enum audit_name_kind kind, const uint8_t *p, size_t n)
{
	int err = kind == AUDIT_NAME_EVENT ? AUDIT_EEVENT : AUDIT_EKEY;

	if (n == 0 || n > AUDIT_NAME_MAX)
		return err;
	/*@ loop invariant bound: 0 <= i <= n;
	    loop invariant ok_so_far: \forall integer k; 0 <= k < i ==> name_char(kind, p[k], k);
	    loop assigns i;
	    loop variant n - i; */
	for (size_t i = 0; i < n; i++)
		if (!name_char_ok(kind, p[i], i))
			return err;
	if (kind == AUDIT_NAME_KEY && is_reserved(p, n))
		return err;
	return AUDIT_OK;
}

int audit_escape(const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *outlen)
{
	size_t j = 0;

	if (n > AUDIT_VALUE_MAX)
		return AUDIT_ETOOLONG;
	/*@ loop invariant bound: 0 <= i <= n;
	    loop invariant out_bound: 0 <= j <= cap && j <= 3 * i;
	    loop assigns i, j, out[0 .. cap - 1];
	    loop variant n - i; */
	for (size_t i = 0; i < n; i++) {
		uint8_t c = in[i];

		if (audit_is_safe(c)) {
			if (cap - j < 1)
				return AUDIT_ENOSPACE;
			out[j] = c;
			j++;
		} else {
			if (cap - j < 3)
				return AUDIT_ENOSPACE;
			out[j] = '%';
			out[j + 1] = hex_digit_up((uint8_t)(c / 16u));
			out[j + 2] = hex_digit_up((uint8_t)(c % 16u));
			j += 3;
		}
	}
	*outlen = j;
	return AUDIT_OK;
}

int audit_unescape(const uint8_t *p, size_t n, uint8_t *out, size_t cap, size_t *outlen)
{
	size_t i = 0, j = 0;

	/*@ loop invariant bound: 0 <= i <= n;
	    loop invariant out_bound: 0 <= j <= cap && j <= AUDIT_VALUE_MAX;
	    loop invariant ratio: j <= i <= 3 * j;
	    loop assigns i, j, out[0 .. cap - 1];
	    loop variant n - i; */
	while (i < n) {
		uint8_t c = p[i];

		if (j >= AUDIT_VALUE_MAX)
			return AUDIT_EVALUE;
		if (j >= cap)
			return AUDIT_ENOSPACE;
		if (c == '%') {
			uint8_t hi, lo, d;

			if (n - i < 3)
				return AUDIT_EVALUE;
			hi = hex_up(p[i + 1]);
			lo = hex_up(p[i + 2]);
			if (hi > 15 || lo > 15)
				return AUDIT_EVALUE;
			d = (uint8_t)(hi * 16u + lo);
			/* Canonical: a byte carried raw is never escaped. */
			if (audit_is_safe(d))
				return AUDIT_EVALUE;
			out[j] = d;
			i += 3;
		} else {
			if (!audit_is_safe(c))
				return AUDIT_EVALUE;
			out[j] = c;
			i++;
		}
		j++;
	}
	*outlen = j;
	return AUDIT_OK;
}

/*@ assigns \nothing;
    ensures 28 <= \result <= 31; */
static uint32_t days_in_month(uint64_t year, uint64_t month)
{
	bool leap = year % 4u == 0 && (year % 100u != 0 || year % 400u == 0);

	switch (month) {
	case 2:
		return leap ? 29u : 28u;
	case 4:
	case 6:
	case 9:
	case 11:
		return 30u;
	default:
		return 31u;
	}
}

/* "YYYY-MM-DDTHH:MM:SS.mmmZ": fixed width, a real UTC calendar date. */
/*@ requires \valid_read(p + (0 .. AUDIT_TIME_LEN - 1));
    requires \valid(t);
    requires \separated(t, p + (0 .. AUDIT_TIME_LEN - 1));
    assigns *t;
    ensures \result ==> 1 <= t->month <= 12 && 1 <= t->day <= 31 && t->hour <= 23 &&
                        t->min <= 59 && t->sec <= 59 && t->msec <= 999 &&
                        AUDIT_YEAR_MIN <= t->year <= AUDIT_YEAR_MAX; */
static bool parse_time(const uint8_t *p, struct audit_time *t)
{
	uint64_t y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, ms = 0;

	if (p[4] != '-' || p[7] != '-' || p[10] != 'T' || p[13] != ':' || p[16] != ':' ||
	    p[19] != '.' || p[23] != 'Z')
		return false;
	if (!dec_digits(p, 4, &y) || !dec_digits(p + 5, 2, &mo) || !dec_digits(p + 8, 2, &d) ||
	    !dec_digits(p + 11, 2, &h) || !dec_digits(p + 14, 2, &mi) ||
	    !dec_digits(p + 17, 2, &s) || !dec_digits(p + 20, 3, &ms))
		return false;
	if (y < AUDIT_YEAR_MIN || y > AUDIT_YEAR_MAX || mo < 1 || mo > 12 || d < 1 ||
	    d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 59 || ms > 999)
		return false;
	t->year = (uint16_t)y;
	t->month = (uint8_t)mo;
	t->day = (uint8_t)d;
	t->hour = (uint8_t)h;
	t->min = (uint8_t)mi;
	t->sec = (uint8_t)s;
	t->msec = (uint16_t)ms;
	return true;
}

/* Whether p[a..a+n) == p[b..b+n). */
/*@ requires a + n <= AUDIT_RECORD_MAX && b + n <= AUDIT_RECORD_MAX;
    requires \valid_read(p + (a .. a + n - 1));
    requires \valid_read(p + (b .. b + n - 1));
    assigns \nothing; */
static bool span_eq(const uint8_t *p, size_t a, size_t b, size_t n)
{
	/*@ loop invariant bound: 0 <= i <= n;
	    loop assigns i;
	    loop variant n - i; */
	for (size_t i = 0; i < n; i++)
		if (p[a + i] != p[b + i])
			return false;
	return true;
}

/*@ predicate keys_in(struct audit_fspan *f, integer nf, integer len) =
      \forall integer i; 0 <= i < nf ==> in_line(f[i].key, len);
*/

/* Whether the key p[off..off+n) is one of f[0..nf). */
/*@ requires nf <= AUDIT_FIELDS_MAX;
    requires len <= AUDIT_RECORD_MAX;
    requires off + n <= len;
    requires \valid_read(p + (0 .. len - 1));
    requires \valid_read(f + (0 .. nf - 1));
    requires keys_in(f, nf, len);
    assigns \nothing; */
static bool key_seen(const uint8_t *p, size_t len, const struct audit_fspan *f, uint32_t nf,
	size_t off, size_t n)
{
	(void)len;
	/*@ loop invariant bound: 0 <= k <= nf;
	    loop assigns k;
	    loop variant nf - k; */
	for (uint32_t k = 0; k < nf; k++)
		if (f[k].key.len == n && span_eq(p, f[k].key.off, off, n))
			return true;
	return false;
}

/* The token at pos: ends at the next space or at n.  Whether it starts
 * with lit (and so is at least litlen long). */
/*@ requires pos <= n;
    requires \valid_read(p + (0 .. n - 1));
    requires \valid_read(lit + (0 .. litlen - 1));
    requires \valid(end);
    requires \separated(end, p + (0 .. n - 1));
    assigns *end;
    ensures pos <= *end <= n;
    ensures *end < n ==> p[*end] == ' ';
    ensures \result ==> pos + litlen <= *end; */
static bool token(const uint8_t *p, size_t n, size_t pos, const char *lit, size_t litlen,
	size_t *end)
{
	size_t e = next_byte(p, pos, n, (uint8_t)' ');

	*end = e;
	return has_prefix(p + pos, e - pos, lit, litlen);
}

/* A token lit + 2*nbytes lowercase hex digits, decoded into out. */
/*@ requires pos <= n;
    requires nbytes <= 64 && litlen <= 8;
    requires \valid_read(p + (0 .. n - 1));
    requires \valid_read(lit + (0 .. litlen - 1));
    requires \valid(out + (0 .. nbytes - 1));
    requires \valid(end);
    requires \separated(end, out + (0 .. nbytes - 1), p + (0 .. n - 1));
    assigns *end, out[0 .. nbytes - 1];
    ensures pos <= *end <= n;
    ensures *end < n ==> p[*end] == ' ';
    ensures \result ==> pos + litlen + 2 * nbytes == *end; */
static bool hex_token(const uint8_t *p, size_t n, size_t pos, const char *lit, size_t litlen,
	uint8_t *out, size_t nbytes, size_t *end)
{
	if (!token(p, n, pos, lit, litlen, end))
		return false;
	if (*end - pos != litlen + 2 * nbytes)
		return false;
	return audit_hex_decode(p + pos + litlen, nbytes, out);
}

/* The record's fields, from pos up to the "prev=" token; *pos is left on
 * it.  Spans are stored in r->fields[0 .. r->nfields). */
/*@ predicate fields_ok(struct audit_fspan *f, integer nf, integer len) =
      \forall integer i; 0 <= i < nf ==>
          in_line(f[i].key, len) && in_line(f[i].value, len) &&
          1 <= f[i].key.len <= AUDIT_NAME_MAX && f[i].value.len <= AUDIT_ESCAPED_MAX;
*/
/*@ requires n < AUDIT_RECORD_MAX;
    requires \valid_read(p + (0 .. n - 1));
    requires \valid(pos) && \valid(r);
    requires *pos <= n;
    requires \separated(pos, r, p + (0 .. n - 1));
    assigns *pos, r->nfields, r->fields[0 .. AUDIT_FIELDS_MAX - 1];
    ensures \result <= 0;
    ensures \result == AUDIT_OK ==> *pos <= n && r->nfields <= AUDIT_FIELDS_MAX &&
        fields_ok(&r->fields[0], r->nfields, n); */
static int parse_fields(const uint8_t *p, size_t n, size_t *pos, struct audit_record *r)
{
	uint8_t scratch[AUDIT_VALUE_MAX];
	size_t at = *pos, dlen = 0;
	uint32_t nf = 0;

	/*@ loop invariant bound: at <= n;
	    loop invariant count: nf <= AUDIT_FIELDS_MAX;
	    loop invariant stored: fields_ok(&r->fields[0], nf, n);
	    loop assigns at, nf, dlen, scratch[0 .. AUDIT_VALUE_MAX - 1],
	                 r->fields[0 .. AUDIT_FIELDS_MAX - 1];
	    loop variant n - at; */
	for (;;) {
		size_t e = next_byte(p, at, n, (uint8_t)' '), k;

		if (has_prefix(p + at, e - at, "prev=", 5))
			break;
		if (nf == AUDIT_FIELDS_MAX)
			return AUDIT_EFIELDS;
		k = next_byte(p, at, e, (uint8_t)'=') - at;
		if (k == e - at || audit_name_check(AUDIT_NAME_KEY, p + at, k) != AUDIT_OK)
			return AUDIT_EKEY;
		if (key_seen(p, n, r->fields, nf, at, k))
			return AUDIT_EDUPKEY;
		if (audit_unescape(p + at + k + 1, e - at - k - 1, scratch, sizeof(scratch), &dlen) !=
		    AUDIT_OK)
			return AUDIT_EVALUE;
		/* A field is always followed by more tokens. */
		if (e >= n)
			return AUDIT_EPREV;
		r->fields[nf].key.off = (uint32_t)at;
		r->fields[nf].key.len = (uint32_t)k;
		r->fields[nf].value.off = (uint32_t)(at + k + 1);
		r->fields[nf].value.len = (uint32_t)(e - at - k - 1);
		nf++;
		at = e + 1;
	}
	r->nfields = nf;
	*pos = at;
	return AUDIT_OK;
}

/* Everything of the record but the fields, in order. */
/*@ requires 0 < len <= AUDIT_RECORD_MAX;
    requires \valid_read(buf + (0 .. len - 1));
    requires \valid(r);
    requires \separated(r, buf + (0 .. len - 1));
    assigns *r;
    ensures \result <= 0;
    ensures \result == AUDIT_OK ==> record_sane(*r, len); */
static int parse_line(const uint8_t *buf, size_t len, struct audit_record *r)
{
	size_t n = len - 1, pos = 0, e = 0, hashed, signed_end;
	uint64_t seq = 0;
	int rc;

	if (buf[n] != '\n')
		return AUDIT_ELENGTH;
	/* seq=N: 1 to 15 digits, no leading zero */
	if (!token(buf, n, pos, "seq=", 4, &e) || e - pos - 4 < 1 || e - pos - 4 > AUDIT_SEQ_DIGITS ||
	    buf[pos + 4] == '0' || !dec_digits(buf + pos + 4, e - pos - 4, &seq) || seq < 1 ||
	    seq > AUDIT_SEQ_MAX)
		return AUDIT_ESEQ;
	/* A token missing at the end is reported as that token missing. */
	if (e >= n)
		return AUDIT_ETIME;
	r->seq = seq;
	pos = e + 1;
	if (!token(buf, n, pos, "time=", 5, &e) || e - pos != 5 + AUDIT_TIME_LEN ||
	    !parse_time(buf + pos + 5, &r->time))
		return AUDIT_ETIME;
	if (e >= n)
		return AUDIT_EEVENT;
	pos = e + 1;
	if (!token(buf, n, pos, "event=", 6, &e) ||
	    audit_name_check(AUDIT_NAME_EVENT, buf + pos + 6, e - pos - 6) != AUDIT_OK)
		return AUDIT_EEVENT;
	if (e >= n)
		return AUDIT_EPREV;
	r->event.off = (uint32_t)(pos + 6);
	r->event.len = (uint32_t)(e - pos - 6);
	pos = e + 1;
	rc = parse_fields(buf, n, &pos, r);
	if (rc != AUDIT_OK)
		return rc;
	if (!hex_token(buf, n, pos, "prev=", 5, r->prev, AUDIT_HASH_LEN, &e))
		return AUDIT_EPREV;
	if (e >= n)
		return AUDIT_EHASH;
	hashed = e;
	pos = e + 1;
	if (!hex_token(buf, n, pos, "hash=", 5, r->hash, AUDIT_HASH_LEN, &e))
		return AUDIT_EHASH;
	if (e >= n)
		return AUDIT_ESIG;
	signed_end = e;
	pos = e + 1;
	if (!hex_token(buf, n, pos, "sig=", 4, r->sig, AUDIT_SIG_LEN, &e))
		return AUDIT_ESIG;
	if (e != n)
		return AUDIT_ETRAILING;
	r->hashed_len = (uint32_t)hashed;
	r->signed_len = (uint32_t)signed_end;
	return AUDIT_OK;
}

int audit_parse_record(const uint8_t *buf, size_t len, struct audit_record *out)
{
	struct audit_record r;
	int rc;

	if (len == 0 || len > AUDIT_RECORD_MAX)
		return AUDIT_ELENGTH;
	rc = parse_line(buf, len, &r);
	if (rc != AUDIT_OK)
		return rc;
	*out = r;
	return AUDIT_OK;
}

int audit_parse_head(const uint8_t *buf, size_t len, struct audit_head *out)
{
	struct audit_head h;

	if (len != AUDIT_HEAD_SLOT_LEN || !has_prefix(buf, len, "head seq=", 9) ||
	    !dec_digits(buf + AUDIT_HEAD_SEQ_OFF, AUDIT_SEQ_DIGITS, &h.seq) ||
	    !has_prefix(buf + AUDIT_HEAD_SEQ_OFF + AUDIT_SEQ_DIGITS, 6, " hash=", 6) ||
	    !audit_hex_decode(buf + AUDIT_HEAD_HASH_OFF, AUDIT_HASH_LEN, h.hash) ||
	    !has_prefix(buf + AUDIT_HEAD_SIGNED_LEN, 5, " sig=", 5) ||
	    !audit_hex_decode(buf + AUDIT_HEAD_SIG_OFF, AUDIT_SIG_LEN, h.sig) ||
	    buf[AUDIT_HEAD_SLOT_LEN - 1] != '\n' || h.seq > AUDIT_SEQ_MAX)
		return AUDIT_EHEAD;
	*out = h;
	return AUDIT_OK;
}

int audit_parse_keyfile(const uint8_t *buf, size_t len, const char *prefix, size_t prefix_len,
	uint8_t key[32])
{
	uint8_t k[32];

	if (len != prefix_len + 2 * 32 + 1 || !has_prefix(buf, len, prefix, prefix_len) ||
	    !audit_hex_decode(buf + prefix_len, 32, k) || buf[len - 1] != '\n')
		return AUDIT_EKEYFILE;
	copy_bytes(key, k, 32);
	return AUDIT_OK;
}
