/* bulkhead-aem: anti-evil-maid on TPM 2.0 (man/bulkhead-aem.8,
 * SPEC/measured-boot.md "Anti-evil-maid").  Argument parsing and
 * dispatch; each command lives in its own file. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "measured-boot/aem.h"
#include "measured-boot/aem_counter.h"
#include "measured-boot/aem_input.h"
#include "measured-boot/eventlog.h"
#include "measured-boot/subcmd.h"

void aem_say(const char *fmt, ...)
{
	va_list ap;

	fputs("bulkhead-aem: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* "0x0100ae01": 8 hex digits after 0x, an NV index handle. */
static int parse_index(const char *s, uint32_t *out)
{
	uint32_t v = 0;

	if (strncmp(s, "0x", 2) != 0 || strlen(s) != 10)
		return -1;
	for (s += 2; *s; s++) {
		int d = (*s >= '0' && *s <= '9') ? *s - '0' : (*s >= 'a' && *s <= 'f') ? *s - 'a' + 10 : -1;
		if (d < 0)
			return -1;
		v = v * 16 + (uint32_t)d;
	}
	if (v < AEM_NV_INDEX_MIN || v > AEM_NV_INDEX_MAX)
		return -1;
	*out = v;
	return 0;
}

/* Options "--name VALUE" and "--flag" before the operands. */
struct opts {
	const char *pcrs, *authority, *key, *pcr_values, *nv_index, *log;
	int pin;
	char **args;
	int nargs;
};

static int parse_opts(int argc, char **argv, struct opts *o)
{
	int i;

	for (i = 0; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		const char **dst = NULL;

		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "--pin") == 0 && !o->pin) {
			o->pin = 1;
			continue;
		}
		if (strcmp(argv[i], "--pcrs") == 0)
			dst = &o->pcrs;
		else if (strcmp(argv[i], "--authority") == 0)
			dst = &o->authority;
		else if (strcmp(argv[i], "--key") == 0)
			dst = &o->key;
		else if (strcmp(argv[i], "--pcr-values") == 0)
			dst = &o->pcr_values;
		else if (strcmp(argv[i], "--nv-index") == 0)
			dst = &o->nv_index;
		else if (strcmp(argv[i], "--log") == 0)
			dst = &o->log;
		if (dst == NULL || i + 1 >= argc || *dst != NULL) {
			fprintf(stderr, "bulkhead-aem: %s: unknown, repeated or without its value\n", argv[i]);
			return -1;
		}
		*dst = argv[++i];
	}
	o->args = argv + i;
	o->nargs = argc - i;
	return 0;
}

/* The options a command may take (get_args' allowed). */
#define OPT_PCRS        0x01u
#define OPT_PIN         0x02u
#define OPT_AUTHORITY   0x04u
#define OPT_KEY         0x08u
#define OPT_PCR_VALUES  0x10u
#define OPT_NV_INDEX    0x20u
#define OPT_LOG         0x40u

static unsigned opts_given(const struct opts *o)
{
	return (o->pcrs ? OPT_PCRS : 0) | (o->pin ? OPT_PIN : 0) | (o->authority ? OPT_AUTHORITY : 0) |
	       (o->key ? OPT_KEY : 0) | (o->pcr_values ? OPT_PCR_VALUES : 0) |
	       (o->nv_index ? OPT_NV_INDEX : 0) | (o->log ? OPT_LOG : 0);
}

/* The options and operands after CMD (argv[0]) into *o, and the PCR list
 * of --pcrs into *mask (by default the PCRs bulkhead-measure extends).
 * Only the options in allowed and exactly nargs operands; 0, or the usage
 * exit status (a malformed option or PCR list named first). */
