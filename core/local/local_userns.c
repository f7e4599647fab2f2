/* User namespaces with a given id map, as fds: the qube's own namespace
 * (0..65535 -> its host range) and the idmaps of its mounts.  A namespace
 * can only get its map from outside while a process lives in it, so a
 * helper is forked, unshares, waits for the map, and exits; the fd keeps
 * the namespace alive. */
#include "core/local/local.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/io.h"

#define HELPER_TIMEOUT_MS 5000u

static _Noreturn void helper(int ready_w, int done_r)
{
	char c = 0;
	struct pollfd p = { .fd = done_r, .events = POLLIN };

	if (unshare(CLONE_NEWUSER) < 0)
		c = 1;
	if (write(ready_w, &c, 1) != 1)
		_exit(1);
	/* Until the parent closes done_r's other end (or 5 s pass). */
	(void)poll(&p, 1, (int)HELPER_TIMEOUT_MS);
	_exit(0);
}

static int write_map(pid_t pid, const char *file, const char *map)
{
	char p[64];

	snprintf(p, sizeof(p), "/proc/%d/%s", (int)pid, file);
	return write_small_file(p, map);
}

int lus_make(uint32_t ns_first, uint32_t host_first, uint32_t count, int *fd)
{
	int ready[2], done[2], rc = 0, st;
	char map[80], c, p[64];
	pid_t pid;

	*fd = -1;
	if (pipe2(ready, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(done, O_CLOEXEC) < 0) {
		rc = -errno;
		close(ready[0]);
		close(ready[1]);
		return rc;
	}
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		goto out;
	}
	if (pid == 0) {
		close(ready[0]);
		close(done[1]);
		helper(ready[1], done[0]);
	}
	close(ready[1]);
	ready[1] = -1;
	rc = read_exact_deadline(ready[0], &c, 1, now_ms() + HELPER_TIMEOUT_MS);
	if (rc == 0 && c != 0)
		rc = -EPERM;
	snprintf(map, sizeof(map), "%" PRIu32 " %" PRIu32 " %" PRIu32 "\n", ns_first, host_first, count);
	if (rc == 0)
		rc = write_map(pid, "uid_map", map);
	if (rc == 0)
		rc = write_map(pid, "gid_map", map);
	if (rc == 0) {
		snprintf(p, sizeof(p), "/proc/%d/ns/user", (int)pid);
		*fd = open(p, O_RDONLY | O_CLOEXEC);
		if (*fd < 0)
			rc = -errno;
	}
	close(done[1]);
	done[1] = -1;
	/* The helper exits as soon as done[1] is closed; SIGKILL covers a
	 * helper stuck anywhere else. */
	if (rc < 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
out:
	if (ready[1] >= 0)
		close(ready[1]);
	close(ready[0]);
	if (done[1] >= 0)
		close(done[1]);
	close(done[0]);
	return rc;
}
