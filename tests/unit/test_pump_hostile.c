/* A hostile qube on a qrexec data channel (part of the hostile-qube suite,
 * tests/hostile/README.md): dom0's end of the data phase (qrexec/lib/
 * pump.c) against a peer process that completes the HELLO and then sends
 * bytes the data channel may not carry.  dom0 is the caller (qrexec-client
 * facing a qube's service, PUMP_CLIENT) or the service (policyd's runner
 * serving a qube's call into dom0, PUMP_SERVICE).  For each attack: the
 * pump ends with -EPROTO (-EPIPE or -ECONNRESET when the qube only went
 * away), within a few seconds, nothing of the violating message or after
 * it reaches dom0's local fds, and dom0 holds no more fds than before (the
 * sanitizer build checks memory). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/io.h"
#include "lib/vchan.h"
#include "qrexec/lib/pump.h"
#include "qrexec/protocol.h"
#include "tests/lib/check.h"
#include "tests/lib/vchan_dirs.h"

#define QUBE 9u
#define DEADLINE_MS 5000u

/* What pump_run must return: a violation, or the qube gone mid-call. */
enum outcome { VIOLATION, GONE };

struct attack {
	const char *name;
	enum pump_role dom0;    /* dom0's role; the qube plays the other */
	enum outcome want;
	uint8_t bytes[96];      /* what the qube sends after the HELLO */
	size_t len;
	size_t delivered;       /* bytes dom0 may pass on (of a valid message) */
};

/* Little-endian header + payload helpers for the table. */
#define LE(x) (uint8_t)((x) & 0xff), (uint8_t)(((x) >> 8) & 0xff), (uint8_t)(((x) >> 16) & 0xff), \
	      (uint8_t)(((x) >> 24) & 0xff)
#define HDR(t, l) LE(t), LE(l)

static const struct attack attacks[] = {
	/* dom0 is the caller: the qube is the service. */
	{ "unknown type", PUMP_CLIENT, VIOLATION, { HDR(0x1234u, 0) }, 8, 0 },
	{ "stdin from the service", PUMP_CLIENT, VIOLATION, { HDR(MSG_DATA_STDIN, 1), 'x' }, 9, 0 },
	{ "control message on data", PUMP_CLIENT, VIOLATION, { HDR(MSG_EXEC_CMDLINE, 4), LE(3u) }, 12, 0 },
	{ "chunk over the maximum", PUMP_CLIENT, VIOLATION, { HDR(MSG_DATA_STDOUT, MAX_DATA_CHUNK + 1) }, 8, 0 },
	{ "length 0xffffffff", PUMP_CLIENT, VIOLATION, { HDR(MSG_DATA_STDERR, 0xffffffffu) }, 8, 0 },
	{ "exit code of 3 bytes", PUMP_CLIENT, VIOLATION, { HDR(MSG_DATA_EXIT_CODE, 3), 0, 0, 0 }, 11, 0 },
	{ "exit code of 8 bytes", PUMP_CLIENT, VIOLATION, { HDR(MSG_DATA_EXIT_CODE, 8), LE(0u), LE(0u) }, 16, 0 },
	{ "stdout after its EOF", PUMP_CLIENT, VIOLATION,
	  { HDR(MSG_DATA_STDOUT, 0), HDR(MSG_DATA_STDOUT, 2), 'h', 'i' }, 18, 0 },
	{ "a second HELLO", PUMP_CLIENT, VIOLATION, { HDR(MSG_HELLO, 4), LE(3u) }, 12, 0 },
	{ "gone inside a header", PUMP_CLIENT, GONE, { HDR(MSG_DATA_STDOUT, 4) }, 5, 0 },
	{ "gone inside a payload", PUMP_CLIENT, GONE, { HDR(MSG_DATA_STDOUT, 4), 'a', 'b' }, 10, 2 },
	{ "gone before the exit code", PUMP_CLIENT, GONE, { HDR(MSG_DATA_STDOUT, 0), HDR(MSG_DATA_STDERR, 0) }, 16, 0 },
	/* dom0 is the service: the qube is the caller. */
	{ "stdout from the caller", PUMP_SERVICE, VIOLATION, { HDR(MSG_DATA_STDOUT, 1), 'x' }, 9, 0 },
	{ "stderr from the caller", PUMP_SERVICE, VIOLATION, { HDR(MSG_DATA_STDERR, 1), 'x' }, 9, 0 },
	{ "exit code from the caller", PUMP_SERVICE, VIOLATION, { HDR(MSG_DATA_EXIT_CODE, 4), LE(0u) }, 12, 0 },
	{ "caller chunk over the maximum", PUMP_SERVICE, VIOLATION, { HDR(MSG_DATA_STDIN, MAX_DATA_CHUNK + 1) }, 8, 0 },
	{ "stdin after its EOF", PUMP_SERVICE, VIOLATION,
	  { HDR(MSG_DATA_STDIN, 0), HDR(MSG_DATA_STDIN, 1), 'z' }, 17, 0 },
};

