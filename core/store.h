/* Persistence of the registry: one text file, replaced atomically
 * (lib/atomicfile.h), ending in a BLAKE2b checksum.  Loading validates
 * every line with the same rules as the Admin API and refuses the whole
 * file on the first problem: never half-loaded.  Format: SPEC/core.md. */
#ifndef BH_STORE_H
#define BH_STORE_H

#include <stddef.h>

#include "core/errors.h"
#include "core/registry.h"
#include "lib/strbuf.h"

#define STORE_MAX_BYTES (16u << 20)
#define STORE_MAGIC "bulkhead-registry 1"

int store_serialize(const struct registry *reg, struct strbuf *out)
	__attribute__((warn_unused_result));
/* Returns a new registry, or NULL with err->msg "line N: reason". */
struct registry *store_parse(const char *buf, size_t len, const char *backend, struct bh_error *err);

int store_save(const struct registry *reg, const char *path, struct bh_error *err)
	__attribute__((warn_unused_result));
/* NULL with *missing set when the file does not exist. */
struct registry *store_load(const char *path, const char *backend, bool *missing, struct bh_error *err);

#endif
