/* bulkhead-ask's seccomp policy, installed once its front end holds what
 * it needs (the X connection with the window mapped, or the terminal)
 * and before it reads any input: from there on it only polls, reads,
 * writes and allocates.  Default action: kill (policyd then denies). */
#include <sys/ioctl.h>

#include "capd/prompt/ask_ui.h"
#include "lib/sandbox.h"

#define ALLOW(name, why)          { #name, -1, 0, why }
#define ALLOW_IF(name, a, v, why) { #name, a, v, why }

static const struct sandbox_rule ask_seccomp[] = {
	ALLOW(poll, "waiting for input with the deadline"), ALLOW(ppoll, "libc poll"),
	ALLOW(read, "X events, terminal answers"), ALLOW(recvmsg, "xcb reads"), ALLOW(recvfrom, "libc recv"),
	ALLOW(write, "terminal, the answer on stdout, stderr"), ALLOW(writev, "xcb requests"),
	ALLOW(sendmsg, "xcb requests"), ALLOW(sendto, "libc send"),
	ALLOW_IF(ioctl, 1, TCFLSH, "tcflush: discard type-ahead"),
	ALLOW_IF(ioctl, 1, TCSBRK, "tcdrain: the question is out before the flush"),
	ALLOW_IF(ioctl, 1, TCGETS, "libc isatty"),
	ALLOW(fstat, "stdio"), ALLOW(newfstatat, "stdio"),
	ALLOW(brk, "malloc (xcb events and replies)"), ALLOW(mmap, "malloc"), ALLOW(munmap, "free"),
	ALLOW(mremap, "realloc"), ALLOW(madvise, "malloc"), ALLOW(futex, "xcb's lock"),
	ALLOW(clock_gettime, "deadlines, the input guard"), ALLOW(shutdown, "xcb_disconnect"),
	ALLOW(close, "the terminal, the X connection"), ALLOW(rt_sigreturn, "signals"),
	ALLOW(restart_syscall, "a poll interrupted by a signal resumes"),
	ALLOW(exit_group, "exit"), ALLOW(exit, "exit"),
#ifdef BH_SANITIZER_BUILD
	/* LeakSanitizer at exit; lib/sandbox.c's sanitizer list lacks these. */
	ALLOW(getpid, "sanitizer builds only"), ALLOW(rt_sigprocmask, "sanitizer builds only"),
	ALLOW(lseek, "sanitizer builds only"),
#endif
};

int ask_sandbox(void)
{
	return sandbox_install(ask_seccomp, sizeof(ask_seccomp) / sizeof(ask_seccomp[0]));
}
