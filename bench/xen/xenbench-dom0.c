/* dom0's side of the Xen measurements (issue #6, SPEC/xen-system.md
 * "Measurements"), run by tests/xen/bench.sh:
 *
 *   xenbench-dom0 raw DOMID T0_US MIB UNPAUSE-CMD...
 *       The raw libxenvchan baseline against xenbench-qube in the paused
 *       domain DOMID: publishes the control vchan, runs UNPAUSE-CMD, and
 *       times, with no Bulkhead code involved:
 *         xen.raw.start.first  T0_US (CLOCK_REALTIME, microseconds: taken
 *                          before `xl create`) to the qube's first byte;
 *                          the machine's first domain since boot
 *         xen.raw.rtt      a 1-byte ping-pong on an open vchan
 *         xen.raw.connect  a new vchan per exchange: publish, the qube
 *                          connects, 1 byte each way, close (the least
 *                          a qrexec call does: it opens a data vchan)
 *         xen.raw.stream   MIB MiB from the qube to dom0, median of 3
 *   xenbench-dom0 start DOMID T0_US UNPAUSE-CMD...
 *       Only the start, printed as xen.raw.start (a domain built again),
 *       then the qube is told to quit.
 *   xenbench-dom0 repeat ... / stream ...   (bench/xen/xenbench.h)
 *
 * Figures on stdout as bench/run reads them; diagnostics on stderr. */
#include "bench/xen/xenbench.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxenvchan.h>

#include "bench/stats.h"

#define ROUNDS           1000u
#define WARMUP_ROUNDS    50u
#define CONNECTS         30u
#define WARMUP_CONNECTS  2u
#define STREAM_RUNS      3u
#define BOOT_DEADLINE_MS 300000u     /* a PV domain's boot under QEMU's TCG */
#define UNPAUSE_MS       60000u
#define MAX_DOMID        32751u      /* DOMID_FIRST_RESERVED - 1 */
#define MIB              (1024u * 1024u)

