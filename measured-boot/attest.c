/* bulkhead-attest: TPM quotes of the measured-boot PCRs with the event
 * log, and their verification (man/bulkhead-attest.8,
 * SPEC/measured-boot.md "Attestation").
 *
 *   bulkhead-attest ak --out FILE
 *   bulkhead-attest quote --nonce HEX --out DIR [--log FILE]
 *   bulkhead-attest verify --ak FILE --nonce HEX --in DIR
 *
 * Exit 0 ok, 1 refused or failed (one line on stderr), 2 usage. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <tss2/tss2_mu.h>

#include "atomicfile.h"
#include "io.h"
#include "paths.h"
#include "measured-boot/attest.h"
#include "measured-boot/eventlog.h"
#include "measured-boot/mbfile.h"
#include "measured-boot/subcmd.h"

/* ATTEST_NONCE_MIN..MAX bytes in lower- or upper-case hex. */
static int get_nonce(const char *hex, uint8_t *out, size_t *len)
{
	size_t n = strlen(hex);

	if (n % 2 != 0 || n < 2 * ATTEST_NONCE_MIN || n > 2 * ATTEST_NONCE_MAX ||
	    sodium_hex2bin(out, ATTEST_NONCE_MAX, hex, n, NULL, len, NULL) != 0 || *len != n / 2)
		return -1;
	return 0;
}

static int write_in(const char *dir, const char *name, const void *data, size_t len, char *err, size_t errlen)
{
	char path[BH_PATH_MAX];
	int r;

	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	r = atomic_write_file(path, data, len, 0644);
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		return -1;
	}
	return 0;
}

static int cmd_ak(int argc, char **argv)
{
	static const char *const names[] = { "--out" };
	const char *vals[1] = { 0 };
	uint8_t buf[ATTEST_FILE_MAX];
	TPM2B_PUBLIC *pub = NULL;
	ESYS_TR ak = ESYS_TR_NONE;
	struct bh_tpm t;
	size_t len = 0;
	int r, w;

	if (mb_get_opts(argc, argv, names, vals, 1) < 0 || vals[0] == NULL)
		return mb_usage();
	if (bh_tpm_open(&t) < 0)
		return mb_failx(t.err);
	r = attest_ak_create(&t, &ak, &pub);
	bh_tpm_flush(&t, &ak);
	bh_tpm_close(&t);
	if (r < 0)
		return mb_failx(t.err);
	len = attest_ak_marshal(pub, buf, sizeof buf);
	Esys_Free(pub);
	if (len == 0)
		return mb_failx("cannot marshal the AK public");
	w = atomic_write_file(vals[0], buf, len, 0644);
	if (w < 0) {
		snprintf(t.err, sizeof t.err, "%s: %s", vals[0], strerror(-w));
		return mb_failx(t.err);
	}
	return 0;
}

/* Asks the TPM for the quote; the caller frees *quoted, *sig, *pub. */
static int tpm_quote(struct bh_tpm *t, const uint8_t *nonce, size_t nonce_len, TPM2B_ATTEST **quoted,
		     TPMT_SIGNATURE **sig, TPM2B_PUBLIC **pub)
{
	TPMT_SIG_SCHEME scheme = { .scheme = TPM2_ALG_NULL };   /* the AK's own: ECDSA-SHA256 */
	TPML_PCR_SELECTION sel;
	TPM2B_DATA qualifying;
	ESYS_TR ak = ESYS_TR_NONE;
	TSS2_RC rc;
	int r;

	memset(&qualifying, 0, sizeof qualifying);
	qualifying.size = (UINT16)nonce_len;
	memcpy(qualifying.buffer, nonce, nonce_len);
	attest_pcr_selection(&sel);
	r = attest_ak_create(t, &ak, pub);
	if (r == 0) {
		rc = Esys_Quote(t->esys, ak, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &qualifying, &scheme,
				&sel, quoted, sig);
		if (rc != TSS2_RC_SUCCESS)
			r = bh_tpm_fail(t, "TPM2_Quote", rc);
	}
	bh_tpm_flush(t, &ak);
	return r;
}

