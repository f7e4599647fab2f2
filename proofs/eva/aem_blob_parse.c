/* Eva driver: a sealed-blob file from the boot medium, every byte and the
 * length the attacker's.
 * eva-files: measured-boot/aem_blob_parse.c */
#include "eva_input.h"
#include "measured-boot/aem_blob_parse.h"

int main(void)
{
	struct aem_blob blob;
	size_t len;
	const uint8_t *buf = eva_untrusted(2u * AEM_BLOB_LEN, &len);

	(void)aem_blob_parse(buf, len, &blob);
	return 0;
}
