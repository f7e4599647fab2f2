/* libFuzzer target: EXEC_CMDLINE / JUST_EXEC payloads (the agent's
 * parser) and QUBESRPC commands.  Input: one byte choosing the parser,
 * then the bytes.  Accepted input must satisfy SPEC/qrexec.md's grammar
 * and re-encode to the same bytes; rejected input must leave the output
 * as it was. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "qrexec/msg_parse.h"

static struct qrexec_exec e, e_sentinel;
static struct qrexec_rpc_cmd r, r_sentinel;
static uint8_t enc[8 + 8 + MAX_QREXEC_CMD_LEN];

static bool svc_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '-' || c == '.' || c == '_';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p;
	size_t len, n = 0, ul, sl;
	int rc;

	if (size < 1)
		return 0;
	p = data + 1;
	len = size - 1;
	if (data[0] & 1) {
		memset(&e, 0x5a, sizeof(e));
		rc = qrexec_exec_decode(p, len, &e);
		if (rc != 0) {
			memset(&e_sentinel, 0x5a, sizeof(e_sentinel));
			assert(memcmp(&e, &e_sentinel, sizeof(e)) == 0);
			return 0;
		}
		assert(len >= 9 && len <= 8 + MAX_QREXEC_CMD_LEN && p[len - 1] == 0);
		assert(e.connect_domain <= QREXEC_DOMID_MAX);
		assert(e.connect_port >= QREXEC_DATA_PORT_MIN && e.connect_port <= QREXEC_DATA_PORT_MAX);
		ul = strnlen(e.user, sizeof(e.user));
		assert(ul >= 1 && ul <= USER_NAME_MAX);
		assert(names_check(NAME_USER, (const uint8_t *)e.user, ul) == 0);
		assert(e.command_len >= 1 && e.command_len < MAX_QREXEC_CMD_LEN);
		assert(strnlen(e.command, MAX_QREXEC_CMD_LEN) == e.command_len);
		assert(ul + 1 + (e.nogui ? 6 : 0) + e.command_len + 1 == len - 8);
		assert(qrexec_exec_encode(MSG_JUST_EXEC, e.connect_domain, e.connect_port, e.user, e.nogui,
					  e.command, enc, sizeof(enc), &n) == 0);
		assert(n == len + 8 && memcmp(enc + 8, p, len) == 0);
		return 0;
	}
	memset(&r, 0x5a, sizeof(r));
	rc = qrexec_rpc_cmd_parse(p, len, &r);
	if (rc != 0) {
		memset(&r_sentinel, 0x5a, sizeof(r_sentinel));
		assert(memcmp(&r, &r_sentinel, sizeof(r)) == 0);
		return 0;
	}
	sl = strnlen(r.service.full, MAX_SERVICE_NAME_LEN);
	assert(sl == r.service.len && sl >= 1 && r.service.full[0] != '+');
	for (size_t i = 0; i < sl; i++)
		assert(svc_char(r.service.full[i]));
	ul = strnlen(r.source, sizeof(r.source));
	assert(ul < sizeof(r.source));
	assert(strcmp(r.source, "dom0") == 0 || names_check(NAME_QUBE, (const uint8_t *)r.source, ul) == 0);
	assert(len == 9 + sl + 1 + ul);
	assert(memcmp(p, "QUBESRPC ", 9) == 0 && memcmp(p + 9, r.service.full, sl) == 0 && p[9 + sl] == ' ' &&
	       memcmp(p + 10 + sl, r.source, ul) == 0);
	assert(qrexec_exec_rpc_encode(0, 513, "user", r.service.full, r.source, enc, sizeof(enc), &n) == 0);
	assert(n == 8 + 8 + 5 + len + 1 && memcmp(enc + 16 + 5, p, len) == 0);
	return 0;
}
