/* The prompt's words (ask_parse.h).  Reject, never repair: a value out
 * of range is an error, never clamped into range. */
#include "capd/prompt/ask_parse.h"

/*@ requires \valid_read(p + (0 .. n - 1));
    requires \valid_read(lit + (0 .. litlen - 1));
    assigns \nothing;
    ensures \result ==> n == litlen; */
static bool bytes_are(const uint8_t *p, size_t n, const char *lit, size_t litlen)
{
	if (n != litlen)
		return false;
	/*@ loop invariant bound: 0 <= i <= n;
	    loop assigns i;
	    loop variant n - i; */
	for (size_t i = 0; i < n; i++)
		if (p[i] != qrexec_byte(lit[i]))
			return false;
	return true;
}

int ask_target_check(const uint8_t *p, size_t n)
{
	if (n == 0 || n > ASK_TARGET_LEN_MAX)
		return ASK_ETARGET;
	if (n > ASK_DISPVM_PREFIX_LEN && qrexec_has_prefix(p, n, ASK_DISPVM_PREFIX, ASK_DISPVM_PREFIX_LEN))
		return names_check(NAME_QUBE, p + ASK_DISPVM_PREFIX_LEN, n - ASK_DISPVM_PREFIX_LEN) == 0 ?
			ASK_OK : ASK_ETARGET;
	return names_check(NAME_QUBE, p, n) == 0 ? ASK_OK : ASK_ETARGET;
}

int ask_service_check(const uint8_t *p, size_t n, size_t *name_len)
{
	size_t plus;

	if (n == 0 || n > ASK_SERVICE_LEN_MAX || qrexec_service_check(p, n) != QREXEC_OK)
		return ASK_ESERVICE;
	plus = qrexec_find_byte(p, n, (uint8_t)'+');
	if (plus == n)
		return ASK_ESERVICE;
	/* service_ok: p[0] is not '+', so the name is not empty. */
	*name_len = plus;
	return ASK_OK;
}

/* A decimal number of 1..ASK_NUMBER_DIGITS_MAX digits without a leading
 * zero, in [lo, hi].  0 and *v, or -1 and *v untouched. */
/*@ requires \valid_read(p + (0 .. n - 1));
    requires \valid(v);
    requires \separated(v, p + (0 .. n - 1));
    requires hi <= 9999;
    assigns *v;
    ensures \result == 0 || \result == -1;
    ensures \result == 0 ==> lo <= *v <= hi;
    ensures \result != 0 ==> *v == \old(*v); */
static int number_in(const uint8_t *p, size_t n, uint32_t lo, uint32_t hi, uint32_t *v)
{
	uint32_t x = 0;

	if (n == 0 || n > ASK_NUMBER_DIGITS_MAX || p[0] == '0')
		return -1;
	/*@ loop invariant bound: 0 <= i <= n;
	    loop invariant small: x <= 9999;
	    loop invariant digits: i < 4 ==> x < 1000;
	    loop invariant pow: x < (i == 0 ? 1 : i == 1 ? 10 : i == 2 ? 100 : i == 3 ? 1000 : 10000);
	    loop assigns i, x;
	    loop variant n - i; */
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		x = x * 10u + (uint32_t)(p[i] - '0');
	}
	if (x < lo || x > hi)
		return -1;
	*v = x;
	return 0;
}

int ask_scope_parse(const uint8_t *p, size_t n, struct ask_scope *out)
{
	uint32_t v = 0;

	if (bytes_are(p, n, "once", 4)) {
		out->kind = ASK_SCOPE_ONCE;
		out->value = 0;
		return ASK_OK;
	}
	if (bytes_are(p, n, "always", 6)) {
		out->kind = ASK_SCOPE_ALWAYS;
		out->value = 0;
		return ASK_OK;
	}
	if (n > 6 && qrexec_has_prefix(p, n, "calls:", 6)) {
		if (number_in(p + 6, n - 6, ASK_CALLS_MIN, ASK_CALLS_MAX, &v) < 0)
			return ASK_ESCOPE;
		out->kind = ASK_SCOPE_CALLS;
		out->value = v;
		return ASK_OK;
	}
	if (n > 8 && qrexec_has_prefix(p, n, "minutes:", 8)) {
		if (number_in(p + 8, n - 8, ASK_MINUTES_MIN, ASK_MINUTES_MAX, &v) < 0)
			return ASK_ESCOPE;
		out->kind = ASK_SCOPE_MINUTES;
		out->value = v;
		return ASK_OK;
	}
	return ASK_ESCOPE;
}

/* The words of the scopes, as ask_scope_parse reads them. */
static const char *const scope_word[4] = { "once", "calls:", "minutes:", "always" };
static const size_t scope_word_len[4] = { 4, 6, 8, 6 };

