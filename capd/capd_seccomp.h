/* capd's seccomp table (capd_seccomp.c), exported for capd and for the
 * test that checks what it kills. */
#ifndef BH_CAPD_SECCOMP_H
#define BH_CAPD_SECCOMP_H

#include <stddef.h>

#include "lib/sandbox.h"

extern const struct sandbox_rule capd_seccomp[];
extern const size_t capd_seccomp_len;

#endif
