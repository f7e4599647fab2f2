/* The socket vchan transport against a bare socketpair (bench/socketpair.c):
 * dom0 serves, a simulated qube (domain 5) connects, through a scratch
 * directory laid out as SPEC/vchan.md describes.
 *
 *   bench-vchan [ROUNDS [MIB]]
 *
 * Bulk: MIB MiB (default 1024) each way in 64 KiB vchan_send calls (as
 * bench-socketpair's writer), read with vchan_read in 64 KiB pieces; the
 * clock runs from the "go" byte to the last byte (server to client: until
 * the client's 1-byte receipt).  Three runs, the median reported.
 * Round trip: 1 byte sent with vchan_send, echoed, received with
 * vchan_recv; ROUNDS timed (default 50000) after 1000 untimed.
 *
 * Built with libvchanxen too, so `make all` proves the Xen transport links;
 * VCHAN_BACKEND=socket keeps it out of the way. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/stats.h"
#include "lib/io.h"
#include "lib/vchan.h"

#define WARMUP_ROUNDS   1000u
#define DEFAULT_ROUNDS  50000u
#define MIN_ROUNDS      10000u
#define MAX_ROUNDS      10000000u
#define DEFAULT_MIB     1024u
#define MAX_MIB         65536u
#define CHUNK           65536u
#define BULK_RUNS       3u
#define DEADLINE_S      300u
#define QUBE            5u
#define PORT            513u

static char dir[64];

static void die(const char *what, int err)
{
	fprintf(stderr, "bench-vchan: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static uint64_t deadline(void)
{
	return now_ms() + DEADLINE_S * 1000u;
}

static uint32_t parse_count(const char *s, uint32_t min, uint32_t max, const char *what)
{
	char *end;
	unsigned long v;
	if (s[0] < '0' || s[0] > '9')
		die(what, EINVAL);
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		die(what, EINVAL);
	return (uint32_t)v;
}

static void send_all(struct vchan *v, const void *buf, size_t len)
{
	int rc = vchan_send(v, buf, len, deadline());
	if (rc < 0)
		die("vchan_send", rc);
}

static void recv_all(struct vchan *v, void *buf, size_t len)
{
	int rc = vchan_recv(v, buf, len, deadline());
	if (rc < 0)
		die("vchan_recv", rc);
}

static void bulk_send(struct vchan *v, uint64_t total)
{
	static uint8_t buf[CHUNK];
	memset(buf, 0xa5, sizeof(buf));
	for (uint64_t sent = 0; sent < total;) {
		size_t n = total - sent < CHUNK ? (size_t)(total - sent) : CHUNK;
		send_all(v, buf, n);
		sent += n;
	}
}

static void bulk_recv(struct vchan *v, uint64_t total)
{
	static uint8_t buf[CHUNK];
	uint64_t end = deadline();
	for (uint64_t got = 0; got < total;) {
		size_t want = total - got < CHUNK ? (size_t)(total - got) : CHUNK;
		ssize_t n = vchan_read(v, buf, want);
		int rc;
		if (n < 0)
			die("vchan_read", (int)n);
		if (n > 0) {
			got += (uint64_t)n;
			continue;
		}
		if ((rc = vchan_wait(v, end)) < 0)
			die("vchan_wait", rc);
	}
}

/* The qube: connects, then follows the parent's script. */
static void qube(uint32_t rounds, uint64_t total)
{
	char own[80];
	struct vchan *v;
	uint8_t b = 0;
	int err = 0;

	snprintf(own, sizeof(own), "%s/%u", dir, QUBE);
	setenv("VCHAN_DOMAIN", "5", 1);
	setenv("VCHAN_SOCKET_DIR", own, 1);
	v = vchan_client_init(0, PORT, deadline(), &err);
	if (v == NULL)
		die("vchan_client_init", err);
	for (unsigned r = 0; r < BULK_RUNS; r++) {
		bulk_recv(v, total);
		send_all(v, &b, 1);          /* receipt */
		recv_all(v, &b, 1);          /* go */
		bulk_send(v, total);
	}
	for (uint32_t i = 0; i < WARMUP_ROUNDS + rounds; i++) {
		recv_all(v, &b, 1);
		send_all(v, &b, 1);
	}
	vchan_close(v);
	exit(0);
}

