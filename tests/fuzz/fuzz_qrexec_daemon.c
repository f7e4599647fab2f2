/* libFuzzer target: qrexec-daemon's agent-facing loop, the real
 * qrexec/daemon/serve.c (daemon_serve_init, daemon_round), with the
 * control channel on the in-memory vchan (lib/vchan_mem.h,
 * VCHAN_BACKEND=mem) and a fake qrexec-policyd on the policy socket in a
 * temporary BULKHEAD_ROOT.
 *
 * Input: byte 0 chooses the protocol version (bit 0: 3, else 2), how the
 * agent's bytes arrive (bit 1: all at once; else one message a round) and
 * how policyd answers (bits 2-4, enum answer); byte 1 how many data ports
 * the daemon holds for domain 7 (bits 0-1: 0..3, from port 513); the rest
 * is what the agent sends, then it closes the channel.
 *
 * The harness reads the agent's stream itself with the proved parsers
 * (the model) and asserts:
 *  - the loop ends in a violation exactly when the stream holds a message
 *    the protocol forbids (or a truncated one), in the round that read
 *    it, and otherwise when the agent closes;
 *  - policyd is asked about exactly the valid requests, in order, while
 *    fewer than POLICY_PENDING_MAX are pending, each request one policyd
 *    itself would accept (its own checks, restated) and carrying the
 *    agent's target, request id and service unchanged; every other valid
 *    request is refused at once;
 *  - the agent receives only SERVICE_CONNECT and SERVICE_REFUSED messages
 *    valid from the daemon at this version, each for a request it made
 *    and at most once, CONNECT only with the endpoint policyd allowed;
 *    a refusal at once in the round that read the request, policyd's
 *    answer in the round after it gave it;
 *  - CONNECTION_TERMINATED frees exactly the port it names when held;
 *  - nothing leaks: LeakSanitizer for memory, the lowest free fd for
 *    descriptors. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/io.h"
#include "lib/log.h"
#include "lib/paths.h"
#include "lib/unixsock.h"
#include "lib/vchan_mem.h"
#include "qrexec/daemon/daemon.h"
#include "qrexec/lib/policyreq.h"
#include "qrexec/msg_parse.h"
#include "tests/lib/lowest_fd.h"

#define DOMID 42u
#define NAME "fuzzvm"
#define PORT_DOMAIN 7u
#define PEER_DOMAIN 9u          /* policyd's allowed endpoint */

enum answer {
	ANS_ALLOW,           /* verdict allow, a valid endpoint: CONNECT */
	ANS_DENY,
	ANS_ALLOW_BADPORT,   /* allow with a port below the data range: refused */
	ANS_GARBAGE,         /* an unknown verdict: refused */
	ANS_CLOSE,           /* policyd goes away without answering */
	ANS_SHORT,           /* 4 bytes of the 12, then goes away */
	ANS_NONE,            /* never answers: the request stays pending */
	ANS_MIXED,           /* allow, deny, none, close in turn */
};

enum outcome { OUT_PENDING, OUT_CONNECT, OUT_REFUSED };

/* A valid request as the agent sent it (the decoder's fields; the
 * service copied out of its ~64 KiB struct). */
struct model_req {
	char target[TARGET_DOMAIN_SIZE_V3];
	char request_id[REQUEST_ID_SIZE];
	char *service;           /* NUL-terminated, service_len bytes before it */
	uint32_t service_len;
};

/* A valid request of the agent and what must answer it. */
struct expect {
	const struct model_req *t;
	enum outcome out;        /* OUT_PENDING: policyd has not answered */
	uint32_t domid, port;    /* OUT_CONNECT */
	int fd;                  /* our end of its policyd connection, -1 */
	size_t due;              /* the round that must send the answer */
	bool done;               /* the agent got it */
};

