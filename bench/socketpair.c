/* Baseline figures: what two processes on this host get from a plain Unix
 * socketpair, with no Bulkhead code in the way.  Later benchmarks (qrexec
 * call latency and throughput) report their figures as a ratio to these.
 *
 *   bench-socketpair [ROUNDS [MIB]]
 *
 * Round trip: the parent writes 1 byte, the child echoes it, the parent
 * reads it back; ROUNDS timed round trips (default 50000, at least 10000)
 * after 1000 untimed ones.  Bulk: the child writes MIB MiB (default 1024)
 * in 64 KiB writes (qrexec's MAX_DATA_CHUNK, so the qrexec throughput
 * figure compares like with like), the parent reads it all; three runs, the
 * median is reported (one run swings 2-3x with where the scheduler puts the
 * two processes).
 *
 * Prints one line per figure on stdout, `name value unit baseline-name`
 * (see bench/run); progress and errors go to stderr.  An alarm bounds the
 * whole run so a wedged peer cannot hang `make bench`. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/stats.h"

#define WARMUP_ROUNDS   1000u
#define DEFAULT_ROUNDS  50000u
#define MIN_ROUNDS      10000u
#define MAX_ROUNDS      10000000u
#define DEFAULT_MIB     1024u
#define MAX_MIB         65536u
#define CHUNK           65536u
#define BULK_RUNS       3u     /* odd: the median is one of them */
#define DEADLINE_S      300u   /* whole run, both processes */

static void die(const char *what)
{
	fprintf(stderr, "bench-socketpair: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void diex(const char *what)
{
	fprintf(stderr, "bench-socketpair: %s\n", what);
	exit(1);
}

/* Decimal without sign, within [min, max]; exits on anything else. */
static uint32_t parse_count(const char *s, uint32_t min, uint32_t max, const char *what)
{
	char *end;
	unsigned long v;
	if (s[0] < '0' || s[0] > '9')
		diex(what);
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		diex(what);
	return (uint32_t)v;
}

static void write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("write");
		}
		p += (size_t)n;
		len -= (size_t)n;
	}
}

/* Reads up to len bytes; 0 means EOF. */
static size_t read_some(int fd, void *buf, size_t len)
{
	for (;;) {
		ssize_t n = read(fd, buf, len);
		if (n >= 0)
			return (size_t)n;
		if (errno != EINTR)
			die("read");
	}
}

static pid_t spawn(int sv[2], void (*child)(int fd, void *arg), void *arg)
{
	pid_t pid;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		die("socketpair");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(sv[0]);
		child(sv[1], arg);
		_exit(0);
	}
	close(sv[1]);
	return pid;
}

static void reap(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		diex("child failed");
}

static void echo_child(int fd, void *arg)
{
	uint8_t b;
	(void)arg;
	while (read_some(fd, &b, 1) == 1)
		write_all(fd, &b, 1);
}

static void bulk_child(int fd, void *arg)
{
	const uint64_t total = *(const uint64_t *)arg;
	static uint8_t buf[CHUNK];
	uint64_t sent = 0;
	memset(buf, 0xa5, sizeof buf);
	while (sent < total) {
		size_t n = total - sent < CHUNK ? (size_t)(total - sent) : CHUNK;
		write_all(fd, buf, n);
		sent += n;
	}
}

static void bench_rtt(uint32_t rounds)
{
	int sv[2];
	uint64_t *ns = calloc(rounds, sizeof *ns);
	uint8_t b = 'x';
	pid_t pid;
	if (ns == NULL)
		die("calloc");
	pid = spawn(sv, echo_child, NULL);
	for (uint32_t i = 0; i < WARMUP_ROUNDS + rounds; i++) {
		uint64_t t0 = bench_now_ns();
		write_all(sv[0], &b, 1);
		if (read_some(sv[0], &b, 1) != 1)
			diex("echo child closed early");
		if (i >= WARMUP_ROUNDS)
			ns[i - WARMUP_ROUNDS] = bench_now_ns() - t0;
	}
	close(sv[0]);
	reap(pid);
	bench_sort(ns, rounds);
	printf("socketpair.rtt.median %.2f us socketpair.rtt.median\n",
	       (double)bench_percentile(ns, rounds, 50) / 1000.0);
	printf("socketpair.rtt.p90 %.2f us socketpair.rtt.p90\n",
	       (double)bench_percentile(ns, rounds, 90) / 1000.0);
	free(ns);
}

/* Seconds to move total bytes from a child to us. */
static double bulk_once(uint64_t total)
{
	int sv[2];
	static uint8_t buf[CHUNK];
	uint64_t got = 0, t0, t1;
	size_t n;
	pid_t pid;
	t0 = bench_now_ns();
	pid = spawn(sv, bulk_child, &total);
	while ((n = read_some(sv[0], buf, sizeof buf)) > 0)
		got += n;
	t1 = bench_now_ns();
	close(sv[0]);
	reap(pid);
	if (got != total)
		diex("bulk transfer: short read");
	return (double)(t1 - t0) / 1e9;
}

static void bench_bulk(uint32_t mib)
{
	uint64_t total = (uint64_t)mib << 20;
	double s[BULK_RUNS], t;
	for (size_t i = 0; i < BULK_RUNS; i++) {
		/* insertion sort as we go: BULK_RUNS is tiny */
		size_t j = i;
		t = bulk_once(total);
		for (; j > 0 && s[j - 1] > t; j--)
			s[j] = s[j - 1];
		s[j] = t;
	}
	printf("socketpair.bulk %.2f GB/s socketpair.bulk\n",
	       (double)total / s[BULK_RUNS / 2] / 1e9);
}

int main(int argc, char **argv)
{
	uint32_t rounds = DEFAULT_ROUNDS, mib = DEFAULT_MIB;
	if (argc > 3 || (argc > 1 && argv[1][0] == '-')) {
		fprintf(stderr, "usage: bench-socketpair [ROUNDS [MIB]]\n");
		return 2;
	}
	if (argc > 1)
		rounds = parse_count(argv[1], MIN_ROUNDS, MAX_ROUNDS, "ROUNDS: 10000..10000000");
	if (argc > 2)
		mib = parse_count(argv[2], 1, MAX_MIB, "MIB: 1..65536");
	/* SIGALRM's default action kills us at the deadline.  Children do not
	 * inherit the alarm, but they end when our end of the pair closes
	 * (EOF for the echo child, SIGPIPE for the bulk writer). */
	alarm(DEADLINE_S);
	setvbuf(stdout, NULL, _IOLBF, 0);
	fprintf(stderr, "bench-socketpair: %" PRIu32 " round trips, %" PRIu32 " MiB bulk x %u\n",
		rounds, mib, BULK_RUNS);
	bench_rtt(rounds);
	bench_bulk(mib);
	return 0;
}
