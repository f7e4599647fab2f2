/* qvm-remove: remove halted qubes and their volumes (admin.vm.Remove),
 * after asking, like Qubes, unless --force. */
#include "core/tools/cli.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static const struct cli_tool tool = {
	.name = "qvm-remove",
	.synopsis = "[-h] [-f] NAME...",
	.help = "Remove each named qube with all its data.  The qube must be halted and\n"
		"not used by another qube or a global property.  Without --force, asks\n"
		"for confirmation on the terminal, and refuses when there is none.\n\n"
		"options:\n"
		"  -f, --force  do not ask for confirmation\n"
		"  -h, --help   show this help and exit\n",
};

static bool confirmed(int argc, char **argv)
{
	char answer[16];
	size_t len;

	if (!isatty(STDIN_FILENO)) {
		cli_fail("not removing %s without confirmation: no terminal (use --force)",
			 argv[optind]);
		return false;
	}
	printf("This will completely remove the selected qube(s):\n");
	for (int i = optind; i < argc; i++)
		printf("  %s\n", argv[i]);
	printf("Are you sure? [y/N] ");
	fflush(stdout);
	if (fgets(answer, sizeof(answer), stdin) == NULL)
		answer[0] = '\0';
	len = strcspn(answer, "\n");
	answer[len] = '\0';
	if (strcasecmp(answer, "y") != 0 && strcasecmp(answer, "yes") != 0) {
		cli_fail("removal cancelled");
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_OPT_HELP,
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	bool force = false;
	struct admin_reply r;
	int c;

	cli_init(&tool);
	while ((c = cli_getopt(argc, argv, ":hf", opts)) != -1)
		if (c == 'f')
			force = true;
	if (optind >= argc)
		cli_usage("missing qube name");
	for (int i = optind; i < argc; i++)
		if (!cli_check_qube(argv[i]))
			return cli_finish();
	if (!force && !confirmed(argc, argv))
		return cli_finish();
	for (int i = optind; i < argc; i++) {
		cli_call("admin.vm.Remove", argv[i], "", NULL, &r);
		admin_reply_free(&r);
	}
	return cli_finish();
}