/* One message of the agent's stream as the model reads it. */
struct model_msg {
	size_t off, len;         /* its bytes in the stream */
	bool violation;          /* the daemon must stop at it */
	bool trigger;            /* a valid service request */
	bool terminated;         /* a valid CONNECTION_TERMINATED */
	struct model_req t;
	struct qrexec_conn_terminated ct;
};

static int policy_lfd = -1;
static struct daemon d;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char root[] = "/tmp/fuzz-qrexec-daemon.XXXXXX";
	char path[BH_PATH_MAX];

	(void)argc;
	(void)argv;
	log_init("qrexec-daemon");
	assert(mkdtemp(root) != NULL);
	setenv("BULKHEAD_ROOT", root, 1);
	setenv("VCHAN_BACKEND", "mem", 1);
	assert(bh_mkdirs("run/bulkhead/qrexec", 0700) == 0);
	assert(bh_path(path, sizeof(path), POLICY_SOCKET_REL) == 0);
	/* Room for every request one round can make (POLICY_PENDING_MAX):
	 * the daemon's connect blocks on a full backlog. */
	policy_lfd = unix_listen(path, 2 * POLICY_PENDING_MAX);
	assert(policy_lfd >= 0);
	return 0;
}

/* The lowest free descriptor: the same before and after a run unless the
 * run left one open. */

static struct model_msg *model_read(const uint8_t *s, size_t n, uint32_t version, size_t *count)
{
	static struct qrexec_trigger t;
	struct model_msg *m = calloc(n / QREXEC_HDR_SIZE + 1, sizeof(*m));
	size_t pos = 0, k = 0;

	assert(m != NULL);
	while (pos < n) {
		struct model_msg *x = &m[k++];
		struct msg_header h;
		uint32_t max;

		x->off = pos;
		x->len = n - pos;
		x->violation = true;
		if (n - pos < QREXEC_HDR_SIZE || qrexec_hdr_decode(s + pos, QREXEC_HDR_SIZE, &h) != QREXEC_OK ||
		    qrexec_hdr_check(&h, CHAN_CONTROL, PEER_AGENT, version, &max) != QREXEC_OK ||
		    n - pos - QREXEC_HDR_SIZE < h.len)
			break;
		x->len = QREXEC_HDR_SIZE + h.len;
		if (h.type == MSG_TRIGGER_SERVICE3 && version == 3)
			x->trigger = qrexec_trigger3_decode(s + pos + 8, h.len, &t) == QREXEC_OK;
		else if (h.type == MSG_TRIGGER_SERVICE && version == 2)
			x->trigger = qrexec_trigger2_decode(s + pos + 8, h.len, &t) == QREXEC_OK;
		else if (h.type == MSG_CONNECTION_TERMINATED)
			x->terminated = qrexec_conn_terminated_decode(s + pos + 8, h.len, &x->ct) == QREXEC_OK;
		if (!x->trigger && !x->terminated)
			break;
		if (x->trigger) {
			memcpy(x->t.target, t.target, sizeof(x->t.target));
			memcpy(x->t.request_id, t.request_id, sizeof(x->t.request_id));
			x->t.service_len = t.service.len;
			x->t.service = malloc(t.service.len + 1);
			assert(x->t.service != NULL);
			memcpy(x->t.service, t.service.full, t.service.len + 1);
		}
		x->violation = false;
		pos += x->len;
	}
	*count = k;
	return m;
}

static bool field_str(const char *f, size_t size)
{
	return memchr(f, '\0', size) != NULL;
}

