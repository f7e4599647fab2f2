/* The offline update authority of bulkhead-aem: an ECDSA P-256 key whose
 * private half stays off the machine (SPEC/measured-boot.md "Updates and
 * resealing").  Key files are PEM (OpenSSL).  The private key only ever
 * signs approvals; the TPM checks them with the public key, loaded from
 * the blob.  Errors: -1 with a one-line reason in err. */
#ifndef BH_AEM_AUTHORITY_H
#define BH_AEM_AUTHORITY_H

#include <stddef.h>
#include <stdint.h>
#include <tss2/tss2_esys.h>

#include "measured-boot/aem_blob_parse.h"
#include "measured-boot/tpm.h"

#define AEM_ERR_MAX 256u

/* Creates a new key: the private key at priv_path (mode 0600, refused if
 * the file exists) and its public key at pub_path. */
int aem_authority_keygen(const char *priv_path, const char *pub_path, char err[AEM_ERR_MAX])
	__attribute__((warn_unused_result));

/* The point of the public key in the PEM file at path (a public or a
 * private key file). */
int aem_authority_read_pub(const char *path, uint8_t x[AEM_ECC_LEN], uint8_t y[AEM_ECC_LEN],
	char err[AEM_ERR_MAX]) __attribute__((warn_unused_result));

/* Signs digest with the private key at priv_path, which must be the key
 * (x, y): r, s receive the ECDSA signature. */
int aem_authority_sign(const char *priv_path, const uint8_t x[AEM_ECC_LEN], const uint8_t y[AEM_ECC_LEN],
	const uint8_t digest[AEM_DIGEST_LEN], uint8_t r[AEM_ECC_LEN], uint8_t s[AEM_ECC_LEN],
	char err[AEM_ERR_MAX]) __attribute__((warn_unused_result));

/* Loads the public key (x, y) into the TPM's owner hierarchy (its
 * tickets must not be NULL tickets, or PolicyAuthorize refuses them).
 * *h: a transient handle the caller flushes; *name its name.  0 or a
 * BH_TPM_E* code with t->err set. */
int aem_authority_load(struct bh_tpm *t, const uint8_t x[AEM_ECC_LEN], const uint8_t y[AEM_ECC_LEN],
	ESYS_TR *h, TPM2B_NAME *name) __attribute__((warn_unused_result));

#endif
