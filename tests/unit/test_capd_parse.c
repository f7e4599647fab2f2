/* capd's wire decoders (capd/capd_parse.c): every message type at its
 * exact size and not one byte off, each reject class, canonical
 * re-encoding, and output untouched on every rejection. */
#include <stdlib.h>
#include <string.h>

#include "capd/capd_parse.h"
#include "tests/lib/check.h"

static struct capd_binding good_b;
static struct capd_call good_c;

static void setup(void)
{
	CHECK(capd_binding_set(&good_b, "work", 2, "personal", 3, "my.Service", "arg+x") == 0);
	memset(&good_c, 0, sizeof(good_c));
	good_c.b = good_b;
	CHECK(capd_call_set_reqid(&good_c, "req 1.a_b-c") == 0);
}

/* Decodes w as a binding; the result, with *out checked untouched on
 * rejection. */
static int binding_rc(const uint8_t *w, size_t len)
{
	struct capd_binding b, sentinel;
	int rc;

	memset(&b, 0x5a, sizeof(b));
	memset(&sentinel, 0x5a, sizeof(sentinel));
	rc = capd_binding_decode(w, len, &b);
	if (rc != 0)
		CHECK(memcmp(&b, &sentinel, sizeof(b)) == 0);
	return rc;
}

static void put_str(uint8_t *f, size_t size, const char *s)
{
	memset(f, 0, size);
	memcpy(f, s, strlen(s));
}

enum { SQ = 0, TQ = 4, SRC = 8, TGT = 40, SVC = 72, ARG = 144 };

static void test_header(void)
{
	static const uint32_t sizes[] = { 0, CAPD_MINT_SIZE, CAPD_MINT_GRANT_SIZE, CAPD_REDEEM_SIZE, CAPD_GRANT_SIZE,
					  CAPD_LIST_SIZE, CAPD_REVOKE_SIZE, CAPD_AUDIT_SIZE };
	uint8_t h[CAPD_HDR_SIZE];
	struct capd_hdr hdr, s;

	for (uint32_t t = CAPD_MSG_MIN; t <= CAPD_MSG_MAX; t++) {
		CHECK(capd_req_size(t) == sizes[t]);
		capd_hdr_encode(t, sizes[t], h);
		CHECK(capd_req_hdr_decode(h, sizeof(h), &hdr) == 0 && hdr.type == t && hdr.len == sizes[t]);
		capd_hdr_encode(t, sizes[t] + 1, h);
		memset(&hdr, 0x5a, sizeof(hdr));
		memset(&s, 0x5a, sizeof(s));
		CHECK(capd_req_hdr_decode(h, sizeof(h), &hdr) == CAPD_ELENGTH && memcmp(&hdr, &s, sizeof(s)) == 0);
		capd_hdr_encode(t, sizes[t] - 1, h);
		CHECK(capd_req_hdr_decode(h, sizeof(h), &hdr) == CAPD_ELENGTH);
		capd_hdr_encode(CAPD_REPLY | t, sizes[t], h);
		CHECK(capd_req_hdr_decode(h, sizeof(h), &hdr) == CAPD_ETYPE);
	}
	capd_hdr_encode(0, 8, h);
	CHECK(capd_req_hdr_decode(h, sizeof(h), &hdr) == CAPD_ETYPE);
	capd_hdr_encode(CAPD_MSG_MAX + 1, 8, h);
	CHECK(capd_req_hdr_decode(h, sizeof(h), &hdr) == CAPD_ETYPE);
	CHECK(capd_req_hdr_decode(h, 7, &hdr) == CAPD_ELENGTH);
	CHECK(capd_req_size(0) == 0 && capd_req_size(8) == 0);
}

