/* `bulkhead-aem seal`: the secret into a TPM sealed object whose policy
 * needs the current boot-chain PCRs (or an authority's approval of
 * them), the PIN if asked, and the freshness counter's next value. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <tss2/tss2_mu.h>

#include "measured-boot/aem.h"
#include "measured-boot/aem_authority.h"
#include "measured-boot/aem_blob.h"
#include "measured-boot/aem_counter.h"
#include "measured-boot/aem_diag.h"
#include "measured-boot/aem_input.h"
#include "measured-boot/aem_policy.h"
#include "measured-boot/aem_session.h"
#include "measured-boot/tpm.h"

#define AEM_BLOB_NEW_SUFFIX ".new"

/* The sealed object: a keyed-hash data object that only the policy can
 * open (no userWithAuth: the PIN alone is nothing), DA-protected (so PIN
 * guesses count towards the lockout), bound to this TPM and parent. */
static void object_template(const uint8_t policy[AEM_DIGEST_LEN], TPM2B_PUBLIC *pub)
{
	memset(pub, 0, sizeof(*pub));
	pub->publicArea.type = TPM2_ALG_KEYEDHASH;
	pub->publicArea.nameAlg = TPM2_ALG_SHA256;
	pub->publicArea.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
		TPMA_OBJECT_ADMINWITHPOLICY;
	pub->publicArea.parameters.keyedHashDetail.scheme.scheme = TPM2_ALG_NULL;
	pub->publicArea.authPolicy.size = AEM_DIGEST_LEN;
	memcpy(pub->publicArea.authPolicy.buffer, policy, AEM_DIGEST_LEN);
}

/* Create under primary, through a salted session that encrypts the
 * sensitive part on its way to the TPM. */
static int create(struct bh_tpm *t, ESYS_TR primary, const TPM2B_SENSITIVE_CREATE *sens,
	const TPM2B_PUBLIC *tmpl, struct aem_sealed *s)
{
	TPM2B_DATA outside = { .size = 0 };
	TPML_PCR_SELECTION none = { .count = 0 };
	TPM2B_PRIVATE *priv = NULL;
	TPM2B_PUBLIC *pub = NULL;
	ESYS_TR sess = ESYS_TR_NONE;
	size_t off = 0;
	TSS2_RC rc;
	int r;

	r = aem_session_start(t, primary, TPM2_SE_HMAC, TPMA_SESSION_DECRYPT, &sess);
	if (r < 0)
		return r;
	rc = Esys_Create(t->esys, primary, sess, ESYS_TR_NONE, ESYS_TR_NONE, sens, tmpl, &outside, &none,
			 &priv, &pub, NULL, NULL, NULL);
	bh_tpm_flush(t, &sess);
	if (rc != TSS2_RC_SUCCESS)
		return bh_tpm_fail(t, "TPM2_Create (sealed object)", rc);
	r = 0;
	if (priv->size == 0 || priv->size > AEM_PRIV_MAX ||
	    Tss2_MU_TPMT_PUBLIC_Marshal(&pub->publicArea, s->pub, AEM_PUB_MAX, &off) != TSS2_RC_SUCCESS ||
	    off == 0) {
		snprintf(t->err, sizeof(t->err), "sealed object larger than the blob format allows");
		r = BH_TPM_EOTHER;
	} else {
		s->pub_len = (uint32_t)off;
		s->priv_len = priv->size;
		memcpy(s->priv, priv->buffer, priv->size);
	}
	Esys_Free(priv);
	Esys_Free(pub);
	return r;
}

/* The policy of s: needs the counter's name and, for AUTHORITY, the key's. */
static int policy_of(struct bh_tpm *t, const struct aem_sealed *s, uint8_t policy[AEM_DIGEST_LEN])
{
	ESYS_TR nv = ESYS_TR_NONE, key = ESYS_TR_NONE;
	TPM2B_NAME nv_name, key_name;
	uint64_t now;
	int r = aem_counter_open(t, s->nv_index, &nv, &now, &nv_name);

	aem_counter_close(t, &nv);
	if (r < 0)
		return r;
	if (now + 1 != s->counter) {
		snprintf(t->err, sizeof(t->err), "freshness counter moved during the seal");
		return BH_TPM_ENV;
	}
	if (s->flags & AEM_FLAG_AUTHORITY) {
		r = aem_authority_load(t, s->auth_x, s->auth_y, &key, &key_name);
		bh_tpm_flush(t, &key);
		if (r < 0)
			return r;
	}
	if (aem_policy_auth(s, &nv_name, (s->flags & AEM_FLAG_AUTHORITY) ? &key_name : NULL, policy) < 0) {
		snprintf(t->err, sizeof(t->err), "policy digest: name too long");
		return BH_TPM_EOTHER;
	}
	return 0;
}

/* The counter's current value, the one the new blob's is one above. */
static int counter_now(struct bh_tpm *t, uint32_t index, uint64_t *now)
{
	ESYS_TR nv = ESYS_TR_NONE;
	TPM2B_NAME name;
	int r = aem_counter_prepare(t, index);

	if (r == 0)
		r = aem_counter_open(t, index, &nv, now, &name);
	aem_counter_close(t, &nv);
	if (r == 0 && *now == UINT64_MAX) {
		snprintf(t->err, sizeof(t->err), "freshness counter exhausted");
		r = BH_TPM_ENV;
	}
	return r;
}

