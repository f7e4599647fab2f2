/* qrexec-policyd's first contact with bytes a qube may control: a
 * request from a qrexec-daemon, which runs under its qube's control.
 * Its own file so that the fuzzer (tests/fuzz/fuzz_policyd_request.c)
 * drives exactly this code. */
#include "qrexec/policyd/request.h"

#include <string.h>

#include "lib/io.h"
#include "lib/names_parse.h"
#include "qrexec/msg_parse.h"

/* Every field again, with the same parsers the daemon used (the daemon
 * runs under its qube's control): read into untrusted_ buffers, and
 * copied into *r only once all of it is checked. */
int policyd_read_request(int fd, struct request *r)
{
	uint64_t deadline = now_ms() + POLICYREQ_TIMEOUT_MS;
	static char untrusted_service[MAX_SERVICE_NAME_LEN];
	struct policy_req untrusted_hdr;
	const struct policy_req *h = &untrusted_hdr;
	enum qrexec_target_kind kind;
	size_t arg_off, slen;
	char *plus;

	if (read_exact_deadline(fd, &untrusted_hdr, sizeof(untrusted_hdr), deadline) < 0 ||
	    h->service_len < 2 || h->service_len > MAX_SERVICE_NAME_LEN ||
	    read_exact_deadline(fd, untrusted_service, h->service_len, deadline) < 0)
		return -1;
	slen = strnlen(untrusted_service, h->service_len);
	if (slen != h->service_len - 1 ||
	    qrexec_service_check((const uint8_t *)untrusted_service, slen) != QREXEC_OK ||
	    memchr(h->source, '\0', sizeof(h->source)) == NULL ||
	    names_check(NAME_QUBE, (const uint8_t *)h->source, strlen(h->source)) < 0 ||
	    memchr(h->target, '\0', sizeof(h->target)) == NULL ||
	    qrexec_target_check((const uint8_t *)h->target, strlen(h->target), &kind, &arg_off) != QREXEC_OK ||
	    memchr(h->request_id, '\0', sizeof(h->request_id)) == NULL ||
	    qrexec_reqid_check((const uint8_t *)h->request_id, strlen(h->request_id)) != QREXEC_OK ||
	    h->source_domid == 0 || h->source_domid > QREXEC_DOMID_MAX)
		return -1;
	r->hdr = untrusted_hdr;
	memcpy(r->service, untrusted_service, slen + 1);
	memcpy(r->name, r->service, slen + 1);
	plus = strchr(r->name, '+');
	if (plus != NULL)
		*plus = '\0';
	r->arg = plus ? r->service + (plus - r->name) + 1 : "";
	return 0;
}
