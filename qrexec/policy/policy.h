/* The dom0 qrexec policy engine (SPEC/qrexec-policy.md).
 *
 *   struct policy *p = policy_load_dir(NULL);   // $BULKHEAD_ROOT/etc/qubes/policy.d
 *   if (policy_error(p)) log it: p denies everything until fixed
 *   policy_evaluate(p, &query, &decision);      // pure, no I/O
 *   policy_reload(&p);                          // when a file changed
 *   policy_free(p);
 *
 * Ownership: policy_load_*() allocate the policy, policy_free() frees it.
 * A loaded policy is immutable: any number of threads may evaluate it.
 * Every string a decision points to (file) is owned by the policy and
 * lives as long as it.  A NULL policy (out of memory) denies everything. */
#ifndef BH_POLICY_H
#define BH_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qrexec/policy/policy_parse.h"

/* Limits (SPEC/qrexec-policy.md). */
#define POLICY_RULES_MAX      200000u  /* rules in one policy, includes flattened */
#define POLICY_FILES_MAX      1024u    /* files read for one policy (includes counted each time) */
#define POLICY_DIR_ENTRIES_MAX 4096u   /* *.policy files in one directory */
#define POLICY_INCLUDE_DEPTH  8u       /* nested !include / !include-dir / !include-service */
#define POLICY_FILE_SIZE_MAX  (8u << 20) /* bytes of one file */
#define POLICY_QUBES_MAX      1024u    /* qubes the facts may enumerate (SPEC/core.md) */
#define POLICY_TARGET_MAX     40u      /* "@dispvm:" + a 31-char name + NUL */
#define POLICY_ASK_TARGETS_MAX (2u * POLICY_QUBES_MAX)
#define POLICY_ERROR_MAX      512u

#define POLICY_DIR_REL "etc/qubes/policy.d"   /* under $BULKHEAD_ROOT */

struct policy;   /* opaque: a loaded policy */

/* ---- Facts about qubes: supplied by the caller ---- */

struct policy_qube {
	const char *name;             /* "dom0" for the AdminVM */
	enum policy_class cls;
	bool template_for_dispvms;
	bool running;                 /* for autostart=no */
	const char *default_dispvm;   /* NULL or "" for none */
	const char *template;         /* a DispVM's disposable template; else NULL */
	const char *const *tags;
	size_t ntags;
	/* Carried for qrexec-policyd (setting up an allowed call, the
	 * prompt); evaluation never reads them.  0 / NULL when unknown. */
	uint32_t qid;
	uint32_t domid;               /* a running qube's domain id; 0 when not running */
	const char *label;
	const char *default_user;
};

/* lookup: the qube named name, or NULL.  at: the i-th qube (0, 1, ...)
 * or NULL past the last; used to list the targets of `ask`, which come out
 * in this order.  Both must answer from the same snapshot for the whole
 * of one policy_evaluate() call.  Qubes past POLICY_QUBES_MAX are never
 * offered by `ask`. */
struct policy_facts {
	const void *ctx;
	const struct policy_qube *(*lookup)(const void *ctx, const char *name);
	const struct policy_qube *(*at)(const void *ctx, size_t i);
};

/* ---- Query and decision ---- */

struct policy_query {
	const char *source;    /* the calling qube's name ("dom0" for the AdminVM) */
	const char *target;    /* as requested: a name, "dom0", "@adminvm", "" or
				* "@default", "@dispvm", "@dispvm:NAME" */
	const char *service;   /* without argument */
	const char *argument;  /* without its leading '+'; "" for none */
	const struct policy_facts *facts;
};

enum policy_verdict { POLICY_DENY = 0, POLICY_ALLOW, POLICY_ASK };

enum policy_reason {
	PREASON_OK = 0,        /* allow or ask */
	PREASON_DENIED,        /* a deny rule */
	PREASON_NO_MATCH,      /* no rule matched */
	PREASON_POLICY_ERROR,  /* the policy failed to load */
	PREASON_BAD_QUERY,     /* a query field is malformed */
	PREASON_UNKNOWN_SOURCE,/* the source is not in the facts */
	PREASON_BAD_TARGET,    /* requested/redirect target invalid (e.g. not a DispVM template) */
	PREASON_NO_TARGET,     /* allow without a resolvable target; ask with none to offer */
	PREASON_NO_DISPVM,     /* @dispvm but the source has no usable default_dispvm */
	PREASON_AUTOSTART,     /* autostart=no and the target is not running */
	PREASON_LOOPBACK,      /* the target is the source */
	PREASON_COUNT
};