static void test_binding(void)
{
	uint8_t w[CAPD_BINDING_SIZE], w2[CAPD_BINDING_SIZE];
	struct capd_binding b;

	capd_binding_encode(&good_b, w);
	CHECK(binding_rc(w, sizeof(w)) == 0);
	CHECK(capd_binding_decode(w, sizeof(w), &b) == 0);
	capd_binding_encode(&b, w2);
	CHECK(memcmp(w, w2, sizeof(w)) == 0);   /* canonical */
	CHECK(strcmp(b.source, "work") == 0 && b.source_qid == 2 && strcmp(b.argument, "arg+x") == 0);
	CHECK(binding_rc(w, sizeof(w) - 1) == CAPD_ELENGTH);

	/* qids */
	capd_binding_encode(&good_b, w);
	qrexec_put_u32(w + SQ, QREXEC_DOMID_MAX + 1);
	CHECK(binding_rc(w, sizeof(w)) == CAPD_EQID);
	capd_binding_encode(&good_b, w);
	qrexec_put_u32(w + TQ, 2);   /* source == target */
	CHECK(binding_rc(w, sizeof(w)) == CAPD_EQID);
	capd_binding_encode(&good_b, w);
	qrexec_put_u32(w + SQ, 0);   /* qid 0 is dom0's alone */
	CHECK(binding_rc(w, sizeof(w)) == CAPD_ENAME);
	put_str(w + SRC, CAPD_NAME_FIELD, "dom0");
	CHECK(binding_rc(w, sizeof(w)) == 0);
	qrexec_put_u32(w + SQ, 7);   /* dom0 with a qube's qid */
	CHECK(binding_rc(w, sizeof(w)) == CAPD_ENAME);

	/* name fields */
	capd_binding_encode(&good_b, w);
	memset(w + SRC, 'a', CAPD_NAME_FIELD);
	CHECK(binding_rc(w, sizeof(w)) == CAPD_ENUL);
	capd_binding_encode(&good_b, w);
	w[TGT + 20] = 'x';           /* after the NUL */
	CHECK(binding_rc(w, sizeof(w)) == CAPD_EPADDING);
	capd_binding_encode(&good_b, w);
	put_str(w + SRC, CAPD_NAME_FIELD, "");
	CHECK(binding_rc(w, sizeof(w)) == CAPD_ENAME);
	put_str(w + SRC, CAPD_NAME_FIELD, "wo rk");
	CHECK(binding_rc(w, sizeof(w)) == CAPD_ENAME);
	put_str(w + SRC, CAPD_NAME_FIELD, "none");
	CHECK(binding_rc(w, sizeof(w)) == CAPD_ENAME);
	put_str(w + SRC, CAPD_NAME_FIELD, "1work");
	CHECK(binding_rc(w, sizeof(w)) == CAPD_ENAME);

	/* service */
	capd_binding_encode(&good_b, w);
	put_str(w + SVC, CAPD_SERVICE_FIELD, "");
	CHECK(binding_rc(w, sizeof(w)) == CAPD_ESERVICE);
	put_str(w + SVC, CAPD_SERVICE_FIELD, "a+b");
	CHECK(binding_rc(w, sizeof(w)) == CAPD_ESERVICE);
	put_str(w + SVC, CAPD_SERVICE_FIELD, "a/b");
	CHECK(binding_rc(w, sizeof(w)) == CAPD_ESERVICE);
	memset(w + SVC, 0, CAPD_SERVICE_FIELD);
	memset(w + SVC, 's', CAPD_SERVICE_MAX);
	CHECK(binding_rc(w, sizeof(w)) == 0);
	memset(w + SVC, 's', CAPD_SERVICE_MAX + 1);
	CHECK(binding_rc(w, sizeof(w)) == CAPD_ESERVICE);

	/* argument */
	capd_binding_encode(&good_b, w);
	put_str(w + ARG, CAPD_ARG_FIELD, "");
	CHECK(binding_rc(w, sizeof(w)) == 0);
	put_str(w + ARG, CAPD_ARG_FIELD, "+a+b+");
	CHECK(binding_rc(w, sizeof(w)) == 0);
	put_str(w + ARG, CAPD_ARG_FIELD, "a b");
	CHECK(binding_rc(w, sizeof(w)) == CAPD_EARG);
	put_str(w + ARG, CAPD_ARG_FIELD, "\xc3\xa9");
	CHECK(binding_rc(w, sizeof(w)) == CAPD_EARG);
	memset(w + ARG, 'a', CAPD_ARG_MAX);
	CHECK(binding_rc(w, sizeof(w)) == 0);
	memset(w + ARG, 'a', CAPD_ARG_MAX + 1);   /* fits the field, not the grammar */
	CHECK(binding_rc(w, sizeof(w)) == CAPD_EARG);

	/* capd_binding_set applies the same checks and leaves *out alone. */
	memset(&b, 0x5a, sizeof(b));
	CHECK(capd_binding_set(&b, "dom0", 0, "work", 2, "a", "") == 0);
	CHECK(capd_binding_set(&b, "work", 2, "work", 2, "a", "") == CAPD_EQID);
	CHECK(capd_binding_set(&b, "dom0", 3, "work", 2, "a", "") == CAPD_ENAME);
	CHECK(capd_binding_set(&b, "a-name-that-is-longer-than-31-chars", 3, "work", 2, "a", "") == CAPD_ENAME);
	CHECK(capd_binding_set(&b, "x", 3, "work", 2, "a+b", "") == CAPD_ESERVICE);
}

