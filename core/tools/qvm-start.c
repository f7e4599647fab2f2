/* qvm-start: start qubes (admin.vm.Start). */
#include "core/tools/cli.h"
#include "core/tools/lifecycle.h"

static const struct cli_tool tool = {
	.name = "qvm-start",
	.synopsis = "[-h] NAME...",
	.help = "Start each named qube.  Every qube is tried; the exit status is 1 if any\n"
		"failed to start, with the first reason on stderr.\n\n"
		"options:\n"
		"  -h, --help  show this help and exit\n",
};

int main(int argc, char **argv)
{
	cli_init(&tool);
	return lifecycle_main(argc, argv, "admin.vm.Start", NULL);
}
