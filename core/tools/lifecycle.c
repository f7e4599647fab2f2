#include "core/tools/lifecycle.h"
#include "core/tools/cli.h"

#include <string.h>

int lifecycle_call(const char *method, const char *qube, const char *ignore_exc, bool name_it)
{
	struct admin_reply r;
	int rc = cli_call_raw(method, qube, "", NULL, &r);

	if (rc == 1 && ignore_exc != NULL && strcmp(r.exc_type, ignore_exc) == 0)
		rc = 0;
	else if (rc == 1)
		cli_fail_exception(name_it ? qube : NULL, &r);
	admin_reply_free(&r);
	return rc == 0 ? 0 : -1;
}

int lifecycle_main(int argc, char **argv, const char *method, const char *ignore_exc)
{
	static const struct option opts[] = { CLI_OPT_HELP, { NULL, 0, NULL, 0 } };

	while (cli_getopt(argc, argv, ":h", opts) != -1)
		;
	if (optind >= argc)
		cli_usage("missing qube name");
	for (int i = optind; i < argc; i++)
		if (!cli_check_qube(argv[i]))
			return cli_finish();
	for (int i = optind; i < argc; i++)
		(void)lifecycle_call(method, argv[i], ignore_exc, argc - optind > 1);
	return cli_finish();
}
