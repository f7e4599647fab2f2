/* libFuzzer target: qrexec-agent's control loop, the real
 * qrexec/agent/control.c (agent_handshake, agent_control_round), exec.c
 * and vm.c, fed by a hostile dom0 over the in-memory vchan
 * (lib/vchan_mem.h, VCHAN_BACKEND=mem).  The agent trusts dom0's
 * decisions but not its bytes' shape.  Starting a handler is replaced
 * through the agent's start_handler seam (qrexec/agent/agent.h) by one
 * that records what it is asked to run: nothing is forked.
 *
 * Input: byte 0: bits 0-1 how many of the AGENT_MAX_HANDLERS handler
 * slots are taken beforehand (0, 1, all but one, all), bit 2 every
 * handler start fails, bit 3 how dom0's bytes arrive (set: all at once;
 * else one message a round); byte 1: bits 0-1 how many qrexec-client-vm
 * callers wait for dom0's answer (0..3, request ids "1".."3"), bit 2 the
 * first of them has not been forwarded yet (so is not answered); the
 * rest is dom0's stream, HELLO first, then dom0 closes the channel.
 *
 * The harness reads the stream itself with the proved parsers (the
 * model) and asserts:
 *  - the HELLO exchange succeeds exactly when dom0's HELLO is valid and
 *    negotiable, at the version negotiated, answered by the agent's
 *    HELLO and nothing else; a bad one ends it with nothing run;
 *  - the loop ends in a violation exactly in the round that read a
 *    message the protocol forbids (or a truncated one), else when dom0
 *    closes between messages, and a bad message changes nothing;
 *  - a handler is started exactly for each valid EXEC_CMDLINE /
 *    JUST_EXEC while a slot is free, with the type and payload dom0 sent
 *    and the fields the parser decodes; the slot then holds its pid and
 *    channel; with no slot free or a failed start, the agent reports the
 *    channel ended (CONNECTION_TERMINATED) instead;
 *  - SERVICE_CONNECT / SERVICE_REFUSED answer exactly the forwarded
 *    caller with that request id (its vmrep, then its connection
 *    closed), once; any other id changes nothing;
 *  - the agent sends dom0 nothing but the above;
 *  - nothing leaks: LeakSanitizer for memory, the lowest free fd for
 *    descriptors. */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/io.h"
#include "lib/log.h"
#include "lib/vchan_mem.h"
#include "qrexec/agent/agent.h"
#include "qrexec/msg_parse.h"
#include "tests/lib/lowest_fd.h"

#define CALLERS_MAX 3u
#define PRE_DOMAIN 3u             /* the channels of handlers already running */
#define PID_BASE 100000           /* fake handler pids */

enum kind {
	K_END,       /* fewer than a header's bytes left: dom0 closed */
	K_BAD,       /* a violation: the loop ends at it */
	K_EXEC,      /* a valid EXEC_CMDLINE / JUST_EXEC */
	K_ANSWER,    /* a valid SERVICE_CONNECT / SERVICE_REFUSED */
};

/* One message of dom0's stream as the model reads it. */
struct model_msg {
	size_t off, len;
	enum kind kind;
	uint32_t type, plen;     /* K_EXEC, K_ANSWER: header type, payload length */
	const uint8_t *payload;  /* K_EXEC: its plen bytes in the stream */
	struct qrexec_exec *x;   /* K_EXEC: the decoded fields */
	char request_id[REQUEST_ID_SIZE];   /* K_ANSWER */
	uint32_t domain, port;   /* K_ANSWER: CONNECT's endpoint */
};

static struct agent a;

/* What the next round must do, by the model (arrays of one entry per
 * message of the stream). */
static struct {
	const struct model_msg **starts;      /* handler starts asked for, in order */
	size_t nstarts, started;
	bool fail;                            /* every start fails */
	pid_t next_pid;
	uint8_t *out;                         /* what the agent must send dom0 */
	size_t outlen, outcap;
} want;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_init("qrexec-agent");
	setenv("VCHAN_BACKEND", "mem", 1);
	unsetenv("VCHAN_DOMAIN");
	return 0;
}

/* The start_handler seam: what the agent would run, checked against the
 * message the model expects to start next. */
