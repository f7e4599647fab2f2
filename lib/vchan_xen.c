/* The Xen vchan transport: libxenvchan (grant-table rings, an event
 * channel) behind lib/vchan.h.  Built into its own library, libvchanxen,
 * which only programs that may run under Xen link (SPEC/vchan.md "Xen
 * transport"); lib/vchan.c finds vchan_xen_ops through a weak reference.
 *
 * Xenstore layout as in Qubes: the server publishes its ring under its own
 * data/vchan/<client>/<port>; the client reads
 * /local/domain/<server>/data/vchan/<client>/<port>.
 *
 * Every libxenvchan is kept non-blocking (ctrl->blocking = 0): reads and
 * writes return at once, and every wait is poll() on the event fd with
 * the caller's deadline, then libxenvchan_wait() to consume the event
 * (it does not block once the fd is readable). */
#include "vchan_impl.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxenvchan.h>
#include <xenevtchn.h>
#include <xenstore.h>

#include "io.h"

#define XS_PATH_MAX      64      /* libxenvchan_client_init's own limit, with "/ring-ref" */
#define POLL_SLICE_MS    60000
/* A client built on plain libxenvchan does not signal its arrival, so a
 * server waiting for one also looks at the ring this often. */
#define CONNECT_CHECK_MS 100

struct xenchan {
	struct vchan base;
	struct libxenvchan *x;
};

static struct xenchan *xc(struct vchan *v)
{
	return (struct xenchan *)v;
}

static const struct xenchan *cxc(const struct vchan *v)
{
	return (const struct xenchan *)v;
}

static int errno_or(int fallback)
{
	return errno > 0 ? -errno : fallback;
}

static int xen_available(void)
{
	return access("/dev/xen/gntdev", F_OK) == 0;
}

static struct xenchan *wrap(struct libxenvchan *x, int *err)
{
	struct xenchan *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		libxenvchan_close(x);
		*err = -ENOMEM;
		return NULL;
	}
	x->blocking = 0;    /* deadlines are ours: see the top of this file */
	c->base.ops = &vchan_xen_ops;
	c->x = x;
	return c;
}

static struct vchan *xen_server_init(uint32_t remote, uint32_t port, size_t read_min,
				     size_t write_min, int *err)
{
	char path[XS_PATH_MAX];
	struct libxenvchan *x;
	struct xenchan *c;
	int n = snprintf(path, sizeof(path), "data/vchan/%u/%u", remote, port);

	if (n < 0 || (size_t)n >= sizeof(path)) {
		*err = -ENAMETOOLONG;
		return NULL;
	}
	errno = 0;
	x = libxenvchan_server_init(NULL, (int)remote, path,
				    read_min ? read_min : VCHAN_DEFAULT_RING,
				    write_min ? write_min : VCHAN_DEFAULT_RING);
	if (x == NULL) {
		*err = errno_or(-EIO);
		return NULL;
	}
	c = wrap(x, err);
	return c != NULL ? &c->base : NULL;
}

/* Our own domain id, as xenstore knows it (VCHAN_DOMAIN is not needed in
 * a Xen domain). */
static int own_domid(struct xs_handle *xs, uint32_t *out)
{
	unsigned int len = 0;
	char *s = xs_read(xs, XBT_NULL, "domid", &len);
	uint32_t v = 0;
	int rc = 0;

	if (s == NULL)
		return errno_or(-EIO);
	if (len == 0 || len > 5)
		rc = -EPROTO;
	for (unsigned int i = 0; rc == 0 && i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			rc = -EPROTO;
		else
			v = v * 10u + (uint32_t)(s[i] - '0');
	}
	free(s);
	if (rc == 0 && v >= VCHAN_DOMID_LIMIT)
		rc = -EPROTO;
	if (rc == 0)
		*out = v;
	return rc;
}

/* Waits for a xenstore watch event, at most until the deadline. */
static int wait_watch(struct xs_handle *xs, uint64_t deadline_ms)
{
	struct pollfd p = { .fd = xs_fileno(xs), .events = POLLIN };
	uint64_t now = now_ms(), left;
	char **ev;

	if (p.fd < 0)
		return -EIO;
	if (now >= deadline_ms)
		return -ETIMEDOUT;
	left = deadline_ms - now;
	if (poll(&p, 1, (int)(left > POLL_SLICE_MS ? POLL_SLICE_MS : left)) < 0 && errno != EINTR)
		return -errno;
	while ((ev = xs_check_watch(xs)) != NULL)
		free(ev);
	return 0;
}

