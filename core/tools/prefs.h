/* The property command shared by qvm-prefs (admin.vm.property.* on one
 * qube) and qubes-prefs (admin.property.*, the global properties): the
 * same operands, options and output, only the target differs. */
#ifndef BH_TOOLS_PREFS_H
#define BH_TOOLS_PREFS_H

#include <stdbool.h>

/* Runs the whole tool after cli_init(): with_qube, the first operand is
 * the qube (qvm-prefs); else the target is dom0's global properties.
 *   [PROP [VALUE]] | PROP -D
 * No PROP lists all as "%-24s %s %s" (name, '-' set or 'D' default,
 * value); PROP prints the value; PROP VALUE sets it, normalised for its
 * type (bool synonyms, "" or "none" for vm); -D resets it.  Returns the
 * exit status. */
int prefs_main(int argc, char **argv, bool with_qube);

#endif
