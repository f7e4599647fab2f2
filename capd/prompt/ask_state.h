/* The prompt window's input state machine, without X: the X11 front end
 * turns key presses, clicks, map/visibility changes and the deadline
 * into events; this decides.  Pure: no I/O, no clock (each event
 * carries its time), so every path is unit-tested
 * (tests/unit/test_prompt_state.c).
 *
 * Safety rules it enforces (SPEC/qrexec-policy.md, "The prompt"):
 *  - nothing that grants access is preselected: the focus starts on Deny,
 *    Enter there denies, and Allow stays disabled until a target is
 *    selected (DEFAULT preselects one; "-" none);
 *  - input (keys, presses, releases, wheel) is ignored until the window
 *    is shown and for ASK_GUARD_MS after every (re)show, and a button
 *    acts on release only when its press was accepted too;
 *  - only offered targets can be chosen; N and T stay in their ranges;
 *  - Escape, closing the window and the deadline deny; once decided,
 *    the outcome never changes. */
#ifndef BH_ASK_STATE_H
#define BH_ASK_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capd/prompt/ask_parse.h"

#define ASK_GUARD_MS        500u   /* input ignored this long after the window shows */
#define ASK_CALLS_DEFAULT   5u     /* N offered at first for "the next N calls" */
#define ASK_MINUTES_DEFAULT 15u    /* T offered at first for "for T minutes" */
#define ASK_VALUE_STEP_BIG  10u    /* Page Up / Page Down on N or T */

/* Everything a click can land on.  The focus ring is TARGETS, the four
 * scopes, ALLOW (only when enabled), DENY. */
enum ask_widget {
	AW_NONE,
	AW_TARGETS,          /* the list; an event's index says which row (target) */
	AW_SCOPE_ONCE,
	AW_SCOPE_CALLS,
	AW_SCOPE_MINUTES,
	AW_SCOPE_ALWAYS,
	AW_CALLS_DEC, AW_CALLS_INC,       /* the [-] [+] of N */
	AW_MINUTES_DEC, AW_MINUTES_INC,   /* the [-] [+] of T */
	AW_ALLOW,
	AW_DENY,
	AW_COUNT
};

enum ask_key {
	AK_OTHER, AK_ESCAPE, AK_ENTER, AK_SPACE, AK_TAB, AK_BACKTAB,
	AK_UP, AK_DOWN, AK_LEFT, AK_RIGHT, AK_PLUS, AK_MINUS,
	AK_PAGEUP, AK_PAGEDOWN, AK_HOME, AK_END,
};

enum ask_event_type {
	AE_SHOWN,     /* mapped, or visible again after being fully covered: (re)starts the guard */
	AE_HIDDEN,    /* unmapped or fully covered: input ignored until shown again */
	AE_KEY,       /* key */
	AE_PRESS,     /* mouse button 1 pressed on widget (index: the row for AW_TARGETS) */
	AE_RELEASE,   /* mouse button 1 released on widget */
	AE_SCROLL,    /* wheel over the list: delta rows (negative: up) */
	AE_CLOSE,     /* the window manager's close, or the window destroyed */
	AE_TIMEOUT,   /* the prompt's deadline */
};

struct ask_event {
	enum ask_event_type type;
	uint64_t ms;              /* monotonic time of the event */
	enum ask_key key;
	enum ask_widget widget;
	size_t index;
	int delta;
};

enum ask_outcome { ASK_PENDING, ASK_ALLOWED, ASK_DENIED };

/* Read the fields through the functions below; only ask_state.c writes them. */
struct ask_state {
	size_t ntargets;
	int selected;             /* the chosen target, -1: none */
	size_t rows;              /* list rows visible at once (>= 1) */
	size_t scroll;            /* first visible row */
	enum ask_scope_kind scope;
	uint32_t calls, minutes;
	enum ask_widget focus;
	enum ask_widget pressed;  /* AW_NONE unless an accepted press is held */
	bool shown;
	uint64_t guard_until;
	enum ask_outcome outcome;
};

/* ntargets >= 1; default_idx: -1 or < ntargets; rows >= 1. */
void ask_state_init(struct ask_state *s, size_t ntargets, int default_idx, size_t rows);

/* Applies one event; returns the outcome (ASK_PENDING while undecided). */
enum ask_outcome ask_state_event(struct ask_state *s, const struct ask_event *ev);

bool ask_state_allow_enabled(const struct ask_state *s);
/* Whether input would be taken at time ms. */
bool ask_state_accepts_input(const struct ask_state *s, uint64_t ms);

/* After ASK_ALLOWED: the target index and the scope.  0, or -1 when the
 * outcome is not ASK_ALLOWED. */
int ask_state_choice(const struct ask_state *s, size_t *target, struct ask_scope *scope)
	__attribute__((warn_unused_result));

#endif
