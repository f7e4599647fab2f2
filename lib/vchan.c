/* vchan: transport selection and the blocking calls shared by every
 * transport (SPEC/vchan.md). */
#include "vchan.h"
#include "vchan_impl.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"

/* Weak: NULL unless libvchanxen.a was linked (with --undefined, see
 * lib/module.mk). */
extern const struct vchan_ops vchan_xen_ops __attribute__((weak));
/* Weak likewise: NULL unless lib/vchan_mem.c was linked (tests only). */
extern const struct vchan_ops vchan_mem_ops __attribute__((weak));

uint32_t vchan_local_domain(void)
{
	const char *s = getenv("VCHAN_DOMAIN");
	uint32_t v = 0;

	if (s == NULL)
		return 0;
	/* Decimal, no sign, no leading zero, below the reserved ids. */
	if (s[0] == '\0' || (s[0] == '0' && s[1] != '\0'))
		return VCHAN_DOMAIN_INVALID;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return VCHAN_DOMAIN_INVALID;
		v = v * 10u + (uint32_t)(*p - '0');
		if (v >= VCHAN_DOMID_LIMIT)
			return VCHAN_DOMAIN_INVALID;
	}
	return v;
}

/* The transport, chosen on first use and kept for the process. */
static const struct vchan_ops *select_ops(int *err)
{
	static const struct vchan_ops *chosen;
	static int chosen_err;
	const char *env;
	const struct vchan_ops *xen = &vchan_xen_ops;   /* NULL unless linked */
	const struct vchan_ops *mem = &vchan_mem_ops;   /* likewise */

	if (chosen != NULL || chosen_err != 0)
		goto out;
	env = getenv("VCHAN_BACKEND");
	if (env == NULL || env[0] == '\0') {
		chosen = xen != NULL && xen->available() ? xen : &vchan_socket_ops;
	} else if (strcmp(env, "socket") == 0) {
		chosen = &vchan_socket_ops;
	} else if (strcmp(env, "xen") == 0) {
		if (xen != NULL)
			chosen = xen;
		else
			chosen_err = -EPROTONOSUPPORT;   /* built without libvchanxen */
	} else if (strcmp(env, "mem") == 0 && mem != NULL) {
		chosen = mem;
	} else {
		chosen_err = -EINVAL;
	}
out:
	if (chosen == NULL && err != NULL)
		*err = chosen_err;
	return chosen;
}

const char *vchan_backend(void)
{
	const struct vchan_ops *ops = select_ops(NULL);

	return ops != NULL ? ops->name : NULL;
}

int vchan_init_privileged(void)
{
	const struct vchan_ops *ops = select_ops(NULL);

	return ops == NULL ? -1 : ops->privileged != 0;
}

struct vchan *vchan_server_init(uint32_t remote_domain, uint32_t port,
				size_t read_min, size_t write_min, int *err)
{
	int e = 0;
	const struct vchan_ops *ops = select_ops(&e);
	struct vchan *v = NULL;

	if (ops == NULL)
		goto fail;
	if (remote_domain >= VCHAN_DOMID_LIMIT || vchan_local_domain() == VCHAN_DOMAIN_INVALID) {
		e = -EINVAL;
		goto fail;
	}
	v = ops->server_init(remote_domain, port, read_min, write_min, &e);
	if (v != NULL)
		return v;
fail:
	if (err != NULL)
		*err = e < 0 ? e : -EIO;
	return NULL;
}

struct vchan *vchan_client_init(uint32_t remote_domain, uint32_t port,
				uint64_t deadline_ms, int *err)
{
	int e = 0;
	const struct vchan_ops *ops = select_ops(&e);
	struct vchan *v = NULL;

	if (ops == NULL)
		goto fail;
	if (remote_domain >= VCHAN_DOMID_LIMIT || vchan_local_domain() == VCHAN_DOMAIN_INVALID) {
		e = -EINVAL;
		goto fail;
	}
	v = ops->client_init(remote_domain, port, deadline_ms, &e);
	if (v != NULL)
		return v;
fail:
	if (err != NULL)
		*err = e < 0 ? e : -EIO;
	return NULL;
}

