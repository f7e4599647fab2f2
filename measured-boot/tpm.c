/* TPM connection, response codes, PCRs and the primary key (tpm.h). */
#include "measured-boot/tpm.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_rc.h>

#include "io.h"
#include "paths.h"

static void set_err(struct bh_tpm *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_err(struct bh_tpm *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->err, sizeof t->err, fmt, ap);
	va_end(ap);
}

/* The TCTI string's charset: what "device:/dev/tpmrm0",
 * "swtpm:path=/run/x.sock" and "mssim:host=127.0.0.1,port=2321" need,
 * and nothing a TCTI option parser could take as a separator we do not
 * expect. */
static int tcti_char_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == ':' || c == '/' || c == '.' || c == '_' || c == ',' || c == '=' || c == '-';
}

/* Reads the TCTI file into t->tcti_conf: exactly one non-empty line of
 * tcti_char_ok bytes, the final newline optional.  Reject, never repair. */
static int read_tcti_conf(struct bh_tpm *t)
{
	char path[BH_PATH_MAX], buf[BH_TPM_TCTI_MAX + 3];
	size_t n, i;
	ssize_t got;

	if (bh_path(path, sizeof path, BH_TPM_TCTI_REL) < 0) {
		set_err(t, "%s: path too long (BULKHEAD_ROOT)", BH_TPM_TCTI_REL);
		return BH_TPM_ECONF;
	}
	got = read_small_file(path, buf, sizeof buf);
	if (got == -ENOENT) {
		memcpy(t->tcti_conf, BH_TPM_TCTI_DEFAULT, sizeof BH_TPM_TCTI_DEFAULT);
		return 0;
	}
	if (got < 0) {
		set_err(t, "%s: %s", path, got == -EFBIG ? "longer than one TCTI line" : strerror((int)-got));
		return BH_TPM_ECONF;
	}
	n = (size_t)got;
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n == 0 || n > BH_TPM_TCTI_MAX) {
		set_err(t, "%s: %s", path, n == 0 ? "empty (want one line such as swtpm:path=/run/tpm.sock)"
						  : "longer than one TCTI line");
		return BH_TPM_ECONF;
	}
	for (i = 0; i < n; i++) {
		if (!tcti_char_ok((unsigned char)buf[i])) {
			set_err(t, "%s: %s", path, "malformed (want one line such as swtpm:path=/run/tpm.sock)");
			return BH_TPM_ECONF;
		}
	}
	memcpy(t->tcti_conf, buf, n);
	t->tcti_conf[n] = '\0';
	return 0;
}

int bh_tpm_open(struct bh_tpm *t)
{
	TSS2_RC rc;
	int r;

	memset(t, 0, sizeof *t);
	/* tpm2-tss logs every failing command on stderr; a negative answer
	 * (wrong PIN, changed PCRs) is ordinary for us and is reported once,
	 * by the tool.  TSS2_LOG set by the user wins, for debugging. */
	if (setenv("TSS2_LOG", "all+none", 0) < 0) {
		set_err(t, "setenv TSS2_LOG failed");
		return BH_TPM_ECONF;
	}
	r = read_tcti_conf(t);
	if (r < 0)
		return r;
	rc = Tss2_TctiLdr_Initialize(t->tcti_conf, &t->tcti);
	if (rc != TSS2_RC_SUCCESS) {
		t->tcti = NULL;
		set_err(t, "cannot reach the TPM through TCTI '%s': %s", t->tcti_conf, Tss2_RC_Decode(rc));
		return BH_TPM_ECOMM;
	}
	rc = Esys_Initialize(&t->esys, t->tcti, NULL);
	if (rc != TSS2_RC_SUCCESS) {
		t->esys = NULL;
		Tss2_TctiLdr_Finalize(&t->tcti);
		set_err(t, "cannot start an ESYS context on '%s': %s", t->tcti_conf, Tss2_RC_Decode(rc));
		return BH_TPM_ECOMM;
	}
	return 0;
}

