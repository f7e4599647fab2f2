/* The qube's side of the Xen measurements (issue #6):
 *
 *   xenbench-qube raw DOMID   the raw libxenvchan client (DOMID: this
 *                             domain's id); answers xenbench-dom0 raw
 *                             (protocol: bench/xen/xenbench.h), then exits
 *   xenbench-qube repeat ... / stream ...   (bench/xen/xenbench.h), to
 *                             time qube-to-qube calls from inside a qube
 *   xenbench-qube zeros MIB BLOCK   writes MIB MiB of zeros to stdout in
 *                             writes of BLOCK bytes: the producer of
 *                             xen.stream, a program as cheap as the raw
 *                             client's loop (busybox's head is not: it
 *                             moves about 9 MiB/s into a pipe under TCG)
 *
 * The raw client runs as bench/xen/raw-init starts it, in a domain of
 * its own with no Bulkhead code.  What dom0 sends is checked: a command
 * byte it does not know, or a port or size out of range, ends the run. */
#include "bench/xen/xenbench.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libxenvchan.h>

#define CONNECT_TRIES     500u       /* x 10 ms: the path is published before dom0 says so */
#define RETRY_NS          10000000L
#define IDLE_DEADLINE_MS  300000u    /* dom0 between two commands */
#define MAX_DOMID         32751u
#define MAX_CONNECT_PORT  (XB_CONNECT_PORT0 + 10000u)
#define MIB               (1024u * 1024u)

static void die(const char *what, int err)
{
	fprintf(stderr, "xenbench-qube raw: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static uint64_t deadline(void)
{
	return xb_now_ms() + XB_DEADLINE_MS;
}

static struct libxenvchan *connect_port(uint32_t self, uint32_t port)
{
	char path[XB_PATH_MAX];
	struct timespec pause = { 0, RETRY_NS };
	int n = snprintf(path, sizeof(path), "/local/domain/0/data/vchan/%u/%u", self, port);

	if (n < 0 || (size_t)n + sizeof("/ring-ref") > sizeof(path))
		die("vchan path", ENAMETOOLONG);
	for (uint32_t i = 0; i < CONNECT_TRIES; i++) {
		struct libxenvchan *x = libxenvchan_client_init(NULL, 0, path);

		if (x != NULL) {
			x->blocking = 0;
			return x;
		}
		nanosleep(&pause, NULL);
	}
	die("libxenvchan_client_init", errno ? errno : EIO);
	return NULL;
}

static void put(struct libxenvchan *x, uint8_t b)
{
	int rc = xb_write_all(x, &b, 1, deadline());

	if (rc < 0)
		die("write", rc);
}

static uint32_t get_arg(struct libxenvchan *x)
{
	uint8_t untrusted_arg[4];
	int rc = xb_read_all(x, untrusted_arg, sizeof(untrusted_arg), deadline());

	if (rc < 0)
		die("read", rc);
	return xb_get_u32(untrusted_arg);
}

static void stream(struct libxenvchan *x, uint32_t mib)
{
	static const uint8_t zeros[XB_CHUNK];

	for (uint64_t left = (uint64_t)mib * MIB; left > 0;) {
		size_t n = left > sizeof(zeros) ? sizeof(zeros) : (size_t)left;
		int rc = xb_write_all(x, zeros, n, deadline());

		if (rc < 0)
			die("stream", rc);
		left -= n;
	}
}

static int raw(int argc, char **argv)
{
	struct libxenvchan *ctl;
	uint32_t self;

	if (argc != 2)
		return fprintf(stderr, "usage: xenbench-qube raw DOMID\n"), 2;
	self = xb_count(argv[1], 1, MAX_DOMID, "DOMID");
	ctl = connect_port(self, XB_CTRL_PORT);
	put(ctl, XB_HELLO);
	for (;;) {
		uint8_t untrusted_cmd;
		uint32_t untrusted_v;
		int rc = xb_read_all(ctl, &untrusted_cmd, 1, xb_now_ms() + IDLE_DEADLINE_MS);

		if (rc < 0)
			die("command", rc);
		switch (untrusted_cmd) {
		case XB_PING:
			put(ctl, XB_PONG);
			break;
		case XB_CONNECT: {
			struct libxenvchan *x;
			uint8_t untrusted_ack;

			untrusted_v = get_arg(ctl);
			if (untrusted_v < XB_CONNECT_PORT0 || untrusted_v > MAX_CONNECT_PORT)
				die("connect port", EPROTO);
			x = connect_port(self, untrusted_v);
			put(x, XB_HELLO);
			if ((rc = xb_read_all(x, &untrusted_ack, 1, deadline())) < 0)
				die("ack", rc);
			if (untrusted_ack != XB_ACK)
				die("ack", EPROTO);
			libxenvchan_close(x);
			break;
		}
		case XB_STREAM:
			untrusted_v = get_arg(ctl);
			if (untrusted_v < 1 || untrusted_v > XB_MAX_MIB)
				die("stream size", EPROTO);
			stream(ctl, untrusted_v);
			break;
		case XB_QUIT:
			libxenvchan_close(ctl);
			return 0;
		default:
			die("unknown command", EPROTO);
		}
	}
}

static int zeros(int argc, char **argv)
{
	static const uint8_t block[XB_CHUNK];
	uint64_t left;
	size_t size;

	if (argc != 3)
		return fprintf(stderr, "usage: xenbench-qube zeros MIB BLOCK\n"), 2;
	left = (uint64_t)xb_count(argv[1], 1, XB_MAX_MIB, "MIB") * MIB;
	size = xb_count(argv[2], 1, XB_CHUNK, "BLOCK");
	while (left > 0) {
		ssize_t n = write(1, block, left > size ? size : (size_t)left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "xenbench-qube zeros: write: %s\n", n < 0 ? strerror(errno) : "nothing written");
			return 1;
		}
		left -= (uint64_t)n;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "raw") == 0)
		return raw(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "repeat") == 0)
		return xb_cmd_repeat(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "stream") == 0)
		return xb_cmd_stream(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "zeros") == 0)
		return zeros(argc - 1, argv + 1);
	fprintf(stderr, "usage: xenbench-qube raw|repeat|stream|zeros ... (bench/xen/xenbench-qube.c)\n");
	return 2;
}
