/* The digests bulkhead-measure extends (SPEC/measured-boot.md
 * "Measurement"): a file's bytes, a command line, a directory tree in a
 * canonical order.  All SHA-256.  Each returns 0, or -1 with a one-line
 * reason in err; nothing is followed through a symlink. */
#ifndef BH_MB_MEASURE_HASH_H
#define BH_MB_MEASURE_HASH_H

#include <stddef.h>
#include <stdint.h>

#define MB_CMDLINE_MAX      4096u   /* bytes of a command line, without the final newline */
#define MB_TREE_DEPTH_MAX   16u     /* directory levels below the measured root */
#define MB_TREE_ENTRIES_MAX 65536u  /* entries in one measured tree */
#define MB_DIR_ENTRIES_MAX  4096u   /* entries in one directory of it */

/* SHA-256 of the regular file's contents. */
int mb_hash_file(const char *path, uint8_t out[32], char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* SHA-256 of the file's text with one final newline removed (as
 * /proc/cmdline and `xl info xen_commandline` print it). */
int mb_hash_cmdline(const char *path, uint8_t out[32], char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* SHA-256 over the tree under a directory: for each entry, in byte order
 * of the names, depth first: 'D' or 'F', the path relative to the root
 * (u32 little-endian length, bytes), the permission bits (u32 LE, mode &
 * 07777), and for a file the SHA-256 of its contents.  Anything but
 * regular files and directories is refused. */
int mb_hash_tree(const char *path, uint8_t out[32], char *err, size_t errlen)
	__attribute__((warn_unused_result));

#endif
