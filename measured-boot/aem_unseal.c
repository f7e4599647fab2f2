/* `bulkhead-aem unseal`, at boot: shows the secret, or says why not in
 * words the user can act on (SPEC/measured-boot.md "Anti-evil-maid").
 * Checks that need no secret come first (blob, counter, PCRs), so a
 * changed boot chain never costs a PIN try and never sees the PIN. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/uio.h>
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

#define DO_NOT_TYPE "DO NOT TYPE YOUR DISK PASSPHRASE"

/* Everything one unseal holds; released by done(). */
struct unseal {
	const char *blob, *log;
	struct bh_tpm t;
	int opened;
	struct aem_sealed s;
	ESYS_TR nv, primary, object, key, session;
	TPM2B_NAME nv_name;
	uint64_t counter;
	char pin[AEM_PIN_MAX + 1];
};

/* One line for a TPM error that has no better explanation. */
static int tpm_say(struct unseal *u, const char *what, TSS2_RC rc)
{
	(void)bh_tpm_fail(&u->t, what, rc);
	aem_say("%s", u->t.err);
	return -1;
}

static void done(struct unseal *u)
{
	/* ESYS keeps its own copy of the PIN with the object's metadata:
	 * overwrite it before the handle goes. */
	if (u->object != ESYS_TR_NONE) {
		TPM2B_AUTH none;

		memset(&none, 0, sizeof(none));
		(void)Esys_TR_SetAuth(u->t.esys, u->object, &none);
	}
	aem_counter_close(&u->t, &u->nv);
	bh_tpm_flush(&u->t, &u->session);
	bh_tpm_flush(&u->t, &u->key);
	bh_tpm_flush(&u->t, &u->object);
	bh_tpm_flush(&u->t, &u->primary);
	if (u->opened)
		bh_tpm_close(&u->t);
	sodium_memzero(u->pin, sizeof(u->pin));
}

/* The freshness check: the blob must be bound to the counter's value. */
static int check_counter(struct unseal *u)
{
	int r = aem_counter_open(&u->t, u->s.nv_index, &u->nv, &u->counter, &u->nv_name);

	if (r < 0) {
		aem_say("%s: the TPM has no freshness counter for this blob (another machine's blob, or the TPM "
			"was cleared); %s until you know why", u->t.err, DO_NOT_TYPE);
		return -1;
	}
	if (u->counter > u->s.counter) {
		aem_say("REPLAYED BLOB: this blob was sealed at freshness counter %llu but the TPM's counter is "
			"%llu: a newer blob was sealed since, and this old copy may have been put back to unlock an "
			"old boot chain; %s", (unsigned long long)u->s.counter, (unsigned long long)u->counter,
			DO_NOT_TYPE);
		return -1;
	}
	if (u->counter < u->s.counter) {
		aem_say("this blob claims freshness counter %llu but the TPM's counter is %llu: it was not "
			"sealed by this TPM; %s", (unsigned long long)u->s.counter,
			(unsigned long long)u->counter, DO_NOT_TYPE);
		return -1;
	}
	return 0;
}

/* The boot-chain check: the PCRs now against the values of the policy. */
static int check_pcrs(struct unseal *u)
{
	uint8_t now[AEM_PCR_COUNT][AEM_DIGEST_LEN];
	uint32_t differ = 0;
	char list[96];

	if (bh_tpm_pcr_read(&u->t, u->s.pcr_mask, now) < 0) {
		aem_say("%s", u->t.err);
		return -1;
	}
	for (unsigned i = 0; i < AEM_PCR_COUNT; i++)
		if ((u->s.pcr_mask >> i & 1) && memcmp(now[i], u->s.pcrs[i], AEM_DIGEST_LEN) != 0)
			differ |= 1u << i;
	if (differ == 0)
		return 0;
	aem_format_pcr_list(differ, list, sizeof(list));
	aem_say("BOOT CHAIN CHANGED: SHA-256 PCR %s differ%s from the sealed state; %s", list,
		(differ & (differ - 1)) ? "" : "s", DO_NOT_TYPE);
	aem_diag_explain(u->blob, u->log, differ, u->s.pcrs, now);
	return -1;
}

