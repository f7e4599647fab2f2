/* The freshness counter: a TPM NV counter index (TPM_NT_COUNTER) that
 * every `seal` increments and every policy requires to be equal to the
 * value its blob was sealed at (SPEC/measured-boot.md "Freshness").
 * Counter ESYS_TRs are ESYS metadata, not TPM transient objects: the
 * caller releases them with aem_counter_close (TR_Close), never flushes. */
#ifndef BH_AEM_COUNTER_H
#define BH_AEM_COUNTER_H

#include <stdint.h>
#include <tss2/tss2_esys.h>

#include "measured-boot/tpm.h"

#define AEM_NV_INDEX_DEFAULT 0x0100ae01u  /* owner range; --nv-index overrides */

/* Makes sure the counter exists and has a value: defines it (owner auth,
 * assumed empty as in bh_tpm_primary) and increments it once if it does
 * not exist.  An existing counter is left as it is, so blobs bound to it
 * stay valid.  0 or a BH_TPM_E* code with t->err set. */
int aem_counter_prepare(struct bh_tpm *t, uint32_t index) __attribute__((warn_unused_result));

/* Increments the counter, which must hold `expect` (else BH_TPM_ENV: a
 * concurrent seal): every blob bound to an older value dies here. */
int aem_counter_increment(struct bh_tpm *t, uint32_t index, uint64_t expect)
	__attribute__((warn_unused_result));

/* Opens the existing counter: *tr for PolicyNV, *value its current value,
 * *name its NV name (which the policy hashes).  0, BH_TPM_ENV if it does
 * not exist or is not a written counter, or another BH_TPM_E* code. */
int aem_counter_open(struct bh_tpm *t, uint32_t index, ESYS_TR *tr, uint64_t *value, TPM2B_NAME *name)
	__attribute__((warn_unused_result));

/* Releases a handle from aem_counter_open; a no-op for ESYS_TR_NONE. */
void aem_counter_close(struct bh_tpm *t, ESYS_TR *tr);

#endif
