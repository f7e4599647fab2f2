/* Boot-chain change diagnosis (aem_diag.h). */
#include "measured-boot/aem_diag.h"

#include <stdio.h>

#include "measured-boot/aem.h"

static void hex8(const uint8_t *d, char out[17])
{
	for (unsigned i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

void aem_diag_explain(uint32_t differ, const uint8_t sealed[AEM_PCR_COUNT][AEM_DIGEST_LEN],
	const uint8_t now[AEM_PCR_COUNT][AEM_DIGEST_LEN])
{
	char a[17], b[17];

	for (unsigned i = 0; i < AEM_PCR_COUNT; i++) {
		if (!(differ >> i & 1))
			continue;
		hex8(sealed[i], a);
		hex8(now[i], b);
		aem_say("PCR %u: sealed %s..., now %s...", i, a, b);
	}
}
