/* A qrexec-daemon asking qrexec-policyd about a qube's service request,
 * over $BULKHEAD_ROOT/run/bulkhead/qrexec/policy.sock (0600 root): one
 * fixed record, then exactly service_len bytes "svc[+arg]\0"; one answer.
 * Every field was checked by the daemon's parsers and is checked again by
 * policyd.  SPEC/qrexec-daemons.md. */
#ifndef BH_QREXEC_POLICYREQ_H
#define BH_QREXEC_POLICYREQ_H

#include <stdint.h>

#include "lib/names_parse.h"
#include "qrexec/protocol.h"

#define POLICY_SOCKET_REL "run/bulkhead/qrexec/policy.sock"
#define POLICYREQ_TIMEOUT_MS 5000u

struct policy_req {
	char source[QUBE_NAME_MAX + 1];      /* the calling qube (the daemon knows it) */
	uint32_t source_domid;
	char target[TARGET_DOMAIN_SIZE_V3];  /* as requested */
	char request_id[REQUEST_ID_SIZE];
	uint32_t service_len;                /* bytes that follow, NUL included */
};
_Static_assert(sizeof(struct policy_req) == 136, "policy_req layout");

enum { POLICY_REP_DENY = 0, POLICY_REP_ALLOW = 1 };

struct policy_rep {
	uint32_t verdict;        /* POLICY_REP_* */
	uint32_t target_domid;   /* allow: the data channel's client domain */
	uint32_t port;           /* allow: its port */
};
_Static_assert(sizeof(struct policy_rep) == 12, "policy_rep layout");

#endif