void bh_tpm_close(struct bh_tpm *t)
{
	if (t->esys != NULL)
		Esys_Finalize(&t->esys);
	if (t->tcti != NULL)
		Tss2_TctiLdr_Finalize(&t->tcti);
	t->esys = NULL;
	t->tcti = NULL;
}

TSS2_RC bh_tpm_rc_base(TSS2_RC rc)
{
	TSS2_RC layer = rc & TSS2_RC_LAYER_MASK;

	/* Format one (bit 7): bits 0-5 are the error, bit 6 says whether
	 * bits 8-11 number a parameter or a handle/session; keep only the
	 * error and the format bit. */
	if ((layer == TSS2_TPM_RC_LAYER || layer == TSS2_RESMGR_TPM_RC_LAYER) && (rc & TPM2_RC_FMT1) != 0)
		return layer | (rc & (TPM2_RC_FMT1 | 0x3fu));
	return rc;
}

int bh_tpm_rc(TSS2_RC rc)
{
	TSS2_RC layer = rc & TSS2_RC_LAYER_MASK;
	TSS2_RC base = bh_tpm_rc_base(rc) & ~TSS2_RC_LAYER_MASK;

	if (rc == TSS2_RC_SUCCESS)
		return 0;
	if (layer == TSS2_TCTI_RC_LAYER)
		return BH_TPM_ECOMM;
	if (layer != TSS2_TPM_RC_LAYER && layer != TSS2_RESMGR_TPM_RC_LAYER) {
		if ((rc & ~TSS2_RC_LAYER_MASK) == TSS2_BASE_RC_IO_ERROR ||
		    (rc & ~TSS2_RC_LAYER_MASK) == TSS2_BASE_RC_NO_CONNECTION ||
		    (rc & ~TSS2_RC_LAYER_MASK) == TSS2_BASE_RC_TRY_AGAIN)
			return BH_TPM_ECOMM;
		return BH_TPM_EOTHER;
	}
	switch (base) {
	case TPM2_RC_POLICY_FAIL:
	case TPM2_RC_PCR_CHANGED:
		return BH_TPM_EPOLICY;
	case TPM2_RC_AUTH_FAIL:
	case TPM2_RC_BAD_AUTH:
		return BH_TPM_EAUTH;
	case TPM2_RC_LOCKOUT:
		return BH_TPM_ELOCKOUT;
	case TPM2_RC_OBJECT_MEMORY:
	case TPM2_RC_SESSION_MEMORY:
	case TPM2_RC_OBJECT_HANDLES:
	case TPM2_RC_SESSION_HANDLES:
		return BH_TPM_ESLOTS;
	case TPM2_RC_NV_UNINITIALIZED:
	case TPM2_RC_NV_RANGE:
	case TPM2_RC_NV_DEFINED:
	case TPM2_RC_NV_LOCKED:
		return BH_TPM_ENV;
	case TPM2_RC_INTEGRITY:
		return BH_TPM_EINTEGRITY;
	default:
		return BH_TPM_EOTHER;
	}
}

int bh_tpm_fail(struct bh_tpm *t, const char *what, TSS2_RC rc)
{
	set_err(t, "%s: %s", what, Tss2_RC_Decode(rc));
	return bh_tpm_rc(rc);
}

void bh_tpm_flush(struct bh_tpm *t, ESYS_TR *h)
{
	if (*h == ESYS_TR_NONE)
		return;
	if (t->esys != NULL)
		(void)Esys_FlushContext(t->esys, *h);
	*h = ESYS_TR_NONE;
}