static pid_t record_start(struct agent *ag, uint32_t type, const uint8_t *untrusted_payload, uint32_t len,
			  const struct qrexec_exec *x)
{
	const struct model_msg *m;

	assert(ag == &a);
	assert(want.started < want.nstarts);
	m = want.starts[want.started++];
	assert(type == m->type && len == m->plen && memcmp(untrusted_payload, m->payload, len) == 0);
	assert(x->connect_domain == m->x->connect_domain && x->connect_port == m->x->connect_port);
	assert(strcmp(x->user, m->x->user) == 0 && x->nogui == m->x->nogui);
	assert(x->command_len == m->x->command_len && memcmp(x->command, m->x->command, x->command_len + 1) == 0);
	return want.fail ? -1 : want.next_pid++;
}

static struct model_msg *model_read(const uint8_t *s, size_t n, size_t pos, uint32_t version, size_t *count)
{
	struct model_msg *m = calloc((n - pos) / QREXEC_HDR_SIZE + 2, sizeof(*m));
	size_t k = 0;

	assert(m != NULL);
	for (;;) {
		struct model_msg *x = &m[k++];
		struct qrexec_service_connect sc;
		struct qrexec_service_refused sr;
		struct msg_header h;
		uint32_t max;

		x->off = pos;
		x->len = n - pos;
		x->kind = K_BAD;
		if (n - pos < QREXEC_HDR_SIZE) {
			x->kind = K_END;
			break;
		}
		if (qrexec_hdr_decode(s + pos, QREXEC_HDR_SIZE, &h) != QREXEC_OK ||
		    qrexec_hdr_check(&h, CHAN_CONTROL, PEER_DAEMON, version, &max) != QREXEC_OK ||
		    n - pos - QREXEC_HDR_SIZE < h.len)
			break;
		x->len = QREXEC_HDR_SIZE + h.len;
		x->type = h.type;
		x->plen = h.len;
		x->payload = s + pos + 8;
		if (h.type == MSG_EXEC_CMDLINE || h.type == MSG_JUST_EXEC) {
			x->x = malloc(sizeof(*x->x));
			assert(x->x != NULL);
			if (qrexec_exec_decode(s + pos + 8, h.len, x->x) == QREXEC_OK)
				x->kind = K_EXEC;
		} else if (h.type == MSG_SERVICE_CONNECT) {
			if (qrexec_service_connect_decode(s + pos + 8, h.len, &sc) == QREXEC_OK) {
				x->kind = K_ANSWER;
				memcpy(x->request_id, sc.request_id, sizeof(x->request_id));
				x->domain = sc.connect_domain;
				x->port = sc.connect_port;
			}
		} else if (h.type == MSG_SERVICE_REFUSED) {
			if (qrexec_service_refused_decode(s + pos + 8, h.len, &sr) == QREXEC_OK) {
				x->kind = K_ANSWER;
				memcpy(x->request_id, sr.request_id, sizeof(x->request_id));
			}
		}
		if (x->kind == K_BAD)
			break;
		pos += x->len;
	}
	*count = k;
	return m;
}

static void want_out(const uint8_t *msg, size_t n)
{
	assert(want.outlen + n <= want.outcap);
	memcpy(want.out + want.outlen, msg, n);
	want.outlen += n;
}

/* What the messages [first, end) of a round must do, applied to the
 * model's copies of the agent's tables and callers' expected answers. */
