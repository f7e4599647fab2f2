/* Reading a small file that may be hostile: a regular file only (no
 * symlink followed, no FIFO or device to block on), at most a named
 * maximum.  For the event log and the files of a quote directory. */
#ifndef BH_MB_MBFILE_H
#define BH_MB_MBFILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Reads all of path into buf (cap bytes).  Returns the length, or -1 with
 * "PATH: reason" in err (missing, not a regular file, longer than cap,
 * read error). */
ssize_t mb_read_regular(const char *path, uint8_t *buf, size_t cap, char *err, size_t errlen)
	__attribute__((warn_unused_result));

#endif
