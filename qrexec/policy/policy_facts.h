/* A ready-made struct policy_facts: a table of qubes sorted by name, filled
 * by hand, from a text file (tests: --facts) or by the caller from the
 * Admin API.  The daemon may instead answer policy_facts from its
 * registry directly.
 *
 * Ownership: policy_facts_table_new() allocates, _free() frees; the table
 * copies every string it is given. */
#ifndef BH_POLICY_FACTS_H
#define BH_POLICY_FACTS_H

#include <stddef.h>

#include "qrexec/policy/policy.h"

#define POLICY_FACTS_TAGS_MAX   256u        /* SPEC/core.md: tags per qube */
#define POLICY_FACTS_FIELDS_MAX 12u         /* name and every key once */
#define POLICY_FACTS_LINE_MAX   20480u      /* 256 tags of 63 bytes, and the rest */
#define POLICY_FACTS_TEXT_MAX   (POLICY_QUBES_MAX * POLICY_FACTS_LINE_MAX)

struct policy_facts_table;

struct policy_facts_table *policy_facts_table_new(void);
void policy_facts_table_free(struct policy_facts_table *t);

/* Adds a qube (strings copied; name must be a valid qube name or "dom0",
 * unique).  Returns 0, -EINVAL, -EEXIST, -E2BIG (over POLICY_QUBES_MAX or
 * POLICY_FACTS_TAGS_MAX tags) or -ENOMEM. */
int policy_facts_table_add(struct policy_facts_table *t, const struct policy_qube *q)
	__attribute__((warn_unused_result));

/* The callbacks over t (valid until t is changed or freed). */
struct policy_facts policy_facts_table_facts(const struct policy_facts_table *t);

/* The qube named name, or NULL (valid until t is changed or freed). */
const struct policy_qube *policy_facts_table_find(const struct policy_facts_table *t, const char *name);

/* Reads facts text, one qube a line, '#' comments:
 *   NAME class=CLASS [tags=T1,T2] [default_dispvm=NAME] [template=NAME]
 *        [template_for_dispvms=yes|no] [running=yes|no]
 *        [qid=N] [label=LABEL] [default_user=USER]
 * from a string (name used in messages) or a file.  Returns 0, or -1 with
 * "NAME:LINE: message" in err. */
int policy_facts_table_parse(struct policy_facts_table *t, const char *text, const char *name, char *err,
			     size_t errlen) __attribute__((warn_unused_result));
int policy_facts_table_read(struct policy_facts_table *t, const char *path, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Fills t from bulkheadd's Admin API (policy_admin_facts.c: one
 * admin.bulkhead.SystemInfo call).  0, or -1 with one line on stderr. */
int policy_facts_from_admin(struct policy_facts_table *t) __attribute__((warn_unused_result));

#endif
