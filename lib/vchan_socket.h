/* Extras of the socket vchan transport (SPEC/vchan.md "Socket transport")
 * that only make sense there: dom0's part in qube-to-qube channels, and
 * the peer's credentials.
 *
 * Layout: in dom0 (VCHAN_DOMAIN unset or 0) $VCHAN_SOCKET_DIR holds one
 * directory per domain, <dir>/<domid>/, all on one mount; in qube D,
 * $VCHAN_SOCKET_DIR is D's own directory (dom0's <dir>/<D>/) and nothing
 * else is visible.  Unset, VCHAN_SOCKET_DIR is $BULKHEAD_ROOT/run/bulkhead/vchan. */
#ifndef BH_VCHAN_SOCKET_H
#define BH_VCHAN_SOCKET_H

#include <stdint.h>
#include <sys/types.h>

#include "vchan.h"

/* The default socket directory, relative to $BULKHEAD_ROOT. */
#define VCHAN_SOCKET_DIR_DEFAULT "run/bulkhead/vchan"

/* dom0 only (root: CAP_FOWNER, since the socket belongs to another uid
 * and fs.protected_hardlinks is on).  For a qube-to-qube channel
 * (server != 0, client != 0, server != client): waits until the server
 * has bound <dir>/<server>/vchan.S.C.P.sock, checks that name is a
 * socket (not a link or anything else), and hard-links that very inode
 * into <dir>/<client>/ under the same name, atomically replacing whatever
 * the client had put there.  The client's vchan_client_init waits for it.
 * Returns 0, -ETIMEDOUT, -EINVAL (bad domains, not dom0), or -errno.
 * A deadline already past tries once. */
int vchan_socket_expose(uint32_t server, uint32_t client, uint32_t port, uint64_t deadline_ms)
	__attribute__((warn_unused_result));

/* dom0 only.  Removes a name (S, C, P) may have left behind in S's and
 * C's directories (a crashed server's).  Call it before telling the
 * server to start when a port may be reused; afterwards it would remove
 * the new server's socket.  Returns 0 or -errno. */
int vchan_socket_clear(uint32_t server, uint32_t client, uint32_t port)
	__attribute__((warn_unused_result));

/* The peer process's uid as the kernel saw it (SO_PEERCRED): the client's
 * at connect() for a server, the server's at listen() for a client.
 * Returns 0 with *out set, -ENOTCONN while a server still waits for its
 * peer, -EPROTONOSUPPORT on a channel of another transport. */
int vchan_peer_uid(struct vchan *v, uid_t *out) __attribute__((warn_unused_result));

#endif