static void die(const char *what, int err)
{
	fprintf(stderr, "xenbench-dom0 raw: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static uint64_t deadline(void)
{
	return xb_now_ms() + XB_DEADLINE_MS;
}

static uint64_t realtime_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint64_t parse_us(const char *s)
{
	char *end;
	unsigned long long v;

	if (s[0] < '0' || s[0] > '9')
		die("T0_US", EINVAL);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0 || v > realtime_us())
		die("T0_US (microseconds since the epoch, not in the future)", EINVAL);
	return v;
}

static struct libxenvchan *publish(uint32_t domid, uint32_t port)
{
	char path[XB_PATH_MAX];
	int n = snprintf(path, sizeof(path), "data/vchan/%u/%u", domid, port);
	struct libxenvchan *x;

	if (n < 0 || (size_t)n >= sizeof(path))
		die("vchan path", ENAMETOOLONG);
	x = libxenvchan_server_init(NULL, (int)domid, path, XB_RING, XB_RING);
	if (x == NULL)
		die("libxenvchan_server_init", errno ? errno : EIO);
	x->blocking = 0;        /* every wait is ours, with a deadline */
	return x;
}

static void expect(struct libxenvchan *x, uint8_t want, const char *what, uint64_t until)
{
	uint8_t untrusted_b;
	int rc = xb_read_all(x, &untrusted_b, 1, until);

	if (rc < 0)
		die(what, rc);
	if (untrusted_b != want)
		die(what, EPROTO);
}

static void send_cmd(struct libxenvchan *x, uint8_t cmd, uint32_t arg, int with_arg)
{
	uint8_t m[5] = { cmd };
	int rc;

	xb_put_u32(m + 1, arg);
	rc = xb_write_all(x, m, with_arg ? sizeof(m) : 1, deadline());
	if (rc < 0)
		die("send", rc);
}

/* Publishes the control vchan before the paused domain runs (its client
 * never races us), unpauses it, waits for its hello; prints the time
 * since t0_us as NAME. */
static struct libxenvchan *start(uint32_t domid, uint64_t t0_us, char **unpause, const char *name)
{
	struct libxenvchan *ctl = publish(domid, XB_CTRL_PORT);
	int rc = xb_run(unpause, -1, UNPAUSE_MS);

	if (rc != 0)
		die("the unpause command failed", rc < 0 ? rc : EIO);
	expect(ctl, XB_HELLO, "the qube's hello", xb_now_ms() + BOOT_DEADLINE_MS);
	printf("%s %.1f ms %s\n", name, (double)(realtime_us() - t0_us) / 1000.0, name);
	fflush(stdout);
	return ctl;
}

static int start_only(int argc, char **argv)
{
	struct libxenvchan *ctl;

	if (argc < 4)
		return fprintf(stderr, "usage: xenbench-dom0 start DOMID T0_US UNPAUSE-CMD...\n"), 2;
	ctl = start(xb_count(argv[1], 1, MAX_DOMID, "DOMID"), parse_us(argv[2]), argv + 3, "xen.raw.start");
	send_cmd(ctl, XB_QUIT, 0, 0);
	libxenvchan_close(ctl);
	return 0;
}

static int raw(int argc, char **argv)
{
	static uint64_t ns[ROUNDS];
	uint64_t runs[STREAM_RUNS], t0_us;
	uint32_t domid, mib;
	struct libxenvchan *ctl;
	int rc;

	if (argc < 5)
		return fprintf(stderr, "usage: xenbench-dom0 raw DOMID T0_US MIB UNPAUSE-CMD...\n"), 2;
	domid = xb_count(argv[1], 1, MAX_DOMID, "DOMID");
	t0_us = parse_us(argv[2]);
	mib = xb_count(argv[3], 1, XB_MAX_MIB, "MIB");
	ctl = start(domid, t0_us, argv + 4, "xen.raw.start.first");

	for (uint32_t i = 0; i < WARMUP_ROUNDS + ROUNDS; i++) {
		uint64_t t = bench_now_ns();

		send_cmd(ctl, XB_PING, 0, 0);
		expect(ctl, XB_PONG, "pong", deadline());
		if (i >= WARMUP_ROUNDS)
			ns[i - WARMUP_ROUNDS] = bench_now_ns() - t;
	}
	bench_report_us("xen.raw.rtt", ns, ROUNDS, "xen.raw.rtt");
	fflush(stdout);

	for (uint32_t i = 0; i < WARMUP_CONNECTS + CONNECTS; i++) {
		uint64_t t = bench_now_ns();
		struct libxenvchan *x = publish(domid, XB_CONNECT_PORT0 + i);
		uint8_t ack = XB_ACK;

		send_cmd(ctl, XB_CONNECT, XB_CONNECT_PORT0 + i, 1);
		expect(x, XB_HELLO, "hello on a new vchan", deadline());
		if ((rc = xb_write_all(x, &ack, 1, deadline())) < 0)
			die("ack", rc);
		libxenvchan_close(x);
		if (i >= WARMUP_CONNECTS)
			ns[i - WARMUP_CONNECTS] = bench_now_ns() - t;
	}
	bench_report_us("xen.raw.connect", ns, CONNECTS, "xen.raw.connect");
	fflush(stdout);

	for (uint32_t i = 0; i < STREAM_RUNS; i++) {
		uint64_t t = bench_now_ns();

		send_cmd(ctl, XB_STREAM, mib, 1);
		if ((rc = xb_drain(ctl, (uint64_t)mib * MIB, deadline())) < 0)
			die("stream", rc);
		runs[i] = bench_now_ns() - t;
	}
	bench_sort(runs, STREAM_RUNS);
	printf("xen.raw.stream %.2f MiB/s xen.raw.stream\n",
	       (double)mib * 1e9 / (double)bench_percentile(runs, STREAM_RUNS, 50));
	send_cmd(ctl, XB_QUIT, 0, 0);
	libxenvchan_close(ctl);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "raw") == 0)
		return raw(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "start") == 0)
		return start_only(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "repeat") == 0)
		return xb_cmd_repeat(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "stream") == 0)
		return xb_cmd_stream(argc - 1, argv + 1);
	fprintf(stderr, "usage: xenbench-dom0 raw|start|repeat|stream ... (bench/xen/xenbench-dom0.c)\n");
	return 2;
}
