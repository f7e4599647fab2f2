/* capd's seccomp policy, installed after its privilege drop and before
 * it reads any request.  Default action: kill the process.  No socket
 * or connect (capd only accepts), no exec, no uid changes, no kill. */
#include "capd/capd_seccomp.h"

#include <sys/mman.h>

#define ALLOW(name, why)          { #name, -1, 0, why }
#define ALLOW_IF(name, a, v, why) { #name, a, v, why }

const struct sandbox_rule capd_seccomp[] = {
	ALLOW(read, "requests; the signalfd"),
	ALLOW(write, "replies; the log (stderr); audit records"),
	ALLOW(writev, "stdio may gather log lines"),
	ALLOW(pwrite64, "the audit log's head slots"),
	ALLOW(close, "connections, the grants file"),
	ALLOW(poll, "the event loop"),
	ALLOW(ppoll, "libc may implement poll with ppoll"),
	ALLOW(accept4, "clients, non-blocking and close-on-exec"),
	ALLOW(getsockopt, "SO_PEERCRED: the caller's uid, which is all capd trusts"),
	ALLOW(openat, "grants.tmp and the state directory (fsync), inside capd's chroot"),
	ALLOW(fsync, "the grants file and its directory"),
	ALLOW(fdatasync, "audit records"),
	ALLOW(ftruncate, "the audit log cuts a failed append"),
	ALLOW(rename, "the grants file replaced atomically"),
	ALLOW(renameat, "libc may implement rename with renameat"),
	ALLOW(renameat2, "libc may implement rename with renameat2"),
	ALLOW(unlink, "a grants.tmp left by a failed write"),
	ALLOW(unlinkat, "libc may implement unlink with unlinkat"),
	ALLOW(getrandom, "capability ids (libsodium's randombytes)"),
	ALLOW(clock_gettime, "expiry and deadlines (when the vDSO is not used)"),
	ALLOW(fstat, "stdio buffers"),
	ALLOW(newfstatat, "stdio buffers"),
	ALLOW(lseek, "stdio"),
	ALLOW(brk, "malloc"),
	ALLOW(mmap, "malloc of large blocks"),
	ALLOW(munmap, "free of large blocks"),
	ALLOW(madvise, "malloc trimming; the flusher's stack released at its end"),
	ALLOW_IF(mprotect, 2, PROT_READ | PROT_WRITE,
		 "sodium_free() makes its guard pages writable again (the audit key, at exit); never PROT_EXEC"),
	ALLOW(munlock, "sodium_free() unlocks the audit key's pages (at exit)"),
	ALLOW(rt_sigprocmask, "libc"),
	ALLOW(rt_sigreturn, "returning from a signal"),
	ALLOW(getpid, "log lines"),
	ALLOW(restart_syscall, "a poll interrupted by a signal resumes"),
	ALLOW(exit_group, "exit"),
	ALLOW(exit, "exit; the audit log's flusher thread ending at stop"),
	ALLOW(futex, "the audit log's flusher and the appenders wait for each other"),
};

const size_t capd_seccomp_len = sizeof(capd_seccomp) / sizeof(capd_seccomp[0]);