/* qrexec-policyd's read_request, restated: what it would accept. */
static void check_policy_req(const struct policy_req *r, const char *service, const struct model_req *t)
{
	enum qrexec_target_kind kind;
	size_t off;

	assert(r->service_len >= 2 && r->service_len <= MAX_SERVICE_NAME_LEN);
	assert(strnlen(service, r->service_len) == r->service_len - 1);
	assert(qrexec_service_check((const uint8_t *)service, r->service_len - 1) == QREXEC_OK);
	assert(field_str(r->source, sizeof(r->source)) && strcmp(r->source, NAME) == 0);
	assert(names_check(NAME_QUBE, (const uint8_t *)r->source, strlen(r->source)) == 0);
	assert(field_str(r->target, sizeof(r->target)));
	assert(qrexec_target_check((const uint8_t *)r->target, strlen(r->target), &kind, &off) == QREXEC_OK);
	assert(field_str(r->request_id, sizeof(r->request_id)));
	assert(qrexec_reqid_check((const uint8_t *)r->request_id, strlen(r->request_id)) == QREXEC_OK);
	assert(r->source_domid == DOMID);
	/* The agent's request, unchanged. */
	assert(strcmp(r->target, t->target) == 0 && strcmp(r->request_id, t->request_id) == 0);
	assert(r->service_len == t->service_len + 1 && memcmp(service, t->service, r->service_len) == 0);
}

static enum answer answer_for(enum answer mode, size_t nth)
{
	static const enum answer mixed[4] = { ANS_ALLOW, ANS_DENY, ANS_NONE, ANS_CLOSE };

	return mode == ANS_MIXED ? mixed[nth % 4] : mode;
}

/* policyd's side after a round: takes the requests the round made (one
 * per forwarded trigger, in order) and answers them. */
static void serve_policyd(struct expect *e, size_t *next_fwd, const size_t *fwd, size_t nfwd, enum answer mode,
			  size_t round, size_t *pending)
{
	static char service[MAX_SERVICE_NAME_LEN];

	for (;;) {
		int fd = accept4(policy_lfd, NULL, NULL, SOCK_CLOEXEC);
		struct policy_req r;
		struct expect *x;
		uint8_t extra;
		enum answer a;

		if (fd < 0) {
			assert(errno == EAGAIN || errno == EWOULDBLOCK);
			break;
		}
		/* A request policyd is asked about that no valid trigger made. */
		assert(*next_fwd < nfwd);
		x = &e[fwd[*next_fwd]];
		a = answer_for(mode, *next_fwd);
		(*next_fwd)++;
		assert(read_exact_deadline(fd, &r, sizeof(r), now_ms() + 1000) == 0);
		assert(r.service_len >= 2 && r.service_len <= MAX_SERVICE_NAME_LEN);
		assert(read_exact_deadline(fd, service, r.service_len, now_ms() + 1000) == 0);
		assert(recv(fd, &extra, 1, MSG_DONTWAIT) < 0 && errno == EAGAIN);
		check_policy_req(&r, service, x->t);
		x->fd = fd;
		switch (a) {
		case ANS_ALLOW: {
			struct policy_rep rep = { POLICY_REP_ALLOW, PEER_DOMAIN,
						  QREXEC_DATA_PORT_MIN + (uint32_t)(round % 1000u) };
			assert(write(fd, &rep, sizeof(rep)) == sizeof(rep));
			x->out = OUT_CONNECT;
			x->domid = rep.target_domid;
			x->port = rep.port;
			break;
		}
		case ANS_DENY:
		case ANS_ALLOW_BADPORT:
		case ANS_GARBAGE: {
			struct policy_rep rep = { a == ANS_DENY ? POLICY_REP_DENY : a == ANS_GARBAGE ? 2u : POLICY_REP_ALLOW,
						  PEER_DOMAIN, a == ANS_ALLOW_BADPORT ? 5u : QREXEC_DATA_PORT_MIN };
			assert(write(fd, &rep, sizeof(rep)) == sizeof(rep));
			x->out = OUT_REFUSED;
			break;
		}
		case ANS_SHORT:
			assert(write(fd, "\1\0\0\0", 4) == 4);
			/* fall through */
		case ANS_CLOSE:
			close(fd);
			x->fd = -1;
			x->out = OUT_REFUSED;
			break;
		default:
			x->out = OUT_PENDING;
			(*pending)++;
			break;
		}
		/* The daemon reads an answer (or the close) the next round. */
		x->due = x->out == OUT_PENDING ? SIZE_MAX : round + 1;
		if (x->fd >= 0 && x->out != OUT_PENDING) {
			close(x->fd);
			x->fd = -1;
		}
	}
}

