/* The authority's commands of bulkhead-aem: `keygen` (once, offline),
 * `authorize` (offline, after an update: approves new PCR values for a
 * blob without its secret) and `pcrs` (prints PCR values in the format
 * `authorize --pcrs` reads). */
#include <stdio.h>
#include <string.h>

#include "measured-boot/aem.h"
#include "measured-boot/aem_authority.h"
#include "measured-boot/aem_blob.h"
#include "measured-boot/aem_diag.h"
#include "measured-boot/aem_input.h"
#include "measured-boot/aem_policy.h"
#include "measured-boot/tpm.h"

int aem_keygen(const char *priv, const char *pub)
{
	char err[AEM_ERR_MAX];

	if (aem_authority_keygen(priv, pub, err) < 0) {
		aem_say("%s", err);
		return AEM_EXIT_FAIL;
	}
	aem_say("authority key: private %s (keep it offline), public %s (give it to seal --authority)", priv, pub);
	return AEM_EXIT_OK;
}

int aem_authorize(const char *blob, const char *key, const char *pcr_file, const char *log)
{
	static struct aem_sealed s;
	uint8_t approved[AEM_DIGEST_LEN], ahash[AEM_DIGEST_LEN];
	char err[AEM_ERR_MAX], list[96];
	int r;

	if (aem_blob_load(blob, &s, err, sizeof(err)) < 0) {
		aem_say("%s", err);
		return AEM_EXIT_FAIL;
	}
	if (!(s.flags & AEM_FLAG_AUTHORITY)) {
		aem_say("%s: sealed without an authority key: updates need a new seal", blob);
		return AEM_EXIT_FAIL;
	}
	/* The new values replace the old ones for every PCR of the policy
	 * (the selection itself is part of the sealed policy's terms: the
	 * authority approves values, not a different set of PCRs). */
	if ((pcr_file != NULL && aem_read_pcr_file(pcr_file, s.pcr_mask, s.pcrs, err, sizeof(err)) < 0) ||
	    (log != NULL && aem_log_pcrs(log, s.pcr_mask, s.pcrs, err, sizeof(err)) < 0)) {
		aem_say("%s", err);
		return AEM_EXIT_FAIL;
	}
	if (aem_policy_approved(&s, approved) < 0) {
		aem_say("approved policy digest failed");
		return AEM_EXIT_FAIL;
	}
	aem_policy_ahash(&s, approved, ahash);
	if (aem_authority_sign(key, s.auth_x, s.auth_y, ahash, s.sig_r, s.sig_s, err) < 0) {
		aem_say("%s", err);
		return AEM_EXIT_FAIL;
	}
	s.flags |= AEM_FLAG_APPROVED;
	r = aem_blob_store(blob, &s);
	if (r < 0) {
		aem_say("%s: %s", blob, strerror(-r));
		return AEM_EXIT_FAIL;
	}
	/* The approved chain's log becomes the reference that a later
	 * change is named against; any older reference is dropped. */
	if (log != NULL && aem_ref_keep(blob, log, s.pcr_mask, s.pcrs, err, sizeof(err)) < 0)
		aem_say("no reference event log kept: %s", err);
	if (log == NULL && pcr_file != NULL && aem_ref_path(blob, err, sizeof(err)) == 0)
		(void)remove(err);
	aem_format_pcr_list(s.pcr_mask, list, sizeof(list));
	aem_say("%s: approved the%s values of PCRs %s (freshness counter %llu)", blob,
		pcr_file || log ? " new" : "", list, (unsigned long long)s.counter);
	return AEM_EXIT_OK;
}

int aem_pcrs(uint32_t mask)
{
	uint8_t v[AEM_PCR_COUNT][AEM_DIGEST_LEN];
	struct bh_tpm t;
	int r;

	if (bh_tpm_open(&t) < 0) {
		aem_say("%s", t.err);
		return AEM_EXIT_FAIL;
	}
	r = bh_tpm_pcr_read(&t, mask, v);
	if (r < 0)
		aem_say("%s", t.err);
	else
		aem_print_pcrs(mask, v);
	bh_tpm_close(&t);
	return r < 0 ? AEM_EXIT_FAIL : AEM_EXIT_OK;
}
