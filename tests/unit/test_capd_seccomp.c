/* capd's seccomp table (capd/capd_seccomp.c), installed the way capd
 * installs it: what capd does all day passes; everything a subverted capd
 * would want first kills it (SIGSYS).  tests/integration/capd_daemon.sh
 * checks the real daemon, started, dies the same way. */
#include "capd/capd_seccomp.h"
#include "tests/lib/check.h"
#include "tests/lib/seccomp_probe.h"

static void allowed(void)
{
	char buf[8] = "x";
	uint8_t rnd[16];

	if (write(2, buf, 0) < 0 || read(0, buf, 0) < 0 || close(0) < 0 ||
	    syscall(SYS_getrandom, rnd, sizeof(rnd), 0) != sizeof(rnd))
		_exit(91);
	_exit(0);
}

static int run(enum probe p)
{
	return probe_run(capd_seccomp, capd_seccomp_len, p, allowed);
}

int main(void)
{
	int st = run(P_ALLOWED);

	printf("capd: %zu rules\n", capd_seccomp_len);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(KILLED(run(P_SOCKET_UNIX)));
	CHECK(KILLED(run(P_SOCKET_INET)));
	CHECK(KILLED(run(P_CONNECT)));
	CHECK(KILLED(run(P_MOUNT)));
	CHECK(KILLED(run(P_SETUID)));
	CHECK(KILLED(run(P_KILL)));
	CHECK(KILLED(run(P_CHMOD)));
	CHECK(KILLED(run(P_LINK)));
	CHECK(KILLED(run(P_CHROOT)));
#ifndef BH_SANITIZER_BUILD
	/* The sanitizer build's tables let its runtime exec a symbolizer,
	 * ptrace for LeakSanitizer and mprotect freely; production's do not. */
	CHECK(KILLED(run(P_EXECVE)));
	CHECK(KILLED(run(P_PTRACE)));
	CHECK(KILLED(run(P_MPROTECT_EXEC)));
#endif
	return check_exit();
}
