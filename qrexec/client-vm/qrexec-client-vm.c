/* qrexec-client-vm: call a service in another qube (or dom0), from a qube.
 *
 *   qrexec-client-vm TARGET SERVICE[+ARG]
 *
 * Asks the qube's agent, which asks dom0; dom0's policy decides.  On
 * allow we are the data channel's server and pass stdin, stdout and
 * stderr until the service's exit code, which becomes ours.  Exit codes:
 * 126 refused by policy, 127 service not found (from the far side),
 * 125 qrexec failure. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/io.h"
#include "lib/log.h"
#include "lib/vchan.h"
#include "qrexec/protocol.h"
#include "qrexec/lib/call_client.h"
#include "qrexec/lib/vmreq.h"

#define DECISION_TIMEOUT_MS 300000u   /* the user may be answering a prompt */

static _Noreturn void failed(const char *what, int err)
{
	fprintf(stderr, "qrexec-client-vm: %s%s%s\n", what, err ? ": " : "", err ? strerror(err) : "");
	exit(QREXEC_EXIT_PROBLEM);
}

static int ask_agent(const char *target, const char *service, struct vmrep *rep)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *dir = getenv("QREXEC_AGENT_DIR") ? getenv("QREXEC_AGENT_DIR") : "/run/bulkhead";
	struct vmreq req = { .service_len = (uint32_t)strlen(service) + 1 };
	uint64_t deadline = now_ms() + DECISION_TIMEOUT_MS;
	int fd, rc = 0, n;

	n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", dir, AGENT_SOCKET_NAME);
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(req.target, target, strlen(target));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		rc = -errno;
	if (rc == 0)
		rc = write_all_deadline(fd, &req, sizeof(req), deadline);
	if (rc == 0)
		rc = write_all_deadline(fd, service, req.service_len, deadline);
	if (rc == 0)
		rc = read_exact_deadline(fd, rep, sizeof(*rep), deadline);
	close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	struct vmrep rep;
	const char *step;
	char dom[16];
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
	if ((rc = ask_agent(argv[1], argv[2], &rep)) < 0)
		failed("cannot reach the qrexec agent", -rc);
	if (rep.status == VMREP_REFUSED) {
		fprintf(stderr, "Request refused\n");
		return QREXEC_EXIT_REFUSED;
	}
	if (rep.status != VMREP_CONNECT)
		failed("the request is malformed or could not be sent", 0);
	/* Any process of the qube may call us: its environment need not name
	 * the qube's domain, the agent's answer does. */
	if (rep.self == 0 || rep.self > QREXEC_DOMID_MAX)
		failed("the agent did not say which domain this is", 0);
	snprintf(dom, sizeof(dom), "%u", rep.self);
	setenv("VCHAN_DOMAIN", dom, 1);
	if (getenv("VCHAN_SOCKET_DIR") == NULL)
		setenv("VCHAN_SOCKET_DIR", QUBE_VCHAN_DIR, 1);
	if ((rc = call_with_stdio(rep.domain, rep.port, &code, &step)) < 0)
		failed(step, -rc);
	return code;
}
