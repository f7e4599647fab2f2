/* The seccomp policy of bulkheadd's registry process (the one that reads
 * Admin API requests).  A table, so tests and audit read what the daemon
 * installs. */
#ifndef BH_BULKHEADD_SECCOMP_H
#define BH_BULKHEADD_SECCOMP_H

#include <stddef.h>

#include "lib/sandbox.h"

extern const struct sandbox_rule bulkheadd_seccomp[];
extern const size_t bulkheadd_seccomp_len;

/* Drops every capability and installs the table.  0 or -errno. */
int bulkheadd_sandbox(void) __attribute__((warn_unused_result));

#endif