/* Everything the daemon sent the agent: well formed, allowed from the
 * daemon, each the one expected answer to a request (of those alike,
 * the one due first), and by the end of this round every answer due. */
static void check_agent_output(struct expect *e, size_t ne, uint32_t version, size_t round)
{
	size_t len, off = 0;
	const uint8_t *s = vchan_mem_sent(d.ctrl, &len);

	while (off < len) {
		struct msg_header h;
		uint32_t max;
		const char *reqid;
		struct qrexec_service_connect sc;
		struct qrexec_service_refused sr;
		struct expect *x = NULL;

		assert(len - off >= QREXEC_HDR_SIZE);
		assert(qrexec_hdr_decode(s + off, QREXEC_HDR_SIZE, &h) == QREXEC_OK);
		assert(qrexec_hdr_check(&h, CHAN_CONTROL, PEER_DAEMON, version, &max) == QREXEC_OK);
		assert(len - off - QREXEC_HDR_SIZE >= h.len);
		if (h.type == MSG_SERVICE_CONNECT) {
			assert(qrexec_service_connect_decode(s + off + 8, h.len, &sc) == QREXEC_OK);
			reqid = sc.request_id;
		} else {
			assert(h.type == MSG_SERVICE_REFUSED);
			assert(qrexec_service_refused_decode(s + off + 8, h.len, &sr) == QREXEC_OK);
			reqid = sr.request_id;
		}
		for (size_t i = 0; i < ne; i++)
			if (!e[i].done && e[i].due <= round && strcmp(e[i].t->request_id, reqid) == 0 &&
			    (h.type == MSG_SERVICE_CONNECT
				     ? e[i].out == OUT_CONNECT && e[i].domid == sc.connect_domain &&
					       e[i].port == sc.connect_port
				     : e[i].out == OUT_REFUSED) &&
			    (x == NULL || e[i].due < x->due))
				x = &e[i];
		assert(x != NULL);
		x->done = true;
		off += QREXEC_HDR_SIZE + h.len;
	}
	vchan_mem_take(d.ctrl, len);
	for (size_t i = 0; i < ne; i++)
		assert(e[i].done || e[i].due > round);
}

/* What the messages the last round read must have done, by the model:
 * each valid request is forwarded while fewer than POLICY_PENDING_MAX
 * are pending (held), else refused at once. */
