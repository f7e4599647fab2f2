/* bulkhead-measure: measures the boot components into their PCRs and
 * keeps the event log; verifies a log against the TPM and against a
 * reference log (man/bulkhead-measure.8, SPEC/measured-boot.md).
 *
 *   bulkhead-measure boot [--log FILE] [--xen F] [--xen-cmdline F]
 *       [--kernel F] [--kernel-cmdline F] [--initramfs F]
 *       [--dom0-binaries DIR] [--policy DIR] [--capd-public F]
 *   bulkhead-measure verify [--log FILE] [--reference FILE]
 *   bulkhead-measure show [--log FILE]
 *
 * Exit 0 ok, 1 refused or failed (one line on stderr), 2 usage. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>

#include "paths.h"
#include "measured-boot/eventlog.h"
#include "measured-boot/measure_hash.h"
#include "measured-boot/subcmd.h"
#include "measured-boot/tpm.h"

#define ERR_MAX (BH_PATH_MAX + 512u)  /* a path and a reason */

enum how { HOW_FILE, HOW_CMDLINE, HOW_TREE };

/* The components, in the order they are measured. */
static const struct component {
	const char *opt;
	uint32_t kind;
	enum how how;
} components[] = {
	{ "--xen", EVLOG_XEN, HOW_FILE },
	{ "--xen-cmdline", EVLOG_XEN_CMDLINE, HOW_CMDLINE },
	{ "--kernel", EVLOG_KERNEL, HOW_FILE },
	{ "--kernel-cmdline", EVLOG_KERNEL_CMDLINE, HOW_CMDLINE },
	{ "--initramfs", EVLOG_INITRAMFS, HOW_FILE },
	{ "--dom0-binaries", EVLOG_DOM0_BINARIES, HOW_TREE },
	{ "--policy", EVLOG_POLICY, HOW_TREE },
	{ "--capd-public", EVLOG_CAPD_PUBLIC, HOW_FILE },
};
#define NCOMPONENTS (sizeof components / sizeof components[0])

/* The record name: the path as given, 1..127 printable ASCII bytes. */
static int set_name(struct evlog_record *r, const char *path)
{
	size_t n = strlen(path), i;

	if (n == 0 || n >= EVLOG_NAME_SIZE)
		return -1;
	for (i = 0; i < n; i++)
		if ((unsigned char)path[i] < 0x20 || (unsigned char)path[i] > 0x7e)
			return -1;
	memset(r->name, 0, sizeof r->name);
	memcpy(r->name, path, n);
	return 0;
}

static int measure_one(const struct component *c, const char *path, struct evlog_record *r, char *err)
{
	int rc;

	memset(r, 0, sizeof *r);
	r->kind = c->kind;
	r->pcr = (uint32_t)evlog_kind_pcr(c->kind);
	if (set_name(r, path) < 0) {
		snprintf(err, ERR_MAX, "%s: path must be 1..%u printable ASCII bytes", c->opt, EVLOG_NAME_SIZE - 1);
		return -1;
	}
	switch (c->how) {
	case HOW_FILE:
		rc = mb_hash_file(path, r->digest, err, ERR_MAX);
		break;
	case HOW_CMDLINE:
		rc = mb_hash_cmdline(path, r->digest, err, ERR_MAX);
		break;
	default:
		rc = mb_hash_tree(path, r->digest, err, ERR_MAX);
		break;
	}
	return rc;
}

/* --log FILE, else the default under $BULKHEAD_ROOT. */
static int log_path(const char *given, char *out, size_t outlen)
{
	if (given != NULL) {
		if (strlen(given) >= outlen)
			return -1;
		memcpy(out, given, strlen(given) + 1);
		return 0;
	}
	return bh_path(out, outlen, EVLOG_REL) < 0 ? -1 : 0;
}

static int cmd_boot(int argc, char **argv)
{
	static struct evlog l;
	const char *paths[NCOMPONENTS] = { 0 }, *logarg = NULL;
	char logf[BH_PATH_MAX], err[ERR_MAX];
	struct bh_tpm t;
	size_t i, j;
	int r = 0, w, any = 0;

	for (i = 1; i < (size_t)argc; i += 2) {
		if (i + 1 >= (size_t)argc)
			return mb_usage();
		if (strcmp(argv[i], "--log") == 0) {
			logarg = argv[i + 1];
			continue;
		}
		for (j = 0; j < NCOMPONENTS && strcmp(argv[i], components[j].opt) != 0; j++)
			;
		if (j == NCOMPONENTS || paths[j] != NULL)
			return mb_usage();
		paths[j] = argv[i + 1];
		any = 1;
	}
	if (!any)
		return mb_usage();
	if (log_path(logarg, logf, sizeof logf) < 0)
		return mb_failx("event log path too long");
	/* One measurement per boot: the PCRs only grow until the next reset,
	 * and so must the log that explains them. */
	if (access(logf, F_OK) == 0) {
		snprintf(err, sizeof err, "%s exists: this boot is already measured", logf);
		return mb_failx(err);
	}
	/* Hash everything first: a missing component changes no PCR. */
	memset(&l, 0, sizeof l);
	for (j = 0; j < NCOMPONENTS; j++) {
		if (paths[j] == NULL)
			continue;
		if (measure_one(&components[j], paths[j], &l.rec[l.count], err) < 0)
			return mb_failx(err);
		l.count++;
	}
	if (bh_tpm_open(&t) < 0)
		return mb_failx(t.err);
	/* The log records exactly what was extended, even if an extend
	 * fails half way, so that it still explains the PCRs. */
	for (i = 0; i < l.count && r == 0; i++) {
		r = bh_tpm_pcr_extend(&t, l.rec[i].pcr, l.rec[i].digest);
		if (r < 0)
			snprintf(err, sizeof err, "%s (measuring %s)", t.err, l.rec[i].name);
	}
	bh_tpm_close(&t);
	if (r < 0)
		l.count = (uint32_t)(i - 1);
	w = evlog_store(logf, &l);
	if (r < 0)
		return mb_failx(err);   /* the extend's failure, the more useful line */
	if (w < 0) {
		snprintf(err, sizeof err, "%s: cannot write the event log: %s", logf, strerror(-w));
		return mb_failx(err);
	}
	printf("measured %u components into PCRs 11-15; event log %s\n", l.count, logf);
	return 0;
}

