/* capd's seccomp table (capd/capd_seccomp.c), installed the way capd
 * installs it: what capd does all day passes; everything a subverted capd
 * would want first kills it (SIGSYS).  tests/integration/capd_daemon.sh
 * checks the real daemon, started, dies the same way. */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capd/capd_seccomp.h"
#include "tests/lib/check.h"

enum probe {
	P_ALLOWED, P_SOCKET_UNIX, P_SOCKET_INET, P_CONNECT, P_EXECVE, P_PTRACE, P_MOUNT, P_SETUID, P_KILL,
	P_MPROTECT_EXEC, P_CHMOD, P_LINK, P_CHROOT,
};

static int run(enum probe p)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		if (sandbox_drop_all_caps() < 0 || sandbox_install(capd_seccomp, capd_seccomp_len) < 0)
			_exit(90);
		switch (p) {
		case P_ALLOWED: {
			char buf[8] = "x";
			uint8_t rnd[16];
			if (write(2, buf, 0) < 0 || read(0, buf, 0) < 0 || close(0) < 0 ||
			    syscall(SYS_getrandom, rnd, sizeof(rnd), 0) != sizeof(rnd))
				_exit(91);
			_exit(0);
		}
		case P_SOCKET_UNIX:
			syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0);
			break;
		case P_SOCKET_INET:
			syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
			break;
		case P_CONNECT:
			syscall(SYS_connect, 0, NULL, 0);
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
		case P_KILL:
			syscall(SYS_kill, 1, 0);
			break;
		case P_MPROTECT_EXEC: {
			void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			syscall(SYS_mprotect, m, 4096, PROT_READ | PROT_EXEC);
			break;
		}
		case P_CHMOD:
			syscall(SYS_fchmodat, AT_FDCWD, "/nonexistent", 0777, 0);
			break;
		case P_LINK:
			syscall(SYS_linkat, AT_FDCWD, "/a", AT_FDCWD, "/b", 0);
			break;
		case P_CHROOT:
			syscall(SYS_chroot, "/");
			break;
		}
		_exit(92);   /* the forbidden call returned: the table is too wide */
	}
	waitpid(pid, &status, 0);
	return status;
}

#define KILLED(st) (WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS)

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
