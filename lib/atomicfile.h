/* Crash-safe replacement of a file: after a crash at any point the path
 * holds either the complete old or the complete new content. */
#ifndef BH_ATOMICFILE_H
#define BH_ATOMICFILE_H

#include <stddef.h>

/* Writes path.tmp, fsyncs it, renames it over path, fsyncs the directory.
 * Returns 0 or -errno; on error path is unchanged. */
int atomic_write_file(const char *path, const void *data, size_t len, unsigned mode)
	__attribute__((warn_unused_result));

#endif
