/* The command line of the measured-boot tools (bulkhead-measure,
 * bulkhead-attest, bulkhead-aem): "TOOL CMD [ARGS...]", CMD looked up in
 * the tool's table, the usage text made of the table's help lines.
 * Exit statuses (CONVENTIONS.md): 0 ok, 1 refused or failed with one
 * line on stderr, 2 usage. */
#ifndef BH_MB_SUBCMD_H
#define BH_MB_SUBCMD_H

#include <stddef.h>

struct mb_subcmd {
	const char *name;                  /* CMD */
	int (*fn)(int argc, char **argv);  /* gets argv from CMD on; returns the exit status */
	const char *help;                  /* its usage after "TOOL ", further lines indented */
};

#define MB_TOOL_SETUP 0x1u  /* log_init, sodium_init, BULKHEAD_ROOT absolute or unset, first */
#define MB_TOOL_HELP  0x2u  /* "TOOL --help" or "-h": the usage on stdout, exit 0 */

struct mb_tool {
	const char *name;                  /* "bulkhead-measure": messages and usage */
	const struct mb_subcmd *cmds;
	size_t ncmds;
	unsigned flags;                    /* MB_TOOL_* */
	int (*unknown)(int argc, char **argv);  /* an unknown CMD, as fn; NULL: the usage */
};

/* The tool's main: the setup its flags ask for, then the command named
 * by argv[1] with argc - 1, argv + 1; the usage (exit 2) for no command,
 * and for an unknown one unless the tool has its own answer.  tool must outlive the call (mb_usage, mb_failx use
 * it). */
int mb_subcmd_main(const struct mb_tool *tool, int argc, char **argv);

/* For the commands, once mb_subcmd_main runs: the usage on stderr,
 * returning 2; "TOOL: msg" on stderr, returning 1. */
int mb_usage(void);
int mb_failx(const char *msg);

/* Options "--name VALUE" (argv[1..argc-1]) into vals[] by the position of
 * the name in names[n]; each at most once; vals[] NULL on entry.  -1 for
 * anything else (a usage error), else 0.  vals point into argv. */
int mb_get_opts(int argc, char **argv, const char *const *names, const char **vals, size_t n)
	__attribute__((warn_unused_result));

#endif
