/* policyd's side of capd (SPEC/capabilities.md, "Wiring it in"): the
 * capability behind every call it allows, standing grants from the
 * user's answers, and every decision in the audit log.  Every failure
 * here refuses the call (capd down, a refusal, a malformed answer). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "capd/capd_client.h"
#include "lib/io.h"
#include "lib/log.h"
#include "qrexec/policyd/policyd.h"

static uint64_t deadline(void)
{
	return now_ms() + CAPD_REQ_TIMEOUT_MS;
}

int policyd_cap_get(const struct cap_plan *plan, const struct cap_who *w, struct capd_token *tok)
{
	struct capd_call call;
	uint32_t reason = 0;
	uint64_t grant = 0;
	int rc;

	if (plan->ready) {
		*tok = plan->tok;
		return 0;
	}
	if (capd_call_set(&call, w->source, w->source_qid, w->target, w->target_qid, w->service, w->argument,
			  w->request_id) < 0)
		return -1;
	if (plan->scope != 0 &&
	    (rc = capd_grant_create(NULL, &call.b, plan->scope, plan->value, &grant, &reason, deadline())) < 0) {
		log_warnx("%s -> %s %s: capd made no grant (%s, reason %u)", w->source, w->target, w->service,
			  strerror(-rc), reason);
		return -1;
	}
	if (plan->scope != 0 || plan->from_grant)
		rc = capd_mint_from_grant(NULL, &call, tok, &grant, &reason, deadline());
	else
		rc = capd_mint(NULL, &call, 0, tok, &reason, deadline());
	if (rc < 0 && !(plan->from_grant && reason == CAPD_R_NO_GRANT))
		log_warnx("%s -> %s %s: capd minted no capability (%s, reason %u)", w->source, w->target,
			  w->service, strerror(-rc), reason);
	return rc < 0 ? -1 : 0;
}

int policyd_cap_redeem_dom0(const struct cap_who *w, const struct capd_token *tok)
{
	struct capd_call call;
	uint32_t reason = 0;
	int rc;

	if (capd_call_set(&call, w->source, w->source_qid, "dom0", 0, w->service, w->argument, w->request_id) < 0)
		return -1;
	rc = capd_redeem(NULL, tok, &call, &reason, deadline());
	if (rc < 0)
		log_warnx("%s -> dom0 %s: capd refused the capability (%s, reason %u)", w->source, w->service,
			  strerror(-rc), reason);
	return rc < 0 ? -1 : 0;
}

void policyd_cap_audit(const struct cap_who *w, const char *requested, uint32_t verdict, const char *reason,
		       const char *file, uint32_t line)
{
	struct capd_audit_rec rec;
	uint32_t why = 0;
	int rc;

	memset(&rec, 0, sizeof(rec));
	snprintf(rec.source, sizeof(rec.source), "%s", w->source);
	snprintf(rec.target, sizeof(rec.target), "%s", requested);
	snprintf(rec.service, sizeof(rec.service), "%s", w->service);
	snprintf(rec.argument, sizeof(rec.argument), "%s", w->argument);
	snprintf(rec.request_id, sizeof(rec.request_id), "%s", w->request_id);
	snprintf(rec.reason, sizeof(rec.reason), "%s", reason);
	if (file != NULL && line != 0) {
		snprintf(rec.file, sizeof(rec.file), "%s", file);
		rec.line = line;
	}
	rec.verdict = verdict;
	if ((rc = capd_audit_policy(NULL, &rec, &why, deadline())) < 0)
		log_warnx("%s -> %s %s: the decision was not audited (%s, reason %u)", w->source, requested,
			  w->service, strerror(-rc), why);
}
