/* bulkhead-attest: TPM quotes over the measured-boot PCRs with the event
 * log, and their verification (SPEC/measured-boot.md "Attestation").
 *
 * A quote is a directory of four files (ATTEST_* names below): the
 * TPMS_ATTEST bytes the TPM signed, the TPMT_SIGNATURE and the AK's
 * TPM2B_PUBLIC (both marshalled by tpm2-tss MU), and the event log. */
#ifndef BH_MB_ATTEST_H
#define BH_MB_ATTEST_H

#include <stddef.h>
#include <stdint.h>
#include <tss2/tss2_esys.h>

#include "measured-boot/tpm.h"

#define ATTEST_FILE_QUOTE  "quote.attest"
#define ATTEST_FILE_SIG    "quote.sig"
#define ATTEST_FILE_AK     "ak.pub"
#define ATTEST_FILE_LOG    "eventlog"
#define ATTEST_NONCE_MIN   8u      /* bytes */
#define ATTEST_NONCE_MAX   32u     /* bytes (TPM2B_DATA holds 64) */
#define ATTEST_FILE_MAX    4096u   /* any of the three TPM files; TPMS_ATTEST is < 1 KiB */
#define ATTEST_ERR_MAX     (4096u + 512u)

/* The attestation key: a primary in the owner hierarchy from a fixed
 * template (ECC NIST P-256, restricted signing, ECDSA with SHA-256,
 * fixedTPM, noDA), so the same TPM and owner seed always give the same
 * key and nothing needs storing.  *ak is a transient handle the caller
 * flushes; *pub (optional) is Esys_Free'd by the caller. */
int attest_ak_create(struct bh_tpm *t, ESYS_TR *ak, TPM2B_PUBLIC **pub)
	__attribute__((warn_unused_result));

/* The marshalled TPM2B_PUBLIC of pub into buf; returns its length or 0. */
size_t attest_ak_marshal(const TPM2B_PUBLIC *pub, uint8_t *buf, size_t cap);

/* The PCR selection every quote covers: SHA-256 PCRs 11-15. */
void attest_pcr_selection(TPML_PCR_SELECTION *sel);

/* Verifies the quote directory dir against the enrolled AK public (the
 * marshalled TPM2B_PUBLIC in ak_buf) and the nonce the verifier chose:
 * signature, nonce, PCR selection, and the event log's replay against the
 * quoted PCR digest.  Returns 0 and the number of measurements in *count,
 * or -1 with a one-line reason in err. */
int attest_verify(const char *dir, const uint8_t *ak_buf, size_t ak_len, const uint8_t *nonce,
		  size_t nonce_len, uint32_t *count, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* The ECDSA P-256/SHA-256 signature sig over msg checks with the public
 * point of pub (OpenSSL; no TPM).  Returns 1 if it does, 0 if not. */
int attest_ecdsa_ok(const TPM2B_PUBLIC *pub, const TPMT_SIGNATURE *sig, const uint8_t *msg, size_t len);

#endif
