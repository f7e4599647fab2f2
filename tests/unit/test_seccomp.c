/* The seccomp policies of the daemons that read untrusted bytes, the
 * exact tables they install (core/bulkheadd_seccomp.c for bulkheadd's
 * registry process, qrexec/daemon/daemon_seccomp.c for qrexec-daemon):
 * each lets the calls it needs through and kills the process on anything
 * else. */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/bulkheadd_seccomp.h"
#include "qrexec/daemon/daemon.h"
#include "tests/lib/check.h"

enum probe { P_ALLOWED, P_SOCKET_INET, P_EXECVE, P_PTRACE, P_MOUNT, P_SETUID, P_CONNECT, P_KILL, P_OPEN };

/* Runs the probe in a sandboxed child; returns its wait status. */
static const struct sandbox_rule *table;
static size_t table_len;

static int run(enum probe p)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		if (sandbox_drop_all_caps() < 0 || sandbox_install(table, table_len) < 0)
			_exit(90);
		switch (p) {
		case P_ALLOWED: {
			/* What both daemons do all day: I/O on fds they hold. */
			char buf[8] = "x";
			if (write(2, buf, 0) < 0 || read(0, buf, 0) < 0 || close(0) < 0)
				_exit(91);
			_exit(0);
		}
		case P_SOCKET_INET:
			socket(AF_INET, SOCK_STREAM, 0);
			break;
		case P_EXECVE: {
			char *argv[] = { "/bin/true", NULL };
			execve("/bin/true", argv, NULL);
			break;
		}
		case P_PTRACE:
			ptrace(PTRACE_TRACEME, 0, NULL, NULL);
			break;
		case P_MOUNT:
			mount("none", "/tmp", "tmpfs", 0, NULL);
			break;
		case P_SETUID:
			syscall(SYS_setuid, 0);
			break;
		case P_CONNECT:
			syscall(SYS_connect, 0, NULL, 0);
			break;
		case P_KILL:
			syscall(SYS_kill, 1, 0);
			break;
		case P_OPEN:
			syscall(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY);
			break;
		}
		_exit(92);   /* the forbidden call returned: policy too wide */
	}
	waitpid(pid, &status, 0);
	return status;
}

#define KILLED(st) (WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS)

/* Probes every table must kill, and each table's own extra ones: the
 * daemon may connect (to qrexec-policyd) but not open files; bulkheadd
 * may open its registry but not connect anywhere. */
static void check_table(const char *name, enum probe own)
{
	int st = run(P_ALLOWED);

	printf("%s: %zu rules\n", name, table_len);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(KILLED(run(P_SOCKET_INET)));
#ifndef BH_SANITIZER_BUILD
	/* The sanitizer build's tables also let the ASan runtime run its
	 * symbolizer and LeakSanitizer trace threads; production's do not. */
	CHECK(KILLED(run(P_EXECVE)));
	CHECK(KILLED(run(P_PTRACE)));
#endif
	CHECK(KILLED(run(P_MOUNT)));
	CHECK(KILLED(run(P_SETUID)));
	CHECK(KILLED(run(P_KILL)));
	CHECK(KILLED(run(own)));
}

int main(void)
{
	table = bulkheadd_seccomp;
	table_len = bulkheadd_seccomp_len;
	check_table("bulkheadd", P_CONNECT);
	table = daemon_seccomp;
	table_len = daemon_seccomp_len;
#ifndef BH_SANITIZER_BUILD
	check_table("qrexec-daemon", P_OPEN);
#else
	check_table("qrexec-daemon", P_KILL);   /* the runtime needs openat */
#endif
	return check_exit();
}
