/* The contents of a sealed-blob file and their encoding (the layout is
 * aem_blob_parse.h's; SPEC/measured-boot.md "Sealed-blob file").  The
 * caller owns every struct aem_sealed; nothing here allocates. */
#ifndef BH_AEM_BLOB_H
#define BH_AEM_BLOB_H

#include <stddef.h>
#include <stdint.h>

#include "measured-boot/aem_blob_parse.h"

struct aem_sealed {
	uint32_t flags;                                  /* AEM_FLAG_* */
	uint32_t nv_index;                               /* freshness counter */
	uint64_t counter;                                /* counter value bound in the policy */
	uint32_t pcr_mask;                               /* PCRs of the policy (SHA-256 bank) */
	uint8_t pcrs[AEM_PCR_COUNT][AEM_DIGEST_LEN];     /* their expected values */
	uint8_t auth_x[AEM_ECC_LEN], auth_y[AEM_ECC_LEN];  /* authority key (AUTHORITY) */
	uint8_t sig_r[AEM_ECC_LEN], sig_s[AEM_ECC_LEN];    /* its approval (APPROVED) */
	uint32_t pub_len, priv_len;
	uint8_t pub[AEM_PUB_MAX];                        /* marshalled TPMT_PUBLIC */
	uint8_t priv[AEM_PRIV_MAX];                      /* TPM2B_PRIVATE buffer */
};

/* out = the file bytes of s (s valid: the encoder does not check). */
void aem_blob_encode(const struct aem_sealed *s, uint8_t out[AEM_BLOB_LEN]);

/* Parses untrusted_buf (aem_blob_parse) into *out: 0 or an enum aem_perr. */
int aem_blob_decode(const uint8_t *untrusted_buf, size_t len, struct aem_sealed *out)
	__attribute__((warn_unused_result));

/* One line naming a parse error, for "bulkhead-aem: BLOB: <text>". */
const char *aem_blob_strerror(int err);

/* Reads (a regular file only: a FIFO on the boot medium cannot block the
 * boot) and decodes the file at path: 0, or -1 with "PATH: reason" (the
 * read error or the parse error) in err. */
int aem_blob_load(const char *path, struct aem_sealed *out, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Writes the file atomically, mode 0644 (a blob is no secret): 0 or -errno. */
int aem_blob_store(const char *path, const struct aem_sealed *s) __attribute__((warn_unused_result));

#endif
