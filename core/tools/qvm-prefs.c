/* qvm-prefs: list, show, set and reset a qube's properties. */
#include "core/tools/cli.h"
#include "core/tools/prefs.h"

static const struct cli_tool tool = {
	.name = "qvm-prefs",
	.synopsis = "[-h] [-D] NAME [PROP [VALUE]]",
	.help = "Without PROP, list every property of the qube NAME, one a line:\n"
		"name, then '-' if set or 'D' if at its default, then the value.\n"
		"With PROP, print its value; with VALUE, set it.  Bool properties take\n"
		"true/false, yes/no, on/off or 1/0; qube properties take \"\" or none\n"
		"for none.\n\n"
		"options:\n"
		"  -D, --default  reset PROP to its default\n"
		"  -h, --help     show this help and exit\n",
};

int main(int argc, char **argv)
{
	cli_init(&tool);
	return prefs_main(argc, argv, true);
}