void bh_tpm_pcr_selection(uint32_t mask, TPML_PCR_SELECTION *sel)
{
	memset(sel, 0, sizeof *sel);
	sel->count = 1;
	sel->pcrSelections[0].hash = TPM2_ALG_SHA256;
	sel->pcrSelections[0].sizeofSelect = 3;
	sel->pcrSelections[0].pcrSelect[0] = (uint8_t)(mask & 0xffu);
	sel->pcrSelections[0].pcrSelect[1] = (uint8_t)((mask >> 8) & 0xffu);
	sel->pcrSelections[0].pcrSelect[2] = (uint8_t)((mask >> 16) & 0xffu);
}

/* Copies one TPM2_PCR_Read answer into out and returns the mask of the
 * PCRs it held, or 0 if it is not the SHA-256 answer asked for. */
static uint32_t take_pcrs(const TPML_PCR_SELECTION *got, const TPML_DIGEST *vals, uint32_t wanted,
			  uint8_t out[BH_TPM_PCRS][BH_TPM_DIGEST])
{
	uint32_t done = 0, k = 0, i, s;

	for (s = 0; s < got->count && s < TPM2_NUM_PCR_BANKS; s++) {
		const TPMS_PCR_SELECTION *ps = &got->pcrSelections[s];
		if (ps->hash != TPM2_ALG_SHA256)
			return 0;
		for (i = 0; i < BH_TPM_PCRS && i / 8 < ps->sizeofSelect; i++) {
			if (!(ps->pcrSelect[i / 8] & (1u << (i % 8))))
				continue;
			if (k >= vals->count || vals->digests[k].size != BH_TPM_DIGEST || !(wanted & (1u << i)))
				return 0;
			memcpy(out[i], vals->digests[k].buffer, BH_TPM_DIGEST);
			done |= 1u << i;
			k++;
		}
	}
	return k == vals->count ? done : 0;
}

int bh_tpm_pcr_read(struct bh_tpm *t, uint32_t mask, uint8_t out[BH_TPM_PCRS][BH_TPM_DIGEST])
{
	uint32_t left = mask, done;

	if (mask & ~BH_TPM_ALL_PCRS) {
		set_err(t, "PCR mask beyond PCR 23");
		return BH_TPM_EOTHER;
	}
	/* Each round reads at least one PCR or fails, so this ends. */
	while (left != 0) {
		TPML_PCR_SELECTION sel, *got = NULL;
		TPML_DIGEST *vals = NULL;
		TSS2_RC rc;

		bh_tpm_pcr_selection(left, &sel);
		rc = Esys_PCR_Read(t->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &sel, NULL, &got, &vals);
		if (rc != TSS2_RC_SUCCESS)
			return bh_tpm_fail(t, "TPM2_PCR_Read", rc);
		done = take_pcrs(got, vals, left, out);
		Esys_Free(got);
		Esys_Free(vals);
		if (done == 0) {
			set_err(t, "TPM2_PCR_Read: the TPM returned no SHA-256 PCR asked for");
			return BH_TPM_EOTHER;
		}
		left &= ~done;
	}
	return 0;
}

int bh_tpm_pcr_extend(struct bh_tpm *t, uint32_t pcr, const uint8_t digest[BH_TPM_DIGEST])
{
	TPML_DIGEST_VALUES v;
	TSS2_RC rc;

	if (pcr >= BH_TPM_PCRS) {
		set_err(t, "PCR index beyond 23");
		return BH_TPM_EOTHER;
	}
	memset(&v, 0, sizeof v);
	v.count = 1;
	v.digests[0].hashAlg = TPM2_ALG_SHA256;
	memcpy(v.digests[0].digest.sha256, digest, BH_TPM_DIGEST);
	rc = Esys_PCR_Extend(t->esys, ESYS_TR_PCR0 + pcr, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &v);
	if (rc != TSS2_RC_SUCCESS)
		return bh_tpm_fail(t, "TPM2_PCR_Extend", rc);
	return 0;
}

