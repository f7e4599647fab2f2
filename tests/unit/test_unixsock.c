/* lib/unixsock.c: the only way to connect is by a deadline.  A listener
 * that does not accept (its backlog full: a flooded qrexec-policyd, a
 * bulkheadd busy starting qubes) must cost a caller no more than its
 * deadline -- qrexec-daemon connects to policyd from its event loop. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/io.h"
#include "lib/unixsock.h"
#include "tests/lib/check.h"

#define BACKLOG_FILL_MAX 16     /* connections tried before the backlog must be full */

static void test_connects(const char *path)
{
	int lfd = unix_listen(path, 4), fd;

	CHECK(lfd >= 0);
	fd = unix_connect_deadline(path, now_ms() + 1000);
	CHECK(fd >= 0);
	if (fd >= 0) {
		CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
		CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
		close(fd);
	}
	close(lfd);
}

/* Nobody accepts: once the backlog is full a connect waits until its
 * deadline, and not (much) longer. */
static void test_full_backlog(const char *path)
{
	int lfd = unix_listen(path, 1), fds[BACKLOG_FILL_MAX], n = 0, rc = 0;
	uint64_t t0 = 0, took = 0;

	CHECK(lfd >= 0);
	while (n < BACKLOG_FILL_MAX) {
		t0 = now_ms();
		rc = unix_connect_deadline(path, t0 + 200);
		took = now_ms() - t0;
		if (rc < 0)
			break;
		fds[n++] = rc;
	}
	printf("backlog full after %d connections; the next: %s after %llu ms\n", n,
	       rc < 0 ? strerror(-rc) : "connected", (unsigned long long)took);
	CHECK(n < BACKLOG_FILL_MAX);
	CHECK(rc == -ETIMEDOUT);
	CHECK(took >= 200 && took < 2000);
	while (n > 0)
		close(fds[--n]);
	close(lfd);
}

static void test_refusals(const char *dir)
{
	char path[4096];
	uint64_t t0 = now_ms();

	snprintf(path, sizeof(path), "%s/nobody-listens", dir);
	CHECK(unix_connect_deadline(path, t0 + 5000) == -ENOENT);
	CHECK(now_ms() - t0 < 1000);                /* refused at once, not retried */
	memset(path, 'a', 200);
	path[0] = '/';
	path[200] = '\0';
	CHECK(unix_connect_deadline(path, now_ms() + 1000) == -ENAMETOOLONG);
	CHECK(unix_listen(path, 1) == -ENAMETOOLONG);
}

int main(void)
{
	const char *root = getenv("BULKHEAD_ROOT");
	char a[4096], b[4096];

	if (root == NULL || root[0] != '/') {
		printf("skipped: needs BULKHEAD_ROOT (run through tests/run)\n");
		return 77;
	}
	snprintf(a, sizeof(a), "%s/a.sock", root);
	snprintf(b, sizeof(b), "%s/b.sock", root);
	test_connects(a);
	test_full_backlog(b);
	test_refusals(root);
	return check_exit();
}
