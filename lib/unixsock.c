#include "unixsock.h"
#include "io.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int fill(struct sockaddr_un *sa, const char *path)
{
	size_t n = strlen(path);

	if (n >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, path, n + 1);
	return 0;
}

int unix_listen(const char *path, int backlog)
{
	struct sockaddr_un sa;
	mode_t old;
	int fd, rc = fill(&sa, path);

	if (rc < 0)
		return rc;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	old = umask(0177);
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? -errno : 0;
	umask(old);
	if (rc == 0 && listen(fd, backlog) < 0)
		rc = -errno;
	if (rc < 0) {
		close(fd);
		return rc;
	}
	return fd;
}

int unix_connect_deadline(const char *path, uint64_t deadline_ms)
{
	struct sockaddr_un sa;
	int fd, rc = fill(&sa, path);

	if (rc < 0)
		return rc;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* A Unix stream connect completes at once or, backlog full, fails
	 * with EAGAIN: nothing to poll for but time. */
	while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		uint64_t now = now_ms();

		rc = -errno;
		if (rc == -EINTR)
			continue;
		if (rc != -EAGAIN || now >= deadline_ms) {
			close(fd);
			return rc == -EAGAIN ? -ETIMEDOUT : rc;
		}
		(void)poll(NULL, 0, deadline_ms - now < UNIX_CONNECT_RETRY_MS ? (int)(deadline_ms - now)
									    : UNIX_CONNECT_RETRY_MS);
	}
	return fd;
}
