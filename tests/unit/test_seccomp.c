/* bulkheadd's registry-process seccomp policy: the exact table the
 * daemon installs (core/bulkheadd_seccomp.c) lets the calls it needs
 * through and kills the process on anything else. */
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
#include "tests/lib/check.h"

enum probe { P_ALLOWED, P_SOCKET_INET, P_EXECVE, P_PTRACE, P_MOUNT, P_SETUID, P_CONNECT, P_KILL };

/* Runs the probe in a sandboxed child; returns its wait status. */
static int run(enum probe p)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		if (bulkheadd_sandbox() < 0)
			_exit(90);
		switch (p) {
		case P_ALLOWED: {
			char buf[8];
			int fd = open("/dev/null", O_RDONLY);
			if (fd < 0 || read(fd, buf, sizeof(buf)) < 0 || close(fd) < 0)
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
		}
		_exit(92);   /* the forbidden call returned: policy too wide */
	}
	waitpid(pid, &status, 0);
	return status;
}

#define KILLED(st) (WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS)

int main(void)
{
	int st;

	st = run(P_ALLOWED);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(KILLED(run(P_SOCKET_INET)));
#ifndef BH_SANITIZER_BUILD
	/* The sanitizer build's table also lets the ASan runtime run its
	 * symbolizer and LeakSanitizer trace threads; production's does not. */
	CHECK(KILLED(run(P_EXECVE)));
	CHECK(KILLED(run(P_PTRACE)));
#endif
	CHECK(KILLED(run(P_MOUNT)));
	CHECK(KILLED(run(P_SETUID)));
	CHECK(KILLED(run(P_CONNECT)));
	CHECK(KILLED(run(P_KILL)));
	return check_exit();
}
