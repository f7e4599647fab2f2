/* Privilege dropping and seccomp policies built from data tables.
 *
 * A policy is an array of rules, one per allowed syscall, each with the
 * reason it is needed; the default action kills the process.  Argument
 * filters narrow a rule where it matters (e.g. socket(AF_UNIX) only). */
#ifndef BH_SANDBOX_H
#define BH_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

struct sandbox_rule {
	const char *syscall;   /* name as libseccomp knows it */
	int arg;               /* -1: no filter; else argument index 0..5 */
	uint64_t value;        /* with arg >= 0: allowed only when arg == value */
	const char *why;
};

/* Sets PR_SET_NO_NEW_PRIVS and loads the filter (default: kill process).
 * Returns 0 or -errno (an unknown syscall name is -EINVAL). */
int sandbox_install(const struct sandbox_rule *rules, size_t n)
	__attribute__((warn_unused_result));

/* Clears every capability (effective, permitted, inheritable, bounding,
 * ambient) while keeping the uid.  Returns 0 or -errno. */
int sandbox_drop_all_caps(void) __attribute__((warn_unused_result));

/* Keeps only the capabilities in caps[] (effective and permitted),
 * drops the rest everywhere (bounding set included).  0 or -errno. */
int sandbox_keep_caps(const int *caps, size_t n) __attribute__((warn_unused_result));

#endif
