/* Inter-domain byte channels with the shape of Xen's libxenvchan.
 *
 * A channel joins two domains, addressed by (domain id, port).  One side
 * is the server (vchan_server_init), the other the client
 * (vchan_client_init).  Both directions are reliable byte streams.  Two
 * implementations behind this one interface:
 *  - "socket" (lib/vchan_socket.c), for the local backend and tests: a
 *    Unix stream socket per channel, SPEC/qrexec.md "Socket transport";
 *  - "xen" (lib/vchan_xen.c): libxenvchan over grant tables and event
 *    channels.
 * The implementation is chosen once per process: VCHAN_BACKEND=socket|xen
 * in the environment, else xen when /dev/xen/gntdev exists, else socket.
 *
 * Every blocking call takes a deadline (a now_ms() value, lib/io.h).
 * Returns are 0 / a byte count, or -errno (-ETIMEDOUT at the deadline,
 * -EPIPE once the peer has closed).  Not thread-safe; one user per channel. */
#ifndef BH_VCHAN_H
#define BH_VCHAN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct vchan;   /* opaque; created by *_init, freed by vchan_close */

#define VCHAN_DEFAULT_RING (64u * 1024u)   /* per direction, as in Qubes */

/* This process's domain id: VCHAN_DOMAIN from the environment (0 = dom0
 * when unset).  The socket transport's directory: VCHAN_SOCKET_DIR. */
uint32_t vchan_local_domain(void);

/* Server side: returns at once; the peer connects later (vchan_is_open()
 * says VCHAN_WAITING until then).  read_min/write_min are ring sizes the
 * Xen transport honours (0 = default); the socket transport uses them as
 * socket buffer hints. */
struct vchan *vchan_server_init(uint32_t remote_domain, uint32_t port,
				size_t read_min, size_t write_min, int *err);

/* Client side: connects to (remote_domain, port), waiting for the server
 * until the deadline. */
struct vchan *vchan_client_init(uint32_t remote_domain, uint32_t port,
				uint64_t deadline_ms, int *err);

/* Waits until the server's peer has connected (or deadline). */
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

/* Blocks until something happened on the channel (data, space, close)
 * or the deadline. */
int vchan_wait(struct vchan *v, uint64_t deadline_ms);

/* An fd that polls readable when vchan_wait would return (for poll()). */
int vchan_fd(const struct vchan *v);

enum { VCHAN_DISCONNECTED = 0, VCHAN_CONNECTED = 1, VCHAN_WAITING = 2 };
int vchan_is_open(struct vchan *v);

/* Bytes readable now / writable now without blocking. */
size_t vchan_data_ready(struct vchan *v);
size_t vchan_buffer_space(struct vchan *v);

/* Closes the channel (the peer sees EOF) and frees v.  NULL is a no-op. */
void vchan_close(struct vchan *v);

#endif
