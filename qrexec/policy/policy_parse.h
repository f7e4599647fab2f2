/* Pure parser of one line of a qrexec policy file (SPEC/qrexec-policy.md).
 *
 * No I/O, no allocation, no globals, no callbacks: a line goes in as
 * (buf, len) without its '\n', a struct policy_line comes out with every
 * field copied into fixed-size NUL-terminated arrays.  A rejected line
 * leaves *out as it was (proved: the line is parsed in place and the
 * caller's bytes are put back on reject).  Written for Frama-C WP and
 * Eva (contracts in policy_parse.c). */
#ifndef BH_POLICY_PARSE_H
#define BH_POLICY_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/names_parse.h"

/* Limits (named in SPEC/qrexec-policy.md). */
#define POLICY_LINE_MAX        4096u  /* bytes of one line, without '\n' */
#define POLICY_SERVICE_MAX     64u    /* chars of a service name */
#define POLICY_ARG_MAX         254u   /* chars of an argument after its '+' */
#define POLICY_TOKEN_VALUE_MAX 63u    /* suffix of a token: name, tag, class */
#define POLICY_PATH_TOKEN_MAX  255u   /* path of an include directive */
#define POLICY_FIELDS_MAX      10u    /* 5 fields + 5 parameters */

/* Qube classes (SPEC/core.md), in this order; @type: takes their names. */
enum policy_class {
	PCLASS_ADMINVM = 0, PCLASS_APPVM, PCLASS_TEMPLATEVM, PCLASS_STANDALONEVM, PCLASS_DISPVM,
	PCLASS_COUNT
};

/* Source/target token kinds.  PTOK_NONE: an absent parameter. */
enum policy_tok {
	PTOK_NONE = 0,
	PTOK_NAME,        /* a qube name (value) */
	PTOK_ADMINVM,     /* @adminvm, or the literal dom0 */
	PTOK_ANYVM,       /* @anyvm */
	PTOK_ANY,         /* * */
	PTOK_DEFAULT,     /* @default (target only) */
	PTOK_DISPVM,      /* @dispvm (target, redirect) */
	PTOK_DISPVM_NAME, /* @dispvm:NAME (value: NAME) */
	PTOK_DISPVM_TAG,  /* @dispvm:@tag:T (value: T) */
	PTOK_TAG,         /* @tag:T (value: T) */
	PTOK_TYPE,        /* @type:CLASS (value: CLASS, one of the five) */
	PTOK_COUNT
};

/* Where a token stands: each place accepts a different set. */
enum policy_tok_place {
	PPLACE_SOURCE,    /* * @adminvm @anyvm @tag: @type: @dispvm:N @dispvm:@tag: NAME */
	PPLACE_TARGET,    /* the source set, plus @default and @dispvm */
	PPLACE_REDIRECT,  /* target= default_target=: @adminvm @dispvm @dispvm:N NAME */
};

struct policy_token {
	uint8_t kind;                            /* enum policy_tok */
	uint8_t len;                             /* strlen(value) */
	char value[POLICY_TOKEN_VALUE_MAX + 1];  /* "" for kinds without a value */
};

enum policy_line_kind {
	PLINE_EMPTY = 0,       /* blank or comment */
	PLINE_RULE,
	PLINE_INCLUDE,         /* !include PATH (in compat syntax also $include:PATH) */
	PLINE_INCLUDE_DIR,     /* !include-dir PATH */
	PLINE_INCLUDE_SERVICE, /* !include-service SERVICE +ARG PATH */
};

enum policy_action { PACT_DENY = 0, PACT_ALLOW, PACT_ASK };

/* Bits of policy_line.params: which parameters the line set. */
#define PPARAM_TARGET         0x01u
#define PPARAM_DEFAULT_TARGET 0x02u
#define PPARAM_USER           0x04u
#define PPARAM_NOTIFY         0x08u
#define PPARAM_AUTOSTART      0x10u

/* The two syntaxes: policy.d files, and the files of !include-service (the
 * Qubes 4.0 format: SOURCE TARGET ACTION[,key=value...] with '$' for '@'). */
