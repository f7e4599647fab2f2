/* fake-agent: a hostile qube's qrexec agent, and the helpers a hostile
 * test needs around it (tests/hostile/fake_agent.h).
 *
 *   fake-agent [--deadline MS] ATTACK [ARGS]   attack the daemon of VCHAN_DOMAIN
 *   fake-agent serve                           a well-behaved agent (serve.c)
 *   fake-agent dom0-refuse|dom0-exec|dom0-connect|dom0-ping NAME ...   a dom0 client
 *   fake-agent list                            the attacks, one per line
 *
 * The qube side needs VCHAN_DOMAIN=D and VCHAN_SOCKET_DIR=<D's directory>;
 * the dom0 side BULKHEAD_ROOT and uid 0. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/hostile/fake_agent.h"

static int usage(void)
{
	fprintf(stderr, "usage: fake-agent [--deadline MS] MODE [ARGS] (fake-agent list: the attacks)\n");
	return FA_USAGE;
}

int main(int argc, char **argv)
{
	static struct fa fa;
	bool found = false;
	int rc;

	fa.close_ms = FA_CLOSE_MS;
	if (argc >= 3 && strcmp(argv[1], "--deadline") == 0) {
		char *end;
		unsigned long ms = strtoul(argv[2], &end, 10);

		if (*end != '\0' || ms == 0 || ms > 600000)
			return usage();
		fa.close_ms = ms;
		argc -= 2;
		argv += 2;
	}
	if (argc < 2)
		return usage();
	fa_set_mode(argv[1]);
	if (strcmp(argv[1], "list") == 0) {
		fa_list_attacks();
		return FA_OK;
	}
	if (strcmp(argv[1], "serve") == 0)
		rc = fa_serve(&fa);
	else if (strncmp(argv[1], "dom0-", 5) == 0)
		rc = fa_dom0(argv[1], argc - 1, argv + 1, &found);
	else
		rc = fa_run_attack(&fa, argv[1], argc - 1, argv + 1, &found);
	if (rc == FA_USAGE)
		return found ? usage() : (fprintf(stderr, "fake-agent: unknown mode %s\n", argv[1]), FA_USAGE);
	if (fa.v != NULL)
		vchan_close(fa.v);
	fflush(stdout);
	return rc;
}
