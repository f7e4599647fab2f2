#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Wait for fd to become ready for `events` before the deadline. */
static int wait_fd(int fd, short events, uint64_t deadline_ms)
{
	for (;;) {
		uint64_t now = now_ms();
		struct pollfd p = { .fd = fd, .events = events };
		int rc;

		if (now >= deadline_ms)
			return -ETIMEDOUT;
		rc = poll(&p, 1, (int)(deadline_ms - now > 60000 ? 60000 : deadline_ms - now));
		if (rc > 0)
			return 0;
		if (rc < 0 && errno != EINTR)
			return -errno;
	}
}

int write_all_deadline(int fd, const void *buf, size_t len, uint64_t deadline_ms)
{
	const char *p = buf;

	while (len > 0) {
		int rc = wait_fd(fd, POLLOUT, deadline_ms);
		ssize_t n;

		if (rc < 0)
			return rc;
		n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int read_exact_deadline(int fd, void *buf, size_t len, uint64_t deadline_ms)
{
	char *p = buf;

	while (len > 0) {
		int rc = wait_fd(fd, POLLIN, deadline_ms);
		ssize_t n;

		if (rc < 0)
			return rc;
		n = read(fd, p, len);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int read_to_eof_deadline(int fd, void *buf, size_t cap, size_t *got, uint64_t deadline_ms)
{
	char *p = buf;
	size_t have = 0;

	*got = 0;
	for (;;) {
		char probe;
		int rc = wait_fd(fd, POLLIN, deadline_ms);
		ssize_t n;

		if (rc < 0)
			return rc;
		/* Once full, read one more byte to tell EOF from overflow. */
		n = have < cap ? read(fd, p + have, cap - have) : read(fd, &probe, 1);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		if (have == cap)
			return -EMSGSIZE;
		have += (size_t)n;
	}
	*got = have;
	return 0;
}

ssize_t read_small_file(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t have = 0;

	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n = read(fd, buf + have, cap - 1 - have);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			close(fd);
			return n;
		}
		if (n == 0)
			break;
		have += (size_t)n;
		if (have == cap - 1) {
			char c;
			if (read(fd, &c, 1) > 0) {
				close(fd);
				return -EFBIG;
			}
			break;
		}
	}
	close(fd);
	buf[have] = '\0';
	return (ssize_t)have;
}

int write_small_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(s);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, len);
	if (n < 0 || (size_t)n != len) {
		int e = n < 0 ? -errno : -EIO;
		close(fd);
		return e;
	}
	return close(fd) < 0 ? -errno : 0;
}
