/* Timing Bulkhead's commands from inside the Xen system (bench/xen/xenbench.h):
 * each run is a child process waited for with a deadline (a pidfd polled,
 * then killed at the limit), its output discarded or counted. */
#include "bench/xen/xenbench.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/stats.h"

#define WARMUP_RUNS   3u
#define MAX_RUNS      99u
#define MAX_SECONDS   3600u
#define MIB           (1024u * 1024u)

uint32_t xb_count(const char *s, uint32_t min, uint32_t max, const char *what)
{
	char *end;
	unsigned long v;

	if (s == NULL || s[0] < '0' || s[0] > '9') {
		fprintf(stderr, "xenbench: bad %s\n", what);
		exit(2);
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "xenbench: %s out of range [%u, %u]: %s\n", what, min, max, s);
		exit(2);
	}
	return (uint32_t)v;
}

static pid_t spawn(char *const argv[], int out_fd)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null < 0 || dup2(null, 0) < 0 || dup2(out_fd >= 0 ? out_fd : null, 1) < 0 || dup2(null, 2) < 0)
		_exit(126);
	execvp(argv[0], argv);
	_exit(127);
}

/* Waits for pid until deadline_ms; kills it there. */
static int reap(pid_t pid, uint64_t deadline_ms)
{
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int status = 0, rc = 0;

	if (pfd >= 0) {
		struct pollfd p = { .fd = pfd, .events = POLLIN };

		for (;;) {
			uint64_t now = xb_now_ms();
			int n;

			if (now >= deadline_ms) {
				rc = -ETIMEDOUT;
				break;
			}
			n = poll(&p, 1, (int)(deadline_ms - now > 1000 ? 1000 : deadline_ms - now));
			if (n > 0)
				break;
			if (n < 0 && errno != EINTR) {
				rc = -errno;
				break;
			}
		}
		close(pfd);
	} else {
		rc = -errno;
	}
	if (rc < 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return rc < 0 ? rc : status;
}

int xb_run(char *const argv[], int out_fd, uint64_t timeout_ms)
{
	uint64_t deadline = xb_now_ms() + timeout_ms;
	pid_t pid = spawn(argv, out_fd);

	if (pid < 0)
		return -errno;
	return reap(pid, deadline);
}

int xb_run_count(char *const argv[], uint64_t timeout_ms, uint64_t *out_bytes)
{
	static char untrusted_buf[XB_CHUNK];
	uint64_t deadline = xb_now_ms() + timeout_ms, total = 0;
	int fds[2], rc = 0;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid = spawn(argv, fds[1]);
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return -errno;
	}
	for (;;) {
		struct pollfd p = { .fd = fds[0], .events = POLLIN };
		uint64_t now = xb_now_ms();
		ssize_t n;
		int k;

		if (now >= deadline) {
			rc = -ETIMEDOUT;
			break;
		}
		k = poll(&p, 1, (int)(deadline - now > 1000 ? 1000 : deadline - now));
		if (k < 0 && errno != EINTR) {
			rc = -errno;
			break;
		}
		if (k <= 0)
			continue;
		n = read(fds[0], untrusted_buf, sizeof(untrusted_buf));
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		total += (uint64_t)n;
	}
	close(fds[0]);
	if (rc < 0) {
		kill(pid, SIGKILL);
		(void)reap(pid, xb_now_ms() + 1000);
		return rc;
	}
	*out_bytes = total;
	return reap(pid, deadline);
}

static int describe(const char *name, char *const argv[], int rc)
{
	if (rc == -ETIMEDOUT)
		fprintf(stderr, "xenbench %s: %s timed out\n", name, argv[0]);
	else if (rc < 0)
		fprintf(stderr, "xenbench %s: %s: %s\n", name, argv[0], strerror(-rc));
	else if (WIFEXITED(rc))
		fprintf(stderr, "xenbench %s: %s exited with status %d\n", name, argv[0], WEXITSTATUS(rc));
	else
		fprintf(stderr, "xenbench %s: %s killed by signal %d\n", name, argv[0], WTERMSIG(rc));
	return 1;
}

static int ok(int rc)
{
	return rc >= 0 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0;
}

int xb_cmd_repeat(int argc, char **argv)
{
	static uint64_t ns[XB_MAX_SAMPLES];
	uint32_t n, secs;
	char **cmd;

	if (argc < 6)
		return fprintf(stderr, "usage: repeat NAME N BASE SECONDS CMD...\n"), 2;
	n = xb_count(argv[2], 1, XB_MAX_SAMPLES, "N");
	secs = xb_count(argv[4], 1, MAX_SECONDS, "SECONDS");
	cmd = argv + 5;
	for (uint32_t i = 0; i < WARMUP_RUNS + n; i++) {
		uint64_t t0 = bench_now_ns();
		int rc = xb_run(cmd, -1, (uint64_t)secs * 1000u);

		if (!ok(rc))
			return describe(argv[1], cmd, rc);
		if (i >= WARMUP_RUNS)
			ns[i - WARMUP_RUNS] = bench_now_ns() - t0;
	}
	bench_report_us(argv[1], ns, n, argv[3]);
	return 0;
}

int xb_cmd_stream(int argc, char **argv)
{
	uint64_t ns[MAX_RUNS];
	uint32_t mib, secs, runs;
	char **cmd;

	if (argc < 7)
		return fprintf(stderr, "usage: stream NAME MIB BASE SECONDS RUNS CMD...\n"), 2;
	mib = xb_count(argv[2], 1, XB_MAX_MIB, "MIB");
	secs = xb_count(argv[4], 1, MAX_SECONDS, "SECONDS");
	runs = xb_count(argv[5], 1, MAX_RUNS, "RUNS");
	cmd = argv + 6;
	for (uint32_t i = 0; i < runs; i++) {
		uint64_t t0 = bench_now_ns(), bytes = 0;
		int rc = xb_run_count(cmd, (uint64_t)secs * 1000u, &bytes);

		if (!ok(rc))
			return describe(argv[1], cmd, rc);
		if (bytes != (uint64_t)mib * MIB) {
			fprintf(stderr, "xenbench %s: %s wrote %llu bytes, not %u MiB\n", argv[1], cmd[0],
				(unsigned long long)bytes, mib);
			return 1;
		}
		ns[i] = bench_now_ns() - t0;
	}
	bench_sort(ns, runs);
	/* The median run's time; MiB/s = mib / seconds. */
	printf("%s %.2f MiB/s %s\n", argv[1], (double)mib * 1e9 / (double)bench_percentile(ns, runs, 50), argv[3]);
	return 0;
}