static void model_round(const struct model_msg *m, size_t first, size_t end, enum daemon_round r, size_t round,
			struct expect *e, size_t *ntrig, size_t *fwd, size_t *nfwd, size_t held, bool held_port[4],
			const uint32_t held_ports[4])
{
	for (size_t j = first; j < end; j++) {
		struct expect *x;

		if (m[j].violation) {
			assert(r == DAEMON_VIOLATION);
			return;
		}
		if (m[j].terminated) {
			for (uint32_t i = 0; i < 4; i++)
				if (m[j].ct.domid == PORT_DOMAIN && m[j].ct.port == held_ports[i])
					held_port[i] = false;
			continue;
		}
		x = &e[(*ntrig)++];
		x->t = &m[j].t;
		x->fd = -1;
		if (held < POLICY_PENDING_MAX) {
			fwd[(*nfwd)++] = (size_t)(x - e);
			held++;
			x->due = SIZE_MAX;        /* until policyd answers */
		} else {
			x->out = OUT_REFUSED;
			x->due = round;
		}
	}
	assert(r != DAEMON_VIOLATION);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *s = data + 2;
	size_t n, nmsg, ntrig = 0, nfwd = 0, next_fwd = 0, fed = 0, round = 0, pending = 0, k = 0;
	uint32_t version, held_ports[4] = { 0, 0, 0, 0 };
	bool batch, held_port[4] = { false, false, false, false }, any_violation = false;
	enum answer mode;
	enum daemon_round r = DAEMON_GO_ON;
	struct model_msg *m;
	struct expect *e;
	size_t *fwd;
	int err = 0, fd_floor;

	if (size < 2)
		return 0;
	fd_floor = lowest_free_fd();
	n = size - 2;
	version = (data[0] & 1) ? 3 : 2;
	batch = (data[0] & 2) != 0;
	mode = (enum answer)((data[0] >> 2) & 7);
	m = model_read(s, n, version, &nmsg);
	e = calloc(nmsg + 1, sizeof(*e));
	fwd = calloc(nmsg + 1, sizeof(*fwd));
	assert(e != NULL && fwd != NULL);
	for (size_t j = 0; j < nmsg; j++)
		any_violation |= m[j].violation;

	memset(&d, 0, sizeof(d));
	d.domid = DOMID;
	memcpy(d.name, NAME, sizeof(NAME));
	d.version = version;
	d.listen_fd = -1;            /* no dom0 clients: the agent's loop */
	d.ctrl = vchan_server_init(DOMID, VCHAN_BASE_PORT, 0, 0, &err);
	assert(d.ctrl != NULL);
	daemon_serve_init(&d);
	for (uint32_t i = 0; i < (data[1] & 3u); i++) {
		assert(ports_alloc(&d.ports, PORT_DOMAIN, &held_ports[i]) == 0);
		held_port[i] = true;
	}

	/* One message a round (or all at once), the close with the last;
	 * a round more to read the close. */
	while (r == DAEMON_GO_ON) {
		size_t first = k;

		assert(round <= nmsg + 1);
		if (k < nmsg) {
			size_t upto = batch || m[k].violation ? n : m[k].off + m[k].len;
			assert(vchan_mem_feed(d.ctrl, s + fed, upto - fed) == 0);
			fed = upto;
			k = batch ? nmsg : k + 1;
			/* A batch's loop reads messages while 8 bytes are
			 * there: a trailing partial header waits a round. */
			if (batch && nmsg > first + 1 && m[nmsg - 1].len < QREXEC_HDR_SIZE)
				k = nmsg - 1;
		}
		if (fed == n && vchan_is_open(d.ctrl) == VCHAN_CONNECTED)
			vchan_mem_close_peer(d.ctrl);
		r = daemon_round(&d);
		model_round(m, first, k, r, round, e, &ntrig, fwd, &nfwd, pending, held_port, held_ports);
		if (r == DAEMON_AGENT_LEFT)
			assert(k == nmsg && first == nmsg && !any_violation);
		/* What this round asked of policyd, then its answers. */
		serve_policyd(e, &next_fwd, fwd, nfwd, mode, round, &pending);
		assert(next_fwd == nfwd);
		check_agent_output(e, ntrig, version, round);
		round++;
	}
	assert((r == DAEMON_VIOLATION) == any_violation);
	for (uint32_t i = 0; i < (data[1] & 3u); i++)
		assert(ports_in_use(&d.ports, PORT_DOMAIN, held_ports[i]) == held_port[i]);

	/* What the process's exit would release. */
	for (size_t i = 0; i < POLICY_PENDING_MAX; i++)
		if (d.pending[i].fd >= 0)
			close(d.pending[i].fd);
	for (size_t i = 0; i < ntrig; i++)
		if (e[i].fd >= 0)
			close(e[i].fd);
	vchan_close(d.ctrl);
	for (size_t j = 0; j < nmsg; j++)
		free(m[j].t.service);
	free(m);
	free(e);
	free(fwd);
	assert(lowest_free_fd() == fd_floor);
	return 0;
}
