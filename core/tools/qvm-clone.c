/* qvm-clone: copy a qube, with its properties, features, tags and volumes,
 * to a new name in one call (admin.vm.Clone). */
#include "core/tools/cli.h"

#include "admin_proto.h"

#include <stdio.h>

static const struct cli_tool tool = {
	.name = "qvm-clone",
	.synopsis = "[-h] SRC DST",
	.help = "Create the qube DST as a copy of the halted qube SRC: same class,\n"
		"properties, features, tags and volume contents.\n\n"
		"options:\n"
		"  -h, --help  show this help and exit\n",
};

int main(int argc, char **argv)
{
	static const struct option opts[] = { CLI_OPT_HELP, { NULL, 0, NULL, 0 } };
	char payload[sizeof("name=") + QUBE_NAME_MAX];
	struct admin_reply r;

	cli_init(&tool);
	while (cli_getopt(argc, argv, ":h", opts) != -1)
		;
	if (argc - optind < 2)
		cli_usage("missing %s", argc - optind == 0 ? "SRC and DST" : "DST");
	if (argc - optind > 2)
		cli_usage("too many arguments");
	if (!cli_check_qube(argv[optind]) || !cli_check_qube(argv[optind + 1]))
		return cli_finish();
	snprintf(payload, sizeof(payload), "name=%s", argv[optind + 1]);
	cli_call("admin.vm.Clone", argv[optind], "", payload, &r);
	admin_reply_free(&r);
	return cli_finish();
}
