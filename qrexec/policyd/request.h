/* A service request as qrexec-policyd takes it from a qrexec-daemon
 * (qrexec/lib/policyreq.h's wire format, SPEC/qrexec-daemons.md). */
#ifndef BH_POLICYD_REQUEST_H
#define BH_POLICYD_REQUEST_H

#include "qrexec/lib/policyreq.h"
#include "qrexec/protocol.h"

struct request {
	struct policy_req hdr;
	char service[MAX_SERVICE_NAME_LEN];  /* "svc[+arg]" */
	char name[MAX_SERVICE_NAME_LEN];     /* svc */
	const char *arg;                     /* after the '+', or "" */
};

/* Reads one request from fd within POLICYREQ_TIMEOUT_MS and checks every
 * field again with the parsers the daemon used.  0: *r holds it, every
 * string NUL-terminated within its field, source a qube name, target a
 * qrexec target, service a service name (name, arg its parts), request id
 * valid, source_domid in 1..QREXEC_DOMID_MAX.  -1: *r is untouched. */
int policyd_read_request(int fd, struct request *r) __attribute__((warn_unused_result));

#endif
