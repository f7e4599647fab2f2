/* What qvm-start, qvm-shutdown and qvm-kill share: one power call per
 * qube, continuing past failures so that one refusal does not leave the
 * other qubes untouched. */
#ifndef BH_TOOLS_LIFECYCLE_H
#define BH_TOOLS_LIFECYCLE_H

#include <stdbool.h>

/* Calls method on qube.  An exception of type ignore_exc (or NULL) counts
 * as success: qvm-kill of a halted qube has nothing to do.  Failures are
 * recorded, prefixed with the qube's name when name_it (several qubes are
 * acted on, and the daemon's message need not say which).  Returns 0 or
 * -1. */
int lifecycle_call(const char *method, const char *qube, const char *ignore_exc, bool name_it);

/* The whole of a tool that takes only NAME... and calls method on each.
 * Returns the exit status. */
int lifecycle_main(int argc, char **argv, const char *method, const char *ignore_exc);

#endif
