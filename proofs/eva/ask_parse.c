/* Eva driver: the prompt's arguments and the user's reply.
 * eva-files: capd/prompt/ask_parse.c qrexec/field_parse.c lib/names_parse.c */
#include "eva_input.h"
#include "capd/prompt/ask_parse.h"

int main(void)
{
	struct ask_scope scope;
	struct ask_reply reply;
	size_t len, name_len;
	const uint8_t *buf = eva_untrusted(512, &len);

	(void)ask_target_check(buf, len);
	(void)ask_service_check(buf, len, &name_len);
	(void)ask_scope_parse(buf, len, &scope);
	(void)ask_reply_parse(buf, len, &reply);
	return 0;
}
