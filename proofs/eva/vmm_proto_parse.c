/* Eva driver: a VMM monitor request from the (sandboxed) registry process.
 * eva-files: core/vmm_proto_parse.c lib/names_parse.c */
#include "eva_input.h"
#include "core/vmm_proto_parse.h"

int main(void)
{
	struct vmm_request req;
	size_t len;
	const uint8_t *buf = eva_untrusted(sizeof(struct vmm_wire_req) + 8, &len);

	(void)vmm_request_decode(buf, len, &req);
	return 0;
}
