/* The audit log's text formats (capd/audit/audit_parse.c, audit_format.c):
 * escaping round trip for every byte value, refusal of every non-canonical
 * escape, each reject class of the record parser, head and key files, and
 * a golden file (records made with a fixed key and time print exactly as
 * tests/golden/audit.golden, and parse back to the same bytes). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capd/audit/audit_parse.h"
#include "capd/audit/auditlog_int.h"
#include "lib/io.h"
#include "tests/lib/check.h"

static const char Z64[] = "0000000000000000000000000000000000000000000000000000000000000000";
static const char H64[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/* A line with dummy (well-formed) prev/hash/sig around `middle`. */
static size_t mk(char *out, size_t cap, const char *middle)
{
	int n = snprintf(out, cap, "%s prev=%s hash=%s sig=%s%s\n", middle, Z64, H64, H64, H64);
	return (size_t)n;
}

static int parse_str(const char *s, size_t len, struct audit_record *r)
{
	return audit_parse_record((const uint8_t *)s, len, r);
}

static int parse_mid(const char *middle)
{
	static char line[3 * AUDIT_RECORD_MAX];
	struct audit_record r;
	size_t n = mk(line, sizeof(line), middle);

	return parse_str(line, n, &r);
}

static void test_escape_every_byte(void)
{
	uint8_t in[256], esc[AUDIT_ESCAPED_MAX], back[AUDIT_VALUE_MAX];
	size_t elen = 0, blen = 0;

	for (unsigned b = 0; b < 256; b++) {
		uint8_t c = (uint8_t)b;
		bool safe = b >= 0x21 && b <= 0x7e && b != '%' && b != '=';

		CHECK(audit_is_safe(c) == safe);
		CHECK(audit_escape(&c, 1, esc, sizeof(esc), &elen) == AUDIT_OK);
		if (safe) {
			CHECK(elen == 1 && esc[0] == c);
		} else {
			char want[4];
			snprintf(want, sizeof(want), "%%%02X", b);
			CHECK(elen == 3 && memcmp(esc, want, 3) == 0);
		}
		CHECK(audit_unescape(esc, elen, back, sizeof(back), &blen) == AUDIT_OK);
		CHECK(blen == 1 && back[0] == c);
		/* No escaped form contains a byte outside the safe set or '%'. */
		for (size_t i = 0; i < elen; i++)
			CHECK(audit_is_safe(esc[i]) || esc[i] == '%');
		in[b] = c;
	}
	/* All 256 at once, and the empty value. */
	CHECK(audit_escape(in, 256, esc, sizeof(esc), &elen) == AUDIT_OK);
	CHECK(audit_unescape(esc, elen, back, sizeof(back), &blen) == AUDIT_OK);
	CHECK(blen == 256 && memcmp(back, in, 256) == 0);
	CHECK(audit_escape(in, 0, esc, sizeof(esc), &elen) == AUDIT_OK && elen == 0);
	CHECK(audit_unescape(esc, 0, back, sizeof(back), &blen) == AUDIT_OK && blen == 0);
}

static void test_escape_limits(void)
{
	static uint8_t big[AUDIT_VALUE_MAX + 1], esc[AUDIT_ESCAPED_MAX + 3], back[AUDIT_VALUE_MAX + 8];
	size_t elen = 7, blen = 7;

	memset(big, 0x01, sizeof(big));
	/* Exactly the maximum, every byte escaped: fits AUDIT_ESCAPED_MAX. */
	CHECK(audit_escape(big, AUDIT_VALUE_MAX, esc, AUDIT_ESCAPED_MAX, &elen) == AUDIT_OK);
	CHECK(elen == AUDIT_ESCAPED_MAX);
	CHECK(audit_unescape(esc, elen, back, sizeof(back), &blen) == AUDIT_OK && blen == AUDIT_VALUE_MAX);
	/* One more byte: refused by both sides. */
	elen = 7;
	CHECK(audit_escape(big, AUDIT_VALUE_MAX + 1, esc, sizeof(esc), &elen) == AUDIT_ETOOLONG && elen == 7);
	memcpy(esc + AUDIT_ESCAPED_MAX, "%01", 3);
	blen = 7;
	CHECK(audit_unescape(esc, AUDIT_ESCAPED_MAX + 3, back, sizeof(back), &blen) == AUDIT_EVALUE && blen == 7);
	/* A buffer one byte short. */
	CHECK(audit_escape(big, 10, esc, 29, &elen) == AUDIT_ENOSPACE && elen == 7);
	CHECK(audit_escape((const uint8_t *)"abc", 3, esc, 2, &elen) == AUDIT_ENOSPACE);
	CHECK(audit_unescape((const uint8_t *)"abc", 3, back, 2, &blen) == AUDIT_ENOSPACE && blen == 7);
}

