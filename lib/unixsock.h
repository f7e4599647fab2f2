/* Unix stream sockets at filesystem paths, as every Bulkhead daemon and
 * tool uses them. */
#ifndef BH_UNIXSOCK_H
#define BH_UNIXSOCK_H

#include <stdint.h>

/* Listens at path: an old socket there is replaced; the new one is 0600
 * from its creation (no window where others could connect); the listening
 * fd is non-blocking and close-on-exec.  Returns the fd or -errno. */
int unix_listen(const char *path, int backlog) __attribute__((warn_unused_result));

/* Connects to path by deadline_ms (now_ms()'s clock): a listener whose
 * backlog is full (it is not accepting yet) is tried again every
 * UNIX_CONNECT_RETRY_MS until then, -ETIMEDOUT after.  The fd returned is
 * non-blocking (for the *_deadline functions of lib/io.h) and
 * close-on-exec.  Returns the fd or -errno.  (There is no connect without
 * a deadline: a full backlog would block it for as long as the listener
 * does not accept.) */
#define UNIX_CONNECT_RETRY_MS 20
int unix_connect_deadline(const char *path, uint64_t deadline_ms) __attribute__((warn_unused_result));

#endif
