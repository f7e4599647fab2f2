/* The in-memory vchan transport (lib/vchan_mem.h): two byte queues per
 * channel and an eventfd that mirrors "something to read". */
#include "vchan_mem.h"
#include "vchan_impl.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "io.h"

struct memq {
	uint8_t *buf;
	size_t off, len, cap;    /* bytes [off, len) are queued */
};

struct memchan {
	struct vchan base;
	uint32_t remote, port;
	struct memq in, out;     /* in: the peer's bytes; out: ours */
	bool peer_closed;
	bool signalled;          /* the eventfd's counter is non-zero */
	int efd;
	struct memchan *next;    /* open channels, newest first */
};

static struct memchan *open_chans;
static void (*on_open)(struct vchan *v, void *ctx);
static void *on_open_ctx;

static struct memchan *mc(struct vchan *v)
{
	return (struct memchan *)v;
}

static const struct memchan *cmc(const struct vchan *v)
{
	return (const struct memchan *)v;
}

static size_t queued(const struct memq *q)
{
	return q->len - q->off;
}

static int memq_add(struct memq *q, const void *p, size_t n, size_t max)
{
	if (n == 0)
		return 0;
	if (n > max - queued(q))
		return -ENOBUFS;
	if (q->off > 0 && q->len + n > q->cap) {
		memmove(q->buf, q->buf + q->off, queued(q));
		q->len -= q->off;
		q->off = 0;
	}
	if (q->len + n > q->cap) {
		size_t cap = q->cap ? q->cap : 4096;
		uint8_t *nb;

		while (cap < q->len + n)
			cap *= 2;
		if ((nb = realloc(q->buf, cap)) == NULL)
			return -ENOMEM;
		q->buf = nb;
		q->cap = cap;
	}
	memcpy(q->buf + q->len, p, n);
	q->len += n;
	return 0;
}

/* The eventfd is readable exactly while a read would not return 0. */
static void update_signal(struct memchan *m)
{
	bool want = queued(&m->in) > 0 || m->peer_closed;

	if (want == m->signalled)
		return;
	if (want)
		(void)eventfd_write(m->efd, 1);
	else {
		eventfd_t drained;
		(void)eventfd_read(m->efd, &drained);
	}
	m->signalled = want;
}

static int mem_available(void)
{
	return 1;
}

static struct vchan *mem_open(uint32_t remote, uint32_t port, int *err)
{
	struct memchan *m = calloc(1, sizeof(*m));

