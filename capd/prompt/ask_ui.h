/* The prompt's two front ends.  Each shows the request, lets the user
 * pick one offered target and a scope, and returns:
 *   ASK_ALLOWED        with *target (an index into a->targets) and *scope,
 *   ASK_DENIED         the user said no, Escape, closed, or the deadline,
 *   ASK_UI_UNAVAILABLE nothing was shown (no X server / no terminal);
 *                      *why says why in one static line.
 * deadline_ms is a now_ms() value. */
#ifndef BH_ASK_UI_H
#define BH_ASK_UI_H

#include <stddef.h>
#include <stdint.h>

#include "capd/prompt/ask_args.h"
#include "capd/prompt/ask_state.h"

#define ASK_UI_UNAVAILABLE (-1)

/* X11 on $DISPLAY (xcb). */
int ask_x11_run(const struct ask_args *a, uint64_t deadline_ms, size_t *target, struct ask_scope *scope,
		const char **why) __attribute__((warn_unused_result));

/* The terminal at tty_path (opened read-write, never as a controlling
 * terminal). */
int ask_tty_run(const struct ask_args *a, const char *tty_path, uint64_t deadline_ms, size_t *target,
		struct ask_scope *scope, const char **why) __attribute__((warn_unused_result));

/* Called by each front end once it is set up and before it reads any
 * input: the seccomp policy (ask_seccomp.c).  0 or -errno; on failure the
 * front end denies. */
int ask_sandbox(void) __attribute__((warn_unused_result));

#endif