static void test_unescape_rejects(void)
{
	uint8_t back[64];
	size_t blen = 99;
	char s[8];
	int accepted = 0;

	/* Every needless escape of a safe byte, every raw unsafe byte. */
	for (unsigned b = 0; b < 256; b++) {
		uint8_t c = (uint8_t)b;

		snprintf(s, sizeof(s), "%%%02X", b);
		if (audit_is_safe(c) && audit_unescape((uint8_t *)s, 3, back, sizeof(back), &blen) == AUDIT_OK)
			accepted++;
		if (!audit_is_safe(c) && audit_unescape(&c, 1, back, sizeof(back), &blen) == AUDIT_OK)
			accepted++;
		/* lowercase hex digits are not canonical */
		snprintf(s, sizeof(s), "%%%02x", b);
		if (strpbrk(s, "abcdef") != NULL &&
		    audit_unescape((uint8_t *)s, 3, back, sizeof(back), &blen) == AUDIT_OK)
			accepted++;
	}
	CHECK(accepted == 0);
	CHECK(blen == 99);
	CHECK(audit_unescape((const uint8_t *)"%", 1, back, sizeof(back), &blen) == AUDIT_EVALUE);
	CHECK(audit_unescape((const uint8_t *)"%2", 2, back, sizeof(back), &blen) == AUDIT_EVALUE);
	CHECK(audit_unescape((const uint8_t *)"a%2", 3, back, sizeof(back), &blen) == AUDIT_EVALUE);
	CHECK(audit_unescape((const uint8_t *)"%G0", 3, back, sizeof(back), &blen) == AUDIT_EVALUE);
	CHECK(audit_unescape((const uint8_t *)"%0G", 3, back, sizeof(back), &blen) == AUDIT_EVALUE);
	CHECK(audit_unescape((const uint8_t *)"%0a", 3, back, sizeof(back), &blen) == AUDIT_EVALUE);
	CHECK(audit_unescape((const uint8_t *)"%0A", 3, back, sizeof(back), &blen) == AUDIT_OK && blen == 1 &&
	      back[0] == '\n');
	CHECK(blen == 1);
}

static void test_names(void)
{
	CHECK(audit_name_check(AUDIT_NAME_EVENT, (const uint8_t *)"mint-from-grant", 15) == AUDIT_OK);
	CHECK(audit_name_check(AUDIT_NAME_KEY, (const uint8_t *)"mint-from-grant", 15) == AUDIT_EKEY);
	CHECK(audit_name_check(AUDIT_NAME_KEY, (const uint8_t *)"dropped_bytes", 13) == AUDIT_OK);
	CHECK(audit_name_check(AUDIT_NAME_KEY, (const uint8_t *)"a", 1) == AUDIT_OK);
	CHECK(audit_name_check(AUDIT_NAME_KEY, (const uint8_t *)"", 0) == AUDIT_EKEY);
	CHECK(audit_name_check(AUDIT_NAME_EVENT, (const uint8_t *)"", 0) == AUDIT_EEVENT);
	CHECK(audit_name_check(AUDIT_NAME_KEY, (const uint8_t *)"1a", 2) == AUDIT_EKEY);
	CHECK(audit_name_check(AUDIT_NAME_KEY, (const uint8_t *)"_a", 2) == AUDIT_EKEY);
	CHECK(audit_name_check(AUDIT_NAME_KEY, (const uint8_t *)"aB", 2) == AUDIT_EKEY);
	CHECK(audit_name_check(AUDIT_NAME_KEY, (const uint8_t *)"abcdefghijabcdefghijabcdefghijab", 32) == AUDIT_OK);
	CHECK(audit_name_check(AUDIT_NAME_KEY, (const uint8_t *)"abcdefghijabcdefghijabcdefghijabc", 33) == AUDIT_EKEY);
	const char *reserved[] = { "seq", "time", "event", "prev", "hash", "sig" };
	for (size_t i = 0; i < 6; i++) {
		CHECK(audit_name_check(AUDIT_NAME_KEY, (const uint8_t *)reserved[i], strlen(reserved[i])) == AUDIT_EKEY);
		CHECK(audit_name_check(AUDIT_NAME_EVENT, (const uint8_t *)reserved[i], strlen(reserved[i])) == AUDIT_OK);
	}
	CHECK(audit_name_check(AUDIT_NAME_KEY, (const uint8_t *)"seqs", 4) == AUDIT_OK);
}