static struct vchan_dirs dirs;

/* The qube: connects, says HELLO, sends the attack, keeps the channel open
 * for a while (so dom0 cannot mistake the violation for an EOF), leaves. */
static _Noreturn void qube_side(uint32_t port, const struct attack *a, int linger)
{
	uint32_t version;
	struct vchan *v;
	int e = 0;

	vchan_dirs_as_qube(&dirs);
	v = vchan_client_init(0, port, now_ms() + DEADLINE_MS, &e);
	if (v == NULL || pump_handshake(v, 0, &version, now_ms() + DEADLINE_MS) < 0)
		_exit(90);
	if (vchan_send(v, a->bytes, a->len, now_ms() + DEADLINE_MS) < 0)
		_exit(91);
	/* Something that must never reach dom0's fds after the violation. */
	if (a->want == VIOLATION) {
		static const uint8_t late[] = { HDR(MSG_DATA_STDOUT, 4), 'L', 'A', 'T', 'E' };
		if (vchan_send(v, late, sizeof(late), now_ms() + 200) < 0) {
			/* dom0 may have dropped the channel already: fine */
		}
	}
	if (linger)
		usleep(300000);
	vchan_close(v);
	_exit(0);
}

static int count_fds(void)
{
	int n = 0;
	for (int fd = 0; fd < 1024; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

static void run_attack(const struct attack *a, uint32_t port)
{
	struct pump_config cfg = { .role = a->dom0, .child = -1, .local_err = -1, .local_err_out = -1 };
	int in[2], out[2], e = 0, rc, code = -1, st, before = count_fds();
	uint64_t t0 = now_ms();
	bool ok;
	char got[64];
	ssize_t n;
	pid_t q;

	vchan_dirs_as_dom0(&dirs);
	cfg.v = vchan_server_init(QUBE, port, 0, 0, &e);
	CHECK(cfg.v != NULL);
	if (cfg.v == NULL)
		return;
	q = fork();
	if (q == 0)
		qube_side(port, a, a->want == VIOLATION);
	CHECK(pipe(in) == 0 && pipe(out) == 0);
	/* dom0 as the caller sends nothing but EOF; as the service it keeps
	 * its output open, so only the qube's bytes can end the call. */
	if (a->dom0 == PUMP_CLIENT)
		close(in[1]);
	cfg.local_in = in[0];
	cfg.local_out = out[1];
	rc = vchan_wait_connected(cfg.v, now_ms() + DEADLINE_MS);
	if (rc == 0)
		rc = pump_handshake(cfg.v, 1, &cfg.version, now_ms() + DEADLINE_MS);
	if (rc == 0)
		rc = pump_run(&cfg, &code);
	vchan_close(cfg.v);
	if (a->dom0 == PUMP_SERVICE)
		close(in[1]);
	ok = a->want == VIOLATION ? rc == -EPROTO : rc == -EPIPE || rc == -ECONNRESET;
	if (!ok)
		fprintf(stderr, "%s: pump_run %d (%s)\n", a->name, rc, strerror(rc < 0 ? -rc : 0));
	CHECK(ok);
	CHECK(now_ms() - t0 < DEADLINE_MS);
	/* Nothing of the attack, and nothing after it, reached dom0. */
	n = read(out[0], got, sizeof(got));
	if (n != (ssize_t)a->delivered)
		fprintf(stderr, "%s: %zd bytes reached dom0's fd\n", a->name, n);
	CHECK(n == (ssize_t)a->delivered);
	close(out[0]);
	CHECK(waitpid(q, &st, 0) == q && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	if (count_fds() != before)
		fprintf(stderr, "%s: %d fds before, %d after\n", a->name, before, count_fds());
	CHECK(count_fds() == before);
}

int main(void)
{
	const char *root = getenv("BULKHEAD_ROOT");

	if (root == NULL) {
		printf("skipped: needs BULKHEAD_ROOT\n");
		return 77;
	}
	if (vchan_dirs_make(&dirs, root, QUBE) < 0) {
		printf("cannot make the vchan directories under %s\n", root);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);

	for (size_t i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++) {
		printf("attack: %s (dom0 as %s)\n", attacks[i].name,
		       attacks[i].dom0 == PUMP_CLIENT ? "caller" : "service");
		run_attack(&attacks[i], 600 + (uint32_t)i);
	}
	return check_exit();
}
