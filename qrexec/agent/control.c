/* The agent's control channel to dom0's qrexec-daemon: the HELLO
 * exchange and dom0's messages.  Messages from dom0 are checked like any
 * other (the qrexec parsers): the agent trusts dom0's decisions, not the
 * bytes' shape.  Split from agent.c's event loop so that
 * tests/fuzz/fuzz_qrexec_agent.c drives it over the in-memory vchan. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/io.h"
#include "lib/log.h"
#include "lib/vchan.h"
#include "qrexec/agent/agent.h"
#include "qrexec/msg_parse.h"
#include "qrexec/protocol.h"

#define MSG_TIMEOUT_MS 5000u

int agent_handshake(struct agent *a, uint64_t deadline_ms)
{
	uint8_t ours[12], untrusted_theirs[12];
	struct msg_header h;
	uint32_t max, theirs;
	size_t n;

	if (vchan_recv(a->ctrl, untrusted_theirs, sizeof(untrusted_theirs), deadline_ms) < 0 ||
	    qrexec_hdr_decode(untrusted_theirs, 8, &h) != QREXEC_OK ||
	    qrexec_hdr_check(&h, CHAN_CONTROL, PEER_DAEMON, QREXEC_VERSION_NONE, &max) != QREXEC_OK ||
	    qrexec_hello_decode(untrusted_theirs + 8, h.len, &theirs) != QREXEC_OK ||
	    qrexec_negotiate(QREXEC_PROTOCOL_VERSION, theirs, &a->version) != QREXEC_OK) {
		log_warnx("bad HELLO from dom0");
		return -1;
	}
	if (qrexec_hello_encode(QREXEC_PROTOCOL_VERSION, ours, sizeof(ours), &n) != QREXEC_OK ||
	    vchan_send(a->ctrl, ours, n, deadline_ms) < 0) {
		log_warnx("cannot answer dom0's HELLO");
		return -1;
	}
	return 0;
}

int agent_send_ctrl(struct agent *a, const uint8_t *msg, size_t len)
{
	int rc = vchan_send(a->ctrl, msg, len, now_ms() + MSG_TIMEOUT_MS);

	if (rc < 0)
		fatalx("control channel: %s", strerror(-rc));
	return rc;
}

/* One message of dom0's. */
static enum agent_round on_control(struct agent *a)
{
	uint8_t untrusted_hdr[8], *untrusted_payload = NULL;
	uint64_t deadline = now_ms() + MSG_TIMEOUT_MS;
	struct msg_header h;
	uint32_t max;
	int rc;

	rc = vchan_recv(a->ctrl, untrusted_hdr, sizeof(untrusted_hdr), deadline);
	if (rc == -EPIPE) {
		log_warnx("dom0 closed the control channel");
		return AGENT_DOM0_LEFT;
	}
	if (rc < 0 || qrexec_hdr_decode(untrusted_hdr, 8, &h) != QREXEC_OK ||
	    (rc = qrexec_hdr_check(&h, CHAN_CONTROL, PEER_DAEMON, a->version, &max)) != QREXEC_OK) {
		log_warnx("bad message from dom0 (%d)", rc);
		return AGENT_VIOLATION;
	}
	if (h.len > 0) {
		if ((untrusted_payload = malloc(h.len)) == NULL)
			fatalx("out of memory");
		if (vchan_recv(a->ctrl, untrusted_payload, h.len, deadline) < 0) {
			log_warnx("incomplete message from dom0");
			free(untrusted_payload);
			return AGENT_VIOLATION;
		}
	}
	switch (h.type) {
	case MSG_EXEC_CMDLINE:
	case MSG_JUST_EXEC:
		rc = agent_exec(a, &h, untrusted_payload);
		break;
	case MSG_SERVICE_CONNECT:
	case MSG_SERVICE_REFUSED:
		rc = agent_vm_answer(a, &h, untrusted_payload);
		break;
	default:
		log_warnx("unexpected message 0x%x from dom0", h.type);
		rc = -1;
	}
	free(untrusted_payload);
	return rc < 0 ? AGENT_VIOLATION : AGENT_GO_ON;
}

enum agent_round agent_control_round(struct agent *a)
{
	enum agent_round r;

	/* Xen: woken by dom0 making room in the ring, not by a message. */
	if (vchan_nothing_to_read(a->ctrl))
		return AGENT_GO_ON;
	do
		r = on_control(a);
	while (r == AGENT_GO_ON && vchan_data_ready(a->ctrl) >= 8);
	return r;
}
