/* The measured-boot tools' command dispatch (subcmd.h). */
#include "measured-boot/subcmd.h"

#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "log.h"
#include "paths.h"

static const struct mb_tool *running;   /* set first by mb_subcmd_main */

static int usage_to(FILE *f, int rc)
{
	size_t i;

	for (i = 0; i < running->ncmds; i++)
		fprintf(f, "%s %s %s\n", i == 0 ? "usage:" : "      ", running->name, running->cmds[i].help);
	return rc;
}

int mb_usage(void)
{
	return usage_to(stderr, 2);
}

int mb_failx(const char *msg)
{
	fprintf(stderr, "%s: %s\n", running->name, msg);
	return 1;
}

int mb_subcmd_main(const struct mb_tool *tool, int argc, char **argv)
{
	size_t i;

	running = tool;
	if (tool->flags & MB_TOOL_SETUP) {
		log_init(tool->name);
		if (sodium_init() < 0)
			return mb_failx("libsodium failed to initialise");
		if (bh_root() == NULL)
			return mb_failx("BULKHEAD_ROOT must be an absolute path");
	}
	if (argc < 2)
		return mb_usage();
	if ((tool->flags & MB_TOOL_HELP) && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
		return usage_to(stdout, 0);
	for (i = 0; i < tool->ncmds; i++)
		if (strcmp(argv[1], tool->cmds[i].name) == 0)
			return tool->cmds[i].fn(argc - 1, argv + 1);
	if (tool->unknown != NULL)
		return tool->unknown(argc - 1, argv + 1);
	return mb_usage();
}

int mb_get_opts(int argc, char **argv, const char *const *names, const char **vals, size_t n)
{
	int i;
	size_t j;

	for (i = 1; i < argc; i += 2) {
		if (i + 1 >= argc)
			return -1;
		for (j = 0; j < n && strcmp(argv[i], names[j]) != 0; j++)
			;
		if (j == n || vals[j] != NULL)
			return -1;
		vals[j] = argv[i + 1];
	}
	return 0;
}
