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


void aem_say(const char *fmt, ...)
{
	va_list ap;

	fputs("bulkhead-aem: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int usage(void)
{
	fputs("usage: bulkhead-aem seal [--pcrs LIST] [--pin] [--authority PUBKEY] [--nv-index HANDLE]\n"
	      "           [--log EVENTLOG] BLOB\n"
	      "       bulkhead-aem unseal [--log EVENTLOG] BLOB\n"
	      "       bulkhead-aem authorize --key PRIVKEY [--pcr-values FILE | --log EVENTLOG] BLOB\n"
	      "       bulkhead-aem keygen PRIVKEY PUBKEY\n"
	      "       bulkhead-aem pcrs [--pcrs LIST]\n", stderr);
	return AEM_EXIT_USAGE;
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

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	const char *cmd;
	/* By default a seal covers the PCRs bulkhead-measure extends. */
	uint32_t mask = EVLOG_PCR_MASK;

	if (argc < 2)
		return usage();
	cmd = argv[1];
	if (parse_opts(argc - 2, argv + 2, &o) < 0)
		return usage();
	if (o.pcrs != NULL && aem_parse_pcr_list(o.pcrs, &mask) < 0) {
		fprintf(stderr, "bulkhead-aem: --pcrs %s: want PCR numbers 0..23 such as 8,9,12-14\n", o.pcrs);
		return AEM_EXIT_USAGE;
	}
	if (strcmp(cmd, "seal") == 0 && o.nargs == 1 && !o.key && !o.pcr_values) {
		struct aem_seal_opts so = {
			.blob = o.args[0], .pcr_mask = mask, .nv_index = AEM_NV_INDEX_DEFAULT,
			.pin = o.pin, .authority = o.authority, .log = o.log,
		};
		if (o.nv_index && parse_index(o.nv_index, &so.nv_index) < 0) {
			fprintf(stderr, "bulkhead-aem: --nv-index %s: want 0x01000000..0x01ffffff, 8 lowercase hex digits\n",
				o.nv_index);
			return AEM_EXIT_USAGE;
		}
		return aem_seal(&so);
	}
	if (strcmp(cmd, "unseal") == 0 && o.nargs == 1 && !o.pcrs && !o.pin && !o.authority && !o.key &&
	    !o.pcr_values && !o.nv_index)
		return aem_unseal(o.args[0], o.log);
	if (strcmp(cmd, "authorize") == 0 && o.nargs == 1 && o.key && !o.pcrs && !o.pin && !o.authority &&
	    !o.nv_index && !(o.pcr_values && o.log))
		return aem_authorize(o.args[0], o.key, o.pcr_values, o.log);
	if (strcmp(cmd, "keygen") == 0 && o.nargs == 2 && !o.pcrs && !o.pin && !o.authority && !o.key &&
	    !o.pcr_values && !o.nv_index && !o.log)
		return aem_keygen(o.args[0], o.args[1]);
	if (strcmp(cmd, "pcrs") == 0 && o.nargs == 0 && !o.pin && !o.authority && !o.key && !o.pcr_values &&
	    !o.nv_index && !o.log)
		return aem_pcrs(mask);
	return usage();
}
