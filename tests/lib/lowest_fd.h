/* The lowest free file descriptor: the same before and after a piece of
 * work unless the work left a descriptor open (the loop fuzzers' leak
 * check). */
#ifndef BH_TESTS_LOWEST_FD_H
#define BH_TESTS_LOWEST_FD_H

#include <assert.h>
#include <unistd.h>

static inline int lowest_free_fd(void)
{
	int fd = dup(0);

	assert(fd >= 0);
	close(fd);
	return fd;
}

#endif
