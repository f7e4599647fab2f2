/* Quote verification, without a TPM (attest.h, SPEC/measured-boot.md
 * "Attestation").  Every file of the quote directory is the prover's,
 * so untrusted: the TPM structures go through tpm2-tss's MU
 * unmarshallers, which must consume each file exactly; the event log
 * through the proved parser (eventlog_parse.c). */
#include "measured-boot/attest.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <tss2/tss2_mu.h>

#include "measured-boot/mbfile.h"
#include "measured-boot/eventlog.h"

#define P256_COORD 32u

int attest_ecdsa_ok(const TPM2B_PUBLIC *pub, const TPMT_SIGNATURE *sig, const uint8_t *msg, size_t len)
{
	const TPMS_ECC_POINT *q = &pub->publicArea.unique.ecc;
	const TPMS_SIGNATURE_ECDSA *es = &sig->signature.ecdsa;
	uint8_t point[1 + 2 * P256_COORD];
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *kctx = NULL;
	EVP_PKEY *pkey = NULL;
	ECDSA_SIG *esig = NULL;
	BIGNUM *r = NULL, *s = NULL;
	EVP_MD_CTX *md = NULL;
	unsigned char *der = NULL;
	int der_len, ok = 0;

	if (pub->publicArea.type != TPM2_ALG_ECC ||
	    pub->publicArea.parameters.eccDetail.curveID != TPM2_ECC_NIST_P256 ||
	    q->x.size != P256_COORD || q->y.size != P256_COORD || sig->sigAlg != TPM2_ALG_ECDSA ||
	    es->hash != TPM2_ALG_SHA256 || es->signatureR.size == 0 || es->signatureR.size > P256_COORD ||
	    es->signatureS.size == 0 || es->signatureS.size > P256_COORD)
		return 0;
	point[0] = 0x04;   /* uncompressed: 04 || x || y */
	memcpy(point + 1, q->x.buffer, P256_COORD);
	memcpy(point + 1 + P256_COORD, q->y.buffer, P256_COORD);
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (kctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(kctx) <= 0 ||
	    EVP_PKEY_fromdata(kctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		goto out;
	if ((esig = ECDSA_SIG_new()) == NULL ||
	    (r = BN_bin2bn(es->signatureR.buffer, es->signatureR.size, NULL)) == NULL ||
	    (s = BN_bin2bn(es->signatureS.buffer, es->signatureS.size, NULL)) == NULL ||
	    !ECDSA_SIG_set0(esig, r, s))
		goto out;
	r = s = NULL;   /* owned by esig now */
	if ((der_len = i2d_ECDSA_SIG(esig, &der)) <= 0)
		goto out;
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pkey) != 1)
		goto out;
	ok = EVP_DigestVerify(md, der, (size_t)der_len, msg, len) == 1;
out:
	EVP_MD_CTX_free(md);
	OPENSSL_free(der);
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(esig);
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(kctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return ok;
}

/* dir/name into untrusted_buf (at most ATTEST_FILE_MAX bytes); length or -1. */
static ssize_t read_quote_file(const char *dir, const char *name, uint8_t *untrusted_buf, char *err, size_t errlen)
{
	char path[4096];

	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	return mb_read_regular(path, untrusted_buf, ATTEST_FILE_MAX, err, errlen);
}

/* SHA-256 over the replayed PCRs of the quoted selection, in PCR order:
 * what TPM2_Quote puts in pcrDigest. */
static void expected_pcr_digest(const struct evlog *l, uint8_t out[32])
{
	uint8_t pcrs[EVLOG_PCRS][EVLOG_DIGEST_SIZE];
	crypto_hash_sha256_state st;
	uint32_t p;

	evlog_replay(l, pcrs);
	crypto_hash_sha256_init(&st);
	for (p = 0; p < EVLOG_PCRS; p++)
		if (EVLOG_PCR_MASK & (1u << p))
			crypto_hash_sha256_update(&st, pcrs[p], EVLOG_DIGEST_SIZE);
	crypto_hash_sha256_final(&st, out);
}

static int same_selection(const TPML_PCR_SELECTION *a, const TPML_PCR_SELECTION *b)
{
	return a->count == 1 && b->count == 1 && a->pcrSelections[0].hash == b->pcrSelections[0].hash &&
	       a->pcrSelections[0].sizeofSelect == b->pcrSelections[0].sizeofSelect &&
	       memcmp(a->pcrSelections[0].pcrSelect, b->pcrSelections[0].pcrSelect,
		      b->pcrSelections[0].sizeofSelect) == 0;
}

int attest_verify(const char *dir, const uint8_t *ak_buf, size_t ak_len, const uint8_t *nonce,
		  size_t nonce_len, uint32_t *count, char *err, size_t errlen)
{
	static uint8_t untrusted_quote[ATTEST_FILE_MAX], untrusted_sig[ATTEST_FILE_MAX],
		untrusted_ak[ATTEST_FILE_MAX];
	static struct evlog l;
	TPM2B_PUBLIC ak;
	TPMT_SIGNATURE sig;
	TPMS_ATTEST att;
	TPML_PCR_SELECTION want_sel;
	uint8_t want_digest[32];
	char path[4096];
	ssize_t qlen, slen, alen;
	size_t off;

	memset(&ak, 0, sizeof ak);
	off = 0;
	if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(ak_buf, ak_len, &off, &ak) != TSS2_RC_SUCCESS || off != ak_len) {
		snprintf(err, errlen, "the enrolled AK public is not a marshalled TPM2B_PUBLIC");
		return -1;
	}
	if ((qlen = read_quote_file(dir, ATTEST_FILE_QUOTE, untrusted_quote, err, errlen)) < 0 ||
	    (slen = read_quote_file(dir, ATTEST_FILE_SIG, untrusted_sig, err, errlen)) < 0 ||
	    (alen = read_quote_file(dir, ATTEST_FILE_AK, untrusted_ak, err, errlen)) < 0)
		return -1;
	/* 1. Whose quote: the AK it names must be the enrolled one ... */
	if ((size_t)alen != ak_len || memcmp(untrusted_ak, ak_buf, ak_len) != 0) {
		snprintf(err, errlen, "the quote names another AK than the enrolled one (another TPM)");
		return -1;
	}
	/* ... and the signature must check with the enrolled key (the file
	 * above is only for the message: it proves nothing). */
	memset(&sig, 0, sizeof sig);
	off = 0;
	if (Tss2_MU_TPMT_SIGNATURE_Unmarshal(untrusted_sig, (size_t)slen, &off, &sig) != TSS2_RC_SUCCESS ||
	    off != (size_t)slen || !attest_ecdsa_ok(&ak, &sig, untrusted_quote, (size_t)qlen)) {
		snprintf(err, errlen, "the quote's signature does not verify with the enrolled AK "
			 "(another TPM's quote, or altered)");
		return -1;
	}
	/* 2. What it says: a quote, fresh, over the measured-boot PCRs. */
	memset(&att, 0, sizeof att);
	off = 0;
	if (Tss2_MU_TPMS_ATTEST_Unmarshal(untrusted_quote, (size_t)qlen, &off, &att) != TSS2_RC_SUCCESS ||
	    off != (size_t)qlen || att.magic != TPM2_GENERATED_VALUE || att.type != TPM2_ST_ATTEST_QUOTE) {
		snprintf(err, errlen, "the signed data is not a TPM quote");
		return -1;
	}
	if (att.extraData.size != nonce_len || sodium_memcmp(att.extraData.buffer, nonce, nonce_len) != 0) {
		snprintf(err, errlen, "the quote's nonce is not the one asked for (a replayed or stale quote)");
		return -1;
	}
	attest_pcr_selection(&want_sel);
	if (!same_selection(&att.attested.quote.pcrSelect, &want_sel) ||
	    att.attested.quote.pcrDigest.size != sizeof want_digest) {
		snprintf(err, errlen, "the quote does not cover SHA-256 PCRs 11-15");
		return -1;
	}
	/* 3. The log must explain the quoted PCRs. */
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, ATTEST_FILE_LOG) >= sizeof path) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	if (evlog_load(path, &l, err, errlen) < 0)
		return -1;
	expected_pcr_digest(&l, want_digest);
	if (sodium_memcmp(att.attested.quote.pcrDigest.buffer, want_digest, sizeof want_digest) != 0) {
		snprintf(err, errlen, "the event log does not match the quoted PCRs (a forged or altered log)");
		return -1;
	}
	*count = l.count;
	return 0;
}
