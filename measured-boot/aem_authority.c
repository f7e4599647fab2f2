/* The offline authority key (aem_authority.h): OpenSSL for the key
 * files and signatures, ESYS to hand the public key to the TPM. */
#include "measured-boot/aem_authority.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define POINT_LEN (1u + 2u * AEM_ECC_LEN)  /* uncompressed: 04 || x || y */

/* err = "<what>: <why>" */
static int fail(char err[AEM_ERR_MAX], const char *what, const char *why)
{
	snprintf(err, AEM_ERR_MAX, "%s: %s", what, why);
	return -1;
}

/* The P-256 point of k, or -1 if k is not a P-256 key. */
static int point_of(EVP_PKEY *k, uint8_t x[AEM_ECC_LEN], uint8_t y[AEM_ECC_LEN])
{
	char group[32];
	uint8_t pt[POINT_LEN];
	size_t len = 0;

	if (EVP_PKEY_get_base_id(k) != EVP_PKEY_EC ||
	    !EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL) ||
	    strcmp(group, "prime256v1") != 0 ||
	    !EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt), &len) ||
	    len != POINT_LEN || pt[0] != 4)
		return -1;
	memcpy(x, pt + 1, AEM_ECC_LEN);
	memcpy(y, pt + 1 + AEM_ECC_LEN, AEM_ECC_LEN);
	return 0;
}

/* The key in the PEM file at path: a private key if want_private, else
 * a public or a private key. */
static EVP_PKEY *read_key(const char *path, int want_private, char err[AEM_ERR_MAX])
{
	FILE *f = fopen(path, "re");
	EVP_PKEY *k = NULL;

	if (f == NULL) {
		snprintf(err, AEM_ERR_MAX, "%s: %s", path, strerror(errno));
		return NULL;
	}
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	if (k == NULL && !want_private) {
		rewind(f);
		k = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	}
	fclose(f);
	if (k == NULL)
		fail(err, path, want_private ? "not a PEM private key" : "not a PEM key");
	return k;
}

static int write_pem(const char *path, EVP_PKEY *k, int private, char err[AEM_ERR_MAX])
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, private ? 0600 : 0644);
	FILE *f;
	int ok;

	if (fd < 0) {
		snprintf(err, AEM_ERR_MAX, "%s: %s", path, strerror(errno));
		return -1;
	}
	f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		return fail(err, path, "fdopen failed");
	}
	ok = private ? PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) : PEM_write_PUBKEY(f, k);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		ok = 0;
	if (fclose(f) != 0)
		ok = 0;
	if (!ok) {
		unlink(path);
		return fail(err, path, "write failed");
	}
	return 0;
}

int aem_authority_keygen(const char *priv_path, const char *pub_path, char err[AEM_ERR_MAX])
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	int r = -1;

	if (k == NULL)
		return fail(err, "keygen", "P-256 key generation failed");
	if (write_pem(priv_path, k, 1, err) == 0) {
		r = write_pem(pub_path, k, 0, err);
		if (r < 0)
			unlink(priv_path);
	}
	EVP_PKEY_free(k);
	return r;
}

int aem_authority_read_pub(const char *path, uint8_t x[AEM_ECC_LEN], uint8_t y[AEM_ECC_LEN],
	char err[AEM_ERR_MAX])
{
	EVP_PKEY *k = read_key(path, 0, err);
	int r;

	if (k == NULL)
		return -1;
	r = point_of(k, x, y);
	EVP_PKEY_free(k);
	if (r < 0)
		return fail(err, path, "not an ECDSA P-256 key");
	return 0;
}

