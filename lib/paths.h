/* Every path Bulkhead uses lives under $BULKHEAD_ROOT (default "/"), so
 * tests and demos run isolated instances side by side. */
#ifndef BH_PATHS_H
#define BH_PATHS_H

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
#define BH_ETC_DIR        "etc/bulkhead"

/* The root, without a trailing slash except for "/" itself.  Never NULL.
 * Rejects (returns NULL) a BULKHEAD_ROOT that is relative or too long. */
const char *bh_root(void);

/* out = root + "/" + rel (rel has no leading slash).  Returns 0 or
 * -ENAMETOOLONG; out is always NUL-terminated. */
int bh_path(char *out, size_t outlen, const char *rel)
	__attribute__((warn_unused_result));

/* mkdir -p of root/rel with the given mode for directories it creates. */
int bh_mkdirs(const char *rel, unsigned mode) __attribute__((warn_unused_result));

/* mkdir -p of an absolute path. */
int mkdirs_abs(const char *path, unsigned mode) __attribute__((warn_unused_result));

#endif
