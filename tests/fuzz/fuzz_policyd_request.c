/* libFuzzer target: qrexec-policyd's reader of a qrexec-daemon's request
 * (qrexec/policyd/request.c, the daemon being its qube's to control).  The
 * input is what the daemon sends, given through a socketpair closed after
 * it.  Accepted: every postcondition request.h states, the service and
 * the header exactly the bytes sent, and the fields the daemon's checks
 * define (restated here).  Refused: *r untouched. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/names_parse.h"
#include "qrexec/msg_parse.h"
#include "qrexec/policyd/request.h"

#define INPUT_MAX (sizeof(struct policy_req) + MAX_SERVICE_NAME_LEN + 16)

static int nul_within(const char *s, size_t cap)
{
	return memchr(s, '\0', cap) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct request r, untouched;
	enum qrexec_target_kind kind;
	size_t arg_off, slen;
	int sv[2], rc;

	if (size > INPUT_MAX || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return 0;
	if (size > 0 && write(sv[1], data, size) != (ssize_t)size)
		abort();
	close(sv[1]);
	memset(&r, 0xa5, sizeof(r));
	untouched = r;
	rc = policyd_read_request(sv[0], &r);
	close(sv[0]);
	if (rc < 0) {
		assert(memcmp(&r, &untouched, sizeof(r)) == 0);
		return 0;
	}
	assert(rc == 0);
	/* The header is the bytes sent; the service follows it, NUL included. */
	assert(size >= sizeof(r.hdr) + r.hdr.service_len);
	assert(memcmp(&r.hdr, data, sizeof(r.hdr)) == 0);
	assert(r.hdr.service_len >= 2 && r.hdr.service_len <= MAX_SERVICE_NAME_LEN);
	slen = r.hdr.service_len - 1;
	assert(memcmp(r.service, data + sizeof(r.hdr), r.hdr.service_len) == 0);
	assert(strlen(r.service) == slen);
	assert(qrexec_service_check((const uint8_t *)r.service, slen) == QREXEC_OK);
	/* Its parts: the name up to the first '+', the argument after it. */
	assert(strncmp(r.name, r.service, strlen(r.name)) == 0);
	assert(r.service[strlen(r.name)] == '+' || r.service[strlen(r.name)] == '\0');
	assert(strchr(r.name, '+') == NULL);
	if (r.service[strlen(r.name)] == '+')
		assert(r.arg == r.service + strlen(r.name) + 1);
	else
		assert(r.arg[0] == '\0' && strlen(r.name) == slen);
	/* The other fields, NUL-terminated within their fields and valid. */
	assert(nul_within(r.hdr.source, sizeof(r.hdr.source)));
	assert(names_check(NAME_QUBE, (const uint8_t *)r.hdr.source, strlen(r.hdr.source)) == 0);
	assert(nul_within(r.hdr.target, sizeof(r.hdr.target)));
	assert(qrexec_target_check((const uint8_t *)r.hdr.target, strlen(r.hdr.target), &kind, &arg_off) ==
	       QREXEC_OK);
	assert(nul_within(r.hdr.request_id, sizeof(r.hdr.request_id)));
	assert(qrexec_reqid_check((const uint8_t *)r.hdr.request_id, strlen(r.hdr.request_id)) == QREXEC_OK);
	assert(r.hdr.source_domid >= 1 && r.hdr.source_domid <= QREXEC_DOMID_MAX);
	return 0;
}
