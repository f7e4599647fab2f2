/* qrexec-daemon: dom0's end of one qube's qrexec control channel.
 *
 *   qrexec-daemon DOMID NAME [--timeout SECS] [--ready-fd FD]
 *
 * Started by bulkheadd's VMM monitor when the qube starts.  It is the
 * control channel's server (port 512), the first dom0 code to read that
 * qube's bytes: it drops every capability and installs its seccomp policy
 * (daemon_seccomp.c) before the agent can connect.  Any message that
 * fails its check (SPEC/qrexec.md) ends the daemon, which ends qrexec for
 * that qube only.  dom0 programs reach it on
 * $BULKHEAD_ROOT/run/bulkhead/qrexec/qrexec.NAME.sock (qrexec/dom0req.h).
 * SPEC/qrexec-daemons.md. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/io.h"
#include "lib/dom0_uids.h"
#include "lib/log.h"
#include "lib/privdrop.h"
#include "lib/names_parse.h"
#include "lib/paths.h"
#include "lib/unixsock.h"
#include "lib/sandbox.h"
#include "lib/vchan.h"
#include "qrexec/daemon/daemon.h"
#include "qrexec/daemon/ports.h"
#include "qrexec/lib/dom0req.h"
#include "qrexec/msg_parse.h"
#include "qrexec/protocol.h"

static struct daemon d;

static _Noreturn void usage_error(const char *what)
{
	fprintf(stderr, "qrexec-daemon: %s (usage: qrexec-daemon DOMID NAME [--qid QID] [--timeout SECS] "
		"[--ready-fd FD])\n", what);
	exit(2);
}

static int listen_dom0(const char *name)
{
	char path[BH_PATH_MAX];
	int fd;

	if (bh_mkdirs("run/bulkhead/qrexec", 0700) < 0 || dom0req_socket_path(name, path, sizeof(path)) < 0)
		fatalx("cannot make the dom0 socket path for %s", name);
	fd = unix_listen(path, 16);
	if (fd < 0)
		fatalx("%s: %s", path, strerror(-fd));
	/* dom0's clients: root's tools and qrexec-policyd (its group); the
	 * peer's uid is checked on every connection all the same. */
	if (chown(path, 0, BH_GID_POLICYD) < 0 || chmod(path, 0660) < 0)
		fatal("%s", path);
	return fd;
}

/* The HELLO exchange on the control channel: we speak first. */
static void handshake(uint64_t deadline)
{
	uint8_t ours[12], untrusted_theirs[12];
	struct msg_header h;
	uint32_t max, theirs;
	size_t n;
	int rc = 0;

	if (qrexec_hello_encode(QREXEC_PROTOCOL_VERSION, ours, sizeof(ours), &n) != QREXEC_OK ||
	    (rc = vchan_send(d.ctrl, ours, n, deadline)) < 0 ||
	    (rc = vchan_recv(d.ctrl, untrusted_theirs, sizeof(untrusted_theirs), deadline)) < 0)
		fatalx("%s: handshake: %s", d.name, strerror(rc < 0 ? -rc : EPROTO));
	if (qrexec_hdr_decode(untrusted_theirs, 8, &h) != QREXEC_OK ||
	    qrexec_hdr_check(&h, CHAN_CONTROL, PEER_AGENT, QREXEC_VERSION_NONE, &max) != QREXEC_OK ||
	    qrexec_hello_decode(untrusted_theirs + 8, h.len, &theirs) != QREXEC_OK ||
	    qrexec_negotiate(QREXEC_PROTOCOL_VERSION, theirs, &d.version) != QREXEC_OK)
		fatalx("%s: bad HELLO from the agent", d.name);
	log_info("%s: agent connected, protocol version %u", d.name, d.version);
}

