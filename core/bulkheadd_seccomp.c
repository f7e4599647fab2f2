#include "core/bulkheadd_seccomp.h"

#define ALLOW(name, why)           { #name, -1, 0, why }

const struct sandbox_rule bulkheadd_seccomp[] = {
	ALLOW(read, "requests, monitor replies, the registry file"),
	ALLOW(write, "replies, monitor requests, the registry file, the log"),
	ALLOW(writev, "stdio may gather log lines"),
	ALLOW(close, "connections and files"),
	ALLOW(poll, "the event loop and deadline I/O"),
	ALLOW(ppoll, "libc may implement poll with ppoll"),
	ALLOW(accept4, "admin connections"),
	ALLOW(getsockopt, "SO_PEERCRED: an admin caller's uid (root, or qrexec-policyd)"),
	ALLOW(shutdown, "half-closing admin connections"),
	ALLOW(recvfrom, "libc's recv()"),
	ALLOW(sendto, "libc's send()"),
	ALLOW(openat, "the registry file and its temporary"),
	ALLOW(fsync, "committing the registry"),
	ALLOW(rename, "atomic replacement of the registry"),
	ALLOW(renameat, "libc may implement rename with renameat"),
	ALLOW(renameat2, "libc may implement rename with renameat2"),
	ALLOW(unlink, "removing a failed temporary registry"),
	ALLOW(unlinkat, "libc may implement unlink with unlinkat"),
	ALLOW(fstat, "stdio buffers"),
	ALLOW(newfstatat, "stdio buffers"),
	ALLOW(lseek, "stdio"),
	ALLOW(fcntl, "non-blocking sockets"),
	ALLOW(brk, "malloc"),
	ALLOW(mmap, "malloc of large blocks"),
	ALLOW(munmap, "free of large blocks"),
	ALLOW(mremap, "realloc of large blocks"),
	ALLOW(madvise, "malloc trimming"),
	ALLOW(clock_gettime, "deadlines (when the vDSO is not used)"),
	ALLOW(rt_sigprocmask, "libc"),
	ALLOW(rt_sigreturn, "returning from a signal"),
	ALLOW(wait4, "reaping the monitor at exit"),
	ALLOW(getpid, "log lines"),
	ALLOW(futex, "libc locks in stdio"),
	ALLOW(restart_syscall, "a poll interrupted by a signal resumes"),
	ALLOW(exit_group, "exit"),
	ALLOW(exit, "exit"),
};

const size_t bulkheadd_seccomp_len = sizeof(bulkheadd_seccomp) / sizeof(bulkheadd_seccomp[0]);

int bulkheadd_sandbox(void)
{
	int rc = sandbox_drop_all_caps();

	return rc < 0 ? rc : sandbox_install(bulkheadd_seccomp, bulkheadd_seccomp_len);
}