static int get_args(int argc, char **argv, unsigned allowed, int nargs, struct opts *o, uint32_t *mask)
{
	memset(o, 0, sizeof *o);
	*mask = EVLOG_PCR_MASK;
	if (parse_opts(argc - 1, argv + 1, o) < 0)
		return mb_usage();
	if (o->pcrs != NULL && aem_parse_pcr_list(o->pcrs, mask) < 0) {
		fprintf(stderr, "bulkhead-aem: --pcrs %s: want PCR numbers 0..23 such as 8,9,12-14\n", o->pcrs);
		return AEM_EXIT_USAGE;
	}
	if ((opts_given(o) & ~allowed) != 0 || o->nargs != nargs)
		return mb_usage();
	return 0;
}

static int cmd_seal(int argc, char **argv)
{
	struct aem_seal_opts so = { .nv_index = AEM_NV_INDEX_DEFAULT };
	struct opts o;
	int r = get_args(argc, argv, OPT_PCRS | OPT_PIN | OPT_AUTHORITY | OPT_NV_INDEX | OPT_LOG, 1, &o,
			 &so.pcr_mask);

	if (r != 0)
		return r;
	if (o.nv_index && parse_index(o.nv_index, &so.nv_index) < 0) {
		fprintf(stderr, "bulkhead-aem: --nv-index %s: want 0x01000000..0x01ffffff, 8 lowercase hex digits\n",
			o.nv_index);
		return AEM_EXIT_USAGE;
	}
	so.blob = o.args[0];
	so.pin = o.pin;
	so.authority = o.authority;
	so.log = o.log;
	return aem_seal(&so);
}

static int cmd_unseal(int argc, char **argv)
{
	struct opts o;
	uint32_t mask;
	int r = get_args(argc, argv, OPT_LOG, 1, &o, &mask);

	return r != 0 ? r : aem_unseal(o.args[0], o.log);
}

static int cmd_authorize(int argc, char **argv)
{
	struct opts o;
	uint32_t mask;
	int r = get_args(argc, argv, OPT_KEY | OPT_PCR_VALUES | OPT_LOG, 1, &o, &mask);

	if (r != 0)
		return r;
	if (!o.key || (o.pcr_values && o.log))
		return mb_usage();
	return aem_authorize(o.args[0], o.key, o.pcr_values, o.log);
}

static int cmd_keygen(int argc, char **argv)
{
	struct opts o;
	uint32_t mask;
	int r = get_args(argc, argv, 0, 2, &o, &mask);

	return r != 0 ? r : aem_keygen(o.args[0], o.args[1]);
}

static int cmd_pcrs(int argc, char **argv)
{
	struct opts o;
	uint32_t mask;
	int r = get_args(argc, argv, OPT_PCRS, 0, &o, &mask);

	return r != 0 ? r : aem_pcrs(mask);
}

/* Any other command: the usage, after naming a malformed option or PCR
 * list as for a known command (get_args accepts nothing here). */
static int cmd_unknown(int argc, char **argv)
{
	struct opts o;
	uint32_t mask;
	int r = get_args(argc, argv, 0, 0, &o, &mask);

	return r != 0 ? r : mb_usage();
}

static const struct mb_subcmd cmds[] = {
	{ "seal", cmd_seal, "seal [--pcrs LIST] [--pin] [--authority PUBKEY] [--nv-index HANDLE]\n"
			    "           [--log EVENTLOG] BLOB" },
	{ "unseal", cmd_unseal, "unseal [--log EVENTLOG] BLOB" },
	{ "authorize", cmd_authorize, "authorize --key PRIVKEY [--pcr-values FILE | --log EVENTLOG] BLOB" },
	{ "keygen", cmd_keygen, "keygen PRIVKEY PUBKEY" },
	{ "pcrs", cmd_pcrs, "pcrs [--pcrs LIST]" },
};

/* Neither MB_TOOL_SETUP nor MB_TOOL_HELP: bulkhead-aem has never done
 * that setup, and "--help" is a usage error (exit 2) like any unknown
 * command. */
int main(int argc, char **argv)
{
	static const struct mb_tool tool = {
		.name = "bulkhead-aem", .cmds = cmds, .ncmds = sizeof cmds / sizeof cmds[0], .unknown = cmd_unknown,
	};

	return mb_subcmd_main(&tool, argc, argv);
}
