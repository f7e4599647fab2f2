/* qubes-prefs: list, show, set and reset the global properties. */
#include "core/tools/cli.h"
#include "core/tools/prefs.h"

static const struct cli_tool tool = {
	.name = "qubes-prefs",
	.synopsis = "[-h] [-D] [PROP [VALUE]]",
	.help = "Without PROP, list every global property (default_template,\n"
		"default_netvm, default_dispvm, backend), one a line: name, then '-'\n"
		"if set or 'D' if at its default, then the value.  With PROP, print its\n"
		"value; with VALUE, set it (\"\" or none for none).\n\n"
		"options:\n"
		"  -D, --default  reset PROP to its default\n"
		"  -h, --help     show this help and exit\n",
};

int main(int argc, char **argv)
{
	cli_init(&tool);
	return prefs_main(argc, argv, false);
}