/* The control channel to the agent (SPEC/qrexec.md), server side. */
static void open_control(void)
{
	int err = 0;

	d.ctrl = vchan_server_init(d.domid, VCHAN_BASE_PORT, 0, 0, &err);
	if (d.ctrl == NULL)
		fatalx("%s: control channel: %s", d.name, strerror(-err));
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "ready-fd", required_argument, NULL, 'r' },
		{ "qid", required_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	long ready_fd = -1;
	unsigned long timeout_s = 60, domid, qid = 0;
	char vdir[BH_PATH_MAX], *end;
	uint64_t deadline;
	int c, err = 0;

	log_init("qrexec-daemon");
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 't') {
			timeout_s = strtoul(optarg, &end, 10);
			if (*end || timeout_s == 0 || timeout_s > 3600)
				usage_error("--timeout takes 1..3600 seconds");
		} else if (c == 'q') {
			qid = strtoul(optarg, &end, 10);
			if (*end || qid == 0 || qid > QREXEC_DOMID_MAX)
				usage_error("--qid takes 1..32751");
		} else if (c == 'r') {
			ready_fd = strtol(optarg, &end, 10);
			if (*end || ready_fd < 3 || ready_fd > 1023)
				usage_error("--ready-fd takes an fd number 3..1023");
		} else {
			usage_error("unknown option");
		}
	}
	if (argc - optind != 2)
		usage_error("expected DOMID and NAME");
	domid = strtoul(argv[optind], &end, 10);
	if (*end || argv[optind][0] == '\0' || domid == 0 || domid > QREXEC_DOMID_MAX)
		usage_error("bad DOMID");
	if (names_check(NAME_QUBE, (const uint8_t *)argv[optind + 1], strlen(argv[optind + 1])) < 0)
		usage_error("bad NAME");
	d.domid = (uint32_t)domid;
	snprintf(d.name, sizeof(d.name), "%s", argv[optind + 1]);
	if (bh_root() == NULL)
		fatalx("BULKHEAD_ROOT must be absolute");
	/* dom0 sees every domain's channel directory under this parent. */
	if (getenv("VCHAN_SOCKET_DIR") == NULL) {
		if (bh_path(vdir, sizeof(vdir), "run/bulkhead/vchan") < 0)
			fatalx("path too long");
		setenv("VCHAN_SOCKET_DIR", vdir, 1);
	}
	unsetenv("VCHAN_DOMAIN");
	signal(SIGPIPE, SIG_IGN);

	d.listen_fd = listen_dom0(d.name);
	/* The control channel is made before the drop when the transport
	 * needs root for it (Xen), after it otherwise (a socket's name must
	 * belong to the daemon's own uid).  Either way no byte of the
	 * agent's is read before the sandbox. */
	if (vchan_init_privileged() == 1)
		open_control();
	/* The dom0 socket is root's and policyd's (0660).  From here
	 * on, the qube's own uid (lib/dom0_uids.h): capd lets it redeem
	 * capabilities for calls into this qube and nothing else.  (Without
	 * --qid: the test harness's daemons, which keep root.) */
	if (qid != 0 && (err = privdrop_to(BH_UID_QREXEC_DAEMON(qid), BH_UID_QREXEC_DAEMON(qid))) < 0)
		fatalx("%s: cannot become uid %#x: %s", d.name, BH_UID_QREXEC_DAEMON(qid), strerror(-err));
	d.qid = (uint32_t)qid;
	if (d.ctrl == NULL)
		open_control();
	/* Accepting the agent's connection reads none of its bytes, and is
	 * the transport's only use of openat (to check and remove the
	 * socket's name): done before the sandbox, which can then forbid it. */
	deadline = now_ms() + (uint64_t)timeout_s * 1000u;
	if ((err = vchan_wait_connected(d.ctrl, deadline)) < 0)
		fatalx("%s: the agent did not connect: %s", d.name, strerror(-err));
	/* Everything the agent sends is read from here on. */
	if ((qid == 0 && sandbox_drop_all_caps() < 0) || sandbox_install(daemon_seccomp, daemon_seccomp_len) < 0)
		fatalx("cannot install the sandbox");
	handshake(deadline);
	/* Tell whoever started us that qrexec to this qube works. */
	if (ready_fd >= 0) {
		if (write((int)ready_fd, "r", 1) != 1)
			log_warnx("%s: could not report readiness", d.name);
		close((int)ready_fd);
	}
	daemon_serve(&d);
	return 0;
}
