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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/io.h"
#include "lib/log.h"
#include "lib/names_parse.h"
#include "lib/paths.h"
#include "lib/vchan.h"
#include "qrexec/lib/dom0req.h"
#include "qrexec/protocol.h"
#include "qrexec/lib/pump.h"

#define CONNECT_TIMEOUT_MS 60000u

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
	struct dom0req req = { .op = DREQ_EXEC, .domain = 0 };
	struct dom0rep rep;
	struct pump_config cfg = { .role = PUMP_CLIENT, .child = -1 };
	const char *qube = NULL, *cmdline;
	char vdir[BH_PATH_MAX];
	uint64_t deadline;
	int c, rc, err = 0, code;

	log_init("qrexec-client");
	opterr = 0;
	while ((c = getopt(argc, argv, "+d:eh")) != -1) {
		switch (c) {
		case 'd':
			qube = optarg;
			break;
		case 'e':
			req.just_exec = 1;
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

	req.cmdline_len = (uint32_t)strlen(cmdline) + 1;
	rc = dom0req_call(qube, &req, cmdline, &rep);
	if (rc < 0)
		failed("cannot reach the qrexec daemon of", qube, -rc);
	if (rep.rc < 0)
		failed("the request was refused by the qrexec daemon of", qube, -rep.rc);
	if (req.just_exec)
		return 0;
	deadline = now_ms() + CONNECT_TIMEOUT_MS;
	cfg.v = vchan_server_init(rep.domid, rep.port, 0, 0, &err);
	if (cfg.v == NULL)
		failed("data channel to", qube, -err);
	if ((rc = vchan_wait_connected(cfg.v, deadline)) < 0 ||
	    (rc = pump_handshake(cfg.v, 1, &cfg.version, deadline)) < 0)
		failed("data channel to", qube, -rc);
	cfg.local_in = dup(0);
	cfg.local_out = dup(1);
	cfg.local_err_out = dup(2);
	cfg.local_err = -1;
	rc = pump_run(&cfg, &code);
	vchan_close(cfg.v);
	if (rc < 0)
		failed("the call broke off:", qube, -rc);
	return code;
}
