/* Policy digests in software (aem_policy.h).  Each step is the TPM's
 * PolicyUpdate: digest' = H(digest || commandCode || arguments). */
#include "measured-boot/aem_policy.h"

#include <sodium.h>
#include <string.h>
#include <tss2/tss2_mu.h>

#include "measured-boot/tpm.h"

static void put_be(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static void h_cc(crypto_hash_sha256_state *h, const uint8_t digest[AEM_DIGEST_LEN], TPM2_CC cc)
{
	uint8_t b[4];

	put_be(b, cc, 4);
	crypto_hash_sha256_init(h);
	crypto_hash_sha256_update(h, digest, AEM_DIGEST_LEN);
	crypto_hash_sha256_update(h, b, 4);
}

void aem_pcr_digest(uint32_t mask, const uint8_t pcrs[AEM_PCR_COUNT][AEM_DIGEST_LEN],
	uint8_t out[AEM_DIGEST_LEN])
{
	crypto_hash_sha256_state h;

	crypto_hash_sha256_init(&h);
	for (unsigned i = 0; i < AEM_PCR_COUNT; i++)
		if (mask >> i & 1)
			crypto_hash_sha256_update(&h, pcrs[i], AEM_DIGEST_LEN);
	crypto_hash_sha256_final(&h, out);
}

/* d = H(d || TPM_CC_PolicyPCR || pcrs || pcrDigest) */
static int policy_pcr(uint8_t d[AEM_DIGEST_LEN], const struct aem_sealed *s)
{
	crypto_hash_sha256_state h;
	TPML_PCR_SELECTION sel;
	uint8_t m[sizeof(TPML_PCR_SELECTION)], pd[AEM_DIGEST_LEN];
	size_t off = 0;

	bh_tpm_pcr_selection(s->pcr_mask, &sel);
	if (Tss2_MU_TPML_PCR_SELECTION_Marshal(&sel, m, sizeof(m), &off) != TSS2_RC_SUCCESS)
		return -1;
	aem_pcr_digest(s->pcr_mask, s->pcrs, pd);
	h_cc(&h, d, TPM2_CC_PolicyPCR);
	crypto_hash_sha256_update(&h, m, off);
	crypto_hash_sha256_update(&h, pd, sizeof(pd));
	crypto_hash_sha256_final(&h, d);
	return 0;
}

int aem_policy_approved(const struct aem_sealed *s, uint8_t out[AEM_DIGEST_LEN])
{
	memset(out, 0, AEM_DIGEST_LEN);
	return policy_pcr(out, s);
}

void aem_policy_ref(const struct aem_sealed *s, uint8_t out[AEM_REF_LEN])
{
	put_be(out, s->nv_index, 4);
	put_be(out + 4, s->counter, 8);
}

void aem_policy_ahash(const struct aem_sealed *s, const uint8_t approved[AEM_DIGEST_LEN],
	uint8_t out[AEM_DIGEST_LEN])
{
	crypto_hash_sha256_state h;
	uint8_t ref[AEM_REF_LEN];

	aem_policy_ref(s, ref);
	crypto_hash_sha256_init(&h);
	crypto_hash_sha256_update(&h, approved, AEM_DIGEST_LEN);
	crypto_hash_sha256_update(&h, ref, sizeof(ref));
	crypto_hash_sha256_final(&h, out);
}

void aem_policy_operand(uint64_t counter, TPM2B_OPERAND *out)
{
	memset(out, 0, sizeof(*out));
	out->size = 8;
	put_be(out->buffer, counter, 8);
}

int aem_policy_auth(const struct aem_sealed *s, const TPM2B_NAME *nv_name, const TPM2B_NAME *key_name,
	uint8_t d[AEM_DIGEST_LEN])
{
	crypto_hash_sha256_state h;
	uint8_t ref[AEM_REF_LEN], args[AEM_DIGEST_LEN], tail[4] = { 0, 0, 0, 0 };
	TPM2B_OPERAND op;

	memset(d, 0, AEM_DIGEST_LEN);
	if (nv_name->size > sizeof(nv_name->name))
		return -1;
	if (s->flags & AEM_FLAG_AUTHORITY) {
		/* PolicyAuthorize resets the digest, then hashes the key's name
		 * and, in a second step, the policyRef. */
		if (key_name == NULL || key_name->size > sizeof(key_name->name))
			return -1;
		h_cc(&h, d, TPM2_CC_PolicyAuthorize);
		crypto_hash_sha256_update(&h, key_name->name, key_name->size);
		crypto_hash_sha256_final(&h, d);
		aem_policy_ref(s, ref);
		crypto_hash_sha256_init(&h);
		crypto_hash_sha256_update(&h, d, AEM_DIGEST_LEN);
		crypto_hash_sha256_update(&h, ref, sizeof(ref));
		crypto_hash_sha256_final(&h, d);
	} else if (policy_pcr(d, s) < 0) {
		return -1;
	}
	if (s->flags & AEM_FLAG_PIN) {
		h_cc(&h, d, TPM2_CC_PolicyAuthValue);
		crypto_hash_sha256_final(&h, d);
	}
	/* PolicyNV: args = H(operandB || offset || operation), offset 0 and
	 * TPM_EO_EQ, both 16-bit zero. */
	aem_policy_operand(s->counter, &op);
	crypto_hash_sha256_init(&h);
	crypto_hash_sha256_update(&h, op.buffer, op.size);
	crypto_hash_sha256_update(&h, tail, sizeof(tail));
	crypto_hash_sha256_final(&h, args);
	h_cc(&h, d, TPM2_CC_PolicyNV);
	crypto_hash_sha256_update(&h, args, sizeof(args));
	crypto_hash_sha256_update(&h, nv_name->name, nv_name->size);
	crypto_hash_sha256_final(&h, d);
	return 0;
}
