/* The attestation key and the quoted PCR selection (attest.h). */
#include "measured-boot/attest.h"

#include <string.h>
#include <tss2/tss2_mu.h>

#include "measured-boot/eventlog.h"

int attest_ak_create(struct bh_tpm *t, ESYS_TR *ak, TPM2B_PUBLIC **pub)
{
	TPM2B_SENSITIVE_CREATE sens;
	TPM2B_PUBLIC tmpl;
	TPM2B_DATA outside;
	TPML_PCR_SELECTION creation_pcrs;
	TSS2_RC rc;

	*ak = ESYS_TR_NONE;
	if (pub != NULL)
		*pub = NULL;
	memset(&sens, 0, sizeof sens);
	memset(&tmpl, 0, sizeof tmpl);
	memset(&outside, 0, sizeof outside);
	memset(&creation_pcrs, 0, sizeof creation_pcrs);
	tmpl.publicArea.type = TPM2_ALG_ECC;
	tmpl.publicArea.nameAlg = TPM2_ALG_SHA256;
	/* restricted + sign: the TPM signs with it only what it produced
	 * itself (quotes, certifications), never an outside digest that
	 * could pass for a quote. */
	tmpl.publicArea.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
		TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_RESTRICTED |
		TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_NODA;
	tmpl.publicArea.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
	tmpl.publicArea.parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDSA;
	tmpl.publicArea.parameters.eccDetail.scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA256;
	tmpl.publicArea.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
	tmpl.publicArea.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
	rc = Esys_CreatePrimary(t->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
				&sens, &tmpl, &outside, &creation_pcrs, ak, pub, NULL, NULL, NULL);
	if (rc != TSS2_RC_SUCCESS) {
		*ak = ESYS_TR_NONE;
		return bh_tpm_fail(t, "TPM2_CreatePrimary (attestation key)", rc);
	}
	return 0;
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
