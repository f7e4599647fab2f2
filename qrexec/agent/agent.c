/* qrexec-agent: the qube's end of qrexec.  Started by qube-init as the
 * qube's root.
 *
 * It connects to dom0's qrexec-daemon (control channel, port 512), runs
 * what dom0 sends (MSG_EXEC_CMDLINE: a handler process per call, which
 * connects the data channel and pumps it), and forwards service requests
 * from qrexec-client-vm to dom0, answering them with dom0's decision
 * (control.c reads dom0's messages, loop.c is the event loop).
 * SPEC/qrexec-daemons.md. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/io.h"
#include "lib/log.h"
#include "lib/vchan.h"
#include "qrexec/agent/agent.h"
#include "qrexec/msg_parse.h"
#include "qrexec/protocol.h"

#define CONNECT_TIMEOUT_MS 60000u

static struct agent a;

static int listen_local(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *dir = getenv("QREXEC_AGENT_DIR") ? getenv("QREXEC_AGENT_DIR") : "/run/bulkhead";
	mode_t old;
	int fd, n;

	n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", dir, AGENT_SOCKET_NAME);
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path))
		fatalx("agent socket path too long");
	unlink(sa.sun_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		fatal("socket");
	/* Every user of the qube may ask for services: dom0 decides. */
	old = umask(0);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0)
		fatal("bind %s", sa.sun_path);
	umask(old);
	return fd;
}

int main(void)
{
	sigset_t mask;
	int err = 0, sfd, lfd;

	log_init("qrexec-agent");
	agent_init(&a);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		fatal("signalfd");
	a.ctrl = vchan_client_init(0, VCHAN_BASE_PORT, now_ms() + CONNECT_TIMEOUT_MS, &err);
	if (a.ctrl == NULL)
		fatalx("cannot reach dom0: %s", strerror(-err));
	if (agent_handshake(&a, now_ms() + CONNECT_TIMEOUT_MS) < 0)
		exit(1);
	lfd = listen_local();
	agent_refill_spare(&a);
	log_info("connected to dom0, protocol version %u", a.version);

	/* dom0 gone or breaking the protocol: the qube has no qrexec. */
	while (agent_round(&a, sfd, lfd) == AGENT_GO_ON)
		;
	exit(1);
}
