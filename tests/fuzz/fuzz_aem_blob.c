/* libFuzzer target: the sealed-blob file parser of bulkhead-aem
 * (measured-boot/aem_blob_parse.c).  An accepted blob meets the header's
 * blob_sane and is exactly its canonical form: decoded and encoded again
 * it is byte for byte the input.  A refused one leaves *out untouched. */
#include <assert.h>
#include <string.h>

#include "measured-boot/aem_blob.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct aem_sealed s;
	static uint8_t again[AEM_BLOB_LEN];
	struct aem_blob b, before;
	int rc;

	memset(&b, 0xa5, sizeof(b));
	before = b;
	rc = aem_blob_parse(data, size, &b);
	if (rc != AEM_OK) {
		assert(rc < 0 && rc >= AEM_EPRIV);
		assert(memcmp(&b, &before, sizeof(b)) == 0);
		return 0;
	}
	assert(size == AEM_BLOB_LEN);
	assert(b.flags <= AEM_FLAGS_ALL && b.flags != AEM_FLAG_APPROVED &&
	       b.flags != (AEM_FLAG_APPROVED | AEM_FLAG_PIN));
	assert(b.nv_index >= AEM_NV_INDEX_MIN && b.nv_index <= AEM_NV_INDEX_MAX);
	assert(b.pcr_mask != 0 && b.pcr_mask < AEM_PCR_MASK_END);
	assert(b.pub_len >= 1 && b.pub_len <= AEM_PUB_MAX);
	assert(b.priv_len >= 1 && b.priv_len <= AEM_PRIV_MAX);
	assert(aem_blob_decode(data, size, &s) == AEM_OK);
	aem_blob_encode(&s, again);
	assert(memcmp(again, data, AEM_BLOB_LEN) == 0);
	return 0;
}