#define T "time=2026-01-02T03:04:05.678Z"

static void test_record_rejects(void)
{
	static char line[3 * AUDIT_RECORD_MAX];
	struct audit_record r, before;
	size_t n;

	/* The accepted shape first. */
	CHECK(parse_mid("seq=1 " T " event=mint") == AUDIT_OK);
	CHECK(parse_mid("seq=999999999999999 " T " event=mint a= b=%20") == AUDIT_OK);
	CHECK(parse_mid("seq=42 time=2024-02-29T23:59:59.999Z event=x") == AUDIT_OK);
	CHECK(parse_mid("seq=42 time=2000-02-29T00:00:00.000Z event=x") == AUDIT_OK);
	CHECK(parse_mid("seq=42 time=1970-01-01T00:00:00.000Z event=x") == AUDIT_OK);

	/* length and the final LF */
	n = mk(line, sizeof(line), "seq=1 " T " event=mint");
	CHECK(parse_str(line, 0, &r) == AUDIT_ELENGTH);
	CHECK(parse_str(line, n - 1, &r) == AUDIT_ELENGTH);          /* no LF */
	line[n - 1] = '\r';
	CHECK(parse_str(line, n, &r) == AUDIT_ELENGTH);
	{
		/* A record of exactly AUDIT_RECORD_MAX bytes, and one byte more. */
		static char big[AUDIT_RECORD_MAX + 400], mid[AUDIT_RECORD_MAX + 400];
		size_t base = mk(big, sizeof(big), "seq=1 " T " event=x"), k = 0;
		int m = snprintf(mid, sizeof(mid), "seq=1 " T " event=x");

		for (char key = 'a'; base + (size_t)m - strlen("seq=1 " T " event=x") < AUDIT_RECORD_MAX; key++) {
			size_t room = AUDIT_RECORD_MAX - (base + (size_t)m - strlen("seq=1 " T " event=x"));
			size_t v = room - 3 > AUDIT_VALUE_MAX ? AUDIT_VALUE_MAX : room - 3;
			m += snprintf(mid + m, sizeof(mid) - (size_t)m, " %c=", key);
			memset(mid + m, 'v', v);
			m += (int)v;
			mid[m] = 0;
			k++;
		}
		n = mk(big, sizeof(big), mid);
		CHECK(n == AUDIT_RECORD_MAX && k <= AUDIT_FIELDS_MAX);
		CHECK(parse_str(big, n, &r) == AUDIT_OK);
		big[n - 1] = 'v';
		big[n] = '\n';
		CHECK(parse_str(big, n + 1, &r) == AUDIT_ELENGTH);
	}
	/* seq */
	CHECK(parse_mid("seq=0 " T " event=mint") == AUDIT_ESEQ);
	CHECK(parse_mid("seq=01 " T " event=mint") == AUDIT_ESEQ);
	CHECK(parse_mid("seq= " T " event=mint") == AUDIT_ESEQ);
	CHECK(parse_mid("seq=1000000000000000 " T " event=mint") == AUDIT_ESEQ);
	CHECK(parse_mid("seq=1a " T " event=mint") == AUDIT_ESEQ);
	CHECK(parse_mid("seq=-1 " T " event=mint") == AUDIT_ESEQ);
	CHECK(parse_mid(T " seq=1 event=mint") == AUDIT_ESEQ);
	CHECK(parse_mid(" seq=1 " T " event=mint") == AUDIT_ESEQ);
	CHECK(parse_mid("SEQ=1 " T " event=mint") == AUDIT_ESEQ);
	/* time */
	CHECK(parse_mid("seq=1 time=2026-13-02T03:04:05.678Z event=x") == AUDIT_ETIME);
	CHECK(parse_mid("seq=1 time=2026-00-02T03:04:05.678Z event=x") == AUDIT_ETIME);
	CHECK(parse_mid("seq=1 time=2026-04-31T03:04:05.678Z event=x") == AUDIT_ETIME);
	CHECK(parse_mid("seq=1 time=2025-02-29T03:04:05.678Z event=x") == AUDIT_ETIME);
	CHECK(parse_mid("seq=1 time=1900-02-29T03:04:05.678Z event=x") == AUDIT_ETIME);
	CHECK(parse_mid("seq=1 time=2026-01-00T03:04:05.678Z event=x") == AUDIT_ETIME);
	CHECK(parse_mid("seq=1 time=2026-01-02T24:04:05.678Z event=x") == AUDIT_ETIME);
	CHECK(parse_mid("seq=1 time=2026-01-02T03:60:05.678Z event=x") == AUDIT_ETIME);
	CHECK(parse_mid("seq=1 time=2026-01-02T03:04:60.678Z event=x") == AUDIT_ETIME);
	CHECK(parse_mid("seq=1 time=1969-12-31T23:59:59.999Z event=x") == AUDIT_ETIME);
	CHECK(parse_mid("seq=1 time=2026-01-02T03:04:05.678 event=x") == AUDIT_ETIME);
	CHECK(parse_mid("seq=1 time=2026-01-02 03:04:05.678Z event=x") == AUDIT_ETIME);
	CHECK(parse_mid("seq=1 time=2026-01-02T03:04:05.6789Z event=x") == AUDIT_ETIME);
	CHECK(parse_mid("seq=1 time=2026-1-02T03:04:05.678ZZ event=x") == AUDIT_ETIME);
	CHECK(parse_mid("seq=1 time=2026-01-02t03:04:05.678Z event=x") == AUDIT_ETIME);
	CHECK(parse_mid("seq=1 event=x " T) == AUDIT_ETIME);
	/* event */
	CHECK(parse_mid("seq=1 " T " event=") == AUDIT_EEVENT);
	CHECK(parse_mid("seq=1 " T " event=Mint") == AUDIT_EEVENT);
	CHECK(parse_mid("seq=1 " T " event=-mint") == AUDIT_EEVENT);
	CHECK(parse_mid("seq=1 " T " event=abcdefghijabcdefghijabcdefghijabc") == AUDIT_EEVENT);
	CHECK(parse_mid("seq=1 " T " a=b event=x") == AUDIT_EEVENT);
	/* keys */
	CHECK(parse_mid("seq=1 " T " event=x novalue") == AUDIT_EKEY);
	CHECK(parse_mid("seq=1 " T " event=x =v") == AUDIT_EKEY);
	CHECK(parse_mid("seq=1 " T " event=x Key=v") == AUDIT_EKEY);
	CHECK(parse_mid("seq=1 " T " event=x seq=2") == AUDIT_EKEY);
	CHECK(parse_mid("seq=1 " T " event=x sig=2") == AUDIT_EKEY);
	CHECK(parse_mid("seq=1 " T " event=x hash=2") == AUDIT_EKEY);
	CHECK(parse_mid("seq=1 " T " event=x a-b=2") == AUDIT_EKEY);
	CHECK(parse_mid("seq=1 " T " event=x a=1 b=2 a=3") == AUDIT_EDUPKEY);
	/* values */
	CHECK(parse_mid("seq=1 " T " event=x a=%41") == AUDIT_EVALUE);
	CHECK(parse_mid("seq=1 " T " event=x a=%0a") == AUDIT_EVALUE);
	CHECK(parse_mid("seq=1 " T " event=x a=b=c") == AUDIT_EVALUE);
	CHECK(parse_mid("seq=1 " T " event=x a=50%") == AUDIT_EVALUE);
	CHECK(parse_mid("seq=1 " T " event=x a=\x7f") == AUDIT_EVALUE);
	CHECK(parse_mid("seq=1 " T " event=x a=\xc3\xa9") == AUDIT_EVALUE);
	CHECK(parse_mid("seq=1 " T " event=x a=\t") == AUDIT_EVALUE);
	CHECK(parse_mid("seq=1 " T " event=x a=b=") == AUDIT_EVALUE);
	CHECK(parse_mid("seq=1 " T " event=x a=%3D") == AUDIT_OK);     /* '=' escaped */
	CHECK(parse_mid("seq=1 " T " event=x a=%C3%A9") == AUDIT_OK);
	/* field count */
	CHECK(parse_mid("seq=1 " T " event=x a=1 b=1 c=1 d=1 e=1 f=1 g=1 h=1 i=1 j=1 k=1 l=1 m=1 n=1 o=1 p=1") == AUDIT_OK);
	CHECK(parse_mid("seq=1 " T " event=x a=1 b=1 c=1 d=1 e=1 f=1 g=1 h=1 i=1 j=1 k=1 l=1 m=1 n=1 o=1 p=1 q=1") ==
	      AUDIT_EFIELDS);
	/* separators */
	CHECK(parse_mid("seq=1  " T " event=x") == AUDIT_ETIME);
	CHECK(parse_mid("seq=1 " T " event=x  a=1") == AUDIT_EKEY);
	CHECK(parse_mid("seq=1 " T " event=x ") == AUDIT_EKEY);

	/* prev/hash/sig: hex, lowercase, lengths, order, nothing after */
	n = (size_t)snprintf(line, sizeof(line), "seq=1 " T " event=x prev=%s hash=%s sig=%s%s\n", Z64, H64, H64, H64);
	CHECK(parse_str(line, n, &r) == AUDIT_OK);
	n = (size_t)snprintf(line, sizeof(line), "seq=1 " T " event=x prev=%s hash=%s sig=%s%s\n", H64 + 1, H64, H64, H64);
	CHECK(parse_str(line, n, &r) == AUDIT_EPREV);
	n = (size_t)snprintf(line, sizeof(line), "seq=1 " T " event=x prev=%sA hash=%s sig=%s%s\n", H64 + 1, H64, H64, H64);
	CHECK(parse_str(line, n, &r) == AUDIT_EPREV);
	n = (size_t)snprintf(line, sizeof(line), "seq=1 " T " event=x prev=%s hash=%sa sig=%s%s\n", Z64, H64, H64, H64);
	CHECK(parse_str(line, n, &r) == AUDIT_EHASH);
	n = (size_t)snprintf(line, sizeof(line), "seq=1 " T " event=x prev=%s hash=%s sig=%s%sF\n", Z64, H64, H64, H64 + 1);
	CHECK(parse_str(line, n, &r) == AUDIT_ESIG);
	n = (size_t)snprintf(line, sizeof(line), "seq=1 " T " event=x prev=%s sig=%s%s hash=%s\n", Z64, H64, H64, H64);
	CHECK(parse_str(line, n, &r) == AUDIT_EHASH);
	n = (size_t)snprintf(line, sizeof(line), "seq=1 " T " event=x prev=%s hash=%s sig=%s%s \n", Z64, H64, H64, H64);
	CHECK(parse_str(line, n, &r) == AUDIT_ETRAILING);
	n = (size_t)snprintf(line, sizeof(line), "seq=1 " T " event=x prev=%s hash=%s sig=%s%s x=1\n", Z64, H64, H64, H64);
	CHECK(parse_str(line, n, &r) == AUDIT_ETRAILING);
	n = (size_t)snprintf(line, sizeof(line), "seq=1 " T " event=x prev=%s hash=%s\n", Z64, H64);
	CHECK(parse_str(line, n, &r) == AUDIT_ESIG);
	n = (size_t)snprintf(line, sizeof(line), "seq=1 " T " event=x a=1\n");
	CHECK(parse_str(line, n, &r) == AUDIT_EPREV);
	CHECK(parse_str("seq=1\n", 6, &r) == AUDIT_ETIME);
	CHECK(parse_str("seq=1 " T "\n", 36, &r) == AUDIT_EEVENT);
	CHECK(parse_str("seq=1 " T " event=x\n", 44, &r) == AUDIT_EPREV);
	/* an LF inside the line */
	n = mk(line, sizeof(line), "seq=1 " T " event=x a=1\nb=2");
	CHECK(parse_str(line, n, &r) == AUDIT_EVALUE);

	/* A reject leaves the output untouched. */
	memset(&before, 0xa5, sizeof(before));
	r = before;
	CHECK(parse_mid("seq=1 " T " event=x a=1 a=2") == AUDIT_EDUPKEY);
	n = mk(line, sizeof(line), "seq=1 " T " event=x a=1 a=2");
	CHECK(parse_str(line, n, &r) == AUDIT_EDUPKEY);
	CHECK(memcmp(&r, &before, sizeof(r)) == 0);
}

