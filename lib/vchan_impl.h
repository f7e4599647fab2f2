/* Private to lib/vchan*.c: the table each vchan transport fills in.
 * lib/vchan.c selects one transport per process and forwards the public
 * calls of lib/vchan.h to it; the blocking calls (recv, send,
 * wait_connected) are written once in lib/vchan.c on top of the
 * non-blocking ones and wait(). */
#ifndef BH_VCHAN_IMPL_H
#define BH_VCHAN_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vchan.h"

struct vchan_ops {
	const char *name;
	/* 1 when the transport can run in this process (devices present). */
	int (*available)(void);
	struct vchan *(*server_init)(uint32_t remote, uint32_t port, size_t read_min,
				     size_t write_min, int *err);
	struct vchan *(*client_init)(uint32_t remote, uint32_t port, uint64_t deadline_ms,
				     int *err);
	/* Non-blocking: bytes moved (0: nothing possible now), -EPIPE once the
	 * peer has gone and nothing is left, or -errno. */
	ssize_t (*read)(struct vchan *v, void *buf, size_t len);
	ssize_t (*write)(struct vchan *v, const void *buf, size_t len);
	/* 0 when something happened (data, space, connect, close), -ETIMEDOUT
	 * at the deadline; a deadline already past checks once, without
	 * blocking. */
	int (*wait)(struct vchan *v, uint64_t deadline_ms);
	int (*fd)(const struct vchan *v);
	short (*poll_events)(const struct vchan *v, int want_write);
	int (*is_open)(struct vchan *v);
	size_t (*data_ready)(struct vchan *v);
	size_t (*buffer_space)(struct vchan *v);
	void (*close)(struct vchan *v);
	/* The connected byte stream for splice(2), or -1; NULL: never. */
	int (*splice_fd)(struct vchan *v);
	/* 1 when making a channel needs privileges (vchan_init_privileged). */
	int privileged;
};

/* Every transport's channel starts with this. */
struct vchan {
	const struct vchan_ops *ops;
};

extern const struct vchan_ops vchan_socket_ops;
/* Defined only in libvchanxen.a; lib/vchan.c refers to it weakly, so
 * programs that do not link it carry no Xen dependency (SPEC/vchan.md
 * "Xen transport"). */
extern const struct vchan_ops vchan_xen_ops;
/* Likewise only in fuzz targets and tests: the in-memory transport
 * (lib/vchan_mem.h), chosen only by VCHAN_BACKEND=mem. */
extern const struct vchan_ops vchan_mem_ops;

/* Largest Xen domain id + 1 (DOMID_FIRST_RESERVED); ids at or above it are
 * special (DOMID_SELF...) and never name a peer. */
#define VCHAN_DOMID_LIMIT 0x7ff0u

#endif
