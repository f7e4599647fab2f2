/* Formatting and signing of records, head slots and key files
 * (SPEC/audit-log.md).  The parser in audit_parse.c is the definition of
 * the format: every record made here is parsed back before it is used. */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "capd/audit/auditlog_int.h"

/* A bounded line being built: appending past cap latches `over`. */
struct lbuf {
	uint8_t *p;
	size_t len, cap;
	bool over;
};

static void lb_add(struct lbuf *b, const void *data, size_t n)
{
	if (b->over || n > b->cap - b->len) {
		b->over = true;
		return;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void lb_adds(struct lbuf *b, const char *s)
{
	lb_add(b, s, strlen(s));
}

static void lb_hex(struct lbuf *b, const uint8_t *bin, size_t n)
{
	char hex[2 * AUDIT_SIG_LEN + 1];

	sodium_bin2hex(hex, sizeof(hex), bin, n);   /* n <= AUDIT_SIG_LEN */
	lb_add(b, hex, 2 * n);
}

int audit_time_now(struct audit_time *t)
{
	struct timespec ts;
	struct tm tm;

	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		return -errno;
	if (gmtime_r(&ts.tv_sec, &tm) == NULL)
		return -ERANGE;
	if (tm.tm_year + 1900 < (int)AUDIT_YEAR_MIN || tm.tm_year + 1900 > (int)AUDIT_YEAR_MAX)
		return -ERANGE;
	t->year = (uint16_t)(tm.tm_year + 1900);
	t->month = (uint8_t)(tm.tm_mon + 1);
	t->day = (uint8_t)tm.tm_mday;
	t->hour = (uint8_t)tm.tm_hour;
	t->min = (uint8_t)tm.tm_min;
	/* gmtime never yields a leap second (60) from a time_t. */
	t->sec = (uint8_t)(tm.tm_sec > 59 ? 59 : tm.tm_sec);
	t->msec = (uint16_t)(ts.tv_nsec / 1000000);
	return 0;
}

/* v as exactly `width` decimal digits (v < 10^width by the ranges of
 * struct audit_time). */
static void put_digits(char *out, unsigned v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		out[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

void audit_time_format(const struct audit_time *t, char out[AUDIT_TIME_LEN + 1])
{
	memcpy(out, "0000-00-00T00:00:00.000Z", AUDIT_TIME_LEN + 1);
	put_digits(out, t->year, 4);
	put_digits(out + 5, t->month, 2);
	put_digits(out + 8, t->day, 2);
	put_digits(out + 11, t->hour, 2);
	put_digits(out + 14, t->min, 2);
	put_digits(out + 17, t->sec, 2);
	put_digits(out + 20, t->msec, 3);
}

static bool name_ok(enum audit_name_kind kind, const char *s)
{
	size_t n = s ? strnlen(s, AUDIT_NAME_MAX + 1) : 0;

	return s != NULL && audit_name_check(kind, (const uint8_t *)s, n) == AUDIT_OK;
}

/* The checks auditlog_append documents, before anything is formatted. */
static int check_fields(const char *event, const struct audit_field *f, size_t nf)
{
	if (!name_ok(AUDIT_NAME_EVENT, event) || nf > AUDIT_FIELDS_MAX || (nf > 0 && f == NULL))
		return -EINVAL;
	for (size_t i = 0; i < nf; i++) {
		if (!name_ok(AUDIT_NAME_KEY, f[i].key) || f[i].value == NULL)
			return -EINVAL;
		for (size_t j = 0; j < i; j++)
			if (strcmp(f[i].key, f[j].key) == 0)
				return -EINVAL;
		if (strnlen(f[i].value, AUDIT_VALUE_MAX + 1) > AUDIT_VALUE_MAX)
			return -EMSGSIZE;
	}
	return 0;
}

int audit_format_record(uint8_t *line, size_t cap, size_t *len, uint8_t hash[AUDIT_HASH_LEN],
	uint64_t seq, const struct audit_time *t, const uint8_t prev[AUDIT_HASH_LEN],
	const char *event, const struct audit_field *fields, size_t nfields,
	const uint8_t sk[AUDIT_SK_LEN])
{
	struct lbuf b = { .p = line, .cap = cap };
	char num[32], when[AUDIT_TIME_LEN + 1];
	uint8_t esc[AUDIT_ESCAPED_MAX], sig[AUDIT_SIG_LEN];
	size_t esclen, hashed, signed_len;
	struct audit_record back;
	int rc = check_fields(event, fields, nfields);

	if (rc < 0)
		return rc;
	if (seq < 1 || seq > AUDIT_SEQ_MAX)
		return -EOVERFLOW;
	snprintf(num, sizeof(num), "%llu", (unsigned long long)seq);
	audit_time_format(t, when);
	lb_adds(&b, "seq=");
	lb_adds(&b, num);
	lb_adds(&b, " time=");
	lb_adds(&b, when);
	lb_adds(&b, " event=");
	lb_adds(&b, event);
	for (size_t i = 0; i < nfields; i++) {
		const uint8_t *v = (const uint8_t *)fields[i].value;

		if (audit_escape(v, strlen(fields[i].value), esc, sizeof(esc), &esclen) != AUDIT_OK)
			return -EMSGSIZE;
		lb_adds(&b, " ");
		lb_adds(&b, fields[i].key);
		lb_adds(&b, "=");
		lb_add(&b, esc, esclen);
	}
	lb_adds(&b, " prev=");
	lb_hex(&b, prev, AUDIT_HASH_LEN);
	if (b.over)
		return -EMSGSIZE;
	hashed = b.len;
	crypto_generichash(hash, AUDIT_HASH_LEN, line, hashed, NULL, 0);
	lb_adds(&b, " hash=");
	lb_hex(&b, hash, AUDIT_HASH_LEN);
	if (b.over)
		return -EMSGSIZE;
	signed_len = b.len;
	crypto_sign_detached(sig, NULL, line, signed_len, sk);
	lb_adds(&b, " sig=");
	lb_hex(&b, sig, AUDIT_SIG_LEN);
	lb_adds(&b, "\n");
	if (b.over || b.len > AUDIT_RECORD_MAX)
		return -EMSGSIZE;
	/* The writer and the parser agree, or nothing is written. */
	if (audit_parse_record(line, b.len, &back) != AUDIT_OK || back.seq != seq ||
	    back.hashed_len != hashed || back.signed_len != signed_len || back.nfields != nfields)
		return -EINVAL;
	*len = b.len;
	return 0;
}

void audit_format_head(uint8_t slot[AUDIT_HEAD_SLOT_LEN], uint64_t seq,
	const uint8_t hash[AUDIT_HASH_LEN], const uint8_t sk[AUDIT_SK_LEN])
{
	char text[AUDIT_HEAD_SLOT_LEN + 1], hex[2 * AUDIT_SIG_LEN + 1];
	uint8_t sig[AUDIT_SIG_LEN];

	snprintf(text, sizeof(text), "head seq=%015llu hash=", (unsigned long long)seq);
	sodium_bin2hex(hex, sizeof(hex), hash, AUDIT_HASH_LEN);
	memcpy(text + AUDIT_HEAD_HASH_OFF, hex, 2 * AUDIT_HASH_LEN);
	crypto_sign_detached(sig, NULL, (const uint8_t *)text, AUDIT_HEAD_SIGNED_LEN, sk);
	memcpy(text + AUDIT_HEAD_SIGNED_LEN, " sig=", 5);
	sodium_bin2hex(hex, sizeof(hex), sig, AUDIT_SIG_LEN);
	memcpy(text + AUDIT_HEAD_SIG_OFF, hex, 2 * AUDIT_SIG_LEN);
	text[AUDIT_HEAD_SLOT_LEN - 1] = '\n';
	memcpy(slot, text, AUDIT_HEAD_SLOT_LEN);
}

static void format_keyfile(uint8_t *out, const char *prefix, size_t prefix_len, const uint8_t *key)
{
	char hex[2 * 32 + 1];

	memcpy(out, prefix, prefix_len);
	sodium_bin2hex(hex, sizeof(hex), key, 32);
	memcpy(out + prefix_len, hex, 64);
	out[prefix_len + 64] = '\n';
	sodium_memzero(hex, sizeof(hex));
}

void audit_format_pubkey(uint8_t out[AUDIT_PUBKEY_FILE_LEN], const uint8_t pk[AUDIT_PUBKEY_LEN])
{
	format_keyfile(out, AUDIT_PUBKEY_PREFIX, AUDIT_PUBKEY_PREFIX_LEN, pk);
}

void audit_format_seed(uint8_t out[AUDIT_SEED_FILE_LEN], const uint8_t seed[AUDIT_SEED_LEN])
{
	format_keyfile(out, AUDIT_SEED_PREFIX, AUDIT_SEED_PREFIX_LEN, seed);
}

bool audit_record_hash_ok(const uint8_t *line, const struct audit_record *rec)
{
	uint8_t h[AUDIT_HASH_LEN];

	crypto_generichash(h, sizeof(h), line, rec->hashed_len, NULL, 0);
	return sodium_memcmp(h, rec->hash, AUDIT_HASH_LEN) == 0;
}

bool audit_record_sig_ok(const uint8_t *line, const struct audit_record *rec,
	const uint8_t pk[AUDIT_PUBKEY_LEN])
{
	return crypto_sign_verify_detached(rec->sig, line, rec->signed_len, pk) == 0;
}

const char *audit_perr_name(int code)
{
	switch (code) {
	case AUDIT_OK: return "ok";
	case AUDIT_ELENGTH: return "empty, too long, or no final newline";
	case AUDIT_ESEQ: return "bad or missing seq=";
	case AUDIT_ETIME: return "bad or missing time=";
	case AUDIT_EEVENT: return "bad or missing event=";
	case AUDIT_EKEY: return "bad field key";
	case AUDIT_EDUPKEY: return "duplicate field key";
	case AUDIT_EVALUE: return "bad or non-canonical value escaping";
	case AUDIT_EFIELDS: return "too many fields";
	case AUDIT_EPREV: return "bad or missing prev=";
	case AUDIT_EHASH: return "bad or missing hash=";
	case AUDIT_ESIG: return "bad or missing sig=";
	case AUDIT_ETRAILING: return "bad separator or trailing bytes";
	case AUDIT_EHEAD: return "bad head slot";
	case AUDIT_EKEYFILE: return "bad key file";
	default: return "unknown error";
	}
}
