/* The Xen vchan transport's event discipline (lib/vchan_xen.c), without
 * Xen: lib/vchan_xen.c is compiled in here against a model of the
 * libxenvchan calls it makes.  The model keeps libxenvchan's rule for
 * events: a writer raises the reader's event only if the reader asked
 * for one (the ring's notify bits), and a read that finds all the data
 * it wants asks for none.
 *
 * The regression: a qrexec-daemon read the agent's HELLO (a read that
 * found all it wanted), then polled the event fd and slept through every
 * later message of the agent (service requests, CONNECTION_TERMINATED):
 * qube-to-qube calls hung on real Xen, dom0-to-qube ones when the pump's
 * reads happened to end the same way.  Every read now leaves a request
 * behind, so the next write of the peer wakes whoever polls.
 *
 * The second: bytes the peer wrote before that request raise nothing, and
 * a wait inside a blocking read may consume the one event that announced
 * them.  The data pump and the loops of qrexec-daemon and qrexec-agent
 * run here over the model with such bytes queued: each must read them
 * without an event. */
#include "lib/vchan_xen.c"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "qrexec/agent/agent.h"
#include "qrexec/daemon/daemon.h"
#include "qrexec/hdr_parse.h"
#include "qrexec/lib/pump.h"
#include "qrexec/msg_parse.h"
#include "qrexec/protocol.h"
#include "tests/lib/check.h"

/* ---- the model: one peer writing to us ---- */

#define RING 4096u

static struct {
	struct libxenvchan x;
	int ev[2];              /* the event fd: readable while an event is pending */
	uint8_t ring[RING];
	size_t len;             /* bytes the peer wrote that we have not read */
	bool wants;             /* our request: raise an event at the next write */
	bool open;
} M;

static void raise_event(void)
{
	(void)!write(M.ev[1], "e", 1);
}

/* The peer writes: our event only if we asked for it. */
static void peer_write(const void *buf, size_t n)
{
	memcpy(M.ring + M.len, buf, n);
	M.len += n;
	if (M.wants) {
		M.wants = false;
		raise_event();
	}
}

