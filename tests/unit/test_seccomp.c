/* The seccomp policies of the daemons that read untrusted bytes, the
 * exact tables they install (core/bulkheadd_seccomp.c for bulkheadd's
 * registry process, qrexec/daemon/daemon_seccomp.c for qrexec-daemon):
 * each lets the calls it needs through and kills the process on anything
 * else. */
#include "core/bulkheadd_seccomp.h"
#include "qrexec/daemon/daemon.h"
#include "tests/lib/check.h"
#include "tests/lib/seccomp_probe.h"

/* What both daemons do all day: I/O on fds they hold. */
static void allowed(void)
{
	char buf[8] = "x";

	if (write(2, buf, 0) < 0 || read(0, buf, 0) < 0 || close(0) < 0)
		_exit(91);
	_exit(0);
}

/* Probes every table must kill, and each table's own extra ones: the
 * daemon may connect (to qrexec-policyd) but not open files; bulkheadd
 * may open its registry but not connect anywhere. */
static void check_table(const char *name, const struct sandbox_rule *t, size_t n, enum probe own)
{
	int st = probe_run(t, n, P_ALLOWED, allowed);

	printf("%s: %zu rules\n", name, n);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(KILLED(probe_run(t, n, P_SOCKET_INET, allowed)));
#ifndef BH_SANITIZER_BUILD
	/* The sanitizer build's tables also let the ASan runtime run its
	 * symbolizer and LeakSanitizer trace threads; production's do not. */
	CHECK(KILLED(probe_run(t, n, P_EXECVE, allowed)));
	CHECK(KILLED(probe_run(t, n, P_PTRACE, allowed)));
#endif
	CHECK(KILLED(probe_run(t, n, P_MOUNT, allowed)));
	CHECK(KILLED(probe_run(t, n, P_SETUID, allowed)));
	CHECK(KILLED(probe_run(t, n, P_KILL, allowed)));
	CHECK(KILLED(probe_run(t, n, own, allowed)));
}

int main(void)
{
	check_table("bulkheadd", bulkheadd_seccomp, bulkheadd_seccomp_len, P_CONNECT);
#ifndef BH_SANITIZER_BUILD
	check_table("qrexec-daemon", daemon_seccomp, daemon_seccomp_len, P_OPEN);
#else
	check_table("qrexec-daemon", daemon_seccomp, daemon_seccomp_len, P_KILL);   /* the runtime needs openat */
#endif
	return check_exit();
}