/* The authority's approval, checked by the TPM into a ticket. */
static int verify_approval(struct unseal *u, uint8_t approved[AEM_DIGEST_LEN], TPM2B_NAME *key_name,
	TPMT_TK_VERIFIED **ticket)
{
	TPM2B_DIGEST ahash = { .size = AEM_DIGEST_LEN };
	TPMT_SIGNATURE sig;
	TSS2_RC rc;
	int r;

	if (aem_policy_approved(&u->s, approved) < 0) {
		aem_say("approved policy digest failed");
		return -1;
	}
	aem_policy_ahash(&u->s, approved, ahash.buffer);
	memset(&sig, 0, sizeof(sig));
	sig.sigAlg = TPM2_ALG_ECDSA;
	sig.signature.ecdsa.hash = TPM2_ALG_SHA256;
	sig.signature.ecdsa.signatureR.size = AEM_ECC_LEN;
	memcpy(sig.signature.ecdsa.signatureR.buffer, u->s.sig_r, AEM_ECC_LEN);
	sig.signature.ecdsa.signatureS.size = AEM_ECC_LEN;
	memcpy(sig.signature.ecdsa.signatureS.buffer, u->s.sig_s, AEM_ECC_LEN);
	r = aem_authority_load(&u->t, u->s.auth_x, u->s.auth_y, &u->key, key_name);
	if (r < 0) {
		aem_say("%s", u->t.err);
		return -1;
	}
	rc = Esys_VerifySignature(u->t.esys, u->key, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &ahash, &sig,
				  ticket);
	bh_tpm_flush(&u->t, &u->key);
	if (rc != TSS2_RC_SUCCESS) {
		aem_say("the approval in this blob is not signed by its authority key: the blob was tampered with; %s",
			DO_NOT_TYPE);
		return -1;
	}
	return 0;
}

/* The policy session, with every assertion of the blob's policy in the
 * order aem_policy_auth hashed them. */
static int run_policy(struct unseal *u)
{
	TPML_PCR_SELECTION sel;
	TPM2B_DIGEST empty = { .size = 0 }, approved = { .size = AEM_DIGEST_LEN };
	TPM2B_NONCE ref = { .size = AEM_REF_LEN };
	TPMT_TK_VERIFIED *ticket = NULL;
	TPM2B_NAME key_name;
	TPM2B_OPERAND operand;
	TSS2_RC rc;
	int r;

	if ((u->s.flags & AEM_FLAG_AUTHORITY) && verify_approval(u, approved.buffer, &key_name, &ticket) < 0)
		return -1;
	r = aem_session_start(&u->t, u->primary, TPM2_SE_POLICY, TPMA_SESSION_ENCRYPT, &u->session);
	if (r < 0)
		goto tpm_fail;
	bh_tpm_pcr_selection(u->s.pcr_mask, &sel);
	/* An empty pcrDigest: the TPM hashes the PCRs as they are now, and
	 * the final comparison with the object's policy decides. */
	rc = Esys_PolicyPCR(u->t.esys, u->session, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &empty, &sel);
	if (rc != TSS2_RC_SUCCESS) {
		r = bh_tpm_fail(&u->t, "TPM2_PolicyPCR", rc);
		goto tpm_fail;
	}
	if (u->s.flags & AEM_FLAG_AUTHORITY) {
		aem_policy_ref(&u->s, ref.buffer);
		rc = Esys_PolicyAuthorize(u->t.esys, u->session, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
					  &approved, &ref, &key_name, ticket);
		if (rc != TSS2_RC_SUCCESS) {
			r = bh_tpm_fail(&u->t, "TPM2_PolicyAuthorize", rc);
			goto tpm_fail;
		}
	}
	if (u->s.flags & AEM_FLAG_PIN) {
		rc = Esys_PolicyAuthValue(u->t.esys, u->session, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE);
		if (rc != TSS2_RC_SUCCESS) {
			r = bh_tpm_fail(&u->t, "TPM2_PolicyAuthValue", rc);
			goto tpm_fail;
		}
	}
	aem_policy_operand(u->s.counter, &operand);
	rc = Esys_PolicyNV(u->t.esys, u->nv, u->nv, u->session, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
			   &operand, 0, TPM2_EO_EQ);
	if (rc != TSS2_RC_SUCCESS) {
		Esys_Free(ticket);
		if ((bh_tpm_rc_base(rc) & ~TSS2_RC_LAYER_MASK) == TPM2_RC_POLICY) {
			aem_say("REPLAYED BLOB: the TPM refused the freshness counter of this blob; %s", DO_NOT_TYPE);
			return -1;
		}
		return tpm_say(u, "TPM2_PolicyNV", rc);
	}
	Esys_Free(ticket);
	return 0;
tpm_fail:
	Esys_Free(ticket);
	aem_say("%s", u->t.err);
	return -1;
}

