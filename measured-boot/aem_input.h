/* What bulkhead-aem reads from its user: the secret and the PIN, one line
 * each on stdin (echo off on a terminal, a deadline on every read), and
 * PCR lists and value files from the command line.  The caller owns the
 * buffers and wipes the secret ones. */
#ifndef BH_AEM_INPUT_H
#define BH_AEM_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "measured-boot/aem_blob_parse.h"

#define AEM_SECRET_MAX   128u   /* bytes of the sealed secret (TPM sealed data fits 128) */
#define AEM_PIN_MAX      32u    /* bytes of a PIN: an authValue is at most a SHA-256 digest */
#define AEM_INPUT_TIMEOUT_MS (10u * 60u * 1000u)  /* a user at the prompt, or a pipe */
#define AEM_PCRS_FILE_MAX 4096u /* bytes of a PCR value file: 24 lines of "NN <64 hex>" fit */

/* Reads one line of 1..max printable ASCII bytes (0x20..0x7e) from fd
 * into buf (NUL-terminated; buf has max + 1 bytes), showing prompt on
 * stderr and turning echo off if fd is a terminal.  Returns the length,
 * or -1 with a one-line reason in *why. */
int aem_read_line(int fd, const char *prompt, char *buf, size_t max, const char **why)
	__attribute__((warn_unused_result));

/* "8,9,10-12" -> mask of PCRs 0..23.  0 or -1. */
int aem_parse_pcr_list(const char *s, uint32_t *mask) __attribute__((warn_unused_result));

/* Writes the PCR list of mask as "8,9,10" into out. */
void aem_format_pcr_list(uint32_t mask, char *out, size_t outlen);

/* A PCR value file: lines "<pcr> <64 lowercase hex>\n", PCRs ascending,
 * exactly those of mask.  0 with pcrs[i] set for each i in mask, or -1
 * with a one-line reason (pcrs possibly partly written). */
int aem_read_pcr_file(const char *path, uint32_t mask, uint8_t pcrs[AEM_PCR_COUNT][AEM_DIGEST_LEN],
	char *why, size_t whylen) __attribute__((warn_unused_result));

/* Prints the PCRs of mask in the format above. */
void aem_print_pcrs(uint32_t mask, const uint8_t pcrs[AEM_PCR_COUNT][AEM_DIGEST_LEN]);

#endif