static void test_call_token(void)
{
	uint8_t w[CAPD_CALL_SIZE], t[CAPD_TOKEN_SIZE], t2[CAPD_TOKEN_SIZE];
	struct capd_call c, cs;
	struct capd_token tok, ts;

	capd_call_encode(&good_c, w);
	CHECK(capd_call_decode(w, sizeof(w), &c) == 0 && strcmp(c.request_id, "req 1.a_b-c") == 0);
	CHECK(capd_call_decode(w, sizeof(w) + 1, &c) == CAPD_ELENGTH);
	memset(&c, 0x5a, sizeof(c));
	memset(&cs, 0x5a, sizeof(cs));
	put_str(w + CAPD_BINDING_SIZE, CAPD_REQID_FIELD, "");
	CHECK(capd_call_decode(w, sizeof(w), &c) == CAPD_EREQID && memcmp(&c, &cs, sizeof(c)) == 0);
	put_str(w + CAPD_BINDING_SIZE, CAPD_REQID_FIELD, "a+b");
	CHECK(capd_call_decode(w, sizeof(w), &c) == CAPD_EREQID);
	memset(w + CAPD_BINDING_SIZE, 'r', CAPD_REQID_FIELD);
	CHECK(capd_call_decode(w, sizeof(w), &c) == CAPD_ENUL && memcmp(&c, &cs, sizeof(c)) == 0);
	CHECK(capd_call_set_reqid(&c, "") == CAPD_EREQID);

	memset(&tok, 0, sizeof(tok));
	tok.version = 1;
	tok.uses = 1;
	for (int i = 0; i < 16; i++)
		tok.id[i] = (uint8_t)(i * 7), tok.epoch[i] = (uint8_t)(255 - i);
	tok.grant_id = 0x0102030405060708ull;
	tok.expiry_ms = 0xfffffffffffffffeull;
	for (int i = 0; i < 32; i++)
		tok.mac[i] = (uint8_t)(i + 100);
	capd_token_encode(&tok, t);
	CHECK(capd_token_decode(t, sizeof(t), &ts) == 0 && memcmp(&ts, &tok, sizeof(tok)) == 0);
	capd_token_encode(&ts, t2);
	CHECK(memcmp(t, t2, sizeof(t)) == 0);
	CHECK(capd_token_decode(t, sizeof(t) - 1, &ts) == CAPD_ELENGTH);
	qrexec_put_u32(t, 2);
	CHECK(capd_token_decode(t, sizeof(t), &ts) == CAPD_EVERSION);
	qrexec_put_u32(t, 1);
	qrexec_put_u32(t + 4, 2);   /* every capability is one-shot */
	CHECK(capd_token_decode(t, sizeof(t), &ts) == CAPD_EVERSION);
}

