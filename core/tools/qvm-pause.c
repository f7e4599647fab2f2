/* qvm-pause: suspend running qubes (admin.vm.Pause). */
#include "core/tools/cli.h"
#include "core/tools/lifecycle.h"

static const struct cli_tool tool = {
	.name = "qvm-pause",
	.synopsis = "[-h] NAME...",
	.help = "Pause each named running qube: it stops running (Xen: the domain is\n"
		"paused; local backend: its cgroup is frozen) until qvm-unpause.  Every\n"
		"qube is tried; the exit status is 1 if any could not be paused, with the\n"
		"first reason on stderr.\n\n"
		"options:\n"
		"  -h, --help  show this help and exit\n",
};

int main(int argc, char **argv)
{
	cli_init(&tool);
	return lifecycle_main(argc, argv, "admin.vm.Pause", NULL);
}
