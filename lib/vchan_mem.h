/* The in-memory vchan transport, for fuzz targets and tests: the peer is
 * the test itself, which feeds the bytes the code under test reads and
 * takes the bytes it wrote, in the same process, through the functions
 * below.  The code under test opens and uses its channels through
 * lib/vchan.h as always: a program that links lib/vchan_mem.c (no
 * installed program does: tests/fuzz/module.mk) selects it with
 * VCHAN_BACKEND=mem; elsewhere that setting fails as an unknown
 * transport.
 *
 * Semantics, where they differ from a real channel:
 *  - a channel is connected as soon as it is opened (server or client):
 *    the peer is already there;
 *  - writes never wait: bytes written and not yet taken pile up to
 *    VCHAN_MEM_OUT_MAX, past which vchan_write fails with -ENOBUFS (no
 *    other thread would ever drain them, so waiting would only spin);
 *  - vchan_fd() is an eventfd, readable while there are bytes to read or
 *    the peer has closed, so poll() loops work unchanged.
 * Not thread-safe, like every vchan. */
#ifndef BH_VCHAN_MEM_H
#define BH_VCHAN_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "vchan.h"

#define VCHAN_MEM_OUT_MAX (1u << 20)
#define VCHAN_MEM_IN_MAX  (16u << 20)

/* The open mem channel to (remote, port) most recently opened, or NULL:
 * for channels the code under test opens itself. */
struct vchan *vchan_mem_find(uint32_t remote, uint32_t port);

/* cb(v, ctx) runs on every channel opened from now on, before the code
 * that opens it gets it: a peer that speaks first feeds v there.  NULL
 * for none. */
void vchan_mem_on_open(void (*cb)(struct vchan *v, void *ctx), void *ctx);

/* The peer sends buf[0..len): appended to what v will read.  0, -EINVAL
 * (not a mem channel, or the peer closed already), -ENOBUFS (more than
 * VCHAN_MEM_IN_MAX waiting) or -ENOMEM. */
int vchan_mem_feed(struct vchan *v, const void *buf, size_t len) __attribute__((warn_unused_result));

/* The peer closes its sending side: once the fed bytes are read, reads
 * return -EPIPE (and vchan_is_open says VCHAN_DISCONNECTED).  Writes go
 * on being taken, so a test sees what the code answers to a peer's last
 * bytes. */
void vchan_mem_close_peer(struct vchan *v);

/* What the code under test wrote and the peer has not taken yet (*len
 * bytes; valid until the next call on v); vchan_mem_take drops the first
 * n of them (n <= *len). */
const uint8_t *vchan_mem_sent(struct vchan *v, size_t *len);
void vchan_mem_take(struct vchan *v, size_t n);

#endif