static void test_requests(void)
{
	uint8_t m[CAPD_MINT_SIZE], g[CAPD_GRANT_SIZE], r[CAPD_REDEEM_SIZE], u[8];
	struct capd_mint_req mr;
	struct capd_grant_req gr, gs;
	struct capd_redeem_req rr;
	uint64_t v;
	static const struct { uint32_t scope, value; int ok; } scopes[] = {
		{ CAPD_SCOPE_CALLS, 0, 0 }, { CAPD_SCOPE_CALLS, 1, 1 }, { CAPD_SCOPE_CALLS, 1000, 1 },
		{ CAPD_SCOPE_CALLS, 1001, 0 }, { CAPD_SCOPE_MINUTES, 0, 0 }, { CAPD_SCOPE_MINUTES, 1, 1 },
		{ CAPD_SCOPE_MINUTES, 1440, 1 }, { CAPD_SCOPE_MINUTES, 1441, 0 }, { CAPD_SCOPE_ALWAYS, 0, 1 },
		{ CAPD_SCOPE_ALWAYS, 1, 0 }, { 0, 0, 0 }, { 4, 1, 0 },
	};

	memset(m, 0, sizeof(m));
	capd_call_encode(&good_c, m);
	CHECK(capd_mint_decode(m, sizeof(m), &mr) == 0 && mr.ttl_ms == 0);
	qrexec_put_u32(m + CAPD_CALL_SIZE, CAPD_TTL_MAX_MS);
	CHECK(capd_mint_decode(m, sizeof(m), &mr) == 0 && mr.ttl_ms == CAPD_TTL_MAX_MS);
	qrexec_put_u32(m + CAPD_CALL_SIZE, CAPD_TTL_MAX_MS + 1);
	CHECK(capd_mint_decode(m, sizeof(m), &mr) == CAPD_EVALUE);
	qrexec_put_u32(m + CAPD_CALL_SIZE, 5);
	qrexec_put_u32(m + CAPD_CALL_SIZE + 4, 1);
	CHECK(capd_mint_decode(m, sizeof(m), &mr) == CAPD_EZERO);
	CHECK(capd_mint_decode(m, CAPD_CALL_SIZE, &mr) == CAPD_ELENGTH);

	for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
		capd_binding_encode(&good_b, g);
		qrexec_put_u32(g + CAPD_BINDING_SIZE, scopes[i].scope);
		qrexec_put_u32(g + CAPD_BINDING_SIZE + 4, scopes[i].value);
		memset(&gr, 0x5a, sizeof(gr));
		memset(&gs, 0x5a, sizeof(gs));
		if (scopes[i].ok)
			CHECK(capd_grant_decode(g, sizeof(g), &gr) == 0 && gr.scope == scopes[i].scope &&
			      gr.value == scopes[i].value);
		else
			CHECK(capd_grant_decode(g, sizeof(g), &gr) == CAPD_ESCOPE && memcmp(&gr, &gs, sizeof(gr)) == 0);
	}

	memset(r, 0, sizeof(r));
	qrexec_put_u32(r, 1);
	qrexec_put_u32(r + 4, 1);
	capd_call_encode(&good_c, r + CAPD_TOKEN_SIZE);
	CHECK(capd_redeem_decode(r, sizeof(r), &rr) == 0);
	CHECK(capd_redeem_decode(r, sizeof(r) - 1, &rr) == CAPD_ELENGTH);
	memset(r + CAPD_TOKEN_SIZE + 8, 0, CAPD_NAME_FIELD);   /* source name now empty */
	CHECK(capd_redeem_decode(r, sizeof(r), &rr) == CAPD_ENAME);

	capd_put_u64(u, 0);
	CHECK(capd_u64_decode(u, 8, 0, &v) == 0 && v == 0);
	CHECK(capd_u64_decode(u, 8, 1, &v) == CAPD_EVALUE);
	capd_put_u64(u, UINT64_MAX);
	CHECK(capd_u64_decode(u, 8, 1, &v) == 0 && v == UINT64_MAX);
	CHECK(capd_u64_decode(u, 9, 1, &v) == CAPD_ELENGTH);
}

static void audit_set(struct capd_audit_rec *a)
{
	memset(a, 0, sizeof(*a));
	strcpy(a->source, "work");
	strcpy(a->target, "@default");
	strcpy(a->service, "qubes.Filecopy");
	strcpy(a->reason, "no-match");
	a->verdict = CAPD_VERDICT_DENY;
}

static int audit_rc(const struct capd_audit_rec *a)
{
	uint8_t w[CAPD_AUDIT_SIZE];
	struct capd_audit_rec out, s;
	int rc;

	capd_audit_encode(a, w);
	memset(&out, 0x5a, sizeof(out));
	memset(&s, 0x5a, sizeof(s));
	rc = capd_audit_decode(w, sizeof(w), &out);
	if (rc != 0)
		CHECK(memcmp(&out, &s, sizeof(out)) == 0);
	else
		CHECK(memcmp(out.source, a->source, sizeof(a->source)) == 0 && out.line == a->line);
	return rc;
}