static bool event_pending(void)
{
	struct pollfd p = { .fd = M.ev[0], .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

struct libxenvchan *libxenvchan_server_init(struct xentoollog_logger *lg, int domain, const char *xs_path,
					    size_t read_min, size_t write_min)
{
	(void)lg, (void)domain, (void)xs_path, (void)read_min, (void)write_min;
	if (M.open)
		return NULL;
	if (pipe2(M.ev, O_NONBLOCK | O_CLOEXEC) < 0)
		return NULL;
	M.open = true;
	M.wants = true;         /* libxenvchan's rings start with requests set */
	return &M.x;
}

struct libxenvchan *libxenvchan_client_init(struct xentoollog_logger *lg, int domain, const char *xs_path)
{
	(void)lg, (void)domain, (void)xs_path;
	return NULL;
}

int libxenvchan_read(struct libxenvchan *ctrl, void *data, size_t size)
{
	size_t n;

	(void)ctrl;
	if (M.len < size)
		M.wants = true;     /* it plans to take all there is */
	n = M.len < size ? M.len : size;
	memcpy(data, M.ring, n);
	memmove(M.ring, M.ring + n, M.len - n);
	M.len -= n;
	return (int)n;
}

int libxenvchan_write(struct libxenvchan *ctrl, const void *data, size_t size)
{
	(void)ctrl, (void)data;
	return (int)size;
}

int libxenvchan_data_ready(struct libxenvchan *ctrl)
{
	(void)ctrl;
	M.wants = true;
	return (int)M.len;
}

int libxenvchan_buffer_space(struct libxenvchan *ctrl)
{
	(void)ctrl;
	return RING;
}

int libxenvchan_wait(struct libxenvchan *ctrl)
{
	char c;

	(void)ctrl;
	while (read(M.ev[0], &c, 1) == 1)
		;
	return 0;
}

int libxenvchan_is_open(struct libxenvchan *ctrl)
{
	(void)ctrl;
	return VCHAN_CONNECTED;
}

int libxenvchan_fd_for_select(struct libxenvchan *ctrl)
{
	(void)ctrl;
	return M.ev[0];
}

void libxenvchan_close(struct libxenvchan *ctrl)
{
	(void)ctrl;
	close(M.ev[0]);
	close(M.ev[1]);
	M.open = false;
}

/* Unused by the server side; here for the linker. */
int xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port)
{
	(void)xce, (void)port;
	return 0;
}

struct xs_handle *xs_open(unsigned long flags)
{
	(void)flags;
	errno = ENOSYS;
	return NULL;
}

void xs_close(struct xs_handle *xsh)
{
	(void)xsh;
}

void *xs_read(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *len)
{
	(void)h, (void)t, (void)path, (void)len;
	return NULL;
}

bool xs_watch(struct xs_handle *h, const char *path, const char *token)
{
	(void)h, (void)path, (void)token;
	return false;
}

bool xs_unwatch(struct xs_handle *h, const char *path, const char *token)
{
	(void)h, (void)path, (void)token;
	return false;
}

int xs_fileno(struct xs_handle *h)
{
	(void)h;
	return -1;
}

char **xs_check_watch(struct xs_handle *h)
{
	(void)h;
	return NULL;
}

/* ---- the tests ---- */

/* A daemon's control channel: the agent's HELLO, read whole, then
 * another message. */
static void test_wakes_after_exact_read(void)
{
	static const uint8_t hello[12] = "HELLO-agent", more[8] = "trigger";
	uint8_t buf[12];
	struct vchan *v;
	int err = 0;

	v = vchan_xen_ops.server_init(7, 512, 0, 0, &err);
	CHECK(v != NULL);
	if (v == NULL)
		return;
	peer_write(hello, sizeof(hello));
	CHECK(event_pending());
	CHECK(vchan_recv(v, buf, sizeof(buf), now_ms() + 1000) == 0);
	CHECK(memcmp(buf, hello, sizeof(hello)) == 0);
	/* The event of the HELLO consumed, as the daemon's loop does. */
	CHECK(vchan_wait(v, 0) == 0);
	CHECK(!event_pending());
	/* The agent's next message must wake a poll on the fd. */
	peer_write(more, sizeof(more));
	CHECK(event_pending());
	CHECK(vchan_data_ready(v) == sizeof(more));
	CHECK(vchan_recv(v, buf, sizeof(more), now_ms() + 1000) == 0);
	CHECK(memcmp(buf, more, sizeof(more)) == 0);
	vchan_close(v);
}

/* A pump's reads: a partial read (more asked than there is) asks by
 * itself; so must one that takes exactly what is there. */
static void test_wakes_after_every_read(void)
{
	uint8_t buf[64];
	struct vchan *v;
	int err = 0;

	v = vchan_xen_ops.server_init(7, 513, 0, 0, &err);
	CHECK(v != NULL);
	if (v == NULL)
		return;
	for (int round = 0; round < 4; round++) {
		uint8_t chunk[16];

		memset(chunk, 'a' + round, sizeof(chunk));
		peer_write(chunk, sizeof(chunk));
		CHECK(event_pending());
		(void)vchan_wait(v, 0);
		/* Rounds 0 and 2 read exactly what is there, 1 and 3 ask for more. */
		CHECK(vchan_xen_ops.read(v, buf, round % 2 ? sizeof(buf) : sizeof(chunk)) == (ssize_t)sizeof(chunk));
		CHECK(buf[0] == 'a' + round);
	}
	vchan_close(v);
}

/* Runs fn in a child with a 5 s alarm, so that a loop asleep for good
 * fails the check instead of hanging the test; fn's 0 is a pass. */
static void check_in_child(const char *what, int (*fn)(void))
{
	pid_t pid = fork();
	int st = 0;

	if (pid == 0) {
		alarm(5);
		_exit(fn());
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fprintf(stderr, "%s: %s %d\n", what, WIFSIGNALED(st) ? "killed by signal" : "exit",
			WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
}

/* The service side's whole answer, as the caller's ring holds it. */
static size_t service_answer(uint8_t *buf, size_t cap)
{
	static const struct msg_header parts[] = {
		{ MSG_DATA_STDOUT, 3 }, { MSG_DATA_STDOUT, 0 }, { MSG_DATA_STDERR, 0 },
	};
	size_t n = 0, k = 0;

	if (qrexec_hello_encode(QREXEC_PROTOCOL_VERSION, buf, cap, &k) != QREXEC_OK)
		return 0;
	n += k;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (qrexec_hdr_encode(&parts[i], CHAN_DATA, PEER_DATA_SERVICE, QREXEC_PROTOCOL_VERSION, buf + n,
				      cap - n) != QREXEC_OK)
			return 0;
		n += 8;
		if (i == 0) {
			memcpy(buf + n, "hi\n", 3);
			n += 3;
		}
	}
	if (qrexec_exit_code_encode(7, buf + n, cap - n, &k) != QREXEC_OK)
		return 0;
	return n + k;
}

/* A caller (qrexec-client, qrexec-client-vm) whose service answered in
 * full while the caller was still in the handshake: the handshake's wait
 * consumed the one event all of it raised (a writer raises none unless
 * asked, and the read of the HELLO asks only after the rest is there).
 * The pump must read what the ring holds before it first sleeps: its
 * stdin is idle (a terminal, an open pipe) and no event will come.  This
 * hung qube->qube calls on a starved QEMU (issue #6).  0 if the call
 * ended with the service's output and exit code. */
static int caller_sees_answer(void)
{
	uint8_t answer[128], out[8];
	int in[2], stdout_pipe[2], stderr_pipe[2], code = -1, err = 0;
	struct pump_config cfg = { .role = PUMP_CLIENT, .child = -1, .local_err = -1 };
	size_t len = service_answer(answer, sizeof(answer));

	if (len == 0 || pipe(in) < 0 || pipe(stdout_pipe) < 0 || pipe(stderr_pipe) < 0)
		return 2;
	cfg.v = vchan_xen_ops.server_init(7, 514, 0, 0, &err);
	if (cfg.v == NULL)
		return 2;
	/* The peer's HELLO raises the event the handshake waits for; the
	 * rest, written before the handshake asks again, raises none. */
	peer_write(answer, 12);
	peer_write(answer + 12, len - 12);
	(void)vchan_wait(cfg.v, 0);
	if (pump_handshake(cfg.v, 1, &cfg.version, now_ms() + 1000) < 0)
		return 3;
	cfg.local_in = in[0];            /* idle: in[1] stays open, unwritten */
	cfg.local_out = stdout_pipe[1];
	cfg.local_err_out = stderr_pipe[1];
	if (pump_run(&cfg, &code) < 0 || code != 7)
		return 4;
	return read(stdout_pipe[0], out, sizeof(out)) == 3 && memcmp(out, "hi\n", 3) == 0 ? 0 : 5;
}

/* The same for qrexec-daemon's loop (and, below, the agent's): a message
 * the peer wrote together with its HELLO is handled without waiting for
 * an event that will not come (a qube's first service request, or a
 * CONNECTION_TERMINATED that frees a port some dom0 client waits for).
 * One round, the agent's CONNECTION_TERMINATED already in the ring; 0 if
 * it freed the port. */
static int daemon_sees_queued_message(void)
{
	static struct daemon d;
	struct qrexec_conn_terminated ct = { 0, 0 };
	uint8_t msg[16];
	size_t n;
	int err = 0;

	d.domid = 7;
	memcpy(d.name, "work", 5);
	d.version = QREXEC_PROTOCOL_VERSION;
	d.listen_fd = -1;
	d.ctrl = vchan_xen_ops.server_init(7, 512, 0, 0, &err);
	if (d.ctrl == NULL)
		return 2;
	daemon_serve_init(&d);
	if (ports_alloc(&d.ports, 0, &ct.port) < 0 ||
	    qrexec_conn_terminated_encode(&ct, msg, sizeof(msg), &n) != QREXEC_OK)
		return 2;
	/* Its event was the one the HELLO's wait consumed. */
	M.wants = false;
	peer_write(msg, n);
	if (daemon_round(&d) != DAEMON_GO_ON)
		return 3;
	return ports_in_use(&d.ports, 0, ct.port) ? 4 : 0;
}

/* One round of qrexec-agent's loop, dom0's refusal of a pending request
 * already in the ring; 0 if its caller got the answer. */
static int agent_sees_queued_message(void)
{
	static struct agent a;
	struct vmrep rep;
	uint8_t msg[8 + REQUEST_ID_SIZE];
	size_t n;
	int sv[2], err = 0;

	agent_init(&a);
	a.version = QREXEC_PROTOCOL_VERSION;
	a.ctrl = vchan_xen_ops.server_init(0, 512, 0, 0, &err);
	if (a.ctrl == NULL || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 ||
	    qrexec_service_refused_encode("1", msg, sizeof(msg), &n) != QREXEC_OK)
		return 2;
	/* qrexec-client-vm's request "1", forwarded to dom0. */
	a.pending[0].fd = sv[0];
	a.pending[0].sent = 1;
	memcpy(a.pending[0].request_id, "1", 2);
	M.wants = false;
	peer_write(msg, n);
	if (agent_round(&a, -1, -1) != AGENT_GO_ON)
		return 3;
	return read(sv[1], &rep, sizeof(rep)) == (ssize_t)sizeof(rep) && rep.status == VMREP_REFUSED ? 0 : 4;
}

int main(void)
{
	test_wakes_after_exact_read();
	test_wakes_after_every_read();
	check_in_child("the caller's pump", caller_sees_answer);
	check_in_child("qrexec-daemon's loop", daemon_sees_queued_message);
	check_in_child("qrexec-agent's loop", agent_sees_queued_message);
	return check_exit();
}