int ask_scope_format(const struct ask_scope *s, char *buf, size_t cap, size_t *outlen)
{
	char tmp[ASK_SCOPE_TEXT_MAX];
	uint32_t v = s->value;
	size_t k, n, nd = 0;

	switch (s->kind) {
	case ASK_SCOPE_ONCE:
		k = 0;
		if (v != 0)
			return ASK_EINVAL;
		break;
	case ASK_SCOPE_CALLS:
		k = 1;
		if (v < ASK_CALLS_MIN || v > ASK_CALLS_MAX)
			return ASK_EINVAL;
		nd = v >= 1000u ? 4 : v >= 100u ? 3 : v >= 10u ? 2 : 1;
		break;
	case ASK_SCOPE_MINUTES:
		k = 2;
		if (v < ASK_MINUTES_MIN || v > ASK_MINUTES_MAX)
			return ASK_EINVAL;
		nd = v >= 1000u ? 4 : v >= 100u ? 3 : v >= 10u ? 2 : 1;
		break;
	case ASK_SCOPE_ALWAYS:
		k = 3;
		if (v != 0)
			return ASK_EINVAL;
		break;
	default:
		return ASK_EINVAL;
	}
	n = scope_word_len[k];
	/*@ loop invariant bound: 0 <= i <= n;
	    loop assigns i, tmp[0 .. ASK_SCOPE_TEXT_MAX - 1];
	    loop variant n - i; */
	for (size_t i = 0; i < n; i++)
		tmp[i] = scope_word[k][i];
	/* The digits, least significant last: n + nd <= 8 + 4 < ASK_SCOPE_TEXT_MAX. */
	/*@ loop invariant bound: 0 <= i <= nd;
	    loop assigns i, v, tmp[0 .. ASK_SCOPE_TEXT_MAX - 1];
	    loop variant nd - i; */
	for (size_t i = 0; i < nd; i++) {
		tmp[n + nd - 1 - i] = (char)('0' + v % 10u);
		v /= 10u;
	}
	n += nd;
	if (cap <= n)
		return ASK_ENOSPACE;
	/*@ loop invariant bound: 0 <= i <= n;
	    loop assigns i, buf[0 .. cap - 1];
	    loop variant n - i; */
	for (size_t i = 0; i < n; i++)
		buf[i] = tmp[i];
	buf[n] = '\0';
	*outlen = n;
	return ASK_OK;
}

/* How many bytes of p[0..n) are c.  Counted over the whole line rather
 * than searched for in the rest after the first: Eva does not relate
 * the rest's start to its length, it does see every read here below n. */
/*@ requires \valid_read(p + (0 .. n - 1));
    assigns \nothing;
    ensures \result <= n; */
static size_t count_byte(const uint8_t *p, size_t n, uint8_t c)
{
	size_t count = 0;

	/*@ loop invariant bound: 0 <= i <= n;
	    loop invariant count: count <= i;
	    loop assigns i, count;
	    loop variant n - i; */
	for (size_t i = 0; i < n; i++)
		if (p[i] == c)
			count++;
	return count;
}

int ask_reply_parse(const uint8_t *buf, size_t len, struct ask_reply *out)
{
	struct ask_scope sc = { ASK_SCOPE_ONCE, 0 };
	size_t sp, i;

	/* Exactly one line: the only '\n' is the last byte. */
	if (len < 2 || len > ASK_REPLY_MAX - 1 || buf[len - 1] != '\n' ||
	    qrexec_find_byte(buf, len - 1, (uint8_t)'\n') != len - 1)
		return ASK_EREPLY;
	/* Exactly one space, at sp. */
	sp = qrexec_find_byte(buf, len - 1, (uint8_t)' ');
	if (sp == len - 1 || count_byte(buf, len - 1, (uint8_t)' ') != 1)
		return ASK_EREPLY;
	if (ask_target_check(buf, sp) != ASK_OK)
		return ASK_ETARGET;
	if (ask_scope_parse(buf + sp + 1, len - 2 - sp, &sc) != ASK_OK)
		return ASK_ESCOPE;
	/* Validated: now the copy. */
	/*@ loop invariant bound: 0 <= i <= ASK_TARGET_LEN_MAX + 1;
	    loop assigns i, out->target[0 .. ASK_TARGET_LEN_MAX];
	    loop variant ASK_TARGET_LEN_MAX + 1 - i; */
	for (i = 0; i < ASK_TARGET_LEN_MAX + 1; i++)
		out->target[i] = i < sp ? (char)buf[i] : '\0';
	out->scope = sc;
	return ASK_OK;
}
