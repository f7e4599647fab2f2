/* Inter-domain byte channels with the shape of Xen's libxenvchan.
 *
 * A channel joins two domains, addressed by (domain id, port).  One side
 * is the server (vchan_server_init), the other the client
 * (vchan_client_init).  Both directions are reliable byte streams.  Two
 * implementations behind this one interface (SPEC/vchan.md):
 *  - "socket" (lib/vchan_socket.c, in libbulkhead), for the local backend
 *    and tests: a Unix stream socket per channel;
 *  - "xen" (lib/vchan_xen.c, in libvchanxen): libxenvchan over grant
 *    tables and event channels.  Only programs linked with libvchanxen
 *    ($(VCHANXEN_LDLIBS), lib/module.mk) have it.
 * The implementation is chosen once per process: VCHAN_BACKEND=socket|xen
 * in the environment, else xen when it is linked in and /dev/xen/gntdev
 * exists, else socket.  (A third, "mem" (lib/vchan_mem.h), exists only
 * in fuzz targets and tests, which link it and ask for it by name.)
 *
 * Every blocking call takes a deadline (a now_ms() value, lib/io.h).
 * Returns are 0 / a byte count, or -errno (-ETIMEDOUT at the deadline,
 * -EPIPE once the peer has closed).  Not thread-safe; one user per channel.
 *
 * Event loops: each iteration, fetch vchan_fd() again (a socket server's
 * fd changes when its peer connects) and poll it for
 * vchan_poll_events(v, want_write); when poll reports it ready, call
 * vchan_wait(v, 0) (acknowledges the event; it does not block) and then
 * vchan_read / vchan_write until they return 0. */
#ifndef BH_VCHAN_H
#define BH_VCHAN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct vchan;   /* opaque; created by *_init, freed by vchan_close */

#define VCHAN_DEFAULT_RING (64u * 1024u)   /* per direction, as in Qubes */

/* This process's domain id: VCHAN_DOMAIN from the environment (0 = dom0
 * when unset); VCHAN_DOMAIN_INVALID when it is set but not a decimal
 * domain id (then every *_init fails with -EINVAL).  The socket
 * transport's directory: VCHAN_SOCKET_DIR (SPEC/vchan.md). */
#define VCHAN_DOMAIN_INVALID UINT32_MAX
uint32_t vchan_local_domain(void);

/* "socket" or "xen": the transport this process uses; NULL when
 * VCHAN_BACKEND names an unknown one or one not linked in (then every
 * *_init fails with -EINVAL / -EPROTONOSUPPORT). */
const char *vchan_backend(void);

/* 1 when this process's transport needs privileges to make a channel
 * (Xen: dom0's grant-allocation and event-channel devices and xenstore
 * are root's), 0 when it does not (socket: a channel's name belongs to
 * the uid that makes it, which must be the process's final one), -1 when
 * no transport is usable.  A daemon that drops privileges makes its
 * long-lived channels before the drop exactly when this is 1. */
int vchan_init_privileged(void);

/* Server side: returns at once; the peer connects later (vchan_is_open()
 * says VCHAN_WAITING until then).  read_min/write_min are ring sizes the
 * Xen transport honours (0 = default); the socket transport uses them as
 * socket buffer hints. */
struct vchan *vchan_server_init(uint32_t remote_domain, uint32_t port,
				size_t read_min, size_t write_min, int *err);

/* Client side: connects to (remote_domain, port), waiting for the server
 * until the deadline (-ETIMEDOUT). */
struct vchan *vchan_client_init(uint32_t remote_domain, uint32_t port,
				uint64_t deadline_ms, int *err);

/* Waits until the server's peer has connected: 0, -ETIMEDOUT, or -EPIPE
 * if it has connected and gone already. */
int vchan_wait_connected(struct vchan *v, uint64_t deadline_ms) __attribute__((warn_unused_result));

/* Non-blocking: as many bytes as are available / fit right now (0 if
 * none).  -EPIPE when the peer closed and nothing is left. */
ssize_t vchan_read(struct vchan *v, void *buf, size_t len);
ssize_t vchan_write(struct vchan *v, const void *buf, size_t len);

/* Blocking: exactly len bytes, or an error. */
int vchan_recv(struct vchan *v, void *buf, size_t len, uint64_t deadline_ms)
	__attribute__((warn_unused_result));
int vchan_send(struct vchan *v, const void *buf, size_t len, uint64_t deadline_ms)
	__attribute__((warn_unused_result));

/* Blocks until something happened on the channel (data, space after a
 * short write, the peer connecting or closing) or the deadline: 0 or
 * -ETIMEDOUT.  A deadline already past (0) checks without blocking. */
int vchan_wait(struct vchan *v, uint64_t deadline_ms);

/* An fd to poll() for vchan_poll_events(v, want_write): ready when
 * vchan_wait would return.  Owned by v; may change while a server waits
 * for its peer, so fetch it again before every poll. */
int vchan_fd(const struct vchan *v);

/* For bulk data: an fd carrying the channel's byte stream that splice(2)
 * may read from and write to directly, or -1 when the transport cannot
 * (Xen's shared ring; a socket channel not connected yet).  The stream
 * is the one vchan_read/vchan_write see: the transport keeps no bytes of
 * its own.  Non-blocking; valid until vchan_close. */
int vchan_splice_fd(struct vchan *v);

/* The poll() events to ask for on vchan_fd: POLLIN, plus POLLOUT when
 * want_write and the transport signals space that way (socket; the Xen
 * event fd signals space as POLLIN and is always writable, so asking it
 * for POLLOUT would spin). */
short vchan_poll_events(const struct vchan *v, int want_write);

/* VCHAN_WAITING: a server whose peer has not connected yet;
 * VCHAN_DISCONNECTED once the peer has closed (data it sent before may
 * still be readable: drain with vchan_read until -EPIPE). */
enum { VCHAN_DISCONNECTED = 0, VCHAN_CONNECTED = 1, VCHAN_WAITING = 2 };
int vchan_is_open(struct vchan *v);

/* After poll() found vchan_fd readable: 1 when there is nothing to read
 * and the peer is still there -- Xen's event fd is also readable when the
 * peer only made room in the ring -- with that event consumed; 0 when a
 * read would make progress (data, or the peer gone).  Never 1 on the
 * socket transport, whose fd is readable only for data or a hang-up. */
int vchan_nothing_to_read(struct vchan *v);

/* Bytes readable now / writable now without blocking.  The socket
 * transport's buffer_space is an estimate (SPEC/vchan.md); rely on
 * vchan_write's return. */
size_t vchan_data_ready(struct vchan *v);
size_t vchan_buffer_space(struct vchan *v);

/* Closes the channel (the peer sees EOF) and frees v.  NULL is a no-op. */
void vchan_close(struct vchan *v);

#endif
