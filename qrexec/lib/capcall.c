#include "qrexec/lib/capcall.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>

#include "capd/capd_client.h"
#include "qrexec/msg_parse.h"

int capcall_build(struct capd_call *call, const char *cmdline, uint32_t source_qid, const char *target,
		  uint32_t target_qid, const char *request_id)
{
	static struct qrexec_rpc_cmd rpc;
	static char name[MAX_SERVICE_NAME_LEN];
	const char *command = cmdline, *colon;
	uint8_t hash[crypto_generichash_BYTES];
	char hex[2 * 16 + 1];

	if (strncmp(command, "nogui:", 6) == 0)
		command += 6;
	colon = strchr(command, ':');
	if (colon == NULL)
		return -EINVAL;
	command = colon + 1;
	if (strncmp(command, "QUBESRPC ", 9) == 0) {
		if (qrexec_rpc_cmd_parse((const uint8_t *)command, strlen(command), &rpc) != QREXEC_OK)
			return -EINVAL;
		memcpy(name, rpc.service.full, rpc.service.name_len);
		name[rpc.service.name_len] = '\0';
		return capd_call_set(call, rpc.source, source_qid, target, target_qid, name,
				     rpc.service.full + rpc.service.arg_off, request_id);
	}
	if (crypto_generichash(hash, sizeof(hash), (const unsigned char *)cmdline, strlen(cmdline), NULL, 0) != 0)
		return -EINVAL;
	sodium_bin2hex(hex, sizeof(hex), hash, 16);
	return capd_call_set(call, "dom0", source_qid, target, target_qid, CAPCALL_COMMAND_SERVICE, hex, request_id);
}
