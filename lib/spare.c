#include "lib/spare.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* The child: wait for the job (the only message it will ever read). */
static _Noreturn void spare_wait(int fd, spare_fn fn, void *ctx)
{
	static unsigned char job[SPARE_JOB_MAX];
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = { job, sizeof(job) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			    .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *c;
	int passed = -1;
	ssize_t n;

	while ((n = recvmsg(fd, &m, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	/* EOF: the parent discarded us or went away.  A truncated job or
	 * control data: a bug in the parent, not something to serve. */
	if (n <= 0 || (m.msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
		_exit(n == 0 ? 0 : 1);
	for (c = CMSG_FIRSTHDR(&m); c != NULL; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&passed, CMSG_DATA(c), sizeof(int));
	close(fd);
	_exit(fn(ctx, job, (size_t)n, passed));
}

int spare_close_all_but(int *keep, size_t n)
{
	unsigned lo = 3;

	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
			int t = keep[j];
			keep[j] = keep[j - 1];
			keep[j - 1] = t;
		}
	for (size_t i = 0; i < n; i++) {
		if (keep[i] < (int)lo)
			continue;
		if ((unsigned)keep[i] > lo && close_range(lo, (unsigned)keep[i] - 1, 0) < 0)
			return -1;
		lo = (unsigned)keep[i] + 1;
	}
	return close_range(lo, ~0u, 0);
}

int spare_start(struct spare *s, spare_fn fn, void *ctx, const int *keep, size_t nkeep)
{
	int sv[2], kept[SPARE_KEEP_MAX + 1];
	pid_t pid;

	if (nkeep > SPARE_KEEP_MAX)
		return -E2BIG;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int e = errno;
		close(sv[0]);
		close(sv[1]);
		return -e;
	}
	if (pid == 0) {
		if (nkeep > 0)
			memcpy(kept, keep, nkeep * sizeof(int));
		kept[nkeep] = sv[1];
		if (spare_close_all_but(kept, nkeep + 1) < 0)
			_exit(1);
		spare_wait(sv[1], fn, ctx);
	}
	close(sv[1]);
	s->pid = pid;
	s->fd = sv[0];
	return 0;
}

pid_t spare_hand(struct spare *s, const void *job, size_t len, int fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = { (void *)job, len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	pid_t pid = s->pid;
	ssize_t n;

	if (s->pid <= 0 || s->fd < 0)
		return -ESRCH;
	if (len == 0 || len > SPARE_JOB_MAX) {
		spare_discard(s);
		return -EMSGSIZE;
	}
	if (fd >= 0) {
		memset(&ctl, 0, sizeof(ctl));
		m.msg_control = ctl.buf;
		m.msg_controllen = sizeof(ctl.buf);
		CMSG_FIRSTHDR(&m)->cmsg_level = SOL_SOCKET;
		CMSG_FIRSTHDR(&m)->cmsg_type = SCM_RIGHTS;
		CMSG_FIRSTHDR(&m)->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(CMSG_FIRSTHDR(&m)), &fd, sizeof(int));
	}
	/* The spare is blocked in recvmsg and the pair's buffer takes a whole
	 * job: this does not wait.  MSG_DONTWAIT all the same, so a spare that
	 * died cannot stall the parent; MSG_NOSIGNAL for one that exited. */
	while ((n = sendmsg(s->fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)len) {
		int e = n < 0 ? errno : EIO;
		spare_discard(s);
		return -e;
	}
	close(s->fd);
	s->fd = -1;
	s->pid = 0;
	return pid;
}

void spare_discard(struct spare *s)
{
	/* An idle spare exits at EOF on its socket: no signal needed (so the
	 * daemons' seccomp tables need not allow kill). */
	if (s->fd >= 0)
		close(s->fd);
	if (s->pid > 0)
		while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
			;
	s->fd = -1;
	s->pid = 0;
}
