/* qvm-kill: stop qubes at once, without a clean shutdown (admin.vm.Kill). */
#include "core/tools/cli.h"
#include "core/tools/lifecycle.h"

static const struct cli_tool tool = {
	.name = "qvm-kill",
	.synopsis = "[-h] NAME...",
	.help = "Kill each named qube at once, without a clean shutdown.  A qube that is\n"
		"already halted is left alone.  Every qube is tried; the exit status is 1\n"
		"if any could not be killed, with the first reason on stderr.\n\n"
		"options:\n"
		"  -h, --help  show this help and exit\n",
};

int main(int argc, char **argv)
{
	cli_init(&tool);
	return lifecycle_main(argc, argv, "admin.vm.Kill", "QubesVMNotStartedError");
}
