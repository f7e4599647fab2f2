/* Plain libxenvchan I/O with deadlines, for the raw baseline
 * (bench/xen/xenbench.h).  As lib/vchan_xen.c does it, but without any of
 * Bulkhead's code: the baseline must be what libxenvchan alone costs. */
#include "bench/xen/xenbench.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <time.h>

#include <libxenvchan.h>

#define POLL_SLICE_MS 1000

uint64_t xb_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void xb_put_u32(uint8_t out[4], uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		out[i] = (uint8_t)(v >> (8 * i));
}

uint32_t xb_get_u32(const uint8_t in[4])
{
	return (uint32_t)in[0] | (uint32_t)in[1] << 8 | (uint32_t)in[2] << 16 | (uint32_t)in[3] << 24;
}

/* One event, or the deadline.  A wake-up may be for the other direction:
 * callers loop. */
static int wait_event(struct libxenvchan *x, uint64_t deadline_ms)
{
	struct pollfd p = { .fd = libxenvchan_fd_for_select(x), .events = POLLIN };

	for (;;) {
		uint64_t now = xb_now_ms(), left;
		int n;

		if (now >= deadline_ms)
			return -ETIMEDOUT;
		left = deadline_ms - now;
		n = poll(&p, 1, (int)(left > POLL_SLICE_MS ? POLL_SLICE_MS : left));
		if (n < 0 && errno != EINTR)
			return -EIO;
		if (n > 0)
			return libxenvchan_wait(x) < 0 ? -EIO : 0;
		/* A peer that closed without an event we saw. */
		if (n == 0 && libxenvchan_is_open(x) == 0)
			return -EPIPE;
	}
}

static int chunk(size_t len)
{
	return len > XB_CHUNK ? (int)XB_CHUNK : (int)len;
}

/* Either direction, as lib/vchan.c's transfer: reads into `in` when it
 * is set, else writes from `out`, waiting for the peer's event between
 * partial transfers until the deadline. */
static int transfer(struct libxenvchan *x, uint8_t *in, const uint8_t *out, size_t len, uint64_t deadline_ms)
{
	size_t done = 0;

	while (done < len) {
		int n = in != NULL ? libxenvchan_read(x, in + done, chunk(len - done))
				   : libxenvchan_write(x, out + done, chunk(len - done));

		if (n < 0)
			return -EPIPE;
		if (n == 0) {
			int rc = wait_event(x, deadline_ms);

			if (rc < 0)
				return rc;
			continue;
		}
		if ((size_t)n > len - done)
			return -EIO;
		done += (size_t)n;
	}
	return 0;
}

int xb_write_all(struct libxenvchan *x, const void *buf, size_t len, uint64_t deadline_ms)
{
	return transfer(x, NULL, buf, len, deadline_ms);
}

int xb_read_all(struct libxenvchan *x, void *buf, size_t len, uint64_t deadline_ms)
{
	return transfer(x, buf, NULL, len, deadline_ms);
}

int xb_drain(struct libxenvchan *x, uint64_t len, uint64_t deadline_ms)
{
	static uint8_t untrusted_sink[XB_CHUNK];

	while (len > 0) {
		size_t want = len > sizeof(untrusted_sink) ? sizeof(untrusted_sink) : (size_t)len;
		int n = libxenvchan_read(x, untrusted_sink, (int)want);

		if (n < 0)
			return -EPIPE;
		if (n == 0) {
			int rc = wait_event(x, deadline_ms);

			if (rc < 0)
				return rc;
			continue;
		}
		if ((size_t)n > want)
			return -EIO;
		len -= (uint64_t)n;
	}
	return 0;
}