/* Tries left before the dictionary-attack lockout, and its timings. */
static void say_lockout(struct unseal *u, int locked)
{
	TPMS_CAPABILITY_DATA *cap = NULL;
	TPMI_YES_NO more;
	uint32_t failed = 0, max = 0, interval = 0;

	if (Esys_GetCapability(u->t.esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, TPM2_CAP_TPM_PROPERTIES,
			       TPM2_PT_LOCKOUT_COUNTER, 3, &more, &cap) == TSS2_RC_SUCCESS) {
		for (uint32_t i = 0; i < cap->data.tpmProperties.count && i < TPM2_MAX_TPM_PROPERTIES; i++) {
			const TPMS_TAGGED_PROPERTY *p = &cap->data.tpmProperties.tpmProperty[i];
			if (p->property == TPM2_PT_LOCKOUT_COUNTER)
				failed = p->value;
			else if (p->property == TPM2_PT_MAX_AUTH_FAIL)
				max = p->value;
			else if (p->property == TPM2_PT_LOCKOUT_INTERVAL)
				interval = p->value;
		}
		Esys_Free(cap);
	}
	if (locked) {
		aem_say("the TPM is in dictionary-attack lockout after %u wrong PINs: it refuses every PIN, right "
			"or wrong, until one failure is forgiven (every %u s while powered) or the owner resets it "
			"with the lockout authorization; this says nothing about the boot chain", failed, interval);
	} else if (max > 0 && failed >= max) {
		aem_say("wrong PIN, and that was the last try: the TPM is now in dictionary-attack lockout and "
			"refuses every PIN until one failure is forgiven (every %u s while powered) or the owner "
			"resets it with the lockout authorization", interval);
	} else {
		aem_say("wrong PIN: %u tr%s left before the TPM locks out (dictionary-attack protection, one "
			"failure forgiven every %u s)", max - failed, max - failed == 1 ? "y" : "ies", interval);
	}
}

