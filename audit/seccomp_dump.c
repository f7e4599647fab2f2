/* seccomp-dump: prints the seccomp tables the dom0 daemons install and
 * the dedicated uids they drop to, for audit/report.  Linked with the very
 * objects the daemons link (audit/module.mk), so the report shows what is
 * compiled, not what a regex thinks the source says.  A production build:
 * the sanitizer-only extras of lib/sandbox.c and ask_seccomp.c are not in
 * it.
 *
 * Output, one line each, tab-separated:
 *   rule  TABLE  SYSCALL  ARG  VALUE  WHY     (ARG -1: no argument filter)
 *   uid   NAME   VALUE
 * Exit 0; 1 if a table names a syscall libseccomp does not know (the
 * daemon would fail to start). */
#include <inttypes.h>
#include <seccomp.h>
#include <stdio.h>

#include "core/bulkheadd_seccomp.h"
#include "capd/capd_seccomp.h"
#include "lib/dom0_uids.h"
#include "qrexec/daemon/daemon.h"
#include "qrexec/policyd/policyd.h"

/* bulkhead-ask's table is static to its file (nothing else installs it):
 * the file is compiled here whole to reach it. */
#include "capd/prompt/ask_seccomp.c"

static int dump(const char *table, const struct sandbox_rule *rules, size_t n)
{
	int bad = 0;

	for (size_t i = 0; i < n; i++) {
		if (seccomp_syscall_resolve_name(rules[i].syscall) == __NR_SCMP_ERROR) {
			fprintf(stderr, "seccomp-dump: %s: unknown syscall %s\n", table, rules[i].syscall);
			bad = 1;
		}
		printf("rule\t%s\t%s\t%d\t%#" PRIx64 "\t%s\n", table, rules[i].syscall, rules[i].arg,
		       rules[i].value, rules[i].why);
	}
	return bad;
}

int main(void)
{
	int bad = 0;

	bad |= dump("bulkheadd_seccomp", bulkheadd_seccomp, bulkheadd_seccomp_len);
	bad |= dump("capd_seccomp", capd_seccomp, capd_seccomp_len);
	bad |= dump("daemon_seccomp", daemon_seccomp, daemon_seccomp_len);
	bad |= dump("policyd_seccomp", policyd_seccomp, policyd_seccomp_len);
	bad |= dump("ask_seccomp", ask_seccomp, sizeof(ask_seccomp) / sizeof(ask_seccomp[0]));
	printf("uid\tBH_UID_POLICYD\t%#x\n", BH_UID_POLICYD);
	printf("uid\tBH_UID_CAPD\t%#x\n", BH_UID_CAPD);
	printf("uid\tBH_UID_QREXEC_DAEMON_BASE\t%#x\n", BH_UID_QREXEC_DAEMON_BASE);
	return bad;
}
