/* Eva driver: one line of a policy file, in both syntaxes, and a token.
 * eva-files: qrexec/policy/policy_parse.c lib/names_parse.c */
#include "eva_input.h"
#include "qrexec/policy/policy_parse.h"

int main(void)
{
	struct policy_line line;
	struct policy_token tok;
	size_t len, off;
	const uint8_t *buf = eva_untrusted(POLICY_LINE_MAX + 2, &len);
	enum policy_syntax syntax = (enum policy_syntax)Frama_C_interval(PSYNTAX_V5, PSYNTAX_COMPAT);
	enum policy_tok_place place = (enum policy_tok_place)Frama_C_interval(PPLACE_SOURCE, PPLACE_REDIRECT);

	(void)policy_line_parse(buf, len, syntax, &line);
	(void)policy_token_parse(buf, len, place, &tok);
	(void)policy_class_from_name(buf, len);
	off = Frama_C_unsigned_long_interval(0, len);
	(void)policy_line_length(buf, len, off);
	return 0;
}
