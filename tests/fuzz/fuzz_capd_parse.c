/* libFuzzer target: every decoder of capd/capd_parse.c.  Input: one byte
 * choosing the decoder, then the payload.  Accepted payloads must hold
 * to the grammars of SPEC/capabilities.md and re-encode to exactly the
 * same bytes (the wire form is canonical: the MAC depends on it);
 * rejected ones must leave the output as it was. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "capd/capd_parse.h"

static uint8_t enc[CAPD_LIST_ANSWER];

/* A NUL-terminated, NUL-padded field: its length. */
static size_t padded_len(const char *f, size_t size)
{
	size_t n = strnlen(f, size);

	assert(n < size);
	for (size_t i = n; i < size; i++)
		assert(f[i] == 0);
	return n;
}

static bool svc_char(char c, bool plus)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
	       c == '_' || c == '-' || (plus && c == '+');
}

static void check_name(const char *f, uint32_t qid)
{
	size_t n = padded_len(f, CAPD_NAME_FIELD);

	assert(qid <= QREXEC_DOMID_MAX && n >= 1);
	if (qid == 0)
		assert(strcmp(f, "dom0") == 0);
	else
		assert(strcmp(f, "dom0") != 0 && names_check(NAME_QUBE, (const uint8_t *)f, n) == 0);
}

static void check_binding(const struct capd_binding *b)
{
	size_t n;

	check_name(b->source, b->source_qid);
	check_name(b->target, b->target_qid);
	assert(b->source_qid != b->target_qid);
	n = padded_len(b->service, CAPD_SERVICE_FIELD);
	assert(n >= 1 && n <= CAPD_SERVICE_MAX);
	for (size_t i = 0; i < n; i++)
		assert(svc_char(b->service[i], false));
	n = padded_len(b->argument, CAPD_ARG_FIELD);
	assert(n <= CAPD_ARG_MAX);
	for (size_t i = 0; i < n; i++)
		assert(svc_char(b->argument[i], true));
}

static void check_reqid(const char *r, bool may_be_empty)
{
	size_t n = padded_len(r, CAPD_REQID_FIELD);

	assert(may_be_empty || n >= 1);
	assert(n == 0 || qrexec_reqid_check((const uint8_t *)r, n) == 0);
}

