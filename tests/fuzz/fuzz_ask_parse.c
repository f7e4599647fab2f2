/* libFuzzer target: the dom0 prompt's words (capd/prompt/ask_parse.c):
 * the reply line qrexec-policyd reads from bulkhead-ask's stdout, the
 * scope inside it, and the target and SERVICE+ARG checks of the prompt's
 * argv.  Input: one byte choosing the decoder, then its bytes.  Accepted
 * input must meet SPEC/qrexec-policy.md's grammar (restated here without
 * the parser's helpers) and format back to the same bytes; rejected input
 * must leave the output as it was. */
#include <assert.h>
#include <string.h>

#include "capd/prompt/ask_parse.h"

static bool svc_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
	       c == '_' || c == '-' || c == '+';
}

/* A target the prompt may offer: a qube name, or "@dispvm:" and one. */
static void check_target(const uint8_t *p, size_t n)
{
	size_t off = n > ASK_DISPVM_PREFIX_LEN && memcmp(p, ASK_DISPVM_PREFIX, ASK_DISPVM_PREFIX_LEN) == 0
			     ? ASK_DISPVM_PREFIX_LEN : 0;

	assert(n >= 1 && n <= ASK_TARGET_LEN_MAX);
	assert(names_check(NAME_QUBE, p + off, n - off) == 0);
}

/* The scope's text, formatted back: the same bytes as were parsed. */
static void check_scope(const struct ask_scope *s, const uint8_t *p, size_t n)
{
	char text[ASK_SCOPE_TEXT_MAX];
	size_t len = 0;

	assert((s->kind == ASK_SCOPE_ONCE && s->value == 0) || (s->kind == ASK_SCOPE_ALWAYS && s->value == 0) ||
	       (s->kind == ASK_SCOPE_CALLS && s->value >= ASK_CALLS_MIN && s->value <= ASK_CALLS_MAX) ||
	       (s->kind == ASK_SCOPE_MINUTES && s->value >= ASK_MINUTES_MIN && s->value <= ASK_MINUTES_MAX));
	assert(ask_scope_format(s, text, sizeof(text), &len) == ASK_OK);
	assert(len == n && memcmp(text, p, n) == 0 && text[len] == '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p;
	size_t n;

	if (size < 1)
		return 0;
	p = data + 1;
	n = size - 1;
	switch (data[0] % 4) {
	case 0: {
		struct ask_reply r, sentinel;
		const uint8_t *sp;
		size_t tlen;

		memset(&r, 0x5a, sizeof(r));
		memset(&sentinel, 0x5a, sizeof(sentinel));
		if (ask_reply_parse(p, n, &r) != ASK_OK) {
			assert(memcmp(&r, &sentinel, sizeof(r)) == 0);
			break;
		}
		/* "TARGET SCOPE\n": the target NUL-padded in its field, the
		 * only space after it, the newline last. */
		tlen = strnlen(r.target, sizeof(r.target));
		assert(tlen < sizeof(r.target));
		for (size_t i = tlen; i < sizeof(r.target); i++)
			assert(r.target[i] == '\0');
		assert(n >= tlen + 3 && memcmp(p, r.target, tlen) == 0 && p[tlen] == ' ' && p[n - 1] == '\n');
		check_target(p, tlen);
		sp = p + tlen + 1;
		assert(memchr(sp, ' ', n - tlen - 2) == NULL);
		check_scope(&r.scope, sp, n - tlen - 2);
		break;
	}
	case 1: {
		struct ask_scope s = { 0x5a5a5a5a, 0x5a5a5a5a };

		if (ask_scope_parse(p, n, &s) != ASK_OK) {
			assert(s.kind == 0x5a5a5a5a && s.value == 0x5a5a5a5a);
			break;
		}
		check_scope(&s, p, n);
		break;
	}
	case 2:
		if (ask_target_check(p, n) == ASK_OK)
			check_target(p, n);
		break;
	default: {
		size_t name_len = 0x5a5a;

		if (ask_service_check(p, n, &name_len) != ASK_OK) {
			assert(name_len == 0x5a5a);
			break;
		}
		assert(n >= 2 && n <= ASK_SERVICE_LEN_MAX && p[0] != '+');
		assert(name_len >= 1 && name_len < n && p[name_len] == '+' && memchr(p, '+', name_len) == NULL);
		for (size_t i = 0; i < n; i++)
			assert(svc_char(p[i]));
		break;
	}
	}
	return 0;
}
