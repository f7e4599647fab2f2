/* The TPM 2.0 connection every measured-boot tool shares: one ESYS
 * context over the TCTI named in $BULKHEAD_ROOT/etc/bulkhead/tpm-tcti
 * (SPEC/measured-boot.md "TPM access"), response codes reduced to what a
 * tool must tell apart, SHA-256 PCR reads and the owner-hierarchy primary
 * key.
 *
 * Handle discipline (the swtpm in the tests has no resource manager and
 * only three transient slots): every ESYS_TR a function creates is either
 * returned to the caller, who owns it and must bh_tpm_flush() it on every
 * path, or flushed before the function returns, on success and failure
 * alike.  Callers keep their handles initialised to ESYS_TR_NONE so that
 * one bh_tpm_flush() at a common exit label is always right. */
#ifndef BH_MB_TPM_H
#define BH_MB_TPM_H

#include <stdint.h>
#include <stddef.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_tctildr.h>

#define BH_TPM_TCTI_REL      "etc/bulkhead/tpm-tcti"  /* under $BULKHEAD_ROOT */
#define BH_TPM_TCTI_DEFAULT  "device:/dev/tpmrm0"
#define BH_TPM_TCTI_MAX      256u   /* bytes of the TCTI string, without NUL */
#define BH_TPM_ERR_MAX       256u   /* bytes of bh_tpm.err, with NUL */
#define BH_TPM_PCRS          24u    /* PCRs of the SHA-256 bank */
#define BH_TPM_DIGEST        32u    /* SHA-256 */
#define BH_TPM_ALL_PCRS      0x00ffffffu

struct bh_tpm {
	ESYS_CONTEXT *esys;          /* NULL when closed */
	TSS2_TCTI_CONTEXT *tcti;     /* owned; finalised by bh_tpm_close */
	char tcti_conf[BH_TPM_TCTI_MAX + 1];
	char err[BH_TPM_ERR_MAX];    /* one line, set by the failing call */
};

/* Error codes of this layer (negative; 0 is success).  bh_tpm_rc() maps a
 * TSS2_RC to one of them after masking the handle/session/parameter
 * number, so 0x99d (policy failure on session 1) and 0x09d compare equal. */
enum {
	BH_TPM_EPOLICY  = -1001, /* a policy did not hold (e.g. PCRs differ) */
	BH_TPM_EAUTH    = -1002, /* wrong authorisation value (PIN) */
	BH_TPM_ELOCKOUT = -1003, /* dictionary-attack lockout is active */
	BH_TPM_ESLOTS   = -1004, /* out of transient object memory: a leak */
	BH_TPM_ECOMM    = -1005, /* could not talk to the TPM (TCTI layer) */
	BH_TPM_ENV      = -1006, /* NV index absent, or a counter problem */
	BH_TPM_EINTEGRITY = -1007, /* a blob failed the TPM's integrity check */
	BH_TPM_EOTHER   = -1099, /* any other TPM or library error */
	BH_TPM_ECONF    = -1100, /* tpm-tcti file malformed or unreadable */
};

/* Open: reads the TCTI string (the file, else BH_TPM_TCTI_DEFAULT), loads
 * the TCTI and creates the ESYS context.  Silences tpm2-tss's own logging
 * (TSS2_LOG=all+none) unless TSS2_LOG is already set, so a tool's stderr
 * keeps one line per error.  On failure t is left closed and t->err says
 * why.  Returns 0, BH_TPM_ECONF or BH_TPM_ECOMM. */
int bh_tpm_open(struct bh_tpm *t) __attribute__((warn_unused_result));

/* Finalises the context and the TCTI; idempotent. */
void bh_tpm_close(struct bh_tpm *t);

/* The response code without the handle/session/parameter number and the
 * P bit of format-one codes (TPM 2.0 Part 2, 6.6.3); other layers and
 * format-zero codes unchanged. */
TSS2_RC bh_tpm_rc_base(TSS2_RC rc);

/* 0 for TSS2_RC_SUCCESS, else one of the BH_TPM_E* codes above. */
int bh_tpm_rc(TSS2_RC rc);

/* Records "what: <decoded rc>" in t->err and returns bh_tpm_rc(rc). */
int bh_tpm_fail(struct bh_tpm *t, const char *what, TSS2_RC rc);

/* Flushes *h if it is a loaded object or session and sets it to
 * ESYS_TR_NONE; a no-op for ESYS_TR_NONE.  Never fails from the caller's
 * point of view (a flush error cannot be acted upon on an exit path). */
void bh_tpm_flush(struct bh_tpm *t, ESYS_TR *h);

/* Reads the SHA-256 PCRs whose bits are set in mask (bit i = PCR i, only
 * the low 24 bits may be set) into out[i]; other rows of out are left
 * alone.  Loops over TPM2_PCR_Read, which returns at most 8 digests per
 * call.  Returns 0 or a BH_TPM_E* code. */
int bh_tpm_pcr_read(struct bh_tpm *t, uint32_t mask, uint8_t out[BH_TPM_PCRS][BH_TPM_DIGEST])
	__attribute__((warn_unused_result));

/* Extends SHA-256 PCR pcr (0..23) with digest.  Returns 0 or BH_TPM_E*. */
int bh_tpm_pcr_extend(struct bh_tpm *t, uint32_t pcr, const uint8_t digest[BH_TPM_DIGEST])
	__attribute__((warn_unused_result));

/* Fills tmpl with the part every primary here shares: ECC NIST P-256,
 * SHA-256 name, fixedTPM, fixedParent, sensitiveDataOrigin,
 * userWithAuth, restricted, noDA, plus the attributes in use (sign or
 * decrypt); no symmetric algorithm, scheme or KDF, for the caller to set
 * what its key needs. */
void bh_tpm_primary_template(TPM2B_PUBLIC *tmpl, TPMA_OBJECT use);

/* Creates a primary key from tmpl in the owner hierarchy (its auth
 * assumed empty), with empty auth of its own.  *out receives a transient
 * handle the caller must bh_tpm_flush(); *pub, unless pub is NULL, the
 * key's public area, which the caller Esys_Free()s.  On failure *out is
 * ESYS_TR_NONE, *pub NULL and t->err starts with what.  Returns 0 or
 * BH_TPM_E*. */
int bh_tpm_create_primary(struct bh_tpm *t, const TPM2B_PUBLIC *tmpl, const char *what, ESYS_TR *out,
			  TPM2B_PUBLIC **pub) __attribute__((warn_unused_result));

/* Creates the owner-hierarchy primary storage key (ECC NIST P-256,
 * restricted decrypt, AES-128-CFB, fixedTPM/fixedParent, empty auth,
 * noDA).  The template is fixed, so the key is the same each time for the
 * same owner seed.  The owner hierarchy's own auth is assumed empty
 * (SPEC/measured-boot.md).  *out receives a transient handle the caller
 * must bh_tpm_flush(); on failure *out is ESYS_TR_NONE. */
int bh_tpm_primary(struct bh_tpm *t, ESYS_TR *out) __attribute__((warn_unused_result));

/* Number of transient objects loaded in the TPM (TPM2_GetCapability
 * HANDLES from TRANSIENT_FIRST).  For tests: none may be left after a
 * tool exits. */
int bh_tpm_transient_count(struct bh_tpm *t, uint32_t *count) __attribute__((warn_unused_result));

/* Fills sel with one SHA-256 selection of the PCRs in mask. */
void bh_tpm_pcr_selection(uint32_t mask, TPML_PCR_SELECTION *sel);

#endif