enum policy_syntax { PSYNTAX_V5 = 0, PSYNTAX_COMPAT };

struct policy_line {
	uint8_t kind;                 /* enum policy_line_kind */
	/* PLINE_RULE (V5) and PLINE_INCLUDE_SERVICE.  A compat rule has no
	 * service or argument of its own: any_service/any_arg false, "". */
	bool any_service;             /* "*" */
	uint8_t service_len;
	char service[POLICY_SERVICE_MAX + 1];
	bool any_arg;                 /* "*" */
	uint8_t arg_len;
	char arg[POLICY_ARG_MAX + 1]; /* without the leading '+'; "" for a lone '+' */
	/* PLINE_RULE */
	struct policy_token source, target;
	uint8_t action;               /* enum policy_action */
	uint8_t params;               /* PPARAM_* given on the line */
	struct policy_token redirect; /* target= */
	struct policy_token default_target;
	uint8_t user_len;
	char user[USER_NAME_MAX + 1];
	bool notify;                  /* meaningful when PPARAM_NOTIFY */
	bool autostart;               /* meaningful when PPARAM_AUTOSTART */
	/* PLINE_INCLUDE* */
	uint16_t path_len;
	char path[POLICY_PATH_TOKEN_MAX + 1];
};

enum policy_parse_err {
	PPARSE_OK = 0,
	PPARSE_ETOOLONG = -1,       /* line over POLICY_LINE_MAX */
	PPARSE_EBYTE = -2,          /* NUL, control or non-ASCII byte outside a comment */
	PPARSE_EFIELDS = -3,        /* wrong number of fields */
	PPARSE_ESERVICE = -4,       /* invalid service name */
	PPARSE_EARG = -5,           /* invalid argument */
	PPARSE_EWILDARG = -6,       /* '*' service with an argument other than '*' */
	PPARSE_ESOURCE = -7,        /* invalid source token */
	PPARSE_ETARGET = -8,        /* invalid target token */
	PPARSE_EACTION = -9,        /* not allow, deny or ask */
	PPARSE_EPARAM = -10,        /* parameter not key=value */
	PPARSE_EPARAM_UNKNOWN = -11,/* parameter not valid for the action */
	PPARSE_EPARAM_REPEAT = -12, /* parameter given twice */
	PPARSE_EBOOL = -13,         /* notify/autostart not yes/no */
	PPARSE_EREDIRECT = -14,     /* invalid target=/default_target= token */
	PPARSE_EUSER = -15,         /* invalid user= */
	PPARSE_EDEFAULT = -16,      /* allow to @default without target= */
	PPARSE_EDIRECTIVE = -17,    /* unknown directive */
	PPARSE_EDIRECTIVE_ARGS = -18, /* wrong number of directive parameters */
	PPARSE_EPATH = -19,         /* invalid include path */
	PPARSE_EOUTPUT = -20,       /* the parsed line failed its final check: a parser bug */
};

/* Parses one line (without its '\n').  Returns PPARSE_OK and fills *out,
 * or a negative enum policy_parse_err and leaves *out as it was. */
int policy_line_parse(const uint8_t *buf, size_t len, enum policy_syntax syntax,
		      struct policy_line *out) __attribute__((warn_unused_result));

/* Parses one source/target/redirect token.  Returns 0 and fills *out, or
 * -1 and leaves *out untouched. */
int policy_token_parse(const uint8_t *buf, size_t len, enum policy_tok_place place,
		       struct policy_token *out) __attribute__((warn_unused_result));

/* Length of the line that starts at buf[off]: the bytes before the next
 * '\n' or the end of the buffer (off <= len). */
size_t policy_line_length(const uint8_t *buf, size_t len, size_t off);

/* One-line English text of a policy_parse_err. */
const char *policy_parse_strerror(int code);

/* The enum policy_class of a class name ("AdminVM", "AppVM", ...), or -1. */
int policy_class_from_name(const uint8_t *buf, size_t len) __attribute__((warn_unused_result));

#endif