int aem_seal(const struct aem_seal_opts *o)
{
	static struct aem_sealed s;
	TPM2B_SENSITIVE_CREATE sens;
	TPM2B_PUBLIC tmpl;
	struct bh_tpm t;
	ESYS_TR primary = ESYS_TR_NONE;
	char secret[AEM_SECRET_MAX + 1], pin[AEM_PIN_MAX + 1], err[AEM_ERR_MAX], list[96];
	char newpath[4096];
	uint8_t policy[AEM_DIGEST_LEN];
	uint64_t now = 0;
	const char *why;
	int n, r, ret = AEM_EXIT_FAIL, opened = 0;

	memset(&s, 0, sizeof(s));
	memset(&sens, 0, sizeof(sens));
	memset(pin, 0, sizeof(pin));
	if ((size_t)snprintf(newpath, sizeof(newpath), "%s%s", o->blob, AEM_BLOB_NEW_SUFFIX) >= sizeof(newpath)) {
		aem_say("%s: path too long", o->blob);
		return AEM_EXIT_USAGE;
	}
	n = aem_read_line(STDIN_FILENO, "Secret to show at boot: ", secret, AEM_SECRET_MAX, &why);
	if (n < 0) {
		aem_say("secret: %s (want one line of 1..%u printable ASCII bytes on stdin)", why,
			AEM_SECRET_MAX);
		return AEM_EXIT_FAIL;
	}
	sens.sensitive.data.size = (UINT16)n;
	memcpy(sens.sensitive.data.buffer, secret, (size_t)n);
	if (o->pin) {
		n = aem_read_line(STDIN_FILENO, "PIN: ", pin, AEM_PIN_MAX, &why);
		if (n < 0) {
			aem_say("PIN: %s (want one line of 1..%u printable ASCII bytes on stdin)", why, AEM_PIN_MAX);
			goto out;
		}
		sens.sensitive.userAuth.size = (UINT16)n;
		memcpy(sens.sensitive.userAuth.buffer, pin, (size_t)n);
		s.flags |= AEM_FLAG_PIN;
	}
	if (o->authority != NULL) {
		if (aem_authority_read_pub(o->authority, s.auth_x, s.auth_y, err) < 0) {
			aem_say("%s", err);
			goto out;
		}
		s.flags |= AEM_FLAG_AUTHORITY;
	}
	s.nv_index = o->nv_index;
	s.pcr_mask = o->pcr_mask;
	if (bh_tpm_open(&t) < 0) {
		aem_say("%s", t.err);
		goto out;
	}
	opened = 1;
	r = bh_tpm_pcr_read(&t, s.pcr_mask, s.pcrs);
	if (r == 0)
		r = counter_now(&t, s.nv_index, &now);
	if (r == 0) {
		s.counter = now + 1;
		r = policy_of(&t, &s, policy);
	}
	if (r == 0)
		r = bh_tpm_primary(&t, &primary);
	if (r == 0) {
		object_template(policy, &tmpl);
		r = create(&t, primary, &sens, &tmpl, &s);
	}
	bh_tpm_flush(&t, &primary);
	if (r < 0) {
		aem_say("seal failed: %s", t.err);
		goto out;
	}
	/* The new blob is on disk before the counter moves, and takes the
	 * old one's place only after: a failure at any step leaves the old
	 * blob valid or the new one in place, never neither. */
	r = aem_blob_store(newpath, &s);
	if (r < 0) {
		aem_say("%s: %s", newpath, strerror(-r));
		goto out;
	}
	r = aem_counter_increment(&t, s.nv_index, now);
	if (r < 0) {
		aem_say("seal failed: %s", t.err);
		(void)unlink(newpath);
		goto out;
	}
	if (rename(newpath, o->blob) < 0) {
		aem_say("%s: rename to %s failed (the new blob is %s; the old one no longer unseals)", newpath,
			o->blob, newpath);
		goto out;
	}
	/* For messages only: a change will be named against this log. */
	if (aem_ref_keep(o->blob, o->log, s.pcr_mask, s.pcrs, err, sizeof(err)) < 0)
		aem_say("no reference event log kept (%s): a changed boot chain will be named by PCR only", err);
	aem_format_pcr_list(s.pcr_mask, list, sizeof(list));
	aem_say("sealed to SHA-256 PCRs %s%s%s, freshness counter 0x%08x = %llu%s", list,
		o->pin ? " and a PIN" : "", o->authority ? " (updates approved by the authority key)" : "",
		s.nv_index, (unsigned long long)s.counter,
		o->authority ? "; run bulkhead-aem authorize with the authority key before rebooting" : "");
	ret = AEM_EXIT_OK;
out:
	if (opened)
		bh_tpm_close(&t);
	sodium_memzero(secret, sizeof(secret));
	sodium_memzero(pin, sizeof(pin));
	sodium_memzero(&sens, sizeof(sens));
	return ret;
}
