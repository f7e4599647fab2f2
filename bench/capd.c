/* Benchmarks of capd (issue #4: mint+verify >= 200,000 per second), each
 * next to a baseline measured in the same run:
 *   capd.mac.pairs          two keyed BLAKE2b-256 of a token and a call
 *                           (the bare cryptography of one mint and one
 *                           verify): the floor of any MAC-based design
 *   capd.inproc.pairs       capd_state_mint + capd_state_redeem in this
 *                           process: MACs, a random id, the live table,
 *                           every check  vs  capd.mac.pairs
 *   capd.step.*             the capability step of one call: MINT (as
 *                           policyd) then REDEEM (as the target's
 *                           qrexec-daemon) through a running capd, over
 *                           held connections, each answered once its audit
 *                           record is written (group commit syncs it just
 *                           after); pairs 2 ms apart, as calls arrive
 *                           vs  socketpair.rtt.* (each step is two);
 *                           capd.step.mint.*: its MINT alone
 *   capd.daemon.pair.*      the same back to back, faster than the disk
 *                           syncs: appends wait for the flusher
 *   capd.daemon.pairs       that, as a throughput
 * Starts its own capd (needs root) in a scratch BULKHEAD_ROOT under
 * $TMPDIR (default /tmp): the audit log's fdatasync is most of a pair's
 * time through the daemon, so the file system matters. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/instance.h"
#include "bench/stats.h"
#include "capd/capd_client.h"
#include "capd/capd_state.h"
#include "lib/dom0_uids.h"
#include "lib/io.h"
#include "lib/paths.h"

#define PAIRS        400000u
#define DAEMON_PAIRS 2000u
#define STEP_PAIRS   500u
#define STEP_GAP_US  2000u

static volatile uint8_t sink;

static struct capd_call bench_call(void)
{
	struct capd_call c;

	if (capd_call_set(&c, "work", 2, "personal", 3, "bench.Service", "some-argument", "bench-request-0001") != 0)
		exit(1);
	return c;
}

static void bench_mac(const struct capd_call *c)
{
	uint8_t key[CAPD_KEY_SIZE], mac[CAPD_MAC_SIZE];
	struct capd_token t;
	uint64_t t0;
	double secs;

	memset(key, 3, sizeof(key));
	memset(&t, 0, sizeof(t));
	t.version = t.uses = 1;
	t0 = bench_now_ns();
	for (uint32_t i = 0; i < PAIRS; i++) {
		t.expiry_ms = i;
		capd_token_mac(key, &t, c, mac);     /* mint */
		capd_token_mac(key, &t, c, t.mac);   /* verify */
		sink ^= mac[0] ^ t.mac[1];
	}
	secs = (double)(bench_now_ns() - t0) / 1e9;
	printf("capd.mac.pairs %.0f calls/s capd.mac.pairs\n", PAIRS / secs);
}

static void bench_inproc(const struct capd_call *c)
{
	uint8_t key[CAPD_KEY_SIZE], epoch[CAPD_EPOCH_SIZE];
	struct capd_clock clk = { 1000, 1700000000 };
	struct capd_state *s;
	struct capd_token t;
	uint64_t t0;
	double secs;

	memset(key, 3, sizeof(key));
	memset(epoch, 4, sizeof(epoch));
	s = capd_state_new(key, epoch, NULL);
	if (s == NULL)
		exit(1);
	t0 = bench_now_ns();
	for (uint32_t i = 0; i < PAIRS; i++) {
		if (capd_state_mint(s, c, 0, &clk, &t) != CAPD_OK || capd_state_redeem(s, 3, &t, c, &clk) != CAPD_OK) {
			fprintf(stderr, "bench-capd: in-process pair %u refused\n", i);
			exit(1);
		}
	}
	secs = (double)(bench_now_ns() - t0) / 1e9;
	printf("capd.inproc.pairs %.0f calls/s capd.mac.pairs\n", PAIRS / secs);
	capd_state_free(s);
}

