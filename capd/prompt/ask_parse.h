/* The dom0 prompt's words: its targets, its service argument, the grant
 * scope it answers with, and its one-line reply "TARGET SCOPE\n".
 * SPEC/qrexec-policy.md, "The prompt (bulkhead-ask)".
 *
 * Pure: no I/O, no allocation, no globals.  The prompt checks its argv
 * with these; qrexec-policyd parses the prompt's stdout with
 * ask_reply_parse() (library `askcore`, link `askcore qrexecproto bulkhead`).
 * Every decoder leaves its output untouched on error. */
#ifndef BH_ASK_PARSE_H
#define BH_ASK_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/names_parse.h"
#include "qrexec/field_parse.h"

/* Limits.  ask_args.c asserts the first two against qrexec/policy/policy.h. */
#define ASK_TARGETS_MAX      2048u   /* POLICY_ASK_TARGETS_MAX */
#define ASK_TARGET_LEN_MAX   39u     /* POLICY_TARGET_MAX - 1: "@dispvm:" + a qube name */
#define ASK_DISPVM_PREFIX    "@dispvm:"
#define ASK_DISPVM_PREFIX_LEN 8u
#define ASK_SERVICE_LEN_MAX  (MAX_SERVICE_NAME_LEN - 1u)  /* "svc+arg" without its NUL */

#define ASK_CALLS_MIN        2u      /* "next N calls": N = 1 is "once" */
#define ASK_CALLS_MAX        1000u
#define ASK_MINUTES_MIN      1u
#define ASK_MINUTES_MAX      1440u   /* one day */
#define ASK_NUMBER_DIGITS_MAX 4u     /* digits of the largest of the two */

#define ASK_SCOPE_TEXT_MAX   13u     /* "minutes:1440" and its NUL */
/* "TARGET SCOPE\n" and a NUL. */
#define ASK_REPLY_MAX        (ASK_TARGET_LEN_MAX + 1u + (ASK_SCOPE_TEXT_MAX - 1u) + 1u + 1u)

enum ask_err {
	ASK_OK       =  0,
	ASK_ETARGET  = -1,   /* not a qube name, nor "@dispvm:" and a qube name */
	ASK_ESERVICE = -2,   /* not "NAME+ARG" in the qrexec service charset, or too long */
	ASK_ESCOPE   = -3,   /* not once / calls:N / minutes:T / always, or N, T out of range */
	ASK_EREPLY   = -4,   /* not exactly "TARGET SCOPE\n" */
	ASK_ENOSPACE = -5,   /* encoder: the caller's buffer is too small */
	ASK_EINVAL   = -6,   /* encoder: the caller's (trusted) value is out of range */
};

enum ask_scope_kind {
	ASK_SCOPE_ONCE,      /* this call only */
	ASK_SCOPE_CALLS,     /* the next N calls, this one included */
	ASK_SCOPE_MINUTES,   /* for T minutes */
	ASK_SCOPE_ALWAYS,    /* until revoked */
};

struct ask_scope {
	enum ask_scope_kind kind;
	uint32_t value;      /* CALLS: N; MINUTES: T; 0 for the others */
};

/* What the prompt answers when the user allowed. */
struct ask_reply {
	char target[ASK_TARGET_LEN_MAX + 1];   /* NUL-terminated, NUL-padded */
	struct ask_scope scope;
};

/*@ predicate is_digit(integer c) = '0' <= c <= '9';

    predicate scope_ok(struct ask_scope s) =
      (s.kind == ASK_SCOPE_ONCE && s.value == 0) ||
      (s.kind == ASK_SCOPE_ALWAYS && s.value == 0) ||
      (s.kind == ASK_SCOPE_CALLS && ASK_CALLS_MIN <= s.value <= ASK_CALLS_MAX) ||
      (s.kind == ASK_SCOPE_MINUTES && ASK_MINUTES_MIN <= s.value <= ASK_MINUTES_MAX);
*/

/* 0 when p[0..n) is a target the prompt may offer: a qube name (dom0
 * included) or "@dispvm:" and a qube name; else ASK_ETARGET. */
/*@ requires \valid_read(p + (0 .. n - 1));
    assigns \nothing;
    ensures \result == ASK_OK || \result == ASK_ETARGET;
    ensures \result == ASK_OK ==> 1 <= n <= ASK_TARGET_LEN_MAX; */
