/* The event log side of bulkhead-aem (SPEC/measured-boot.md "Anti-evil-
 * maid"): at seal, the boot's event log (bulkhead-measure) is kept beside
 * the blob as its reference log, BLOB.log, if it explains the PCRs; at
 * unseal, when PCRs differ, the two logs are compared to name each
 * measurement that changed.  Both logs sit on media an attacker may have
 * rewritten: they are parsed by the proved eventlog_parse.c, and used
 * for messages only (the TPM decides). */
#ifndef BH_AEM_DIAG_H
#define BH_AEM_DIAG_H

#include <stddef.h>
#include <stdint.h>

#include "measured-boot/aem_blob_parse.h"

#define AEM_REF_SUFFIX ".log"

/* path = blob + AEM_REF_SUFFIX.  0 or -1 (too long). */
int aem_ref_path(const char *blob, char *path, size_t pathlen) __attribute__((warn_unused_result));

/* The event log at log (NULL: the default bulkhead-measure writes) must
 * replay to pcrs for every PCR of mask it covers; then it is written to
 * the reference path of blob.  0 kept; -1 not kept, with a one-line
 * reason in why (the seal goes on without it). */
int aem_ref_keep(const char *blob, const char *log, uint32_t mask,
	const uint8_t pcrs[AEM_PCR_COUNT][AEM_DIGEST_LEN], char *why, size_t whylen)
	__attribute__((warn_unused_result));

/* Replays the event log at path into pcrs (mask must be within the PCRs
 * bulkhead-measure uses), for `authorize --log`.  0, or -1 with why. */
int aem_log_pcrs(const char *path, uint32_t mask, uint8_t pcrs[AEM_PCR_COUNT][AEM_DIGEST_LEN],
	char *why, size_t whylen) __attribute__((warn_unused_result));

/* After unseal found the PCRs of differ changed: one line per PCR with
 * both values, then one line per measurement that changed, appeared or
 * disappeared between blob's reference log and the boot's log (log, or
 * the default), or why they cannot be named. */
void aem_diag_explain(const char *blob, const char *log, uint32_t differ,
	const uint8_t sealed[AEM_PCR_COUNT][AEM_DIGEST_LEN], const uint8_t now[AEM_PCR_COUNT][AEM_DIGEST_LEN]);

#endif