static void test_record_fields(void)
{
	char line[1024];
	struct audit_record r;
	size_t n = mk(line, sizeof(line), "seq=7 " T " event=mint source=work arg= note=a%20b");

	CHECK(parse_str(line, n, &r) == AUDIT_OK);
	CHECK(r.seq == 7 && r.nfields == 3);
	CHECK(r.time.year == 2026 && r.time.month == 1 && r.time.day == 2 && r.time.hour == 3 &&
	      r.time.min == 4 && r.time.sec == 5 && r.time.msec == 678);
	CHECK(r.event.len == 4 && memcmp(line + r.event.off, "mint", 4) == 0);
	CHECK(r.fields[0].key.len == 6 && memcmp(line + r.fields[0].key.off, "source", 6) == 0);
	CHECK(r.fields[0].value.len == 4 && memcmp(line + r.fields[0].value.off, "work", 4) == 0);
	CHECK(r.fields[1].value.len == 0);
	CHECK(r.fields[2].value.len == 5 && memcmp(line + r.fields[2].value.off, "a%20b", 5) == 0);
	CHECK(r.hashed_len == (size_t)(strstr(line, " hash=") - line));
	CHECK(r.signed_len == (size_t)(strstr(line, " sig=") - line));
	CHECK(r.hash[0] == 0x01 && r.hash[1] == 0x23 && r.prev[0] == 0 && r.sig[63] == 0xef);
}