static int cmd_quote(int argc, char **argv)
{
	static const char *const names[] = { "--nonce", "--out", "--log" };
	static struct evlog l;
	const char *vals[3] = { 0 };
	uint8_t nonce[ATTEST_NONCE_MAX], sigbuf[ATTEST_FILE_MAX], akbuf[ATTEST_FILE_MAX];
	char logf[BH_PATH_MAX], err[ATTEST_ERR_MAX];
	TPM2B_ATTEST *quoted = NULL;
	TPMT_SIGNATURE *sig = NULL;
	TPM2B_PUBLIC *pub = NULL;
	struct bh_tpm t;
	size_t nonce_len, siglen = 0, aklen;
	int r;

	if (mb_get_opts(argc, argv, names, vals, 3) < 0 || vals[0] == NULL || vals[1] == NULL)
		return mb_usage();
	if (get_nonce(vals[0], nonce, &nonce_len) < 0) {
		snprintf(err, sizeof err, "--nonce: want %u to %u bytes in hex", ATTEST_NONCE_MIN, ATTEST_NONCE_MAX);
		return mb_failx(err);
	}
	if (vals[2] != NULL ? strlen(vals[2]) >= sizeof logf : bh_path(logf, sizeof logf, EVLOG_REL) < 0)
		return mb_failx("event log path too long");
	if (vals[2] != NULL)
		memcpy(logf, vals[2], strlen(vals[2]) + 1);
	/* The log goes out as parsed and re-encoded: only a well-formed
	 * log leaves this machine. */
	if (evlog_load(logf, &l, err, sizeof err) < 0)
		return mb_failx(err);
	if (bh_tpm_open(&t) < 0)
		return mb_failx(t.err);
	r = tpm_quote(&t, nonce, nonce_len, &quoted, &sig, &pub);
	bh_tpm_close(&t);
	if (r < 0) {
		Esys_Free(quoted);
		Esys_Free(sig);
		Esys_Free(pub);
		return mb_failx(t.err);
	}
	aklen = attest_ak_marshal(pub, akbuf, sizeof akbuf);
	if (Tss2_MU_TPMT_SIGNATURE_Marshal(sig, sigbuf, sizeof sigbuf, &siglen) != TSS2_RC_SUCCESS || aklen == 0) {
		snprintf(err, sizeof err, "cannot marshal the quote's signature or AK");
		r = -1;
	} else if (mkdirs_abs(vals[1], 0755) < 0) {
		snprintf(err, sizeof err, "%s: cannot create the directory", vals[1]);
		r = -1;
	} else if (write_in(vals[1], ATTEST_FILE_QUOTE, quoted->attestationData, quoted->size, err, sizeof err) < 0 ||
		   write_in(vals[1], ATTEST_FILE_SIG, sigbuf, siglen, err, sizeof err) < 0 ||
		   write_in(vals[1], ATTEST_FILE_AK, akbuf, aklen, err, sizeof err) < 0) {
		r = -1;
	} else if (snprintf(logf, sizeof logf, "%s/%s", vals[1], ATTEST_FILE_LOG) >= (int)sizeof logf ||
		   evlog_store(logf, &l) < 0) {
		snprintf(err, sizeof err, "%s: cannot write the event log", vals[1]);
		r = -1;
	}
	Esys_Free(quoted);
	Esys_Free(sig);
	Esys_Free(pub);
	if (r < 0)
		return mb_failx(err);
	printf("quote of PCRs 11-15 with %u measurements written to %s\n", l.count, vals[1]);
	return 0;
}

static int cmd_verify(int argc, char **argv)
{
	static const char *const names[] = { "--ak", "--nonce", "--in" };
	const char *vals[3] = { 0 };
	static uint8_t akbuf[ATTEST_FILE_MAX];
	uint8_t nonce[ATTEST_NONCE_MAX];
	char err[ATTEST_ERR_MAX];
	size_t nonce_len;
	uint32_t count;
	ssize_t aklen;

	if (mb_get_opts(argc, argv, names, vals, 3) < 0 || vals[0] == NULL || vals[1] == NULL || vals[2] == NULL)
		return mb_usage();
	if (get_nonce(vals[1], nonce, &nonce_len) < 0) {
		snprintf(err, sizeof err, "--nonce: want %u to %u bytes in hex", ATTEST_NONCE_MIN, ATTEST_NONCE_MAX);
		return mb_failx(err);
	}
	aklen = mb_read_regular(vals[0], akbuf, sizeof akbuf, err, sizeof err);
	if (aklen < 0)
		return mb_failx(err);
	if (attest_verify(vals[2], akbuf, (size_t)aklen, nonce, nonce_len, &count, err, sizeof err) < 0)
		return mb_failx(err);
	printf("ok: quote signed by the enrolled AK, nonce fresh, %u measurements match PCRs 11-15\n", count);
	return 0;
}

static const struct mb_subcmd cmds[] = {
	{ "ak", cmd_ak, "ak --out FILE" },
	{ "quote", cmd_quote, "quote --nonce HEX --out DIR [--log FILE]" },
	{ "verify", cmd_verify, "verify --ak FILE --nonce HEX --in DIR" },
};

int main(int argc, char **argv)
{
	static const struct mb_tool tool = {
		.name = "bulkhead-attest", .cmds = cmds, .ncmds = sizeof cmds / sizeof cmds[0],
		.flags = MB_TOOL_SETUP | MB_TOOL_HELP,
	};

	return mb_subcmd_main(&tool, argc, argv);
}
