#include "qrexec/lib/dom0exec.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "capd/capd_client.h"
#include "lib/io.h"
#include "qrexec/lib/capcall.h"
#include "qrexec/policy/policy_facts.h"

/* The qube's qid (capd binds it) and, when it runs, its domain id (its
 * daemon's answer must name it), from bulkheadd's facts. */
static int qube_ids(const char *qube, uint32_t *qid, uint32_t *domid)
{
	struct policy_facts_table *t = policy_facts_table_new();
	const struct policy_qube *q;
	int rc = t == NULL ? -ENOMEM : policy_facts_from_admin(t) < 0 ? -EPROTO : 0;

	if (rc == 0 && ((q = policy_facts_table_find(t, qube)) == NULL || q->qid == 0))
		rc = -ENOENT;
	if (rc == 0) {
		*qid = q->qid;
		*domid = q->running ? q->domid : 0;
	}
	policy_facts_table_free(t);
	return rc;
}

int dom0_exec(const char *qube, bool just_exec, const char *cmdline, struct dom0rep *rep)
{
	struct dom0req req = { .op = DREQ_EXEC, .domain = 0, .just_exec = just_exec };
	struct capd_call call;
	struct capd_token tok;
	uint8_t nonce[8];
	struct dom0rep untrusted_rep;
	uint32_t qid = 0, domid = 0, reason = 0;
	int rc;

	if ((rc = qube_ids(qube, &qid, &domid)) < 0)
		return rc;
	/* A qube whose agent is still booting (qvm-run's start returns after
	 * 10 s without qrexec) is waited for before the capability exists,
	 * as policyd does (SPEC/qrexec-daemons.md, "Start and readiness"). */
	if (domid != 0 && (rc = dom0req_ping(qube, domid, now_ms() + DOM0REQ_READY_MAX_MS)) < 0)
		return rc;
	/* Calls from dom0 get request ids of their own: "dom0-" and 16 hex. */
	if (getrandom(nonce, sizeof(nonce), 0) != sizeof(nonce))
		return -EIO;
	memcpy(req.request_id, "dom0-", 5);
	sodium_bin2hex(req.request_id + 5, sizeof(req.request_id) - 5, nonce, sizeof(nonce));
	if (capcall_build(&call, cmdline, 0, qube, qid, req.request_id) < 0)
		return -EINVAL;
	if ((rc = capd_mint(NULL, &call, 0, &tok, &reason, now_ms() + CAPD_REQ_TIMEOUT_MS)) < 0)
		return -EACCES;
	capd_token_encode(&tok, req.token);
	req.cmdline_len = (uint32_t)strlen(cmdline) + 1;
	if ((rc = dom0req_call(qube, &req, cmdline, &untrusted_rep)) < 0)
		return rc;
	if ((rep->rc = dom0rep_errno(&untrusted_rep)) < 0)
		return 0;   /* the daemon refused */
	return dom0rep_exec_check(&untrusted_rep, domid, rep) < 0 ? -EPROTO : 0;
}