static void test_audit(void)
{
	struct capd_audit_rec a;
	uint8_t w[CAPD_AUDIT_SIZE];

	audit_set(&a);
	CHECK(audit_rc(&a) == 0);
	strcpy(a.file, "etc/qubes/policy.d/30-user.policy");
	CHECK(audit_rc(&a) == CAPD_EFILE);   /* a file needs its line */
	a.line = 12;
	CHECK(audit_rc(&a) == 0);
	strcpy(a.file, "a file");
	CHECK(audit_rc(&a) == CAPD_EFILE);
	audit_set(&a);
	a.line = 3;                          /* a line without a file */
	CHECK(audit_rc(&a) == CAPD_EFILE);
	audit_set(&a);
	a.verdict = CAPD_VERDICT_MAX + 1;
	CHECK(audit_rc(&a) == CAPD_EVALUE);
	audit_set(&a);
	strcpy(a.reason, "No");
	CHECK(audit_rc(&a) == CAPD_EREASON);
	a.reason[0] = 0;
	CHECK(audit_rc(&a) == CAPD_EREASON);
	audit_set(&a);
	strcpy(a.target, "@dispvm:tmpl");
	CHECK(audit_rc(&a) == 0);
	strcpy(a.target, "bad!");
	CHECK(audit_rc(&a) == CAPD_ETARGET);
	audit_set(&a);
	strcpy(a.source, "dom0");
	strcpy(a.request_id, "");            /* calls from dom0 may have none */
	CHECK(audit_rc(&a) == 0);
	strcpy(a.request_id, "r\x01");
	CHECK(audit_rc(&a) == CAPD_EREQID);
	audit_set(&a);
	capd_audit_encode(&a, w);
	CHECK(capd_audit_decode(w, sizeof(w) - 1, &a) == CAPD_ELENGTH);
}

