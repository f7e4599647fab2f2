/* qrexec-client-vm: call a service in another qube (or dom0), from a qube.
 *
 *   qrexec-client-vm TARGET SERVICE[+ARG]
 *
 * Asks the qube's agent, which asks dom0; dom0's policy decides.  On
 * allow we are the data channel's server and pass stdin, stdout and
 * stderr until the service's exit code, which becomes ours.  Exit codes:
 * 126 refused by policy, 127 service not found (from the far side),
 * 125 qrexec failure. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/io.h"
#include "lib/log.h"
#include "lib/vchan.h"
#include "qrexec/protocol.h"
#include "qrexec/lib/call_client.h"
#include "qrexec/lib/vm_request.h"

static _Noreturn void failed(const char *what, int err)
{
	fprintf(stderr, "qrexec-client-vm: %s%s%s\n", what, err ? ": " : "", err ? strerror(err) : "");
	exit(QREXEC_EXIT_PROBLEM);
}

int main(int argc, char **argv)
{
	struct vmrep rep;
	const char *step;
	int rc, code;

	log_init("qrexec-client-vm");
	if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		printf("usage: qrexec-client-vm TARGET SERVICE[+ARG]\n");
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "qrexec-client-vm: usage: qrexec-client-vm TARGET SERVICE[+ARG]\n");
		return 2;
	}
	/* The agent (and dom0 after it) checks both; these are only sizes. */
	if (strlen(argv[1]) >= TARGET_DOMAIN_SIZE_V3 || strlen(argv[2]) + 1 > MAX_SERVICE_NAME_LEN) {
		fprintf(stderr, "qrexec-client-vm: target or service name too long\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if ((rc = vm_request(argv[1], argv[2], &rep, now_ms() + VM_DECISION_TIMEOUT_MS)) < 0)
		failed("cannot reach the qrexec agent", -rc);
	if (rep.status == VMREP_REFUSED) {
		fprintf(stderr, "Request refused\n");
		return QREXEC_EXIT_REFUSED;
	}
	if (rep.status != VMREP_CONNECT)
		failed("the request is malformed or could not be sent", 0);
	if (vm_request_use_channel(&rep) < 0)
		failed("the agent did not say which domain this is", 0);
	if ((rc = call_with_stdio(rep.domain, rep.port, &code, &step)) < 0)
		failed(step, -rc);
	return code;
}