static void model_round(const struct model_msg *m, size_t first, size_t end, struct handler *hs,
			struct pending *ps, struct vmrep *answers, bool *answered, const int *caller_slot)
{
	want.nstarts = want.started = 0;
	want.outlen = 0;
	for (size_t j = first; j < end; j++) {
		if (m[j].kind == K_EXEC) {
			struct handler *slot = NULL;

			for (size_t i = 0; i < AGENT_MAX_HANDLERS && slot == NULL; i++)
				if (hs[i].pid == 0)
					slot = &hs[i];
			if (slot != NULL) {
				want.starts[want.nstarts++] = &m[j];
			}
			if (slot != NULL && !want.fail) {
				slot->pid = want.next_pid + (pid_t)(want.nstarts - 1);
				slot->domain = m[j].x->connect_domain;
				slot->port = m[j].x->connect_port;
			} else {
				struct qrexec_conn_terminated ct = { m[j].x->connect_domain, m[j].x->connect_port };
				uint8_t msg[16];
				size_t n;

				if (qrexec_conn_terminated_encode(&ct, msg, sizeof(msg), &n) == QREXEC_OK)
					want_out(msg, n);
			}
		} else if (m[j].kind == K_ANSWER) {
			for (size_t c = 0; c < CALLERS_MAX; c++) {
				struct pending *p = caller_slot[c] >= 0 ? &ps[caller_slot[c]] : NULL;

				if (p == NULL || p->fd < 0 || !p->sent || strcmp(p->request_id, m[j].request_id) != 0)
					continue;
				answers[c] = m[j].type == MSG_SERVICE_CONNECT
						     ? (struct vmrep){ VMREP_CONNECT, m[j].domain, m[j].port, 0 }
						     : (struct vmrep){ VMREP_REFUSED, 0, 0, 0 };
				answers[c].self = vchan_local_domain();
				answered[c] = true;
				memset(p, 0, sizeof(*p));
				p->fd = -1;
				break;
			}
		}
	}
}

