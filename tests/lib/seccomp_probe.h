/* Probing a daemon's seccomp table (lib/sandbox.h) the way the daemon
 * installs it: a child installs the table, then makes one call; the test
 * checks whether the child got through or was killed (SIGSYS).  Shared by
 * the tests of every daemon's table. */
#ifndef BH_TEST_SECCOMP_PROBE_H
#define BH_TEST_SECCOMP_PROBE_H

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/sandbox.h"

enum probe {
	P_ALLOWED,              /* the test's own allowed(): what the daemon does all day */
	P_SOCKET_UNIX, P_SOCKET_INET, P_CONNECT, P_OPEN, P_EXECVE, P_PTRACE, P_MOUNT, P_SETUID, P_KILL,
	P_MPROTECT_EXEC, P_CHMOD, P_LINK, P_CHROOT,
};

#define KILLED(st) (WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS)

/* The wait status of a child that installed table[0..len) (after dropping
 * every capability, as the daemons do) and made probe p.  P_ALLOWED runs
 * allowed(), which must _exit(0) when its calls went through.  Exit 90:
 * the sandbox did not install; 92: a forbidden call returned. */
static inline int probe_run(const struct sandbox_rule *table, size_t len, enum probe p, void (*allowed)(void))
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		char *argv[] = { "/bin/true", NULL };
		void *m;

		if (sandbox_drop_all_caps() < 0 || sandbox_install(table, len) < 0)
			_exit(90);
		switch (p) {
		case P_ALLOWED:
			allowed();
			_exit(91);
		case P_SOCKET_UNIX:
			syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0);
			break;
		case P_SOCKET_INET:
			syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
			break;
		case P_CONNECT:
			syscall(SYS_connect, 0, NULL, 0);
			break;
		case P_OPEN:
			syscall(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY);
			break;
		case P_EXECVE:
			execve("/bin/true", argv, NULL);
			break;
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
		case P_MPROTECT_EXEC:
			m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			syscall(SYS_mprotect, m, 4096, PROT_READ | PROT_EXEC);
			break;
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
		_exit(92);
	}
	waitpid(pid, &status, 0);
	return status;
}

#endif
