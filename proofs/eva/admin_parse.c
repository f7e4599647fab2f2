/* Eva driver: the Admin API request and its k=v payload from a qube.
 * eva-files: core/admin_parse.c lib/names_parse.c */
#include "eva_input.h"
#include "core/admin_parse.h"

int main(void)
{
	struct admin_request req;
	struct admin_kv kv[ADMIN_KV_MAX];
	size_t len;
	const uint8_t *buf = eva_untrusted(EVA_BUF_MAX, &len);

	(void)admin_request_parse(buf, len, &req);
	buf = eva_untrusted(EVA_BUF_MAX, &len);
	(void)admin_kv_parse(buf, len, kv);
	return 0;
}
