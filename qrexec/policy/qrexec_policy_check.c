/* qrexec-policy-check: evaluates one qrexec call against the policy, or
 * prints the policy back (--list).  Facts about qubes come from bulkheadd's
 * Admin API, or from a file (--facts) for tests.  man/qrexec-policy-check.1. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/admin_client.h"
#include "lib/log.h"
#include "qrexec/policy/policy.h"
#include "qrexec/policy/policy_facts.h"

#define EXIT_ALLOW 0
#define EXIT_DENY  1
#define EXIT_USAGE 2
#define EXIT_ASK   3

static void usage(FILE *f)
{
	fprintf(f,
		"usage: qrexec-policy-check [--policy-dir DIR] [--facts FILE] SOURCE TARGET SERVICE[+ARG]\n"
		"       qrexec-policy-check [--policy-dir DIR] --list\n"
		"exit: 0 allow, 1 deny (or failure), 2 usage, 3 ask\n");
}

static int list_policy(const struct policy *p)
{
	char line[POLICY_LINE_MAX + 64];

	for (size_t i = 0; i < policy_rule_count(p); i++) {
		if (policy_format_rule(p, i, line, sizeof(line)) < 0) {
			fprintf(stderr, "%s: rule %zu does not print\n", log_progname(), i);
			return EXIT_DENY;
		}
		puts(line);
	}
	return fflush(stdout) == 0 ? EXIT_ALLOW : EXIT_DENY;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy-dir", required_argument, NULL, 'd' },
		{ "facts", required_argument, NULL, 'f' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL, *facts_file = NULL;
	bool list = false;
	struct policy *p;
	struct policy_facts_table *t;
	struct policy_facts facts;
	struct policy_query q;
	/* Large (an ask lists up to POLICY_ASK_TARGETS_MAX targets): not on the stack. */
	static struct policy_decision d;
	static char out[POLICY_ASK_TARGETS_MAX * POLICY_TARGET_MAX + 1024];
	char svc[POLICY_SERVICE_MAX + POLICY_ARG_MAX + 3], err[POLICY_ERROR_MAX];
	char *plus;
	int c, rc;

	log_init("qrexec-policy-check");
	while ((c = getopt_long(argc, argv, "d:f:lh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'f':
			facts_file = optarg;
			break;
		case 'l':
			list = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (list ? optind != argc || facts_file : argc - optind != 3) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!list && strlen(argv[optind + 2]) >= sizeof(svc)) {
		fprintf(stderr, "%s: SERVICE+ARG too long\n", log_progname());
		return EXIT_USAGE;
	}

	p = policy_load_dir(dir);
	if (policy_error(p))
		fprintf(stderr, "%s: policy refused, everything is denied: %s\n", log_progname(),
			policy_error(p));
	if (list) {
		rc = policy_error(p) ? EXIT_DENY : list_policy(p);
		policy_free(p);
		return rc;
	}

	t = policy_facts_table_new();
	if (!t) {
		fprintf(stderr, "%s: out of memory\n", log_progname());
		policy_free(p);
		return EXIT_DENY;
	}
	if (facts_file ? policy_facts_table_read(t, facts_file, err, sizeof(err)) < 0 : policy_facts_from_admin(t) < 0) {
		if (facts_file)
			fprintf(stderr, "%s: %s\n", log_progname(), err);
		policy_facts_table_free(t);
		policy_free(p);
		return EXIT_DENY;
	}
	facts = policy_facts_table_facts(t);

	snprintf(svc, sizeof(svc), "%s", argv[optind + 2]);
	plus = strchr(svc, '+');
	if (plus)
		*plus++ = '\0';
	q.source = argv[optind];
	q.target = argv[optind + 1];
	q.service = svc;
	q.argument = plus ? plus : "";
	q.facts = &facts;
	if (policy_evaluate(p, &q, &d) < 0 || policy_format_decision(&d, out, sizeof(out)) < 0) {
		fprintf(stderr, "%s: internal error\n", log_progname());
		rc = EXIT_DENY;
	} else {
		puts(out);
		rc = d.verdict == POLICY_ALLOW ? EXIT_ALLOW : d.verdict == POLICY_ASK ? EXIT_ASK : EXIT_DENY;
	}
	policy_facts_table_free(t);
	policy_free(p);
	return rc;
}
