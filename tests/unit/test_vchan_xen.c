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
 * behind, so the next write of the peer wakes whoever polls. */
#include "lib/vchan_xen.c"

#include <fcntl.h>
#include <poll.h>

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

int main(void)
{
	test_wakes_after_exact_read();
	test_wakes_after_every_read();
	return check_exit();
}
