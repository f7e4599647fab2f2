/* The attestation key and the quoted PCR selection (attest.h). */
#include "measured-boot/attest.h"

#include <tss2/tss2_mu.h>

#include "measured-boot/eventlog.h"

int attest_ak_create(struct bh_tpm *t, ESYS_TR *ak, TPM2B_PUBLIC **pub)
{
	TPM2B_PUBLIC tmpl;

	/* restricted + sign: the TPM signs with it only what it produced
	 * itself (quotes, certifications), never an outside digest that
	 * could pass for a quote. */
	bh_tpm_primary_template(&tmpl, TPMA_OBJECT_SIGN_ENCRYPT);
	tmpl.publicArea.parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDSA;
	tmpl.publicArea.parameters.eccDetail.scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA256;
	return bh_tpm_create_primary(t, &tmpl, "TPM2_CreatePrimary (attestation key)", ak, pub);
}

size_t attest_ak_marshal(const TPM2B_PUBLIC *pub, uint8_t *buf, size_t cap)
{
	size_t off = 0;

	if (Tss2_MU_TPM2B_PUBLIC_Marshal(pub, buf, cap, &off) != TSS2_RC_SUCCESS)
		return 0;
	return off;
}

void attest_pcr_selection(TPML_PCR_SELECTION *sel)
{
	bh_tpm_pcr_selection(EVLOG_PCR_MASK, sel);
}
