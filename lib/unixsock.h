/* Unix stream sockets at filesystem paths, as every Bulkhead daemon and
 * tool uses them. */
#ifndef BH_UNIXSOCK_H
#define BH_UNIXSOCK_H

/* Listens at path: an old socket there is replaced; the new one is 0600
 * from its creation (no window where others could connect); the listening
 * fd is non-blocking and close-on-exec.  Returns the fd or -errno. */
int unix_listen(const char *path, int backlog) __attribute__((warn_unused_result));

/* Connects to path (blocking, close-on-exec).  Returns the fd or -errno. */
int unix_connect(const char *path) __attribute__((warn_unused_result));

#endif
