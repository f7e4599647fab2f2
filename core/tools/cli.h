/* Shared plumbing for the qvm-* tools: option parsing with the common
 * --help and usage-error handling, Admin API calls whose failures are
 * collected into the single stderr line the tools end with, and strict
 * parsers for the reply formats of SPEC/core.md.
 *
 * Exit statuses (CONVENTIONS.md): 0 ok; 1 refused or failed, with exactly
 * one line "TOOL: reason" on stderr; 2 usage error, one line on stderr that
 * ends with the synopsis. */
#ifndef BH_CLI_H
#define BH_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "admin_client.h"
#include "core/vmm.h"

#define CLI_EXIT_OK     0
#define CLI_EXIT_FAILED 1
#define CLI_EXIT_USAGE  2

struct cli_tool {
	const char *name;     /* "qvm-create" */
	const char *synopsis; /* one line, without the tool's name */
	const char *help;     /* description and options for --help */
};

/* The long option every tool has; put it in the tool's option table. */
#define CLI_OPT_HELP { "help", no_argument, NULL, 'h' }

/* Sets the tool (for messages).  Call first in main(). */
void cli_init(const struct cli_tool *tool);

/* getopt_long() that handles -h/--help (usage to stdout, exit 0) and
 * unknown options or missing arguments (usage error, exit 2) itself.
 * shortopts must contain "h".  Returns the next option of the tool's own,
 * or -1 when options are done (optind indexes the first operand). */
int cli_getopt(int argc, char *const argv[], const char *shortopts,
	       const struct option *longopts);

/* One line "TOOL: message; usage: TOOL SYNOPSIS" on stderr, exit 2. */
_Noreturn void cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Records a failure.  The first one recorded becomes the tool's stderr
 * line; later ones only count (the line says how many more failed). */
void cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Whether anything failed so far. */
bool cli_failed(void);

/* Prints the failure line, if any, and returns the exit status. */
int cli_finish(void);

/* Writes s into out (outlen > 0) with anything outside printable ASCII
 * escaped as \xNN, for quoting user input in messages.  Returns out. */
const char *cli_esc(const char *s, char *out, size_t outlen);

/* Checks operands before they reach the wire; record a failure (exit 1:
 * the value is refused, not misused) and return false when invalid. */
bool cli_check_qube(const char *name) __attribute__((warn_unused_result));
bool cli_check_token(enum name_kind kind, const char *what, const char *s)
	__attribute__((warn_unused_result));

/* Admin API calls as dom0.  r is always initialised; the caller frees it
 * with admin_reply_free().
 *   cli_call_raw: 0 ok, 1 the daemon raised an exception (r->exc_type and
 *     r->content hold it, nothing is recorded), -1 the call itself failed
 *     (unreachable daemon, malformed reply; recorded).
 *   cli_call: 0 ok, -1 failed (recorded, exception message included). */
int cli_call_raw(const char *method, const char *dest, const char *arg,
		 const char *payload, struct admin_reply *r) __attribute__((warn_unused_result));
int cli_call(const char *method, const char *dest, const char *arg,
	     const char *payload, struct admin_reply *r);

/* Records the exception in r as the failure, after "QUBE: " unless qube
 * is NULL. */
void cli_fail_exception(const char *qube, const struct admin_reply *r);

/* Records "malformed reply to METHOD" and returns -1. */
int cli_bad_reply(const char *method);

/* Reply parsers (strict: anything not exactly in the SPEC/core.md format
 * is rejected with -1). */

/* Iterates over the '\n'-terminated lines of a reply content.  *pos starts
 * at 0.  Returns 1 with line/len set, 0 at the end, -1 when the content is
 * malformed (an unterminated last line, an empty line, a NUL byte). */
int cli_next_line(const struct strbuf *content, size_t *pos, const char **line, size_t *len)
	__attribute__((warn_unused_result));

struct cli_vm_entry {
	char name[QUBE_NAME_MAX + 1];
	enum qube_class klass;
	enum power_state state;
};

/* One admin.vm.List line (without '\n'): "NAME class=CLASS state=STATE". */
int cli_parse_vm_line(const char *line, size_t len, struct cli_vm_entry *out)
	__attribute__((warn_unused_result));

enum cli_prop_type { PROP_STR, PROP_INT, PROP_BOOL, PROP_LABEL, PROP_VM };

struct cli_prop_value {
	bool is_default;
	enum cli_prop_type type;
	char value[VALUE_MAX + 1];
};

/* admin.vm.property.Get content: "default=True|False type=TYPE VALUE".
 * The value must fit its type. */
int cli_parse_prop(const char *buf, size_t len, struct cli_prop_value *out)
	__attribute__((warn_unused_result));

/* admin.vm.CurrentState content; only the power state is kept. */
int cli_parse_state(const char *buf, size_t len, enum power_state *out)
	__attribute__((warn_unused_result));

/* A plain value (feature value): printable ASCII, at most VALUE_MAX. */
int cli_check_value(const char *buf, size_t len) __attribute__((warn_unused_result));

/* Parses a decimal unsigned integer (no sign, no leading zeros, at most
 * max).  Returns 0 or -1. */
int cli_parse_uint(const char *s, uint32_t max, uint32_t *out) __attribute__((warn_unused_result));

/* Lists all qubes, dom0 included, sorted by name.  Returns the count
 * (entries in *out, which the caller frees) or -1 (recorded). */
int cli_list_vms(struct cli_vm_entry **out) __attribute__((warn_unused_result));

/* Finds name in a list from cli_list_vms(); NULL if absent. */
const struct cli_vm_entry *cli_find_vm(const struct cli_vm_entry *v, int n, const char *name);

/* Writes s as a JSON string literal (quotes included) to stdout. */
void cli_json_string(const char *s);

#endif