void bh_tpm_primary_template(TPM2B_PUBLIC *tmpl, TPMA_OBJECT use)
{
	memset(tmpl, 0, sizeof *tmpl);
	tmpl->publicArea.type = TPM2_ALG_ECC;
	tmpl->publicArea.nameAlg = TPM2_ALG_SHA256;
	tmpl->publicArea.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
		TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_RESTRICTED |
		TPMA_OBJECT_NODA | use;
	tmpl->publicArea.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
	tmpl->publicArea.parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
	tmpl->publicArea.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
	tmpl->publicArea.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
}

int bh_tpm_create_primary(struct bh_tpm *t, const TPM2B_PUBLIC *tmpl, const char *what, ESYS_TR *out,
			  TPM2B_PUBLIC **pub)
{
	TPM2B_SENSITIVE_CREATE sens;
	TPM2B_DATA outside;
	TPML_PCR_SELECTION creation_pcrs;
	TSS2_RC rc;

	*out = ESYS_TR_NONE;
	if (pub != NULL)
		*pub = NULL;
	memset(&sens, 0, sizeof sens);
	memset(&outside, 0, sizeof outside);
	memset(&creation_pcrs, 0, sizeof creation_pcrs);
	rc = Esys_CreatePrimary(t->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
				&sens, tmpl, &outside, &creation_pcrs, out, pub, NULL, NULL, NULL);
	if (rc != TSS2_RC_SUCCESS) {
		*out = ESYS_TR_NONE;
		return bh_tpm_fail(t, what, rc);
	}
	return 0;
}

int bh_tpm_primary(struct bh_tpm *t, ESYS_TR *out)
{
	TPM2B_PUBLIC tmpl;

	/* noDA (in every primary's template): the storage key has no
	 * secret, so no dictionary attack on it should count against the
	 * lockout that protects the PIN. */
	bh_tpm_primary_template(&tmpl, TPMA_OBJECT_DECRYPT);
	tmpl.publicArea.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_AES;
	tmpl.publicArea.parameters.eccDetail.symmetric.keyBits.aes = 128;
	tmpl.publicArea.parameters.eccDetail.symmetric.mode.aes = TPM2_ALG_CFB;
	return bh_tpm_create_primary(t, &tmpl, "TPM2_CreatePrimary (owner storage key)", out, NULL);
}

/* Loaded handles in [first, first + 0x00ffffff]. */
static int count_handles(struct bh_tpm *t, TPM2_HANDLE first, uint32_t *count)
{
	TPMS_CAPABILITY_DATA *cap = NULL;
	TPMI_YES_NO more = TPM2_NO;
	TSS2_RC rc;
	uint32_t i, n = 0;

	rc = Esys_GetCapability(t->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, TPM2_CAP_HANDLES, first,
				TPM2_MAX_CAP_HANDLES, &more, &cap);
	if (rc != TSS2_RC_SUCCESS)
		return bh_tpm_fail(t, "TPM2_GetCapability (handles)", rc);
	for (i = 0; i < cap->data.handles.count && i < TPM2_MAX_CAP_HANDLES; i++)
		if ((cap->data.handles.handle[i] & TPM2_HR_RANGE_MASK) == (first & TPM2_HR_RANGE_MASK))
			n++;
	Esys_Free(cap);
	*count = n;
	return 0;
}

int bh_tpm_transient_count(struct bh_tpm *t, uint32_t *count)
{
	uint32_t objects = 0, hmac = 0, policy = 0;
	int r;

	/* Sessions take slots too: count loaded HMAC and policy sessions.
	 * The first handles are spelt out: tss2's TPM2_TRANSIENT_FIRST
	 * shifts the int 0x80 left by 24, undefined behaviour (UBSan). */
	r = count_handles(t, 0x80000000u, &objects);
	if (r == 0)
		r = count_handles(t, 0x02000000u, &hmac);
	if (r == 0)
		r = count_handles(t, 0x03000000u, &policy);
	if (r == 0)
		*count = objects + hmac + policy;
	return r;
}
