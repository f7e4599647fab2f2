/* Sessions of bulkhead-aem: salted with the owner storage primary, so that
 * the secret crosses the bus to the TPM (at Create) and back (at Unseal)
 * encrypted with AES-128-CFB, not in clear for a bus sniffer. */
#ifndef BH_AEM_SESSION_H
#define BH_AEM_SESSION_H

#include <tss2/tss2_esys.h>

#include "measured-boot/tpm.h"

/* Starts a session of type (TPM2_SE_HMAC or TPM2_SE_POLICY) salted by
 * primary, with attrs (TPMA_SESSION_DECRYPT and/or _ENCRYPT) and
 * continueSession set: *s is a handle the caller must bh_tpm_flush().
 * 0 or a BH_TPM_E* code (*s is ESYS_TR_NONE). */
int aem_session_start(struct bh_tpm *t, ESYS_TR primary, TPM2_SE type, TPMA_SESSION attrs, ESYS_TR *s)
	__attribute__((warn_unused_result));

#endif