	if (m == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	m->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (m->efd < 0) {
		*err = -errno;
		free(m);
		return NULL;
	}
	m->base.ops = &vchan_mem_ops;
	m->remote = remote;
	m->port = port;
	m->next = open_chans;
	open_chans = m;
	if (on_open != NULL)
		on_open(&m->base, on_open_ctx);
	return &m->base;
}

static struct vchan *mem_server_init(uint32_t remote, uint32_t port, size_t read_min, size_t write_min, int *err)
{
	(void)read_min;
	(void)write_min;
	return mem_open(remote, port, err);
}

static struct vchan *mem_client_init(uint32_t remote, uint32_t port, uint64_t deadline_ms, int *err)
{
	(void)deadline_ms;
	return mem_open(remote, port, err);
}

static ssize_t mem_read(struct vchan *v, void *buf, size_t len)
{
	struct memchan *m = mc(v);
	size_t n = queued(&m->in) < len ? queued(&m->in) : len;

	if (n == 0)
		return len > 0 && m->peer_closed ? -EPIPE : 0;
	memcpy(buf, m->in.buf + m->in.off, n);
	m->in.off += n;
	update_signal(m);
	return (ssize_t)n;
}

static ssize_t mem_write(struct vchan *v, const void *buf, size_t len)
{
	int rc = memq_add(&mc(v)->out, buf, len, VCHAN_MEM_OUT_MAX);

	return rc < 0 ? rc : (ssize_t)len;
}

static int mem_wait(struct vchan *v, uint64_t deadline_ms)
{
	struct memchan *m = mc(v);

	/* Nothing changes while this thread waits unless another one feeds
	 * the channel: poll the eventfd for it, deadline and all. */
	for (;;) {
		uint64_t now = now_ms();
		struct pollfd p = { .fd = m->efd, .events = POLLIN };

		if (m->signalled)
			return 0;
		if (now >= deadline_ms)
			return -ETIMEDOUT;
		if (poll(&p, 1, deadline_ms - now > 60000 ? 60000 : (int)(deadline_ms - now)) < 0 && errno != EINTR)
			return -errno;
		if (p.revents & POLLIN)
			return 0;
	}
}

static int mem_fd(const struct vchan *v)
{
	return cmc(v)->efd;
}

static short mem_poll_events(const struct vchan *v, int want_write)
{
	(void)v;
	(void)want_write;   /* writes never wait */
	return POLLIN;
}

static int mem_is_open(struct vchan *v)
{
	return mc(v)->peer_closed ? VCHAN_DISCONNECTED : VCHAN_CONNECTED;
}

static size_t mem_data_ready(struct vchan *v)
{
	return queued(&mc(v)->in);
}

static size_t mem_buffer_space(struct vchan *v)
{
	return VCHAN_MEM_OUT_MAX - queued(&mc(v)->out);
}

static void mem_close(struct vchan *v)
{
	struct memchan *m = mc(v);

	for (struct memchan **pp = &open_chans; *pp != NULL; pp = &(*pp)->next)
		if (*pp == m) {
			*pp = m->next;
			break;
		}
	close(m->efd);
	free(m->in.buf);
	free(m->out.buf);
	free(m);
}

const struct vchan_ops vchan_mem_ops = {
	.name = "mem",
	.available = mem_available,
	.server_init = mem_server_init,
	.client_init = mem_client_init,
	.read = mem_read,
	.write = mem_write,
	.wait = mem_wait,
	.fd = mem_fd,
	.poll_events = mem_poll_events,
	.is_open = mem_is_open,
	.data_ready = mem_data_ready,
	.buffer_space = mem_buffer_space,
	.close = mem_close,
	.splice_fd = NULL,
};

struct vchan *vchan_mem_find(uint32_t remote, uint32_t port)
{
	for (struct memchan *m = open_chans; m != NULL; m = m->next)
		if (m->remote == remote && m->port == port)
			return &m->base;
	return NULL;
}

void vchan_mem_on_open(void (*cb)(struct vchan *v, void *ctx), void *ctx)
{
	on_open = cb;
	on_open_ctx = ctx;
}

int vchan_mem_feed(struct vchan *v, const void *buf, size_t len)
{
	struct memchan *m = mc(v);
	int rc;

	if (v->ops != &vchan_mem_ops || m->peer_closed)
		return -EINVAL;
	if ((rc = memq_add(&m->in, buf, len, VCHAN_MEM_IN_MAX)) < 0)
		return rc;
	update_signal(m);
	return 0;
}

void vchan_mem_close_peer(struct vchan *v)
{
	struct memchan *m = mc(v);

	if (v->ops != &vchan_mem_ops)
		return;
	m->peer_closed = true;
	update_signal(m);
}

const uint8_t *vchan_mem_sent(struct vchan *v, size_t *len)
{
	struct memchan *m = mc(v);

	*len = v->ops == &vchan_mem_ops ? queued(&m->out) : 0;
	return *len ? m->out.buf + m->out.off : NULL;
}

void vchan_mem_take(struct vchan *v, size_t n)
{
	struct memchan *m = mc(v);

	if (v->ops != &vchan_mem_ops || n > queued(&m->out))
		return;
	m->out.off += n;
	if (m->out.off == m->out.len)
		m->out.off = m->out.len = 0;
}