int aem_authority_sign(const char *priv_path, const uint8_t x[AEM_ECC_LEN], const uint8_t y[AEM_ECC_LEN],
	const uint8_t digest[AEM_DIGEST_LEN], uint8_t r[AEM_ECC_LEN], uint8_t s[AEM_ECC_LEN],
	char err[AEM_ERR_MAX])
{
	EVP_PKEY *k = read_key(priv_path, 1, err);
	EVP_PKEY_CTX *c = NULL;
	ECDSA_SIG *sig = NULL;
	const BIGNUM *br, *bs;
	const unsigned char *p;
	unsigned char der[128];
	uint8_t kx[AEM_ECC_LEN], ky[AEM_ECC_LEN];
	size_t derlen = sizeof(der);
	int ret = -1;

	if (k == NULL)
		return -1;
	if (point_of(k, kx, ky) < 0) {
		fail(err, priv_path, "not an ECDSA P-256 key");
		goto out;
	}
	if (memcmp(kx, x, AEM_ECC_LEN) != 0 || memcmp(ky, y, AEM_ECC_LEN) != 0) {
		fail(err, priv_path, "not the authority key this blob was sealed to");
		goto out;
	}
	c = EVP_PKEY_CTX_new(k, NULL);
	if (c == NULL || EVP_PKEY_sign_init(c) <= 0 || EVP_PKEY_CTX_set_signature_md(c, EVP_sha256()) <= 0 ||
	    EVP_PKEY_sign(c, der, &derlen, digest, AEM_DIGEST_LEN) <= 0) {
		fail(err, priv_path, "ECDSA signing failed");
		goto out;
	}
	p = der;
	sig = d2i_ECDSA_SIG(NULL, &p, (long)derlen);
	if (sig == NULL) {
		fail(err, priv_path, "ECDSA signing returned no signature");
		goto out;
	}
	ECDSA_SIG_get0(sig, &br, &bs);
	if (BN_bn2binpad(br, r, AEM_ECC_LEN) != AEM_ECC_LEN || BN_bn2binpad(bs, s, AEM_ECC_LEN) != AEM_ECC_LEN) {
		fail(err, priv_path, "ECDSA signature out of range");
		goto out;
	}
	ret = 0;
out:
	ECDSA_SIG_free(sig);
	EVP_PKEY_CTX_free(c);
	EVP_PKEY_free(k);
	return ret;
}

int aem_authority_load(struct bh_tpm *t, const uint8_t x[AEM_ECC_LEN], const uint8_t y[AEM_ECC_LEN],
	ESYS_TR *h, TPM2B_NAME *name)
{
	TPM2B_PUBLIC pub;
	TPMT_PUBLIC *a = &pub.publicArea;
	TPM2B_NAME *nm = NULL;
	TSS2_RC rc;

	*h = ESYS_TR_NONE;
	memset(&pub, 0, sizeof(pub));
	/* A fixed template: the key's name, which the sealed object's
	 * policy hashes, must come out the same at seal and at unseal. */
	a->type = TPM2_ALG_ECC;
	a->nameAlg = TPM2_ALG_SHA256;
	a->objectAttributes = TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_USERWITHAUTH;
	a->parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
	a->parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDSA;
	a->parameters.eccDetail.scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA256;
	a->parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
	a->parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
	a->unique.ecc.x.size = AEM_ECC_LEN;
	memcpy(a->unique.ecc.x.buffer, x, AEM_ECC_LEN);
	a->unique.ecc.y.size = AEM_ECC_LEN;
	memcpy(a->unique.ecc.y.buffer, y, AEM_ECC_LEN);
	rc = Esys_LoadExternal(t->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, NULL, &pub,
			       ESYS_TR_RH_OWNER, h);
	if (rc != TSS2_RC_SUCCESS) {
		*h = ESYS_TR_NONE;
		return bh_tpm_fail(t, "TPM2_LoadExternal (authority key)", rc);
	}
	rc = Esys_TR_GetName(t->esys, *h, &nm);
	if (rc != TSS2_RC_SUCCESS) {
		bh_tpm_flush(t, h);
		return bh_tpm_fail(t, "authority key name", rc);
	}
	*name = *nm;
	Esys_Free(nm);
	return 0;
}
