/* bulkhead-ask's command line (ask_args.h).  Every argument is checked
 * before the prompt shows anything; one bad argument refuses them all. */
#include <string.h>

#include "capd/prompt/ask_args.h"
#include "qrexec/policy/policy.h"

_Static_assert(ASK_TARGETS_MAX == POLICY_ASK_TARGETS_MAX, "the prompt offers what the policy may");
_Static_assert(ASK_TARGET_LEN_MAX + 1 == POLICY_TARGET_MAX, "a target the policy names fits the prompt");

/* The length of s if it is at most max bytes, else max + 1. */
static size_t len_upto(const char *s, size_t max)
{
	return strnlen(s, max + 1);
}

int ask_args_parse(size_t argc, char *const argv[], struct ask_args *out, const char **why)
{
	size_t n, nt;
	const char *def;
	int lbl;

	if (argc < ASK_ARGC_FIXED + 1) {
		*why = "usage: bulkhead-ask SOURCE LABEL SERVICE+ARG DEFAULT TARGET [TARGET...]";
		return -1;
	}
	nt = argc - ASK_ARGC_FIXED;
	if (nt > ASK_TARGETS_MAX) {
		*why = "too many targets";
		return -1;
	}
	n = len_upto(argv[1], QUBE_NAME_MAX);
	if (names_check(NAME_QUBE, (const uint8_t *)argv[1], n) < 0) {
		*why = "SOURCE is not a qube name";
		return -1;
	}
	out->source = argv[1];
	n = len_upto(argv[2], sizeof("purple"));
	lbl = label_from_name((const uint8_t *)argv[2], n);
	if (lbl < 0) {
		*why = "LABEL is not one of red orange yellow green gray blue purple black";
		return -1;
	}
	out->label = (enum label)lbl;
	n = len_upto(argv[3], ASK_SERVICE_LEN_MAX);
	if (ask_service_check((const uint8_t *)argv[3], n, &out->name_len) != ASK_OK) {
		*why = "SERVICE+ARG is not a qrexec service name, '+' and an argument";
		return -1;
	}
	out->service = argv[3];
	out->service_len = n;
	out->ntargets = 0;
	for (size_t i = 0; i < nt; i++) {
		const char *t = argv[ASK_ARGC_FIXED + i];

		n = len_upto(t, ASK_TARGET_LEN_MAX);
		if (ask_target_check((const uint8_t *)t, n) != ASK_OK) {
			*why = "a TARGET is not a qube name or @dispvm:NAME";
			return -1;
		}
		/* Each offered once: a list with twins would make the choice
		 * ambiguous (and hints at a confused caller). */
		for (size_t j = 0; j < out->ntargets; j++)
			if (strcmp(out->targets[j], t) == 0) {
				*why = "a TARGET is offered twice";
				return -1;
			}
		out->targets[out->ntargets++] = t;
	}
	def = argv[4];
	out->default_idx = -1;
	if (strcmp(def, "-") != 0) {
		for (size_t j = 0; j < out->ntargets; j++)
			if (strcmp(out->targets[j], def) == 0)
				out->default_idx = (int)j;
		if (out->default_idx < 0) {
			*why = "DEFAULT is neither '-' nor one of the TARGETs";
			return -1;
		}
	}
	return 0;
}