/* Decodes with a sentinel-filled output: untouched on rejection. */
#define DECODE(fn, type, var, p, len)                                          \
	type var, var##_s;                                                     \
	memset(&var, 0x5a, sizeof(var));                                       \
	memset(&var##_s, 0x5a, sizeof(var##_s));                               \
	int rc_##var = fn(p, len, &var);                                       \
	if (rc_##var != 0) {                                                   \
		assert(rc_##var < 0 && memcmp(&var, &var##_s, sizeof(var)) == 0); \
		break;                                                         \
	}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p;
	size_t len;

	if (size < 1)
		return 0;
	p = data + 1;
	len = size - 1;
	switch (data[0] % 12) {
	case 0: {
		DECODE(capd_req_hdr_decode, struct capd_hdr, h, p, len);
		assert(len == 8 && h.len == capd_req_size(h.type) && h.len > 0);
		capd_hdr_encode(h.type, h.len, enc);
		assert(memcmp(enc, p, 8) == 0);
		break;
	}
	case 1: {
		DECODE(capd_binding_decode, struct capd_binding, b, p, len);
		check_binding(&b);
		capd_binding_encode(&b, enc);
		assert(len == CAPD_BINDING_SIZE && memcmp(enc, p, len) == 0);
		break;
	}
	case 2: {
		DECODE(capd_call_decode, struct capd_call, c, p, len);
		check_binding(&c.b);
		check_reqid(c.request_id, false);
		capd_call_encode(&c, enc);
		assert(len == CAPD_CALL_SIZE && memcmp(enc, p, len) == 0);
		break;
	}
	case 3: {
		DECODE(capd_token_decode, struct capd_token, t, p, len);
		assert(t.version == CAPD_TOKEN_VERSION && t.uses == CAPD_TOKEN_USES);
		capd_token_encode(&t, enc);
		assert(len == CAPD_TOKEN_SIZE && memcmp(enc, p, len) == 0);
		break;
	}
	case 4: {
		DECODE(capd_mint_decode, struct capd_mint_req, m, p, len);
		check_binding(&m.call.b);
		assert(m.ttl_ms <= CAPD_TTL_MAX_MS);
		memset(enc, 0, CAPD_MINT_SIZE);
		capd_call_encode(&m.call, enc);
		qrexec_put_u32(enc + CAPD_CALL_SIZE, m.ttl_ms);
		assert(len == CAPD_MINT_SIZE && memcmp(enc, p, len) == 0);
		break;
	}
	case 5: {
		DECODE(capd_redeem_decode, struct capd_redeem_req, r, p, len);
		check_binding(&r.call.b);
		capd_token_encode(&r.token, enc);
		capd_call_encode(&r.call, enc + CAPD_TOKEN_SIZE);
		assert(len == CAPD_REDEEM_SIZE && memcmp(enc, p, len) == 0);
		break;
	}
	case 6: {
		DECODE(capd_grant_decode, struct capd_grant_req, g, p, len);
		check_binding(&g.b);
		assert((g.scope == CAPD_SCOPE_CALLS && g.value >= 1 && g.value <= CAPD_GRANT_CALLS_MAX) ||
		       (g.scope == CAPD_SCOPE_MINUTES && g.value >= 1 && g.value <= CAPD_GRANT_MINUTES_MAX) ||
		       (g.scope == CAPD_SCOPE_ALWAYS && g.value == 0));
		capd_binding_encode(&g.b, enc);
		qrexec_put_u32(enc + CAPD_BINDING_SIZE, g.scope);
		qrexec_put_u32(enc + CAPD_BINDING_SIZE + 4, g.value);
		assert(len == CAPD_GRANT_SIZE && memcmp(enc, p, len) == 0);
		break;
	}
	case 7: {
		uint64_t v = 0x5a5a5a5a5a5a5a5aull;
		int rc = capd_u64_decode(p, len, 1, &v);
		if (rc != 0) {
			assert(v == 0x5a5a5a5a5a5a5a5aull);
			break;
		}
		assert(len == 8 && v >= 1);
		capd_put_u64(enc, v);
		assert(memcmp(enc, p, 8) == 0);
		break;
	}
	case 8: {
		DECODE(capd_audit_decode, struct capd_audit_rec, a, p, len);
		enum qrexec_target_kind k;
		size_t off, fl = padded_len(a.file, CAPD_FILE_FIELD);
		assert(a.verdict <= CAPD_VERDICT_MAX && (fl == 0) == (a.line == 0));
		assert(qrexec_target_check((const uint8_t *)a.target, padded_len(a.target, CAPD_TARGET_FIELD), &k,
					   &off) == 0);
		assert(padded_len(a.reason, CAPD_REASON_FIELD) >= 1);
		check_reqid(a.request_id, true);
		capd_audit_encode(&a, enc);
		assert(len == CAPD_AUDIT_SIZE && memcmp(enc, p, len) == 0);
		break;
	}
	case 9: {
		uint32_t paylen = 0x5a5a5a5a, t = len ? p[0] % 9 : 0;
		if (len < 1)
			break;
		if (capd_reply_hdr_decode(p + 1, len - 1, t, &paylen) != 0) {
			assert(paylen == 0x5a5a5a5a);
			break;
		}
		assert(len - 1 == 8 && t >= CAPD_MSG_MIN && t <= CAPD_MSG_MAX);
		assert(paylen == CAPD_STATUS_SIZE || paylen == CAPD_STATUS_SIZE + capd_answer_size(t));
		break;
	}
	case 10: {
		uint32_t st = 0x5a5a5a5a, t = len ? p[0] % 9 : 0;
		if (len < 1)
			break;
		if (capd_status_decode(p + 1, len - 1, t, &st) != 0) {
			assert(st == 0x5a5a5a5a);
			break;
		}
		assert(st <= CAPD_R_MAX);
		assert(st == CAPD_OK ? len - 1 == CAPD_STATUS_SIZE + capd_answer_size(t) : len - 1 == CAPD_STATUS_SIZE);
		break;
	}
	default: {
		DECODE(capd_grant_entry_decode, struct capd_grant_entry, e, p, len);
		check_binding(&e.b);
		assert(e.id >= 1 && e.remaining <= e.value);
		capd_grant_entry_encode(&e, enc);
		assert(len == CAPD_GRANT_ENTRY_SIZE && memcmp(enc, p, len) == 0);
		break;
	}
	}
	return 0;
}