int ask_target_check(const uint8_t *p, size_t n) __attribute__((warn_unused_result));

/* 0 when p[0..n) is "NAME+ARG": a qrexec service request (non-empty,
 * not '+' first, [A-Za-z0-9+._-]) of at most ASK_SERVICE_LEN_MAX bytes
 * with a '+'; *name_len is the index of its first '+'.  The argument,
 * p[*name_len + 1 .. n), may be empty.  Else ASK_ESERVICE, *name_len
 * untouched. */
/*@ requires \valid_read(p + (0 .. n - 1));
    requires \valid(name_len);
    requires \separated(name_len, p + (0 .. n - 1));
    assigns *name_len;
    behavior accept:
      assumes 1 <= n <= ASK_SERVICE_LEN_MAX && service_ok(p, n) &&
              (\exists integer i; 0 <= i < n && p[i] == '+');
      assigns *name_len;
      ensures \result == ASK_OK;
      ensures 1 <= *name_len < n && p[*name_len] == '+';
      ensures \forall integer i; 0 <= i < *name_len ==> p[i] != '+';
    behavior reject:
      assumes !(1 <= n <= ASK_SERVICE_LEN_MAX && service_ok(p, n) &&
              (\exists integer i; 0 <= i < n && p[i] == '+'));
      assigns \nothing;
      ensures \result == ASK_ESERVICE;
    complete behaviors;
    disjoint behaviors; */
int ask_service_check(const uint8_t *p, size_t n, size_t *name_len) __attribute__((warn_unused_result));

/* A scope: "once", "calls:N" (ASK_CALLS_MIN..MAX), "minutes:T"
 * (ASK_MINUTES_MIN..MAX) or "always"; numbers in decimal without sign or
 * leading zero.  0 and *out set, or ASK_ESCOPE and *out untouched. */
/*@ requires \valid_read(p + (0 .. n - 1));
    requires \valid(out);
    requires \separated(out, p + (0 .. n - 1));
    assigns *out;
    ensures \result == ASK_OK || \result == ASK_ESCOPE;
    ensures \result == ASK_OK ==> scope_ok(*out);
    ensures \result != ASK_OK ==> *out == \old(*out); */
int ask_scope_parse(const uint8_t *p, size_t n, struct ask_scope *out) __attribute__((warn_unused_result));

/* The scope's text (as ask_scope_parse reads it) into buf[0..cap), NUL
 * included; *outlen = its length.  ASK_EINVAL for a scope outside its
 * ranges, ASK_ENOSPACE when cap is too small (ASK_SCOPE_TEXT_MAX always
 * fits). */
/*@ requires \valid_read(s);
    requires \valid(buf + (0 .. cap - 1));
    requires \valid(outlen);
    requires \separated(outlen, buf + (0 .. cap - 1), s);
    requires \separated(buf + (0 .. cap - 1), s);
    assigns buf[0 .. cap - 1], *outlen;
    ensures \result == ASK_OK || \result == ASK_EINVAL || \result == ASK_ENOSPACE;
    ensures \result == ASK_OK ==> *outlen < cap && *outlen < ASK_SCOPE_TEXT_MAX && buf[*outlen] == 0; */
int ask_scope_format(const struct ask_scope *s, char *buf, size_t cap, size_t *outlen)
	__attribute__((warn_unused_result));

/* The prompt's whole stdout when it allowed: exactly "TARGET SCOPE\n"
 * (one space, one newline, at the end, nothing else).  0 and *out set,
 * or ASK_EREPLY / ASK_ETARGET / ASK_ESCOPE and *out untouched.  The
 * caller still checks that the target is one it offered. */
/*@ requires \valid_read(buf + (0 .. len - 1));
    requires \valid(out);
    requires \separated(out, buf + (0 .. len - 1));
    assigns *out;
    ensures \result == ASK_OK || \result == ASK_EREPLY || \result == ASK_ETARGET || \result == ASK_ESCOPE;
    ensures \result == ASK_OK ==> scope_ok(out->scope);
    ensures \result != ASK_OK ==> *out == \old(*out); */
int ask_reply_parse(const uint8_t *buf, size_t len, struct ask_reply *out) __attribute__((warn_unused_result));

#endif