/* Names the first measurement in a PCR whose value is not the log's. */
static int pcr_mismatch(const struct evlog *l, uint32_t bad)
{
	char err[ERR_MAX];
	uint32_t p;
	int i = evlog_first_in(l, bad);

	for (p = 0; !(bad & (1u << p)); p++)
		;
	if (i < 0)
		snprintf(err, sizeof err, "PCR %u was extended but the event log has no measurement for it", p);
	else
		snprintf(err, sizeof err, "PCR %u does not match the event log (the log was altered or the PCR "
			 "extended outside it); first measurement in it: #%d %s %s", l->rec[i].pcr, i,
			 evlog_kind_name(l->rec[i].kind), l->rec[i].name);
	return mb_failx(err);
}

static int cmd_verify(int argc, char **argv)
{
	static struct evlog l, ref;
	uint8_t tpm[BH_TPM_PCRS][BH_TPM_DIGEST], want[EVLOG_PCRS][EVLOG_DIGEST_SIZE];
	static const char *const names[] = { "--log", "--reference" };
	const char *vals[2] = { 0 }, *refarg;
	char logf[BH_PATH_MAX], err[ERR_MAX];
	struct bh_tpm t;
	uint32_t p, bad = 0;
	int i, r;

	if (mb_get_opts(argc, argv, names, vals, 2) < 0)
		return mb_usage();
	refarg = vals[1];
	if (log_path(vals[0], logf, sizeof logf) < 0)
		return mb_failx("event log path too long");
	if (evlog_load(logf, &l, err, sizeof err) < 0)
		return mb_failx(err);
	if (refarg != NULL && evlog_load(refarg, &ref, err, sizeof err) < 0)
		return mb_failx(err);
	if (bh_tpm_open(&t) < 0)
		return mb_failx(t.err);
	r = bh_tpm_pcr_read(&t, EVLOG_PCR_MASK, tpm);
	bh_tpm_close(&t);
	if (r < 0)
		return mb_failx(t.err);
	evlog_replay(&l, want);
	for (p = 0; p < EVLOG_PCRS; p++)
		if ((EVLOG_PCR_MASK & (1u << p)) && sodium_memcmp(tpm[p], want[p], EVLOG_DIGEST_SIZE) != 0)
			bad |= 1u << p;
	if (bad != 0)
		return pcr_mismatch(&l, bad);
	if (refarg != NULL && (i = evlog_first_diff(&l, &ref)) >= 0) {
		if ((uint32_t)i >= l.count)
			snprintf(err, sizeof err, "measurement #%d %s %s of the reference is missing", i,
				 evlog_kind_name(ref.rec[i].kind), ref.rec[i].name);
		else
			snprintf(err, sizeof err, "measurement #%d %s %s differs from the reference", i,
				 evlog_kind_name(l.rec[i].kind), l.rec[i].name);
		return mb_failx(err);
	}
	printf("ok: %u measurements, PCRs 11-15 match the event log%s\n", l.count,
	       refarg != NULL ? " and the reference" : "");
	return 0;
}

static int cmd_show(int argc, char **argv)
{
	static const char *const names[] = { "--log" };
	static struct evlog l;
	const char *vals[1] = { 0 };
	char logf[BH_PATH_MAX], err[ERR_MAX], line[EVLOG_NAME_SIZE + 128];
	uint32_t i;

	if (mb_get_opts(argc, argv, names, vals, 1) < 0)
		return mb_usage();
	if (log_path(vals[0], logf, sizeof logf) < 0)
		return mb_failx("event log path too long");
	if (evlog_load(logf, &l, err, sizeof err) < 0)
		return mb_failx(err);
	for (i = 0; i < l.count; i++) {
		evlog_format(&l.rec[i], line, sizeof line);
		printf("%s\n", line);
	}
	return 0;
}

static const struct mb_subcmd cmds[] = {
	{ "boot", cmd_boot, "boot [--log FILE] [--xen F] [--xen-cmdline F] [--kernel F]\n"
			    "           [--kernel-cmdline F] [--initramfs F] [--dom0-binaries DIR] [--policy DIR]\n"
			    "           [--capd-public F]" },
	{ "verify", cmd_verify, "verify [--log FILE] [--reference FILE]" },
	{ "show", cmd_show, "show [--log FILE]" },
};

int main(int argc, char **argv)
{
	static const struct mb_tool tool = {
		.name = "bulkhead-measure", .cmds = cmds, .ncmds = sizeof cmds / sizeof cmds[0],
		.flags = MB_TOOL_SETUP | MB_TOOL_HELP,
	};

	return mb_subcmd_main(&tool, argc, argv);
}
