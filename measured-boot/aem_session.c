/* Salted sessions (aem_session.h). */
#include "measured-boot/aem_session.h"

int aem_session_start(struct bh_tpm *t, ESYS_TR primary, TPM2_SE type, TPMA_SESSION attrs, ESYS_TR *s)
{
	const TPMT_SYM_DEF aes = {
		.algorithm = TPM2_ALG_AES, .keyBits.aes = 128, .mode.aes = TPM2_ALG_CFB,
	};
	TSS2_RC rc;

	*s = ESYS_TR_NONE;
	rc = Esys_StartAuthSession(t->esys, primary, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				   NULL, type, &aes, TPM2_ALG_SHA256, s);
	if (rc != TSS2_RC_SUCCESS) {
		*s = ESYS_TR_NONE;
		return bh_tpm_fail(t, "TPM2_StartAuthSession", rc);
	}
	rc = Esys_TRSess_SetAttributes(t->esys, *s, attrs | TPMA_SESSION_CONTINUESESSION, 0xff);
	if (rc != TSS2_RC_SUCCESS) {
		bh_tpm_flush(t, s);
		return bh_tpm_fail(t, "session attributes", rc);
	}
	return 0;
}