static void test_head_and_keyfiles(void)
{
	uint8_t sk[64], pk[32], seed[32], slot[AUDIT_HEAD_SLOT_LEN], hash[32], key[32];
	uint8_t file[AUDIT_PUBKEY_FILE_LEN], sfile[AUDIT_SEED_FILE_LEN];
	struct audit_head h, before;
	int accepted = 0;

	for (int i = 0; i < 32; i++)
		seed[i] = (uint8_t)i, hash[i] = (uint8_t)(0xf0 ^ i);
	crypto_sign_seed_keypair(pk, sk, seed);
	audit_format_head(slot, 123456789012345ull, hash, sk);
	CHECK(audit_parse_head(slot, sizeof(slot), &h) == AUDIT_OK);
	CHECK(h.seq == 123456789012345ull && memcmp(h.hash, hash, 32) == 0);
	CHECK(crypto_sign_verify_detached(h.sig, slot, AUDIT_HEAD_SIGNED_LEN, pk) == 0);
	CHECK(audit_parse_head(slot, sizeof(slot) - 1, &h) == AUDIT_EHEAD);
	/* Every single-byte change is refused by the parser or the signature. */
	memset(&before, 0x5a, sizeof(before));
	for (size_t i = 0; i < sizeof(slot); i++) {
		uint8_t saved = slot[i];
		slot[i] ^= 0x01;
		h = before;
		if (audit_parse_head(slot, sizeof(slot), &h) == AUDIT_OK) {
			if (crypto_sign_verify_detached(h.sig, slot, AUDIT_HEAD_SIGNED_LEN, pk) == 0)
				accepted++;
		} else {
			CHECK(memcmp(&h, &before, sizeof(h)) == 0);
		}
		slot[i] = saved;
	}
	CHECK(accepted == 0);

	audit_format_pubkey(file, pk);
	CHECK(audit_parse_keyfile(file, sizeof(file), AUDIT_PUBKEY_PREFIX, AUDIT_PUBKEY_PREFIX_LEN, key) == AUDIT_OK);
	CHECK(memcmp(key, pk, 32) == 0);
	CHECK(audit_parse_keyfile(file, sizeof(file) - 1, AUDIT_PUBKEY_PREFIX, AUDIT_PUBKEY_PREFIX_LEN, key) ==
	      AUDIT_EKEYFILE);
	CHECK(audit_parse_keyfile(file, sizeof(file), AUDIT_SEED_PREFIX, AUDIT_SEED_PREFIX_LEN, key) == AUDIT_EKEYFILE);
	file[40] = 'A';   /* uppercase hex */
	memset(key, 0x77, 32);
	CHECK(audit_parse_keyfile(file, sizeof(file), AUDIT_PUBKEY_PREFIX, AUDIT_PUBKEY_PREFIX_LEN, key) == AUDIT_EKEYFILE);
	CHECK(key[0] == 0x77 && key[31] == 0x77);
	audit_format_seed(sfile, seed);
	CHECK(audit_parse_keyfile(sfile, sizeof(sfile), AUDIT_SEED_PREFIX, AUDIT_SEED_PREFIX_LEN, key) == AUDIT_OK);
	CHECK(memcmp(key, seed, 32) == 0);
}

