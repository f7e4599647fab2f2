/* tpm-helper: what the measured-boot tests need from a TPM besides the
 * tools under test, over the TCTI of $BULKHEAD_ROOT/etc/bulkhead/tpm-tcti:
 *
 *   tpm-helper startup         TPM2_Startup(CLEAR) after `swtpm_ioctl -i`
 *                              (a TPM already started is fine)
 *   tpm-helper transients      exit 1 naming the count if any transient
 *                              object or session is still loaded
 *   tpm-helper extend PCR HEX  extend SHA-256 PCR with a 32-byte digest
 *                              (an extend "behind the event log's back")
 *   tpm-helper pcr PCR         print the SHA-256 PCR in hex
 *   tpm-helper primary         create the owner storage primary, check it
 *                              shows as one transient object, flush it
 *   tpm-helper rc HEX          print bh_tpm_rc_base and bh_tpm_rc of a
 *                              response code (no TPM needed)
 *
 * Exit 0 ok, 1 failure (one line on stderr), 2 usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "measured-boot/tpm.h"

static int usage(void)
{
	fprintf(stderr, "usage: tpm-helper startup | transients | extend PCR HEX64 | pcr PCR | primary | rc HEX\n");
	return 2;
}

static int parse_pcr(const char *s, uint32_t *pcr)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s < '0' || *s > '9' || *end != '\0' || v >= BH_TPM_PCRS)
		return -1;
	*pcr = (uint32_t)v;
	return 0;
}

static int run(struct bh_tpm *t, int argc, char **argv)
{
	uint8_t pcrs[BH_TPM_PCRS][BH_TPM_DIGEST], digest[BH_TPM_DIGEST];
	char hex[2 * BH_TPM_DIGEST + 1];
	uint32_t pcr, n;
	size_t got;
	TSS2_RC rc;

	if (strcmp(argv[1], "startup") == 0 && argc == 2) {
		rc = Esys_Startup(t->esys, TPM2_SU_CLEAR);
		if (rc != TSS2_RC_SUCCESS && bh_tpm_rc_base(rc) != TPM2_RC_INITIALIZE)
			return bh_tpm_fail(t, "TPM2_Startup", rc) < 0;
		return 0;
	}
	if (strcmp(argv[1], "transients") == 0 && argc == 2) {
		if (bh_tpm_transient_count(t, &n) < 0)
			return 1;
		if (n != 0) {
			snprintf(t->err, sizeof t->err, "%u transient handle(s) left loaded in the TPM", n);
			return 1;
		}
		return 0;
	}
	if (strcmp(argv[1], "extend") == 0 && argc == 4) {
		if (parse_pcr(argv[2], &pcr) < 0 || strlen(argv[3]) != 2 * BH_TPM_DIGEST ||
		    sodium_hex2bin(digest, sizeof digest, argv[3], strlen(argv[3]), NULL, &got, NULL) != 0 ||
		    got != BH_TPM_DIGEST)
			return usage();
		return bh_tpm_pcr_extend(t, pcr, digest) < 0;
	}
	if (strcmp(argv[1], "pcr") == 0 && argc == 3) {
		if (parse_pcr(argv[2], &pcr) < 0)
			return usage();
		if (bh_tpm_pcr_read(t, 1u << pcr, pcrs) < 0)
			return 1;
		printf("%s\n", sodium_bin2hex(hex, sizeof hex, pcrs[pcr], BH_TPM_DIGEST));
		return 0;
	}
	if (strcmp(argv[1], "primary") == 0 && argc == 2) {
		ESYS_TR h = ESYS_TR_NONE;
		int r = bh_tpm_primary(t, &h);

		if (r == 0)
			r = bh_tpm_transient_count(t, &n);
		bh_tpm_flush(t, &h);
		if (r == 0 && n != 1) {
			snprintf(t->err, sizeof t->err, "%u transient handles with one primary loaded", n);
			r = -1;
		}
		return r < 0;
	}
	return usage();
}

/* The layer's mapping, for the tests: "BASE-HEX NAME". */
static int print_rc(const char *hex)
{
	static const struct { int code; const char *name; } names[] = {
		{ 0, "ok" }, { BH_TPM_EPOLICY, "policy" }, { BH_TPM_EAUTH, "auth" },
		{ BH_TPM_ELOCKOUT, "lockout" }, { BH_TPM_ESLOTS, "slots" }, { BH_TPM_ECOMM, "comm" },
		{ BH_TPM_ENV, "nv" }, { BH_TPM_EINTEGRITY, "integrity" }, { BH_TPM_EOTHER, "other" },
	};
	char *end;
	unsigned long v = strtoul(hex, &end, 16);
	size_t i;
	int code;

	if (*hex == '\0' || *end != '\0' || v > 0xffffffffu)
		return usage();
	code = bh_tpm_rc((TSS2_RC)v);
	for (i = 0; i < sizeof names / sizeof names[0] && names[i].code != code; i++)
		;
	printf("%#x %s\n", bh_tpm_rc_base((TSS2_RC)v), i < sizeof names / sizeof names[0] ? names[i].name : "?");
	return 0;
}

int main(int argc, char **argv)
{
	struct bh_tpm t;
	int r;

	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "rc") == 0)
		return argc == 3 ? print_rc(argv[2]) : usage();
	if (bh_tpm_open(&t) < 0) {
		fprintf(stderr, "tpm-helper: %s\n", t.err);
		return 1;
	}
	t.err[0] = '\0';
	r = run(&t, argc, argv);
	bh_tpm_close(&t);
	if (r == 1)
		fprintf(stderr, "tpm-helper: %s\n", t.err[0] ? t.err : "failed");
	return r;
}
