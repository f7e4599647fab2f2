/* bulkhead-aem's commands (man/bulkhead-aem.8, SPEC/measured-boot.md
 * "Anti-evil-maid").  Each returns the tool's exit status: 0 done, 1
 * refused or failed (one line per reason on stderr), 2 usage. */
#ifndef BH_AEM_H
#define BH_AEM_H

#include <stdint.h>

#define AEM_EXIT_OK     0
#define AEM_EXIT_FAIL   1
#define AEM_EXIT_USAGE  2

struct aem_seal_opts {
	const char *blob;        /* file written */
	uint32_t pcr_mask;       /* PCRs the secret is sealed to */
	uint32_t nv_index;       /* freshness counter */
	int pin;                 /* also ask a PIN (PolicyAuthValue) */
	const char *authority;   /* public key file of the update authority, or NULL */
	const char *log;         /* the boot's event log, NULL: bulkhead-measure's default */
};

int aem_seal(const struct aem_seal_opts *o);
int aem_unseal(const char *blob, const char *log);
/* New values from pcr_file or from replaying log (at most one), else the blob's own. */
int aem_authorize(const char *blob, const char *key, const char *pcr_file, const char *log);
int aem_keygen(const char *priv, const char *pub);
int aem_pcrs(uint32_t mask);

/* "bulkhead-aem: " + the message, on stderr. */
void aem_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
