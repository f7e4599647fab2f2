/* Small hostile files (mbfile.h). */
#include "measured-boot/mbfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

ssize_t mb_read_regular(const char *path, uint8_t *buf, size_t cap, char *err, size_t errlen)
{
	struct stat st;
	size_t got = 0;
	ssize_t n;
	uint8_t extra;
	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, errno == ELOOP ? "a symlink, not followed" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	while (got < cap) {
		n = read(fd, buf + got, cap - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	/* One byte more than cap tells "too long" from "exactly cap". */
	if (got == cap && read(fd, &extra, 1) > 0) {
		snprintf(err, errlen, "%s: longer than %zu bytes", path, cap);
		close(fd);
		return -1;
	}
	close(fd);
	return (ssize_t)got;
}