/* A connection to capd made with uid as the effective uid: SO_PEERCRED
 * records the credentials of connect(). */
static struct capd_conn *conn_as(uid_t uid)
{
	struct capd_conn *c = NULL;
	int rc;

	if (setegid(uid) < 0 || seteuid(uid) < 0)
		return NULL;
	rc = capd_conn_open(&c, now_ms() + 5000);
	if (seteuid(0) < 0 || setegid(0) < 0)
		exit(1);
	return rc == 0 ? c : NULL;
}

/* One MINT and its REDEEM; their time in ns (*mint_ns: the MINT's), or 0
 * when refused. */
static uint64_t pair(struct capd_conn *pol, struct capd_conn *dmn, const struct capd_call *call, uint64_t *mint_ns)
{
	struct capd_token t;
	uint32_t reason = 0;
	uint64_t t0 = bench_now_ns(), t1;

	if (capd_mint(pol, call, 0, &t, &reason, now_ms() + 5000) != 0)
		goto refused;
	t1 = bench_now_ns();
	if (capd_redeem(dmn, &t, call, &reason, now_ms() + 5000) != 0)
		goto refused;
	*mint_ns = t1 - t0;
	return bench_now_ns() - t0;
refused:
	fprintf(stderr, "bench-capd: a pair through capd refused (%u)\n", reason);
	return 0;
}

static int bench_daemon(const struct capd_call *call)
{
	static uint64_t v[DAEMON_PAIRS], m[DAEMON_PAIRS];
	struct capd_conn *pol = NULL, *dmn = NULL;
	uint64_t all;

	for (int i = 0; i < 200 && pol == NULL; i++) {
		usleep(20000);
		pol = conn_as(BH_UID_POLICYD);
	}
	dmn = conn_as(BH_UID_QREXEC_DAEMON(3));
	if (pol == NULL || dmn == NULL) {
		fprintf(stderr, "bench-capd: cannot connect to capd\n");
		return -1;
	}
	for (uint32_t i = 0; i < STEP_PAIRS; i++) {
		usleep(STEP_GAP_US);
		if ((v[i] = pair(pol, dmn, call, &m[i])) == 0)
			return -1;
	}
	bench_report_us("capd.step", v, STEP_PAIRS, "socketpair.rtt");
	bench_report_us("capd.step.mint", m, STEP_PAIRS, "socketpair.rtt");
	all = bench_now_ns();
	for (uint32_t i = 0; i < DAEMON_PAIRS; i++)
		if ((v[i] = pair(pol, dmn, call, &m[i])) == 0)
			return -1;
	all = bench_now_ns() - all;
	printf("capd.daemon.pairs %.0f calls/s capd.inproc.pairs\n", DAEMON_PAIRS / ((double)all / 1e9));
	bench_report_us("capd.daemon.pair", v, DAEMON_PAIRS, "socketpair.rtt");
	capd_conn_close(pol);
	capd_conn_close(dmn);
	return 0;
}

int main(void)
{
	struct capd_call call = bench_call();
	struct bench_instance in;
	char dir[BENCH_PATH_MAX + 32];
	int rc = 1;

	if (sodium_init() < 0)
		return 1;
	bench_mac(&call);
	bench_inproc(&call);

	if (geteuid() != 0) {
		fprintf(stderr, "bench-capd: needs root (it starts capd)\n");
		return 1;
	}
	if (bench_instance_init(&in, "bench-capd") < 0)
		goto out;
	/* Callers under dedicated uids must reach the socket. */
	snprintf(dir, sizeof(dir), "%s/run/bulkhead", in.root);
	if (chmod(in.root, 0711) < 0 || mkdirs_abs(dir, 0711) < 0 || chmod(dir, 0711) < 0)
		goto out;
	snprintf(dir, sizeof(dir), "%s/run", in.root);
	if (chmod(dir, 0711) < 0 || bench_instance_start(&in, "capd") < 0)
		goto out;
	if (bench_daemon(&call) == 0)
		rc = 0;
out:
	bench_instance_end(&in);
	return rc;
}
