/* qrexec-daemon's seccomp policy, installed before the agent's first
 * byte is read.  Default action: kill the process. */
#include <sys/ioctl.h>
#include <linux/sockios.h>
#include <sys/socket.h>
#include <stdint.h>
#include <xen/xen.h>          /* domid_t, which evtchn.h uses */
#include <xen/sys/evtchn.h>

#include "qrexec/daemon/daemon.h"

#define ALLOW(name, why)          { #name, -1, 0, why }
#define ALLOW_IF(name, a, v, why) { #name, a, v, why }

const struct sandbox_rule daemon_seccomp[] = {
	ALLOW(read, "control channel and dom0 requests"),
	ALLOW(write, "control channel, replies, the log"),
	ALLOW(writev, "stdio may gather log lines"),
	ALLOW(recvfrom, "libc's recv()"),
	ALLOW(sendto, "libc's send()"),
	ALLOW(close, "connections"),
	ALLOW(poll, "the event loop and deadline I/O"),
	ALLOW(ppoll, "libc may implement poll with ppoll"),
	ALLOW(accept4, "dom0 clients"),
	ALLOW_IF(socket, 0, AF_UNIX, "a connection to qrexec-policyd per request"),
	ALLOW(connect, "qrexec-policyd's socket (a fixed dom0 path)"),
	ALLOW(getsockopt, "SO_PEERCRED of dom0 clients"),
	ALLOW(setsockopt, "socket buffer sizes of the accepted control channel"),
	ALLOW(fcntl, "non-blocking sockets"),
	ALLOW_IF(ioctl, 1, FIONREAD, "bytes ready on the control channel"),
	ALLOW_IF(ioctl, 1, SIOCOUTQ, "space left on the control channel"),
	ALLOW_IF(ioctl, 1, IOCTL_EVTCHN_NOTIFY, "Xen transport: signal the agent after a ring read or write"),
	ALLOW(unlink, "the control channel's socket name once connected"),
	ALLOW(unlinkat, "libc may implement unlink with unlinkat"),
	ALLOW(fstat, "stdio buffers"),
	ALLOW(lseek, "stdio"),
	ALLOW(newfstatat, "stdio buffers"),
	ALLOW(brk, "malloc"),
	ALLOW(mmap, "malloc of large blocks"),
	ALLOW(munmap, "free of large blocks"),
	ALLOW(madvise, "malloc trimming"),
	ALLOW(clock_gettime, "deadlines (when the vDSO is not used)"),
	ALLOW(rt_sigprocmask, "libc"),
	ALLOW(rt_sigreturn, "returning from a signal"),
	ALLOW(getpid, "log lines"),
	ALLOW(restart_syscall, "a poll interrupted by a signal resumes"),
	ALLOW(exit_group, "exit"),
	ALLOW(exit, "exit"),
};

const size_t daemon_seccomp_len = sizeof(daemon_seccomp) / sizeof(daemon_seccomp[0]);