/* The golden file: a public key, three records and a head made with a
 * fixed seed and fixed times; then every record parses and, rebuilt from
 * its parse (values unescaped and escaped again), prints identically. */
static void test_golden(const char *path)
{
	uint8_t seed[32], pk[32], sk[64], prev[32] = { 0 }, hash[32];
	uint8_t out[8192], line[AUDIT_RECORD_MAX], slot[AUDIT_HEAD_SLOT_LEN], pub[AUDIT_PUBKEY_FILE_LEN];
	char golden[8192], hostile[256];
	size_t olen = 0, len = 0;
	struct audit_time t = { 2026, 11, 22, 1, 2, 3, 45 };
	struct audit_record rec;
	ssize_t g;

	for (int i = 0; i < 32; i++)
		seed[i] = (uint8_t)(i + 1);
	for (int i = 0; i < 255; i++)
		hostile[i] = (char)(i + 1);
	hostile[255] = 0;
	crypto_sign_seed_keypair(pk, sk, seed);
	audit_format_pubkey(pub, pk);
	memcpy(out, pub, sizeof(pub));
	olen = sizeof(pub);

	struct audit_field f1[] = { { "source", "work" }, { "target", "vault" },
				    { "service", "qubes.Gpg+sign" }, { "request", "SOCKET7" } };
	struct audit_field f2[] = { { "source", "work" }, { "arg", "" },
				    { "note", "a b=c%d\n\x1b[31m\xc3\xa9" } };
	struct audit_field f3[] = { { "every_byte", hostile } };
	const struct audit_field *fs[] = { f1, f2, f3 };
	size_t nfs[] = { 4, 3, 1 };
	const char *events[] = { "mint", "refuse", "redeem-ok" };

	for (int i = 0; i < 3; i++) {
		t.msec = (uint16_t)(45 + i);
		CHECK(audit_format_record(line, sizeof(line), &len, hash, (uint64_t)i + 1, &t, prev, events[i],
			fs[i], nfs[i], sk) == 0);
		CHECK(audit_parse_record(line, len, &rec) == AUDIT_OK);
		CHECK(audit_record_hash_ok(line, &rec) && audit_record_sig_ok(line, &rec, pk));
		/* parse, then print back */
		{
			char keys[AUDIT_FIELDS_MAX][AUDIT_NAME_MAX + 1];
			static char vals[AUDIT_FIELDS_MAX][AUDIT_VALUE_MAX + 1];
			struct audit_field back[AUDIT_FIELDS_MAX];
			char ev[AUDIT_NAME_MAX + 1];
			uint8_t line2[AUDIT_RECORD_MAX], hash2[32];
			size_t len2 = 0, vl = 0;

			for (uint32_t k = 0; k < rec.nfields; k++) {
				memcpy(keys[k], line + rec.fields[k].key.off, rec.fields[k].key.len);
				keys[k][rec.fields[k].key.len] = 0;
				CHECK(audit_unescape(line + rec.fields[k].value.off, rec.fields[k].value.len,
					(uint8_t *)vals[k], AUDIT_VALUE_MAX, &vl) == AUDIT_OK);
				vals[k][vl] = 0;
				back[k].key = keys[k];
				back[k].value = vals[k];
			}
			memcpy(ev, line + rec.event.off, rec.event.len);
			ev[rec.event.len] = 0;
			CHECK(audit_format_record(line2, sizeof(line2), &len2, hash2, rec.seq, &rec.time, rec.prev,
				ev, back, rec.nfields, sk) == 0);
			CHECK(len2 == len && memcmp(line2, line, len) == 0);
		}
		memcpy(out + olen, line, len);
		olen += len;
		memcpy(prev, hash, 32);
	}
	audit_format_head(slot, 3, hash, sk);
	memcpy(out + olen, slot, sizeof(slot));
	olen += sizeof(slot);

	if (getenv("BULKHEAD_UPDATE_GOLDEN"))
		fwrite(out, 1, olen, stdout);
	g = read_small_file(path, golden, sizeof(golden));
	CHECK(g > 0 && (size_t)g == olen && memcmp(golden, out, olen) == 0);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_escape_every_byte();
	test_escape_limits();
	test_unescape_rejects();
	test_names();
	test_record_rejects();
	test_record_fields();
	test_head_and_keyfiles();
	test_golden("tests/golden/audit.golden");
	return check_exit();
}