/* The outcome of one evaluation.  About 80 KiB (the ask target list):
 * allocate it statically or on the heap in threads with small stacks. */
struct policy_decision {
	enum policy_verdict verdict;
	enum policy_reason reason;
	const char *file;          /* the file of the deciding rule, or of the load
				    * error; NULL when no rule matched */
	uint32_t line;             /* its line; 0 when none (e.g. invalid file name) */
	char requested_target[POLICY_TARGET_MAX]; /* the request's target, normalised:
				    * a name, @adminvm, @default, @dispvm, @dispvm:NAME */
	/* allow: the resolved target: a qube name, "dom0" or "@dispvm:NAME"
	 * (a new DispVM from NAME).  Empty otherwise. */
	char target[POLICY_TARGET_MAX];
	char user[USER_NAME_MAX + 1];  /* allow/ask: "" = the target's default user */
	bool notify;
	bool autostart;
	/* ask: targets the user may choose from (qube names in the facts'
	 * order, then @dispvm:NAME entries), and the preselected one or "". */
	char default_target[POLICY_TARGET_MAX];
	size_t ntargets;
	char targets[POLICY_ASK_TARGETS_MAX][POLICY_TARGET_MAX];
};

/* The single decision point: evaluates q against p and fills *out, which
 * is always a complete decision (deny on any failure).  Pure: no I/O, no
 * allocation; calls only q->facts.  Returns 0, or -EINVAL when out is NULL. */
int policy_evaluate(const struct policy *p, const struct policy_query *q,
		    struct policy_decision *out) __attribute__((warn_unused_result));

const char *policy_verdict_name(enum policy_verdict v);   /* "allow", "deny", "ask" */
const char *policy_reason_name(enum policy_reason r);    /* "policy", "no-match", ... */

/* ---- Loading ---- */

/* Loads dir (NULL: $BULKHEAD_ROOT/etc/qubes/policy.d) and everything it
 * includes.  Never returns a partial policy: on any error the result holds
 * no rule and denies everything, policy_error() says why.  Returns NULL
 * only when out of memory (a NULL policy also denies everything). */
struct policy *policy_load_dir(const char *dir);

/* One file's text as a whole policy, for tests and fuzzing: name is
 * displayed in errors and decisions; include directives are errors. */
struct policy *policy_load_buffer(const char *name, const void *buf, size_t len);

void policy_free(struct policy *p);

/* NULL when the policy loaded; else "FILE:LINE: message" (or "FILE:
 * message" for errors that are not about a line). */
const char *policy_error(const struct policy *p);

/* Whether any file or directory read for p changed (added, removed,
 * renamed, rewritten; by device, inode, size, mtime and ctime) since p was
 * loaded.  A NULL policy has always changed. */
bool policy_changed(const struct policy *p);

/* If policy_changed(*pp), loads the same directory again and replaces *pp
 * (freeing the old one).  A new policy that fails to load still replaces
 * the old one: Qubes semantics, a broken policy denies everything (the
 * caller logs policy_error()).  Returns 0 unchanged, 1 reloaded, -ENOMEM
 * (then *pp is NULL: deny everything). */
int policy_reload(struct policy **pp) __attribute__((warn_unused_result));

/* The directory the policy was loaded from ("" for a buffer policy). */
const char *policy_dir(const struct policy *p);

/* ---- Printing ---- */

size_t policy_rule_count(const struct policy *p);

/* The i-th rule, normalised, as one line of the policy.d syntax without
 * '\n' (tokens separated by one space; dom0 written @adminvm; parameters
 * in the order target, default_target, user, notify, autostart, only
 * those the line set).  Returns its length, or -ENOSPC if it did not fit
 * in buf (NUL-terminated whenever buflen > 0), -EINVAL for a bad i. */
int policy_format_rule(const struct policy *p, size_t i, char *buf, size_t buflen)
	__attribute__((warn_unused_result));

/* Where the i-th rule came from. */
void policy_rule_origin(const struct policy *p, size_t i, const char **file, uint32_t *line);

/* The decision as one line: "VERDICT key=value ... rule=FILE:LINE"
 * (format in SPEC/qrexec-policy.md).  Same return convention. */
int policy_format_decision(const struct policy_decision *d, char *buf, size_t buflen)
	__attribute__((warn_unused_result));

#endif
