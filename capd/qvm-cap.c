/* qvm-cap: list and revoke capd's standing grants (man qvm-cap(1),
 * SPEC/capabilities.md).  Talks to capd as uid 0, the only uid capd lets
 * list and revoke. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "capd/capd_client.h"
#include "capd/capd_names.h"
#include "core/tools/cli.h"
#include "lib/io.h"

#define QVM_CAP_TIMEOUT_MS 5000u
#define GRANT_ID_MAX UINT64_MAX

static const struct cli_tool tool = {
	.name = "qvm-cap",
	.synopsis = "[-h] {list | revoke ID}",
	.help = "Standing grants of capd: what the user allowed at a prompt for more than one call.\n\n"
		"commands:\n"
		"  list       one line per grant: id, source, target, service+argument, scope,\n"
		"             calls remaining, end time (UTC)\n"
		"  revoke ID  end grant ID now; capabilities already derived from it and not\n"
		"             yet used are refused from this moment\n\n"
		"options:\n"
		"  -h, --help  show this help and exit\n",
};

static const char *fail_reason(int rc, uint32_t reason)
{
	if (rc == -EACCES)
		return capd_status_name(reason);
	if (rc == -ENOENT || rc == -ECONNREFUSED)
		return "capd is not running";
	return strerror(-rc);
}

static void print_time(uint64_t unix_s)
{
	struct tm tm;
	time_t t = (time_t)unix_s;
	char buf[32];

	if (unix_s == 0 || gmtime_r(&t, &tm) == NULL || strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		printf("-");
		return;
	}
	printf("%s", buf);
}

static int list(void)
{
	struct capd_grant_entry e[CAPD_LIST_BATCH];
	uint64_t after = 0;
	uint32_t reason = 0;
	bool more = true;
	struct capd_conn *c = NULL;
	int rc = capd_conn_open(&c, now_ms() + QVM_CAP_TIMEOUT_MS);

	if (rc < 0) {
		cli_fail("%s", fail_reason(rc, 0));
		return cli_finish();
	}
	printf("%-6s %-31s %-31s %-40s %-14s %-9s %s\n", "ID", "SOURCE", "TARGET", "SERVICE+ARGUMENT", "SCOPE",
	       "REMAINING", "EXPIRES");
	while (more) {
		size_t n = 0;

		rc = capd_grant_list(c, after, e, &n, &more, &reason, now_ms() + QVM_CAP_TIMEOUT_MS);
		if (rc < 0) {
			cli_fail("%s", fail_reason(rc, reason));
			break;
		}
		for (size_t i = 0; i < n; i++) {
			char svc[CAPD_SERVICE_FIELD + CAPD_ARG_FIELD + 1], scope[32];

			/* Names and services are of their checked charsets:
			 * nothing here needs escaping. */
			snprintf(svc, sizeof(svc), "%s+%s", e[i].b.service, e[i].b.argument);
			if (e[i].scope == CAPD_SCOPE_ALWAYS)
				snprintf(scope, sizeof(scope), "always");
			else
				snprintf(scope, sizeof(scope), "%s:%" PRIu32, capd_scope_name(e[i].scope), e[i].value);
			printf("%-6" PRIu64 " %-31s %-31s %-40s %-14s ", e[i].id, e[i].b.source, e[i].b.target, svc,
			       scope);
			if (e[i].scope == CAPD_SCOPE_CALLS)
				printf("%-9" PRIu32 " ", e[i].remaining);
			else
				printf("%-9s ", "-");
			print_time(e[i].expires);
			printf("\n");
			after = e[i].id;
		}
		if (n == 0)
			break;
	}
	capd_conn_close(c);
	return cli_finish();
}

static int revoke(const char *arg)
{
	uint32_t reason = 0, hi = 0;
	uint64_t id;
	int rc;

	/* Grant ids are u64; cli_parse_uint parses u32: ids above that are
	 * not expected in a machine's lifetime, and refused here. */
	if (cli_parse_uint(arg, UINT32_MAX, &hi) < 0 || hi == 0)
		cli_usage("ID must be a grant number, as qvm-cap list shows it");
	id = hi;
	rc = capd_grant_revoke(NULL, id, &reason, now_ms() + QVM_CAP_TIMEOUT_MS);
	if (rc == -EACCES && reason == CAPD_R_NOT_FOUND)
		cli_fail("no grant %" PRIu64, id);
	else if (rc == -EACCES && reason == CAPD_R_STORE)
		cli_fail("grant %" PRIu64 " revoked, but capd could not write its grants file (see its log)", id);
	else if (rc < 0)
		cli_fail("revoking grant %" PRIu64 ": %s", id, fail_reason(rc, reason));
	return cli_finish();
}

int main(int argc, char **argv)
{
	static const struct option opts[] = { CLI_OPT_HELP, { NULL, 0, NULL, 0 } };

	cli_init(&tool);
	while (cli_getopt(argc, argv, "+:h", opts) != -1)
		;
	if (optind >= argc)
		cli_usage("a command is needed");
	if (strcmp(argv[optind], "list") == 0) {
		if (argc - optind != 1)
			cli_usage("list takes no argument");
		return list();
	}
	if (strcmp(argv[optind], "revoke") == 0) {
		if (argc - optind != 2)
			cli_usage("revoke takes one ID");
		return revoke(argv[optind + 1]);
	}
	cli_usage("unknown command");
}