static void setup_dirs(void)
{
	char sub[80];
	strcpy(dir, "/tmp/bh-bench-vchan.XXXXXX");
	if (mkdtemp(dir) == NULL)
		die("mkdtemp", errno);
	snprintf(sub, sizeof(sub), "%s/%u", dir, QUBE);
	if (mkdir(sub, 0700) < 0)
		die("mkdir", errno);
}

static void remove_dirs(void)
{
	char sub[80];
	snprintf(sub, sizeof(sub), "%s/%u", dir, QUBE);
	if (rmdir(sub) < 0 || rmdir(dir) < 0)
		fprintf(stderr, "bench-vchan: cannot remove %s: %s\n", dir, strerror(errno));
}

int main(int argc, char **argv)
{
	uint32_t rounds = DEFAULT_ROUNDS, mib = DEFAULT_MIB;
	uint64_t total, s2c[BULK_RUNS], c2s[BULK_RUNS], *ns;
	struct vchan *v;
	uint8_t b = 'x';
	int err = 0, st;
	pid_t pid;

	if (argc > 3 || (argc > 1 && argv[1][0] == '-')) {
		fprintf(stderr, "usage: bench-vchan [ROUNDS [MIB]]\n");
		return 2;
	}
	if (argc > 1)
		rounds = parse_count(argv[1], MIN_ROUNDS, MAX_ROUNDS, "ROUNDS: 10000..10000000");
	if (argc > 2)
		mib = parse_count(argv[2], 1, MAX_MIB, "MIB: 1..65536");
	total = (uint64_t)mib << 20;
	alarm(DEADLINE_S);
	setvbuf(stdout, NULL, _IOLBF, 0);
	setenv("VCHAN_BACKEND", "socket", 1);
	unsetenv("VCHAN_DOMAIN");
	setup_dirs();
	setenv("VCHAN_SOCKET_DIR", dir, 1);
	fprintf(stderr, "bench-vchan: %" PRIu32 " round trips, %" PRIu32 " MiB each way x %u\n",
		rounds, mib, BULK_RUNS);

	v = vchan_server_init(QUBE, PORT, 0, 0, &err);
	if (v == NULL)
		die("vchan_server_init", err);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die("fork", errno);
	if (pid == 0)
		qube(rounds, total);
	if ((err = vchan_wait_connected(v, deadline())) < 0)
		die("vchan_wait_connected", err);

	for (unsigned r = 0; r < BULK_RUNS; r++) {
		uint64_t t0 = bench_now_ns();
		bulk_send(v, total);
		recv_all(v, &b, 1);
		s2c[r] = bench_now_ns() - t0;
		t0 = bench_now_ns();
		send_all(v, &b, 1);
		bulk_recv(v, total);
		c2s[r] = bench_now_ns() - t0;
	}
	bench_sort(s2c, BULK_RUNS);
	bench_sort(c2s, BULK_RUNS);

	ns = calloc(rounds, sizeof(*ns));
	if (ns == NULL)
		die("calloc", ENOMEM);
	for (uint32_t i = 0; i < WARMUP_ROUNDS + rounds; i++) {
		uint64_t t0 = bench_now_ns();
		send_all(v, &b, 1);
		recv_all(v, &b, 1);
		if (i >= WARMUP_ROUNDS)
			ns[i - WARMUP_ROUNDS] = bench_now_ns() - t0;
	}
	vchan_close(v);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid", errno);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		die("qube side", EIO);
	remove_dirs();
	bench_sort(ns, rounds);

	printf("vchan.socket.bulk.s2c %.2f GB/s socketpair.bulk\n",
	       (double)total / ((double)s2c[BULK_RUNS / 2] / 1e9) / 1e9);
	printf("vchan.socket.bulk.c2s %.2f GB/s socketpair.bulk\n",
	       (double)total / ((double)c2s[BULK_RUNS / 2] / 1e9) / 1e9);
	printf("vchan.socket.rtt.median %.2f us socketpair.rtt.median\n",
	       (double)bench_percentile(ns, rounds, 50) / 1000.0);
	printf("vchan.socket.rtt.p90 %.2f us socketpair.rtt.p90\n",
	       (double)bench_percentile(ns, rounds, 90) / 1000.0);
	free(ns);
	return 0;
}
