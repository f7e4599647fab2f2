/* Private to qrexec/policy/: the layout of a loaded policy, shared by the
 * builder (policy_build.c), the loader (policy_load.c), the evaluator
 * (policy_eval.c) and the printer (policy_print.c). */
#ifndef BH_POLICY_INT_H
#define BH_POLICY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "qrexec/policy/policy.h"

/* A token of a loaded rule.  value points into the policy's arena ("" for
 * kinds without one); cls is the class of a PTOK_TYPE. */
struct ptok {
	uint8_t kind;
	uint8_t cls;
	uint8_t len;
	const char *value;
};

struct prule {
	const char *service;     /* NULL: any service */
	const char *arg;         /* NULL: any argument; "" the empty one */
	uint16_t service_len;
	uint16_t arg_len;
	struct ptok source, target, redirect, default_target;  /* redirect etc.: kind PTOK_NONE when unset */
	const char *user;        /* NULL: the target's default */
	uint32_t file;           /* index into policy.files */
	uint32_t line;
	uint8_t action;          /* enum policy_action */
	uint8_t params;          /* PPARAM_* the line set (for printing) */
	bool notify;             /* effective, defaults applied */
	bool autostart;
};

/* One slot of the service index: the rules naming this service, in
 * policy order, are idx[start .. start + count). */
struct pslot {
	const char *service;     /* NULL: empty slot */
	uint32_t len;
	uint32_t hash;
	uint32_t start;
	uint32_t count;
};

/* What policy_changed() compares: a file or directory read during load,
 * or a path that could not be read (exists false). */
struct pwatch {
	char *path;
	bool exists;
	dev_t dev;
	ino_t ino;
	off_t size;
	mode_t mode;
	struct timespec mtim, ctim;
};

struct arena_chunk;

struct policy {
	char *dir;                  /* "" for a buffer policy */
	char *error;                /* NULL when loaded (or out of memory: see broken) */
	bool broken;                /* set with the first error, even if its text could not be allocated */
	char *error_file;           /* display name of the failing file, owned; NULL */
	uint32_t error_line;
	char **files;               /* display names, owned */
	size_t nfiles, cap_files;
	struct prule *rules;
	size_t nrules, cap_rules;
	struct arena_chunk *arena;
	/* Index: open addressing over services, capacity a power of two. */
	struct pslot *slots;
	size_t nslots;
	uint32_t *idx;              /* rule numbers grouped by service */
	uint32_t *wild;             /* rules with service "*", in order */
	size_t nwild;
	struct pwatch *watch;
	size_t nwatch, cap_watch;
};

/* The service and argument that rules of a compat (!include-service) file
 * get. */
struct psvc {
	bool any_service;
	const char *service;
	bool any_arg;
	const char *arg;
};

/* Called for include directives while building; NULL refuses them. */
typedef int (*policy_include_fn)(void *ctx, struct policy *p, const struct policy_line *l,
				 enum policy_syntax syntax, const struct psvc *svc,
				 uint32_t file, uint32_t line);

/* policy_build.c */
struct policy *policy_new(const char *dir);
/* Records a display name; returns its index or -ENOMEM / -E2BIG. */
long policy_add_file(struct policy *p, const char *display);
/* Sets the error (first one wins) "FILE:LINE: msg" / "FILE: msg"; drops
 * every rule.  file may be NULL (then it is the directory). */
void policy_fail(struct policy *p, const char *file, uint32_t line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Parses a whole file's text into rules, calling inc for directives.
 * Returns 0 or -1 (the error is set). */
int policy_parse_text(struct policy *p, uint32_t file, const uint8_t *buf, size_t len,
		      enum policy_syntax syntax, const struct psvc *svc,
		      policy_include_fn inc, void *inc_ctx);
/* Builds the service index; on failure sets the error.  Returns 0 or -1. */
int policy_finish(struct policy *p);

/* FNV-1a, shared by the index builder and the evaluator. */
static inline uint32_t policy_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++) {
		h ^= (uint8_t)s[i];
		h *= 16777619u;
	}
	return h;
}

#endif