/* Each caller has exactly its answer, once, then EOF; or nothing yet. */
static void check_callers(const int *callers, const struct vmrep *answers, bool *answered, bool *read_done)
{
	for (size_t c = 0; c < CALLERS_MAX; c++) {
		struct vmrep got;
		uint8_t extra;

		if (callers[c] < 0 || read_done[c])
			continue;
		if (!answered[c]) {
			assert(recv(callers[c], &extra, 1, MSG_DONTWAIT) < 0 && errno == EAGAIN);
			continue;
		}
		assert(recv(callers[c], &got, sizeof(got), MSG_DONTWAIT) == (ssize_t)sizeof(got));
		assert(memcmp(&got, &answers[c], sizeof(got)) == 0);
		assert(recv(callers[c], &extra, 1, MSG_DONTWAIT) == 0);
		read_done[c] = true;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t taken_of[4] = { 0, 1, AGENT_MAX_HANDLERS - 1, AGENT_MAX_HANDLERS };
	static struct handler hs[AGENT_MAX_HANDLERS];
	static struct pending ps[AGENT_MAX_PENDING];
	const uint8_t *s = data + 2;
	size_t n, nmsg = 0, k = 0, fed = 0, len, ncallers;
	int callers[CALLERS_MAX] = { -1, -1, -1 }, caller_slot[CALLERS_MAX] = { -1, -1, -1 };
	struct vmrep answers[CALLERS_MAX];
	bool answered[CALLERS_MAX] = { false }, read_done[CALLERS_MAX] = { false }, batch, hello_ok;
	struct model_msg *m = NULL;
	uint32_t theirs = 0, version = 0, max;
	struct msg_header h;
	enum agent_round r = AGENT_GO_ON;
	const uint8_t *sent;
	uint8_t hello[12];
	int err = 0, fd_floor;

	if (size < 2)
		return 0;
	fd_floor = lowest_free_fd();
	n = size - 2;
	batch = (data[0] & 8) != 0;
	memset(&want, 0, sizeof(want));
	want.fail = (data[0] & 4) != 0;
	want.next_pid = PID_BASE + (pid_t)AGENT_MAX_HANDLERS;

	agent_init(&a);
	a.start_handler = record_start;
	for (size_t i = 0; i < taken_of[data[0] & 3]; i++)
		a.handlers[i] = (struct handler){ PID_BASE + (pid_t)i, PRE_DOMAIN, QREXEC_DATA_PORT_MIN + (uint32_t)i };
	ncallers = data[1] & 3u;
	for (size_t c = 0; c < ncallers; c++) {
		/* Spread over the table, as callers come and go. */
		struct pending *p = &a.pending[1 + 2 * c];
		int sv[2];

		assert(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
		p->fd = sv[0];
		snprintf(p->request_id, sizeof(p->request_id), "%zu", c + 1);
		p->sent = !(c == 0 && (data[1] & 4));
		callers[c] = sv[1];
		caller_slot[c] = (int)(1 + 2 * c);
	}
	a.next_id = (uint32_t)ncallers;
	memcpy(hs, a.handlers, sizeof(hs));
	memcpy(ps, a.pending, sizeof(ps));
	a.ctrl = vchan_client_init(0, VCHAN_BASE_PORT, now_ms() + 1000, &err);
	assert(a.ctrl != NULL);

	/* The HELLO exchange: dom0's 12 bytes (all of them at once). */
	hello_ok = n >= 12 && qrexec_hdr_decode(s, 8, &h) == QREXEC_OK &&
		   qrexec_hdr_check(&h, CHAN_CONTROL, PEER_DAEMON, QREXEC_VERSION_NONE, &max) == QREXEC_OK &&
		   qrexec_hello_decode(s + 8, h.len, &theirs) == QREXEC_OK &&
		   qrexec_negotiate(QREXEC_PROTOCOL_VERSION, theirs, &version) == QREXEC_OK;
	fed = batch || n <= 12 ? n : 12;
	assert(vchan_mem_feed(a.ctrl, s, fed) == 0);
	if (fed == n)
		vchan_mem_close_peer(a.ctrl);
	assert((agent_handshake(&a, now_ms() + 1000) == 0) == hello_ok);
	sent = vchan_mem_sent(a.ctrl, &len);
	if (hello_ok) {
		size_t hl;

		assert(a.version == version);
		assert(qrexec_hello_encode(QREXEC_PROTOCOL_VERSION, hello, sizeof(hello), &hl) == QREXEC_OK);
		assert(len == hl && memcmp(sent, hello, hl) == 0);
		vchan_mem_take(a.ctrl, len);
		m = model_read(s, n, 12, version, &nmsg);
		want.starts = calloc(nmsg, sizeof(*want.starts));
		want.outcap = nmsg * QREXEC_HDR_SIZE * 2;
		want.out = malloc(want.outcap);
		assert(want.starts != NULL && want.out != NULL);
	} else {
		assert(len == 0);
	}

	/* One message a round (or all at once), the close with the last. */
	while (hello_ok && r == AGENT_GO_ON) {
		size_t first = k;

		assert(k < nmsg);
		if (fed < n) {
			size_t upto = batch || m[k].kind == K_END || m[k].kind == K_BAD ? n : m[k].off + m[k].len;

			assert(vchan_mem_feed(a.ctrl, s + fed, upto - fed) == 0);
			fed = upto;
			if (fed == n)
				vchan_mem_close_peer(a.ctrl);
		}
		/* The round reads a message, then more while a header's worth
		 * is there: with one fed a round, that is just the one. */
		k++;
		while (batch && m[k - 1].kind != K_END && m[k - 1].kind != K_BAD && m[k].kind != K_END)
			k++;
		model_round(m, first, k, hs, ps, answers, answered, caller_slot);
		r = agent_control_round(&a);
		assert(r == (m[k - 1].kind == K_END ? AGENT_DOM0_LEFT
			     : m[k - 1].kind == K_BAD ? AGENT_VIOLATION
						      : AGENT_GO_ON));
		assert(want.started == want.nstarts);
		sent = vchan_mem_sent(a.ctrl, &len);
		assert(len == want.outlen && (len == 0 || memcmp(sent, want.out, len) == 0));
		vchan_mem_take(a.ctrl, len);
		assert(memcmp(a.handlers, hs, sizeof(hs)) == 0);
		assert(memcmp(a.pending, ps, sizeof(ps)) == 0);
		check_callers(callers, answers, answered, read_done);
	}
	/* Nothing was run for a bad HELLO. */
	assert(memcmp(a.handlers, hs, sizeof(hs)) == 0);

	/* What the process's exit would release. */
	for (size_t c = 0; c < CALLERS_MAX; c++) {
		if (callers[c] >= 0)
			close(callers[c]);
		if (caller_slot[c] >= 0 && a.pending[caller_slot[c]].fd >= 0)
			close(a.pending[caller_slot[c]].fd);
	}
	vchan_close(a.ctrl);
	for (size_t j = 0; j < nmsg; j++)
		free(m[j].x);
	free(m);
	free(want.starts);
	free(want.out);
	assert(lowest_free_fd() == fd_floor);
	return 0;
}
