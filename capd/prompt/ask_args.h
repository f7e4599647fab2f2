/* bulkhead-ask's command line:
 *   bulkhead-ask SOURCE LABEL SERVICE+ARG DEFAULT TARGET [TARGET...]
 * checked whole before anything is shown (SPEC/qrexec-policy.md, "The
 * prompt").  Pure: no I/O, no allocation. */
#ifndef BH_ASK_ARGS_H
#define BH_ASK_ARGS_H

#include <stddef.h>

#include "capd/prompt/ask_parse.h"

#define ASK_ARGC_FIXED 5u   /* program, SOURCE, LABEL, SERVICE+ARG, DEFAULT */

/* Points into the caller's argv, which must outlive it. */
struct ask_args {
	const char *source;              /* a qube name */
	enum label label;
	const char *service;             /* "NAME+ARG" */
	size_t service_len, name_len;    /* the argument is service[name_len + 1 .. service_len) */
	int default_idx;                 /* index into targets, or -1 for none ("-") */
	size_t ntargets;                 /* 1 .. ASK_TARGETS_MAX, all different */
	const char *targets[ASK_TARGETS_MAX];
};

/* 0 with *out filled, or -1 with *why set to a static one-line reason
 * (no argument byte in it) and *out unspecified. */
int ask_args_parse(size_t argc, char *const argv[], struct ask_args *out, const char **why)
	__attribute__((warn_unused_result));

#endif