static void test_replies(void)
{
	uint8_t h[8], p[CAPD_STATUS_SIZE + CAPD_LIST_ANSWER];
	uint32_t plen = 99, st = 99, count = 99, more = 99;
	struct capd_grant_entry e, es;

	for (uint32_t t = CAPD_MSG_MIN; t <= CAPD_MSG_MAX; t++) {
		capd_hdr_encode(CAPD_REPLY | t, CAPD_STATUS_SIZE, h);
		CHECK(capd_reply_hdr_decode(h, 8, t, &plen) == 0 && plen == CAPD_STATUS_SIZE);
		capd_hdr_encode(CAPD_REPLY | t, CAPD_STATUS_SIZE + capd_answer_size(t), h);
		CHECK(capd_reply_hdr_decode(h, 8, t, &plen) == 0 && plen == CAPD_STATUS_SIZE + capd_answer_size(t));
		capd_hdr_encode(CAPD_REPLY | t, CAPD_STATUS_SIZE + capd_answer_size(t) + 1, h);
		CHECK(capd_reply_hdr_decode(h, 8, t, &plen) == CAPD_ELENGTH);
		capd_hdr_encode(t, CAPD_STATUS_SIZE, h);   /* not a reply */
		CHECK(capd_reply_hdr_decode(h, 8, t, &plen) == CAPD_ETYPE);
		capd_hdr_encode(CAPD_REPLY | (t % CAPD_MSG_MAX + 1), CAPD_STATUS_SIZE, h);   /* another's */
		CHECK(capd_reply_hdr_decode(h, 8, t, &plen) == CAPD_ETYPE);
	}
	CHECK(capd_answer_size(CAPD_MINT) == CAPD_TOKEN_SIZE && capd_answer_size(CAPD_REDEEM) == 0 &&
	      capd_answer_size(CAPD_GRANT_LIST) == CAPD_LIST_ANSWER);

	memset(p, 0, sizeof(p));
	CHECK(capd_status_decode(p, CAPD_STATUS_SIZE + CAPD_TOKEN_SIZE, CAPD_MINT, &st) == 0 && st == CAPD_OK);
	CHECK(capd_status_decode(p, CAPD_STATUS_SIZE, CAPD_MINT, &st) == CAPD_ESTATUS);   /* OK without a token */
	qrexec_put_u32(p, CAPD_R_FORGED);
	CHECK(capd_status_decode(p, CAPD_STATUS_SIZE, CAPD_REDEEM, &st) == 0 && st == CAPD_R_FORGED);
	CHECK(capd_status_decode(p, CAPD_STATUS_SIZE + CAPD_TOKEN_SIZE, CAPD_MINT, &st) == CAPD_ESTATUS);
	qrexec_put_u32(p, CAPD_R_MAX + 1);
	st = 77;
	CHECK(capd_status_decode(p, CAPD_STATUS_SIZE, CAPD_REDEEM, &st) == CAPD_ESTATUS && st == 77);

	memset(&e, 0, sizeof(e));
	e.id = 5;
	e.b = good_b;
	e.scope = CAPD_SCOPE_CALLS;
	e.value = 3;
	e.remaining = 3;
	e.created = 1700000000;
	capd_grant_entry_encode(&e, p);
	CHECK(capd_grant_entry_decode(p, CAPD_GRANT_ENTRY_SIZE, &es) == 0 && memcmp(&e, &es, sizeof(e)) == 0);
	e.remaining = 4;
	capd_grant_entry_encode(&e, p);
	CHECK(capd_grant_entry_decode(p, CAPD_GRANT_ENTRY_SIZE, &es) == CAPD_EVALUE);
	e.remaining = 1;
	e.expires = 5;   /* an end only for MINUTES */
	capd_grant_entry_encode(&e, p);
	CHECK(capd_grant_entry_decode(p, CAPD_GRANT_ENTRY_SIZE, &es) == CAPD_EVALUE);
	e.scope = CAPD_SCOPE_MINUTES;
	e.remaining = 0;
	capd_grant_entry_encode(&e, p);
	CHECK(capd_grant_entry_decode(p, CAPD_GRANT_ENTRY_SIZE, &es) == 0);
	e.id = 0;
	capd_grant_entry_encode(&e, p);
	CHECK(capd_grant_entry_decode(p, CAPD_GRANT_ENTRY_SIZE, &es) == CAPD_EVALUE);
	e.id = 1;
	capd_grant_entry_encode(&e, p);
	p[420] = 1;   /* the reserved word */
	CHECK(capd_grant_entry_decode(p, CAPD_GRANT_ENTRY_SIZE, &es) == CAPD_EZERO);

	memset(p, 0, sizeof(p));
	qrexec_put_u32(p, 1);
	capd_grant_entry_encode(&e, p + 8);
	CHECK(capd_list_head_decode(p, CAPD_LIST_ANSWER, &count, &more) == 0 && count == 1 && more == 0);
	p[8 + CAPD_GRANT_ENTRY_SIZE + 100] = 1;   /* a byte in an unused entry */
	CHECK(capd_list_head_decode(p, CAPD_LIST_ANSWER, &count, &more) == CAPD_EZERO);
	p[8 + CAPD_GRANT_ENTRY_SIZE + 100] = 0;
	qrexec_put_u32(p + 4, 2);
	CHECK(capd_list_head_decode(p, CAPD_LIST_ANSWER, &count, &more) == CAPD_EVALUE);
	qrexec_put_u32(p + 4, 1);
	qrexec_put_u32(p, CAPD_LIST_BATCH + 1);
	CHECK(capd_list_head_decode(p, CAPD_LIST_ANSWER, &count, &more) == CAPD_EVALUE);
	CHECK(capd_list_head_decode(p, CAPD_LIST_ANSWER - 1, &count, &more) == CAPD_ELENGTH);
}

/* Random payloads at every type's size: anything a decoder accepts
 * re-encodes to the same bytes. */
static void test_random_canonical(void)
{
	uint8_t w[CAPD_BINDING_SIZE], w2[CAPD_BINDING_SIZE];
	unsigned seed = 1;
	int accepted = 0;

	for (int i = 0; i < 20000; i++) {
		struct capd_binding b;
		capd_binding_encode(&good_b, w);
		static const uint8_t alphabet[] = { 0, 'a', 'Z', '9', '+', '.', '-', '_', ' ', 0x80, 0xff, 1 };
		/* Mutate one or two bytes of a valid binding. */
		for (int k = 0; k < 1 + i % 2; k++) {
			seed = seed * 1103515245u + 12345u;
			w[(seed >> 8) % sizeof(w)] = alphabet[(seed >> 24) % sizeof(alphabet)];
		}
		if (capd_binding_decode(w, sizeof(w), &b) != 0)
			continue;
		accepted++;
		capd_binding_encode(&b, w2);
		CHECK(memcmp(w, w2, sizeof(w)) == 0);
	}
	CHECK(accepted > 100);
}

int main(void)
{
	setup();
	test_header();
	test_binding();
	test_call_token();
	test_requests();
	test_audit();
	test_replies();
	test_random_canonical();
	return check_exit();
}
