/* Eva driver: EXEC_CMDLINE payloads and QUBESRPC command lines.
 * eva-files: qrexec/exec_parse.c qrexec/field_parse.c lib/names_parse.c */
#include "eva_input.h"
#include "qrexec/exec_parse.h"

int main(void)
{
	static struct qrexec_exec e;
	static struct qrexec_rpc_cmd c;
	size_t len;
	const uint8_t *buf = eva_untrusted(QREXEC_MAX_PAYLOAD + 8, &len);

	(void)qrexec_exec_decode(buf, len, &e);
	(void)qrexec_rpc_cmd_parse(buf, len, &c);
	return 0;
}
