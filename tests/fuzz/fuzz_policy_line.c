/* libFuzzer target: the qrexec policy line parser, both syntaxes, and the
 * token parser.  An accepted line has NUL-terminated fields whose recorded
 * lengths are right, token kinds in range, parameters only where the action
 * allows them; a rejected line leaves the output byte for byte untouched;
 * the parser's final check of its output (PPARSE_EOUTPUT) never fires. */
#include <assert.h>
#include <string.h>

#include "qrexec/policy/policy_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_token(const struct policy_token *t, bool may_be_none)
{
	assert(t->kind < PTOK_COUNT);
	assert(may_be_none || t->kind != PTOK_NONE);
	assert(t->len <= POLICY_TOKEN_VALUE_MAX);
	assert(strlen(t->value) == t->len);
}

static void check_line(const struct policy_line *l, enum policy_syntax syn)
{
	assert(l->kind <= PLINE_INCLUDE_SERVICE);
	switch (l->kind) {
	case PLINE_RULE:
		assert(strlen(l->service) == l->service_len && l->service_len <= POLICY_SERVICE_MAX);
		assert(strlen(l->arg) == l->arg_len && l->arg_len <= POLICY_ARG_MAX);
		assert(!l->any_service || l->any_arg);
		assert(syn == PSYNTAX_V5 || (!l->any_service && l->service_len == 0));
		check_token(&l->source, false);
		check_token(&l->target, false);
		assert(l->source.kind != PTOK_DEFAULT && l->source.kind != PTOK_DISPVM);
		assert(l->action <= PACT_ASK);
		assert((l->params & ~0x1fu) == 0);
		if (l->action == PACT_DENY)
			assert((l->params & ~PPARAM_NOTIFY) == 0);
		if (l->action == PACT_ALLOW)
			assert(!(l->params & PPARAM_DEFAULT_TARGET));
		check_token(&l->redirect, !(l->params & PPARAM_TARGET));
		check_token(&l->default_target, !(l->params & PPARAM_DEFAULT_TARGET));
		assert(strlen(l->user) == l->user_len && l->user_len <= USER_NAME_MAX);
		if (l->target.kind == PTOK_DEFAULT && l->action == PACT_ALLOW)
			assert(l->params & PPARAM_TARGET);
		break;
	case PLINE_INCLUDE:
	case PLINE_INCLUDE_DIR:
	case PLINE_INCLUDE_SERVICE:
		assert(strlen(l->path) == l->path_len && l->path_len >= 1);
		assert(!strstr(l->path, "/../") && strncmp(l->path, "../", 3) != 0 && strcmp(l->path, "..") != 0);
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct policy_line l, sentinel;
	struct policy_token t, ts;

	memset(&sentinel, 0xa5, sizeof(sentinel));
	for (int syn = PSYNTAX_V5; syn <= PSYNTAX_COMPAT; syn++) {
		int rc;

		l = sentinel;
		rc = policy_line_parse(data, size, (enum policy_syntax)syn, &l);
		/* The parser's final check of its own output never fails: it
		 * is what proves line_sane, so a failure is a parser bug. */
		assert(rc != PPARSE_EOUTPUT);
		if (rc == 0)
			check_line(&l, (enum policy_syntax)syn);
		else
			assert(memcmp(&l, &sentinel, sizeof(l)) == 0);
	}
	memset(&ts, 0x5a, sizeof(ts));
	for (int place = PPLACE_SOURCE; place <= PPLACE_REDIRECT; place++) {
		t = ts;
		if (policy_token_parse(data, size, (enum policy_tok_place)place, &t) == 0)
			check_token(&t, false);
		else
			assert(memcmp(&t, &ts, sizeof(t)) == 0);
	}
	(void)policy_line_length(data, size, 0);
	return 0;
}
