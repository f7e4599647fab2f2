/* qrexec-policyd's seccomp policy.  Wider than the daemons' (a child per
 * request reads policy files, talks to bulkheadd and the qrexec daemons
 * and links channel sockets), still a table with a reason per call;
 * default: kill.  No exec: the prompt and dom0 services run in the
 * runner (runner.c), forked before the sandbox. */
#include "qrexec/policyd/policyd.h"

#include <sys/socket.h>

#define ALLOW(name, why)          { #name, -1, 0, why }
#define ALLOW_IF(name, a, v, why) { #name, a, v, why }

const struct sandbox_rule policyd_seccomp[] = {
	ALLOW(read, "requests, policy files, replies"), ALLOW(write, "answers, requests, the log"),
	ALLOW(writev, "stdio"), ALLOW(close, "everything"), ALLOW(poll, "deadlines"), ALLOW(ppoll, "libc poll"),
	ALLOW(accept4, "daemons' requests"), ALLOW_IF(socket, 0, AF_UNIX, "bulkheadd, daemons, channels"),
	ALLOW(connect, "bulkheadd, daemons, channels"), ALLOW(bind, "channel sockets (dom0 services)"),
	ALLOW(listen, "channel sockets"), ALLOW(getsockopt, "peer credentials"), ALLOW(setsockopt, "buffers"),
	ALLOW(shutdown, "admin calls"), ALLOW(recvfrom, "libc recv"), ALLOW(sendto, "libc send"),
	ALLOW(openat, "policy files, channel directories"), ALLOW(openat2, "channel directories"),
	ALLOW(newfstatat, "policy file metadata"), ALLOW(fstat, "stdio"), ALLOW(statx, "libc stat"),
	ALLOW(getdents64, "policy.d listing"), ALLOW(lseek, "stdio"), ALLOW(fcntl, "non-blocking fds"),
	ALLOW(ioctl, "FIONREAD/SIOCOUTQ on channels"), ALLOW(linkat, "linking a channel into its client's directory"),
	ALLOW(renameat, "atomic replacement of channel names"), ALLOW(renameat2, "libc rename"),
	ALLOW(unlinkat, "stale channel names"), ALLOW(unlink, "the policy socket"), ALLOW(fchmodat, "socket modes"),
	ALLOW(readlink, "libc"), ALLOW(inotify_init1, "waiting for a channel's socket"),
	ALLOW(inotify_add_watch, "waiting for a channel's socket"), ALLOW(getrandom, "temporary names"),
	ALLOW(clone, "a child per request"), ALLOW(clone3, "libc fork"),
	ALLOW(wait4, "reaping request children"), ALLOW(pipe2, "the prompt's answer"),
	ALLOW(sendmsg, "requests to the runner, with a pipe; a request to the spare, with its fd"),
	ALLOW(recvmsg, "the spare's request"), ALLOW(socketpair, "the spare's socket"),
	ALLOW(close_range, "the spare closes what it does not serve"),
					ALLOW(getuid, "libc"), ALLOW(geteuid, "libc"), ALLOW(getgid, "libc"),
	ALLOW(getegid, "libc"), ALLOW(brk, "malloc"), ALLOW(mmap, "malloc, exec"), ALLOW(munmap, "free"),
	ALLOW(mprotect, "exec, dynamic loader"), ALLOW(madvise, "malloc"), ALLOW(mremap, "realloc"),
	ALLOW(clock_gettime, "deadlines"), ALLOW(rt_sigprocmask, "children"), ALLOW(rt_sigaction, "children"),
	ALLOW(rt_sigreturn, "signals"), ALLOW(getpid, "logs"), ALLOW(gettid, "libc"), ALLOW(set_robust_list, "fork"),
	ALLOW(set_tid_address, "fork"), ALLOW(futex, "libc"), ALLOW(prlimit64, "libc"), ALLOW(arch_prctl, "exec"),
	ALLOW(access, "the prompt"), ALLOW(faccessat, "the prompt"), ALLOW(faccessat2, "the prompt"),
	ALLOW(restart_syscall, "a poll interrupted by a signal resumes"),
	ALLOW(exit_group, "exit"), ALLOW(exit, "exit"),
};

const size_t policyd_seccomp_len = sizeof(policyd_seccomp) / sizeof(policyd_seccomp[0]);