static int unseal_object(struct unseal *u)
{
	TPM2B_SENSITIVE_DATA *out = NULL;
	struct iovec iov[2] = { { NULL, 0 }, { (void *)"\n", 1 } };
	TPM2B_PRIVATE priv;
	TPM2B_PUBLIC pub;
	TPM2B_AUTH auth;
	size_t off = 0;
	TSS2_RC rc;
	int r;

	memset(&pub, 0, sizeof(pub));
	memset(&priv, 0, sizeof(priv));
	if (Tss2_MU_TPMT_PUBLIC_Unmarshal(u->s.pub, u->s.pub_len, &off, &pub.publicArea) != TSS2_RC_SUCCESS ||
	    off != u->s.pub_len) {
		aem_say("corrupt sealed blob (public area does not decode); %s", DO_NOT_TYPE);
		return -1;
	}
	priv.size = (UINT16)u->s.priv_len;
	memcpy(priv.buffer, u->s.priv, u->s.priv_len);
	r = bh_tpm_primary(&u->t, &u->primary);
	if (r < 0) {
		aem_say("%s", u->t.err);
		return -1;
	}
	rc = Esys_Load(u->t.esys, u->primary, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &priv, &pub,
		       &u->object);
	if (rc != TSS2_RC_SUCCESS) {
		u->object = ESYS_TR_NONE;
		(void)bh_tpm_fail(&u->t, "TPM2_Load", rc);
		aem_say("the TPM refuses this blob's sealed object (%s): not sealed by this TPM's owner "
			"hierarchy, or tampered with; %s", u->t.err, DO_NOT_TYPE);
		return -1;
	}
	if (u->s.flags & AEM_FLAG_PIN) {
		const char *why;
		int n = aem_read_line(STDIN_FILENO, "Anti-evil-maid PIN: ", u->pin, AEM_PIN_MAX, &why);

		if (n < 0) {
			aem_say("PIN: %s", why);
			return -1;
		}
		auth.size = (UINT16)n;
		memcpy(auth.buffer, u->pin, (size_t)n);
		rc = Esys_TR_SetAuth(u->t.esys, u->object, &auth);
		sodium_memzero(&auth, sizeof(auth));
		if (rc != TSS2_RC_SUCCESS)
			return tpm_say(u, "PIN", rc);
	}
	if (run_policy(u) < 0)
		return -1;
	rc = Esys_Unseal(u->t.esys, u->object, u->session, ESYS_TR_NONE, ESYS_TR_NONE, &out);
	switch (bh_tpm_rc(rc)) {
	case 0:
		break;
	case BH_TPM_EAUTH:
		say_lockout(u, 0);
		return -1;
	case BH_TPM_ELOCKOUT:
		say_lockout(u, 1);
		return -1;
	case BH_TPM_EPOLICY:
		aem_say("REFUSED BY THE TPM: the policy (PCRs, approval or freshness counter) does not hold "
			"although the blob's own values matched: the blob was tampered with, or the PCRs moved "
			"meanwhile; %s", DO_NOT_TYPE);
		return -1;
	default:
		return tpm_say(u, "TPM2_Unseal", rc);
	}
	/* Printable by construction at seal; checked again before it reaches
	 * a terminal. */
	for (UINT16 i = 0; i < out->size; i++)
		if (out->buffer[i] < 0x20 || out->buffer[i] > 0x7e)
			out->size = 0;
	if (out->size > AEM_SECRET_MAX)
		out->size = 0;
	if (out->size == 0) {
		sodium_memzero(out, sizeof(*out));
		Esys_Free(out);
		aem_say("the unsealed secret is not printable text");
		return -1;
	}
	/* The newline apart: a secret of AEM_SECRET_MAX bytes fills the buffer. */
	iov[0].iov_base = out->buffer;
	iov[0].iov_len = out->size;
	r = writev(STDOUT_FILENO, iov, 2) == (ssize_t)out->size + 1 ? 0 : -1;
	sodium_memzero(out, sizeof(*out));
	Esys_Free(out);
	if (r < 0) {
		aem_say("cannot write the secret to stdout");
		return -1;
	}
	return 0;
}

int aem_unseal(const char *blob, const char *log)
{
	static struct unseal u;
	char err[AEM_ERR_MAX], list[96];
	int ret = AEM_EXIT_FAIL;

	memset(&u, 0, sizeof(u));
	u.nv = u.primary = u.object = u.key = u.session = ESYS_TR_NONE;
	u.blob = blob;
	u.log = log;
	if (aem_blob_load(blob, &u.s, err, sizeof(err)) < 0) {
		aem_say("%s; %s", err, DO_NOT_TYPE);
		return AEM_EXIT_FAIL;
	}
	if ((u.s.flags & AEM_FLAG_AUTHORITY) && !(u.s.flags & AEM_FLAG_APPROVED)) {
		aem_say("%s: no approval yet: run bulkhead-aem authorize with the authority key", blob);
		return AEM_EXIT_FAIL;
	}
	if (bh_tpm_open(&u.t) < 0) {
		aem_say("%s", u.t.err);
		return AEM_EXIT_FAIL;
	}
	u.opened = 1;
	if (check_counter(&u) == 0 && check_pcrs(&u) == 0 && unseal_object(&u) == 0) {
		aem_format_pcr_list(u.s.pcr_mask, list, sizeof(list));
		aem_say("the TPM released the secret above: the boot chain measured into PCRs %s is the sealed "
			"one, and this blob is the newest (counter %llu). If the secret is not yours, %s",
			list, (unsigned long long)u.counter, DO_NOT_TYPE);
		ret = AEM_EXIT_OK;
	}
	done(&u);
	return ret;
}
