/* Why the boot chain differs: after unseal found PCRs that differ from
 * the sealed state, names each one with its sealed and current value and
 * what the measurement log says was measured into it. */
#ifndef BH_AEM_DIAG_H
#define BH_AEM_DIAG_H

#include <stdint.h>

#include "measured-boot/aem_blob_parse.h"

void aem_diag_explain(uint32_t differ, const uint8_t sealed[AEM_PCR_COUNT][AEM_DIGEST_LEN],
	const uint8_t now[AEM_PCR_COUNT][AEM_DIGEST_LEN]);

#endif