static struct vchan *xen_client_init(uint32_t remote, uint32_t port, uint64_t deadline_ms,
				     int *err)
{
	static const char token[] = "bulkhead-vchan";
	char path[XS_PATH_MAX];
	struct libxenvchan *x = NULL;
	struct xs_handle *xs;
	struct xenchan *c;
	uint32_t self;
	int rc, n;

	xs = xs_open(0);
	if (xs == NULL) {
		*err = errno_or(-EIO);
		return NULL;
	}
	if ((rc = own_domid(xs, &self)) < 0)
		goto out;
	n = snprintf(path, sizeof(path), "/local/domain/%u/data/vchan/%u/%u", remote, self, port);
	if (n < 0 || (size_t)n + sizeof("/ring-ref") > sizeof(path)) {
		rc = -ENAMETOOLONG;
		goto out;
	}
	/* Watch first, then look: the server publishing in between still
	 * fires the watch. */
	if (!xs_watch(xs, path, token)) {
		rc = errno_or(-EIO);
		goto out;
	}
	for (;;) {
		x = libxenvchan_client_init(NULL, (int)remote, path);
		if (x != NULL)
			break;
		if ((rc = wait_watch(xs, deadline_ms)) < 0)
			break;
	}
	(void)xs_unwatch(xs, path, token);
	if (x != NULL) {
		/* Tell a server waiting in vchan_wait that we are here. */
		(void)xenevtchn_notify(x->event, x->event_port);
		rc = 0;
	}
out:
	xs_close(xs);
	if (x == NULL) {
		*err = rc < 0 ? rc : -EIO;
		return NULL;
	}
	c = wrap(x, err);
	return c != NULL ? &c->base : NULL;
}

static size_t clamp_len(size_t len)
{
	return len > INT_MAX ? INT_MAX : len;
}

static ssize_t xen_read(struct vchan *v, void *buf, size_t len)
{
	struct libxenvchan *x = xc(v)->x;
	int n;

	if (len == 0)
		return 0;
	n = libxenvchan_read(x, buf, clamp_len(len));
	/* libxenvchan's writer raises the event only if the reader asked
	 * for it (the ring's notify bits), and a read that finds all it
	 * wants asks for nothing.  Ask after every read, so that whoever
	 * polls this fd next hears of the peer's next write: without it a
	 * qrexec-daemon that had read the agent's HELLO slept through
	 * every later message (service requests, CONNECTION_TERMINATED). */
	if (n > 0)
		(void)libxenvchan_data_ready(x);
	if (n >= 0)
		return n;
	return libxenvchan_is_open(x) == VCHAN_DISCONNECTED ? -EPIPE : -EIO;
}

static ssize_t xen_write(struct vchan *v, const void *buf, size_t len)
{
	struct libxenvchan *x = xc(v)->x;
	int n;

	if (len == 0)
		return 0;
	n = libxenvchan_write(x, buf, clamp_len(len));
	if (n >= 0)
		return n;
	return libxenvchan_is_open(x) == VCHAN_DISCONNECTED ? -EPIPE : -EIO;
}

static int xen_wait(struct vchan *v, uint64_t deadline_ms)
{
	struct libxenvchan *x = xc(v)->x;

	for (;;) {
		int waiting = libxenvchan_is_open(x) == VCHAN_WAITING;
		struct pollfd p = { .fd = libxenvchan_fd_for_select(x), .events = POLLIN };
		uint64_t now = now_ms(), left = now >= deadline_ms ? 0 : deadline_ms - now;
		uint64_t slice = waiting ? CONNECT_CHECK_MS : POLL_SLICE_MS;
		int n = poll(&p, 1, (int)(left > slice ? slice : left));

		if (n < 0) {
			if (errno != EINTR)
				return -errno;
			continue;
		}
		if (n > 0)
			return libxenvchan_wait(x) < 0 ? errno_or(-EIO) : 0;
		if (waiting && libxenvchan_is_open(x) != VCHAN_WAITING)
			return 0;
		if (now_ms() >= deadline_ms)
			return -ETIMEDOUT;
	}
}

static int xen_fd(const struct vchan *v)
{
	return libxenvchan_fd_for_select(cxc(v)->x);
}

static short xen_poll_events(const struct vchan *v, int want_write)
{
	(void)v;
	(void)want_write;     /* space arrives as an event, readable */
	return POLLIN;
}

static int xen_is_open(struct vchan *v)
{
	return libxenvchan_is_open(xc(v)->x);
}

static size_t xen_data_ready(struct vchan *v)
{
	int n = libxenvchan_data_ready(xc(v)->x);

	return n > 0 ? (size_t)n : 0;
}

static size_t xen_buffer_space(struct vchan *v)
{
	int n = libxenvchan_buffer_space(xc(v)->x);

	return n > 0 ? (size_t)n : 0;
}

static void xen_close(struct vchan *v)
{
	struct xenchan *c = xc(v);

	libxenvchan_close(c->x);
	free(c);
}

const struct vchan_ops vchan_xen_ops = {
	.name = "xen",
	.available = xen_available,
	.server_init = xen_server_init,
	.client_init = xen_client_init,
	.read = xen_read,
	.write = xen_write,
	.wait = xen_wait,
	.fd = xen_fd,
	.poll_events = xen_poll_events,
	.is_open = xen_is_open,
	.data_ready = xen_data_ready,
	.buffer_space = xen_buffer_space,
	.close = xen_close,
	/* /dev/xen/gntalloc, /dev/xen/evtchn and xenstore are root's in dom0. */
	.privileged = 1,
};
