/* qrexec-client: run a command line in a qube from dom0.
 *
 *   qrexec-client -d NAME [-e] USER:COMMAND
 *
 * Asks NAME's qrexec-daemon to send the command to the qube's agent, is
 * the data channel's server, and passes stdin, stdout and stderr until
 * the command's exit code, which becomes ours.  -e: just start it, no
 * data channel (MSG_JUST_EXEC).  Exit codes: the command's, or 125 when
 * qrexec itself failed (SPEC/qrexec-daemons.md). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/io.h"
#include "lib/log.h"
#include "lib/names_parse.h"
#include "lib/paths.h"
#include "lib/vchan.h"
#include "qrexec/lib/dom0exec.h"
#include "qrexec/protocol.h"
#include "qrexec/lib/call_client.h"

static _Noreturn void usage_error(const char *what)
{
	fprintf(stderr, "qrexec-client: %s (usage: qrexec-client -d NAME [-e] USER:COMMAND)\n", what);
	exit(2);
}

static _Noreturn void failed(const char *what, const char *qube, int err)
{
	fprintf(stderr, "qrexec-client: %s %s: %s\n", what, qube, strerror(err));
	exit(QREXEC_EXIT_PROBLEM);
}

int main(int argc, char **argv)
{
	struct dom0rep rep;
	bool just_exec = false;
	const char *qube = NULL, *cmdline, *step;
	char vdir[BH_PATH_MAX];
	int c, rc, code;

	log_init("qrexec-client");
	opterr = 0;
	while ((c = getopt(argc, argv, "+d:eh")) != -1) {
		switch (c) {
		case 'd':
			qube = optarg;
			break;
		case 'e':
			just_exec = true;
			break;
		case 'h':
			printf("usage: qrexec-client -d NAME [-e] USER:COMMAND\n");
			return 0;
		default:
			usage_error("unknown option");
		}
	}
	if (qube == NULL || argc - optind != 1)
		usage_error("need -d NAME and one USER:COMMAND");
	if (names_check(NAME_QUBE, (const uint8_t *)qube, strlen(qube)) < 0)
		usage_error("bad qube name");
	cmdline = argv[optind];
	if (strlen(cmdline) + 1 > MAX_QREXEC_CMD_LEN || strchr(cmdline, ':') == NULL)
		usage_error("the command must be USER:COMMAND");
	if (getenv("VCHAN_SOCKET_DIR") == NULL) {
		if (bh_path(vdir, sizeof(vdir), "run/bulkhead/vchan") < 0)
			usage_error("BULKHEAD_ROOT too long");
		setenv("VCHAN_SOCKET_DIR", vdir, 1);
	}
	unsetenv("VCHAN_DOMAIN");
	signal(SIGPIPE, SIG_IGN);

	rc = dom0_exec(qube, just_exec, cmdline, &rep);
	if (rc == -EACCES)
		failed("capd gave no capability for the call to", qube, EACCES);
	if (rc < 0)
		failed("cannot reach the qrexec daemon of", qube, -rc);
	if (rep.rc < 0)
		failed("the request was refused by the qrexec daemon of", qube, -rep.rc);
	if (just_exec)
		return 0;
	if ((rc = call_with_stdio(rep.domid, rep.port, &code, &step)) < 0)
		failed(step, qube, -rc);
	return code;
}
