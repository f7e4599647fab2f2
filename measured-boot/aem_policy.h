/* The policy a sealed secret answers to, computed in software (TPM 2.0
 * Part 3, the PolicyUpdate of each command), so that `seal` and the
 * offline `authorize` agree with what the TPM computes at `unseal`
 * (SPEC/measured-boot.md "Policy").  Pure: no TPM, no allocation.
 *
 *   direct:    PolicyPCR(mask, values) [PolicyAuthValue] PolicyNV(counter == n)
 *   authority: PolicyAuthorize(key, ref) [PolicyAuthValue] PolicyNV(counter == n)
 *              where the key signs H(PolicyPCR(mask, values) digest || ref)
 *              and ref = nv_index || n names the blob the approval is for. */
#ifndef BH_AEM_POLICY_H
#define BH_AEM_POLICY_H

#include <stdint.h>
#include <tss2/tss2_tpm2_types.h>

#include "measured-boot/aem_blob.h"

#define AEM_REF_LEN 12u   /* policyRef: nv_index (4) || counter (8), big-endian */

/* SHA-256 over the selected PCR values in index order (PolicyPCR's pcrDigest). */
void aem_pcr_digest(uint32_t mask, const uint8_t pcrs[AEM_PCR_COUNT][AEM_DIGEST_LEN],
	uint8_t out[AEM_DIGEST_LEN]);

/* The PolicyPCR digest from an empty policy: what the authority approves. */
int aem_policy_approved(const struct aem_sealed *s, uint8_t out[AEM_DIGEST_LEN])
	__attribute__((warn_unused_result));

/* The policyRef of blob s. */
void aem_policy_ref(const struct aem_sealed *s, uint8_t out[AEM_REF_LEN]);

/* What the authority signs for approved policy `approved` of blob s
 * (PolicyAuthorize's aHash). */
void aem_policy_ahash(const struct aem_sealed *s, const uint8_t approved[AEM_DIGEST_LEN],
	uint8_t out[AEM_DIGEST_LEN]);

/* The sealed object's authPolicy for blob s; nv_name is the counter's
 * NV name, key_name the authority key's name (AUTHORITY only, else
 * NULL).  0, or -1 if a name does not fit. */
int aem_policy_auth(const struct aem_sealed *s, const TPM2B_NAME *nv_name, const TPM2B_NAME *key_name,
	uint8_t out[AEM_DIGEST_LEN]) __attribute__((warn_unused_result));

/* PolicyNV's operandB: the counter value, 8 bytes big-endian. */
void aem_policy_operand(uint64_t counter, TPM2B_OPERAND *out);

#endif