int vchan_wait_connected(struct vchan *v, uint64_t deadline_ms)
{
	for (;;) {
		int st = v->ops->is_open(v), rc;

		if (st == VCHAN_CONNECTED)
			return 0;
		if (st == VCHAN_DISCONNECTED)
			return -EPIPE;
		if (now_ms() >= deadline_ms)
			return -ETIMEDOUT;
		rc = v->ops->wait(v, deadline_ms);
		if (rc < 0 && rc != -ETIMEDOUT)
			return rc;
	}
}

ssize_t vchan_read(struct vchan *v, void *buf, size_t len)
{
	return v->ops->read(v, buf, len);
}

ssize_t vchan_write(struct vchan *v, const void *buf, size_t len)
{
	return v->ops->write(v, buf, len);
}

/* Waits, within the deadline, for what a blocked recv (data) or send
 * (space) needs, and only that: waking on the other direction's events
 * would spin (a peer that sends but never reads keeps POLLIN set while we
 * wait for space).  A server whose peer has not come yet waits for it. */
static int wait_for(struct vchan *v, int want_write, uint64_t deadline_ms)
{
	uint64_t now = now_ms();
	short ev = vchan_poll_events(v, want_write);
	struct pollfd p;
	int rc;

	if (now >= deadline_ms)
		return -ETIMEDOUT;
	if (v->ops->is_open(v) == VCHAN_WAITING)
		ev = POLLIN;
	else if (want_write && (ev & POLLOUT))
		ev = POLLOUT;           /* the transport signals space as POLLOUT */
	p = (struct pollfd){ .fd = vchan_fd(v), .events = ev };
	rc = poll(&p, 1, deadline_ms - now > 60000 ? 60000 : (int)(deadline_ms - now));
	if (rc < 0 && errno != EINTR)
		return -errno;
	if (rc > 0)
		(void)v->ops->wait(v, 0);     /* acknowledge the event (Xen); never blocks */
	return 0;
}

/* recv and send: the non-blocking call until done, waiting in between
 * for what that direction needs; the deadline is checked every round. */
static int transfer(struct vchan *v, char *in, const char *out, size_t len, uint64_t deadline_ms)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = out ? v->ops->write(v, out + done, len - done) : v->ops->read(v, in + done, len - done);
		int rc;

		if (n < 0)
			return (int)n;
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if ((rc = wait_for(v, out != NULL, deadline_ms)) < 0)
			return rc;
	}
	return 0;
}

int vchan_recv(struct vchan *v, void *buf, size_t len, uint64_t deadline_ms)
{
	return transfer(v, buf, NULL, len, deadline_ms);
}

int vchan_send(struct vchan *v, const void *buf, size_t len, uint64_t deadline_ms)
{
	return transfer(v, NULL, buf, len, deadline_ms);
}

int vchan_wait(struct vchan *v, uint64_t deadline_ms)
{
	return v->ops->wait(v, deadline_ms);
}

int vchan_nothing_to_read(struct vchan *v)
{
	if (v->ops->data_ready(v) > 0 || v->ops->is_open(v) != VCHAN_CONNECTED)
		return 0;
	/* Consume the event first, then look again: data that came in
	 * between is seen now, data after it raises a new event. */
	(void)v->ops->wait(v, 0);
	return v->ops->data_ready(v) == 0 && v->ops->is_open(v) == VCHAN_CONNECTED;
}

int vchan_fd(const struct vchan *v)
{
	return v->ops->fd(v);
}

int vchan_splice_fd(struct vchan *v)
{
	return v->ops->splice_fd ? v->ops->splice_fd(v) : -1;
}

short vchan_poll_events(const struct vchan *v, int want_write)
{
	return v->ops->poll_events(v, want_write);
}

int vchan_is_open(struct vchan *v)
{
	return v->ops->is_open(v);
}

size_t vchan_data_ready(struct vchan *v)
{
	return v->ops->data_ready(v);
}

size_t vchan_buffer_space(struct vchan *v)
{
	return v->ops->buffer_space(v);
}

void vchan_close(struct vchan *v)
{
	if (v != NULL)
		v->ops->close(v);
}
