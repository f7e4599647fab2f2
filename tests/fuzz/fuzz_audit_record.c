/* libFuzzer target: the audit log's record and head parsers
 * (capd/audit/audit_parse.c).  An accepted record has every span inside
 * the line and is exactly its canonical form: rebuilt from the parse
 * (values unescaped, then escaped again) it is byte for byte the input.
 * Any input as a value: unescape then escape gives it back. */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "capd/audit/audit_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t put(uint8_t *out, size_t o, const void *p, size_t n)
{
	assert(o + n <= 2 * AUDIT_RECORD_MAX);
	memcpy(out + o, p, n);
	return o + n;
}

static size_t put_hex(uint8_t *out, size_t o, const uint8_t *b, size_t n)
{
	static const char d[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		char h[2] = { d[b[i] / 16], d[b[i] % 16] };
		o = put(out, o, h, 2);
	}
	return o;
}

static void check_record(const uint8_t *data, size_t size)
{
	static uint8_t out[2 * AUDIT_RECORD_MAX], val[AUDIT_VALUE_MAX], esc[AUDIT_ESCAPED_MAX];
	struct audit_record r;
	char tmp[64];
	size_t o = 0, vlen, elen;

	if (audit_parse_record(data, size, &r) != AUDIT_OK)
		return;
	assert(r.seq >= 1 && r.seq <= AUDIT_SEQ_MAX && r.nfields <= AUDIT_FIELDS_MAX);
	assert(r.hashed_len < r.signed_len && r.signed_len < size);
	snprintf(tmp, sizeof(tmp), "seq=%llu time=%04u-%02u-%02uT%02u:%02u:%02u.%03uZ event=",
		(unsigned long long)r.seq, r.time.year, r.time.month, r.time.day, r.time.hour,
		r.time.min, r.time.sec, r.time.msec);
	o = put(out, o, tmp, strlen(tmp));
	assert(r.event.off + r.event.len <= size);
	o = put(out, o, data + r.event.off, r.event.len);
	for (uint32_t i = 0; i < r.nfields; i++) {
		const struct audit_fspan *f = &r.fields[i];

		assert(f->key.off + f->key.len <= size && f->value.off + f->value.len <= size);
		assert(f->value.len <= AUDIT_ESCAPED_MAX);
		assert(audit_name_check(AUDIT_NAME_KEY, data + f->key.off, f->key.len) == AUDIT_OK);
		assert(audit_unescape(data + f->value.off, f->value.len, val, sizeof(val), &vlen) == AUDIT_OK);
		assert(audit_escape(val, vlen, esc, sizeof(esc), &elen) == AUDIT_OK);
		o = put(out, o, " ", 1);
		o = put(out, o, data + f->key.off, f->key.len);
		o = put(out, o, "=", 1);
		o = put(out, o, esc, elen);
	}
	o = put(out, o, " prev=", 6);
	o = put_hex(out, o, r.prev, AUDIT_HASH_LEN);
	assert(o == r.hashed_len);
	o = put(out, o, " hash=", 6);
	o = put_hex(out, o, r.hash, AUDIT_HASH_LEN);
	assert(o == r.signed_len);
	o = put(out, o, " sig=", 5);
	o = put_hex(out, o, r.sig, AUDIT_SIG_LEN);
	o = put(out, o, "\n", 1);
	assert(o == size && memcmp(out, data, size) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t val[AUDIT_VALUE_MAX], esc[AUDIT_ESCAPED_MAX], back[AUDIT_VALUE_MAX];
	struct audit_head h;
	size_t vlen, elen, blen;

	check_record(data, size);
	if (audit_parse_head(data, size, &h) == AUDIT_OK)
		assert(size == AUDIT_HEAD_SLOT_LEN && h.seq <= AUDIT_SEQ_MAX);
	/* As an escaped value: canonical, so escaping its decoding gives it back. */
	if (audit_unescape(data, size, val, sizeof(val), &vlen) == AUDIT_OK) {
		assert(audit_escape(val, vlen, esc, sizeof(esc), &elen) == AUDIT_OK);
		assert(elen == size && memcmp(esc, data, size) == 0);
	}
	/* As raw bytes: escaping, then unescaping, gives them back. */
	if (size <= AUDIT_VALUE_MAX) {
		assert(audit_escape(data, size, esc, sizeof(esc), &elen) == AUDIT_OK);
		for (size_t i = 0; i < elen; i++)
			assert(esc[i] > 0x20 && esc[i] < 0x7f && esc[i] != '=');
		assert(audit_unescape(esc, elen, back, sizeof(back), &blen) == AUDIT_OK);
		assert(blen == size && memcmp(back, data, size) == 0);
	}
	return 0;
}
