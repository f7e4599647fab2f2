/* The property table: every qube and global property, its type, the
 * classes that have it, its default and its rule.  SPEC/core.md mirrors it.
 * A property check is a table lookup, not scattered ifs. */
#ifndef BH_PROPS_H
#define BH_PROPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/vmm.h"

enum prop_type { PT_STR, PT_INT, PT_BOOL, PT_LABEL, PT_VM };

enum prop_id {
	P_NAME, P_CLASS, P_QID, P_LABEL, P_TEMPLATE, P_NETVM, P_PROVIDES_NETWORK,
	P_MEMORY, P_MAXMEM, P_VCPUS, P_PIDS_MAX, P_AUTOSTART, P_DEFAULT_DISPVM,
	P_TEMPLATE_FOR_DISPVMS, P_DEFAULT_USER, P_QREXEC_TIMEOUT, P_SHUTDOWN_TIMEOUT,
	P_COUNT
};

enum global_prop_id { G_DEFAULT_TEMPLATE, G_DEFAULT_NETVM, G_DEFAULT_DISPVM, G_BACKEND, G_COUNT };

#define PF_READONLY  1u   /* computed, never set */
#define PF_HALTED    2u   /* changing it needs the qube halted */
#define PF_STORED    4u   /* kept in the registry when set */

#define CLS(c)        (1u << (c))
#define CLS_ALL       (CLS(CLASS_COUNT) - 1u)
#define CLS_NOT_ADMIN (CLS_ALL & ~CLS(CLASS_ADMINVM))

struct prop_def {
	const char *name;
	enum prop_type type;
	unsigned classes;        /* CLS() mask of classes that have it */
	unsigned flags;
	const char *def;         /* static default, or NULL (computed) */
	uint32_t min, max;       /* PT_INT range */
};

extern const struct prop_def prop_table[P_COUNT];
extern const struct prop_def global_prop_table[G_COUNT];

/* Lookup by name (exact); -1 when unknown. */
int prop_lookup(const char *name);
int global_prop_lookup(const char *name);

const char *prop_type_name(enum prop_type t);

/* Checks `value` (len bytes, untrusted) against the type and range of def
 * and writes the canonical form into out (NUL-terminated).  vm references
 * are checked only for syntax here; the registry checks their targets.
 * Returns 0, or -1 with a one-line reason in why. */
int prop_check_value(const struct prop_def *def, const uint8_t *value, size_t len,
		     char *out, size_t outlen, char *why, size_t whylen)
	__attribute__((warn_unused_result));

/* "True"/"False" for a bool, "123" for an int. */
bool prop_bool(const char *v);
uint32_t prop_uint(const char *v);

#endif
