/* qvm-unpause: resume paused qubes (admin.vm.Unpause). */
#include "core/tools/cli.h"
#include "core/tools/lifecycle.h"

static const struct cli_tool tool = {
	.name = "qvm-unpause",
	.synopsis = "[-h] NAME...",
	.help = "Let each named paused qube run again (see qvm-pause).  Every qube is\n"
		"tried; the exit status is 1 if any could not be unpaused, with the first\n"
		"reason on stderr.\n\n"
		"options:\n"
		"  -h, --help  show this help and exit\n",
};

int main(int argc, char **argv)
{
	cli_init(&tool);
	return lifecycle_main(argc, argv, "admin.vm.Unpause", NULL);
}
