/* Every path Bulkhead uses lives under $BULKHEAD_ROOT (default "/"), so
 * tests and demos run isolated instances side by side. */
#ifndef BH_PATHS_H
#define BH_PATHS_H

#include <stdarg.h>
#include <stddef.h>

#define BH_PATH_MAX 4096

/* Relative to the root.  SPEC/core.md lists them. */
#define BH_RUN_DIR        "run/bulkhead"
#define BH_ADMIN_SOCK     "run/bulkhead/admin.sock"
#define BH_STATE_DIR      "var/lib/bulkhead"
#define BH_REGISTRY_FILE  "var/lib/bulkhead/qubes.registry"
#define BH_LOCK_FILE      "var/lib/bulkhead/bulkheadd.lock"
#define BH_QUBES_DIR      "var/lib/bulkhead/qubes"
#define BH_LOG_DIR        "var/log/bulkhead"
#define BH_QUBE_LOG_DIR   "var/log/bulkhead/qubes"    /* NAME.log: a qube's console */
#define BH_ETC_DIR        "etc/bulkhead"

/* The root, without a trailing slash except for "/" itself.  Never NULL.
 * Rejects (returns NULL) a BULKHEAD_ROOT that is relative or too long. */
const char *bh_root(void);

/* out = root + "/" + rel (rel has no leading slash).  Returns 0 or
 * -ENAMETOOLONG; out is always NUL-terminated. */
int bh_path(char *out, size_t outlen, const char *rel)
	__attribute__((warn_unused_result));

/* out = root + "/" + the formatted rel, for a root given (a backend's,
 * no trailing slash but "/").  0 or -ENAMETOOLONG. */
int bh_root_pathf(char *out, size_t outlen, const char *root, const char *fmt, ...)
	__attribute__((format(printf, 4, 5), warn_unused_result));
int bh_root_vpathf(char *out, size_t outlen, const char *root, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0), warn_unused_result));

/* Appends "bulkhead: MSG" to a qube's console log, root/BH_QUBE_LOG_DIR/
 * NAME.log, where both backends send its console: what Bulkhead did to
 * the qube, among what the qube printed.  Best effort: a note that
 * cannot be written is dropped. */
void bh_console_note(const char *root, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* mkdir -p of root/rel with the given mode for directories it creates. */
int bh_mkdirs(const char *rel, unsigned mode) __attribute__((warn_unused_result));

/* mkdir -p of an absolute path. */
int mkdirs_abs(const char *path, unsigned mode) __attribute__((warn_unused_result));

#endif
