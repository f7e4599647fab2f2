/* Encoding and loading of sealed-blob files (aem_blob.h). */
#include "measured-boot/aem_blob.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/atomicfile.h"
#include "lib/io.h"
#include "measured-boot/mbfile.h"

static void put_be(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

void aem_blob_encode(const struct aem_sealed *s, uint8_t out[AEM_BLOB_LEN])
{
	memset(out, 0, AEM_BLOB_LEN);
	memcpy(out + AEM_OFF_MAGIC, AEM_MAGIC, AEM_MAGIC_LEN);
	put_be(out + AEM_OFF_FLAGS, s->flags, 4);
	put_be(out + AEM_OFF_NV_INDEX, s->nv_index, 4);
	put_be(out + AEM_OFF_COUNTER, s->counter, 8);
	put_be(out + AEM_OFF_PCR_MASK, s->pcr_mask, 4);
	for (unsigned i = 0; i < AEM_PCR_COUNT; i++)
		if (s->pcr_mask >> i & 1)
			memcpy(out + AEM_OFF_PCRS + i * AEM_DIGEST_LEN, s->pcrs[i], AEM_DIGEST_LEN);
	if (s->flags & AEM_FLAG_AUTHORITY) {
		memcpy(out + AEM_OFF_AUTH_X, s->auth_x, AEM_ECC_LEN);
		memcpy(out + AEM_OFF_AUTH_Y, s->auth_y, AEM_ECC_LEN);
	}
	if (s->flags & AEM_FLAG_APPROVED) {
		memcpy(out + AEM_OFF_SIG_R, s->sig_r, AEM_ECC_LEN);
		memcpy(out + AEM_OFF_SIG_S, s->sig_s, AEM_ECC_LEN);
	}
	put_be(out + AEM_OFF_PUB_LEN, s->pub_len, 2);
	memcpy(out + AEM_OFF_PUB, s->pub, s->pub_len);
	put_be(out + AEM_OFF_PRIV_LEN, s->priv_len, 2);
	memcpy(out + AEM_OFF_PRIV, s->priv, s->priv_len);
}

int aem_blob_decode(const uint8_t *untrusted_buf, size_t len, struct aem_sealed *out)
{
	struct aem_blob b;
	int rc = aem_blob_parse(untrusted_buf, len, &b);

	if (rc != AEM_OK)
		return rc;
	/* Validated: every region below lies within the AEM_BLOB_LEN bytes. */
	const uint8_t *buf = untrusted_buf;
	memset(out, 0, sizeof(*out));
	out->flags = b.flags;
	out->nv_index = b.nv_index;
	out->counter = b.counter;
	out->pcr_mask = b.pcr_mask;
	memcpy(out->pcrs, buf + AEM_OFF_PCRS, sizeof(out->pcrs));
	memcpy(out->auth_x, buf + AEM_OFF_AUTH_X, AEM_ECC_LEN);
	memcpy(out->auth_y, buf + AEM_OFF_AUTH_Y, AEM_ECC_LEN);
	memcpy(out->sig_r, buf + AEM_OFF_SIG_R, AEM_ECC_LEN);
	memcpy(out->sig_s, buf + AEM_OFF_SIG_S, AEM_ECC_LEN);
	out->pub_len = b.pub_len;
	out->priv_len = b.priv_len;
	memcpy(out->pub, buf + AEM_OFF_PUB, b.pub_len);
	memcpy(out->priv, buf + AEM_OFF_PRIV, b.priv_len);
	return AEM_OK;
}

const char *aem_blob_strerror(int err)
{
	switch (err) {
	case AEM_OK:       return "ok";
	case AEM_ELENGTH:  return "not a sealed blob (wrong length)";
	case AEM_EMAGIC:   return "not a bulkhead-aem v1 sealed blob (bad magic)";
	case AEM_EFLAGS:   return "corrupt sealed blob (bad flags)";
	case AEM_ENVINDEX: return "corrupt sealed blob (counter index is not an NV index)";
	case AEM_EPCRMASK: return "corrupt sealed blob (bad PCR selection)";
	case AEM_EPCRS:    return "corrupt sealed blob (value for an unselected PCR)";
	case AEM_EAUTH:    return "corrupt sealed blob (authority key or approval against its flags)";
	case AEM_EPUB:     return "corrupt sealed blob (bad public area)";
	case AEM_EPRIV:    return "corrupt sealed blob (bad private area)";
	}
	return "corrupt sealed blob";
}

int aem_blob_load(const char *path, struct aem_sealed *out, char *err, size_t errlen)
{
	/* One byte more than a blob: a longer file is refused by its length,
	 * not truncated into a valid one. */
	static uint8_t untrusted_buf[AEM_BLOB_LEN + 1];
	ssize_t n = mb_read_regular(path, untrusted_buf, sizeof(untrusted_buf), err, errlen);
	int rc;

	if (n < 0)
		return -1;
	rc = aem_blob_decode(untrusted_buf, (size_t)n, out);
	memset(untrusted_buf, 0, sizeof(untrusted_buf));
	if (rc != AEM_OK) {
		snprintf(err, errlen, "%s: %s", path, aem_blob_strerror(rc));
		return -1;
	}
	return 0;
}

int aem_blob_store(const char *path, const struct aem_sealed *s)
{
	uint8_t buf[AEM_BLOB_LEN];

	aem_blob_encode(s, buf);
	return atomic_write_file(path, buf, sizeof(buf), 0644);
}
