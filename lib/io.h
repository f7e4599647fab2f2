/* Blocking I/O with deadlines.  Every blocking call in Bulkhead has one. */
#ifndef BH_IO_H
#define BH_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Monotonic milliseconds. */
uint64_t now_ms(void);

/* Write all of buf before deadline_ms (a now_ms() value).  Returns 0,
 * -ETIMEDOUT, or -errno.  fd may be blocking or not. */
int write_all_deadline(int fd, const void *buf, size_t len, uint64_t deadline_ms)
	__attribute__((warn_unused_result));

/* Read exactly len bytes before the deadline.  Returns 0, -ETIMEDOUT,
 * -EPIPE on early EOF, or -errno. */
int read_exact_deadline(int fd, void *buf, size_t len, uint64_t deadline_ms)
	__attribute__((warn_unused_result));

/* Read until EOF into buf (at most cap bytes) before the deadline.  Sets
 * *got.  Returns 0, -EMSGSIZE if more than cap bytes arrive, -ETIMEDOUT or
 * -errno. */
int read_to_eof_deadline(int fd, void *buf, size_t cap, size_t *got, uint64_t deadline_ms)
	__attribute__((warn_unused_result));

/* Whole small file into buf (NUL-terminated; at most cap-1 bytes).
 * Returns length or -errno (-EFBIG if larger). */
ssize_t read_small_file(const char *path, char *buf, size_t cap)
	__attribute__((warn_unused_result));

/* Write a whole small string to an existing file (cgroup/proc knobs). */
int write_small_file(const char *path, const char *s) __attribute__((warn_unused_result));

#endif
