#include "qrexec/lib/pump.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/io.h"
#include "qrexec/msg_parse.h"
#include "qrexec/protocol.h"

#define HDR sizeof(struct msg_header)
#define PUMP_PIPE_SIZE (1024u * 1024u)   /* fs.pipe-max-size's default */

/* A local fd whose bytes become DATA messages of one type. */
struct source {
	int fd;
	uint32_t type;
	bool eof_sent;
	bool is_pipe;                   /* payloads may be spliced from it */
};

struct state {
	const struct pump_config *cfg;
	uint32_t chunk;                 /* max payload for the version */
	struct source src[2];           /* [0] stdout/stdin, [1] stderr */
	int nsrc;
	int next_src;                   /* round robin between sources */
	/* Outbound: one message at a time, so messages never interleave.
	 * A spliced payload: the header is in tx, then tx_splice bytes go
	 * from the pipe tx_splice_fd to the channel; tx_len stays non-zero
	 * (the message is pending) until they have. */
	uint8_t *tx;
	size_t tx_len, tx_off, tx_splice;
	int tx_splice_fd;
	/* The channel's stream for splice(2), or -1 (copy everything). */
	int sfd;
	/* Inbound: header, then payload, then delivery to a local fd. */
	uint8_t untrusted_rx_hdr[HDR];
	size_t rx_hdr_have;
	uint32_t rx_type, rx_len;
	uint8_t *untrusted_rx;
	size_t rx_have, rx_off;
	bool rx_in_payload, rx_delivering;
	bool rx_splicing;               /* this payload goes channel -> pipe directly */
	bool rx_eof[2];                 /* the peer ended [0] stdin/stdout, [1] stderr */
	int out_fd, err_out_fd;
	bool out_is_pipe, err_out_is_pipe;
	/* Service side. */
	int pidfd;
	bool child_done, exit_sent;
	int status;
	/* Client side. */
	bool exit_received;
	int exit_code;
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Non-blocking, and a pipe grown to PUMP_PIPE_SIZE: a 64 KiB pipe
 * means a context switch per message at full speed.  (Growing a pipe
 * someone handed us is a hint: refused above the system's limit.) */
static bool prepare_local(int fd)
{
	struct stat st;

	if (fd < 0)
		return false;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode))
		return false;
	if (fcntl(fd, F_GETPIPE_SZ) < (int)PUMP_PIPE_SIZE)
		(void)fcntl(fd, F_SETPIPE_SZ, (int)PUMP_PIPE_SIZE);
	return true;
}

/* The peer said EOF for what we deliver to out_fd. */
static void local_out_eof(struct state *s)
{
	if (s->out_fd < 0)
		return;
	if (s->cfg->in_is_socket && s->cfg->role == PUMP_SERVICE)
		shutdown(s->out_fd, SHUT_WR);
	close_fd(&s->out_fd);
}

/* Our side's header for a payload already in place, through the encoder
 * that applies the same table as the peer's check (type allowed from our
 * role, length within the version's chunk).  A refusal is a bug here. */
static void queue_msg(struct state *s, uint32_t type, size_t payload_len)
{
	struct msg_header h = { type, (uint32_t)payload_len };
	enum qrexec_peer self = s->cfg->role == PUMP_SERVICE ? PEER_DATA_SERVICE : PEER_DATA_CLIENT;

	if (qrexec_hdr_encode(&h, CHAN_DATA, self, s->cfg->version, s->tx, HDR) != QREXEC_OK)
		abort();
	s->tx_len = HDR + payload_len;
	s->tx_off = 0;
}

/* Fill the tx buffer from a readable source, or queue an EOF / the exit
 * code.  Only when the tx buffer is empty. */
static int fill_tx(struct state *s, const short *revents)
{
	if (s->tx_len != 0)
		return 0;
	for (int k = 0; k < s->nsrc; k++) {
		int i = (s->next_src + k) % s->nsrc;
		struct source *src = &s->src[i];
		ssize_t n;

		if (src->eof_sent || src->fd < 0 || !(revents[i] & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if (s->sfd >= 0 && src->is_pipe) {
			int avail = 0;
			/* Bytes waiting in the pipe (we are its only reader):
			 * that many, up to a chunk, go to the channel by
			 * splice, behind a header saying so.  None: a read
			 * below tells EOF from a spurious wakeup. */
			if (ioctl(src->fd, FIONREAD, &avail) == 0 && avail > 0) {
				size_t len = (size_t)avail < s->chunk ? (size_t)avail : s->chunk;
				queue_msg(s, src->type, len);
				s->tx_len = HDR;
				s->tx_splice = len;
				s->tx_splice_fd = src->fd;
				s->next_src = (i + 1) % s->nsrc;
				return 0;
			}
		}
		n = read(src->fd, s->tx + HDR, s->chunk);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			n = 0;           /* a broken local fd ends that stream */
		}
		queue_msg(s, src->type, (size_t)n);
		if (n == 0) {
			src->eof_sent = true;
			close_fd(&src->fd);
		}
		s->next_src = (i + 1) % s->nsrc;
		return 0;
	}
	/* Service: the exit code goes last, after every stream's EOF. */
	if (s->cfg->role == PUMP_SERVICE && s->child_done && !s->exit_sent) {
		for (int i = 0; i < s->nsrc; i++)
			if (!s->src[i].eof_sent)
				return 0;
		size_t n;
		/* Statuses are 0..255 (WEXITSTATUS) or 128 + a signal number. */
		if (qrexec_exit_code_encode((uint32_t)s->status, s->tx, HDR + 4, &n) != QREXEC_OK)
			abort();
		s->tx_len = n;
		s->tx_off = 0;
		s->exit_sent = true;
	}
	return 0;
}

static int flush_tx(struct state *s)
{
	while (s->tx_off < s->tx_len) {
		ssize_t n = vchan_write(s->cfg->v, s->tx + s->tx_off, s->tx_len - s->tx_off);
		if (n < 0)
			return (int)n;
		if (n == 0)
			return 0;        /* channel full: wait */
		s->tx_off += (size_t)n;
	}
	while (s->tx_splice > 0) {
		ssize_t n = splice(s->tx_splice_fd, NULL, s->sfd, NULL, s->tx_splice, SPLICE_F_NONBLOCK | SPLICE_F_MOVE);

		if (n > 0) {
			s->tx_splice -= (size_t)n;
			continue;
		}
		/* The pipe holds the bytes (FIONREAD said so, and nobody else
		 * reads it): EAGAIN is the channel being full. */
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n < 0 && errno == EINTR)
			continue;
		return n == 0 ? -EIO : -errno;
	}
	s->tx_len = s->tx_off = 0;
	return 0;
}

/* Where a received data message goes; -EPROTO if it may not arrive here. */
static int accept_header(struct state *s)
{
	struct msg_header h;
	enum qrexec_peer from = s->cfg->role == PUMP_SERVICE ? PEER_DATA_CLIENT : PEER_DATA_SERVICE;

	if (qrexec_hdr_decode(s->untrusted_rx_hdr, HDR, &h) != QREXEC_OK ||
	    qrexec_data_msg_check(&h, from, s->cfg->version) != QREXEC_OK)
		return -EPROTO;
	/* Nothing of a stream after its end: reject, not ignore. */
	if (h.type != MSG_DATA_EXIT_CODE && s->rx_eof[h.type == MSG_DATA_STDERR])
		return -EPROTO;
	s->rx_type = h.type;
	s->rx_len = h.len;
	s->rx_have = s->rx_off = 0;
	s->rx_in_payload = true;
	/* Stream data for a local pipe moves without a copy through us. */
	s->rx_splicing = s->sfd >= 0 && h.len > 0 && h.type != MSG_DATA_EXIT_CODE &&
			 (h.type == MSG_DATA_STDERR ? s->err_out_fd >= 0 && s->err_out_is_pipe
						    : s->out_fd >= 0 && s->out_is_pipe);
	return 0;
}

/* Moves the rest of a payload from the channel to its local pipe.  0:
 * done or waiting (rx_delivering set when it is the pipe that is full);
 * -EPIPE: the peer left in the middle of a message; or -errno.  A
 * reader that went away gets nothing more: the rest is read and dropped. */
static int splice_rx(struct state *s)
{
	int *fd = s->rx_type == MSG_DATA_STDERR ? &s->err_out_fd : &s->out_fd;

	while (s->rx_have < s->rx_len) {
		ssize_t n = splice(s->sfd, NULL, *fd, NULL, s->rx_len - s->rx_have, SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
		int queued = 0;

		if (n > 0) {
			s->rx_have += (size_t)n;
			continue;
		}
		if (n == 0)
			return -EPIPE;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN) {
			/* Either side may block: bytes waiting in the channel
			 * mean the pipe is full. */
			s->rx_delivering = ioctl(s->sfd, FIONREAD, &queued) == 0 && queued > 0;
			return 0;
		}
		if (errno != EPIPE)
			return -errno;
		if (s->rx_type == MSG_DATA_STDERR)
			close_fd(&s->err_out_fd);
		else
			close_fd(&s->out_fd);
		s->rx_splicing = false;
		return 0;
	}
	s->rx_splicing = false;
	s->rx_in_payload = false;
	s->rx_hdr_have = 0;
	return 0;
}

/* A whole data message is in: act on it. */
static void deliver_start(struct state *s)
{
	s->rx_in_payload = false;
	s->rx_hdr_have = 0;
	if (s->rx_type == MSG_DATA_EXIT_CODE) {
		uint32_t code;
		/* The header check fixed len == 4; the decoder bounds the value. */
		s->exit_received = true;
		s->exit_code = qrexec_exit_code_decode(s->untrusted_rx, s->rx_len, &code) == QREXEC_OK
				       ? (int)code : QREXEC_EXIT_PROBLEM;
		return;
	}
	if (s->rx_len == 0) {                  /* EOF of that stream */
		s->rx_eof[s->rx_type == MSG_DATA_STDERR] = true;
		if (s->rx_type == MSG_DATA_STDERR)
			close_fd(&s->err_out_fd);
		else
			local_out_eof(s);
		return;
	}
	s->rx_delivering = true;
}

static int pump_rx(struct state *s)
{
	for (;;) {
		ssize_t n;
		int rc;

		if (s->rx_splicing) {
			/* Woken for the pipe's space, or the channel's data. */
			s->rx_delivering = false;
			if ((rc = splice_rx(s)) < 0 || s->rx_delivering || s->rx_splicing)
				return rc;
			continue;
		}
		if (s->rx_delivering) {
			int fd = s->rx_type == MSG_DATA_STDERR ? s->err_out_fd : s->out_fd;
			while (fd >= 0 && s->rx_off < s->rx_len) {
				n = write(fd, s->untrusted_rx + s->rx_off, s->rx_len - s->rx_off);
				if (n < 0 && errno == EAGAIN)
					return 0;            /* slow reader: stop reading the channel */
				if (n < 0) {
					/* The local reader went away: discard the rest. */
					if (s->rx_type == MSG_DATA_STDERR)
						close_fd(&s->err_out_fd);
					else
						close_fd(&s->out_fd);
					break;
				}
				s->rx_off += (size_t)n;
			}
			s->rx_delivering = false;
		}
		if (s->exit_received)
			return 0;
		if (!s->rx_in_payload) {
			n = vchan_read(s->cfg->v, s->untrusted_rx_hdr + s->rx_hdr_have, HDR - s->rx_hdr_have);
			if (n <= 0)
				return (int)n;
			s->rx_hdr_have += (size_t)n;
			if (s->rx_hdr_have < HDR)
				continue;
			if (accept_header(s) < 0)
				return -EPROTO;
			if (s->rx_splicing)
				continue;
		}
		if (s->rx_have < s->rx_len) {
			n = vchan_read(s->cfg->v, s->untrusted_rx + s->rx_have, s->rx_len - s->rx_have);
			if (n <= 0)
				return (int)n;
			s->rx_have += (size_t)n;
			if (s->rx_have < s->rx_len)
				continue;
		}
		deliver_start(s);
	}
}

static void child_exited(struct state *s)
{
	int st;

	if (waitpid(s->cfg->child, &st, WNOHANG) != s->cfg->child)
		return;
	s->child_done = true;
	s->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	close_fd(&s->pidfd);
}

/* What to poll the channel for.  While a delivery waits on a slow local
 * reader, incoming data must not wake us (that would spin): only space
 * for pending output may.  A transport that signals space as POLLIN (Xen)
 * keeps POLLIN then; one that uses POLLOUT (socket) drops it. */
static short vchan_events(const struct state *s)
{
	short ev = vchan_poll_events(s->cfg->v, s->tx_len != 0);

	if (!s->rx_delivering)
		return ev;
	if (s->tx_len == 0)
		return 0;
	return (ev & POLLOUT) ? POLLOUT : ev;
}

static bool finished(const struct state *s)
{
	if (s->cfg->role == PUMP_CLIENT)
		return s->exit_received;
	return s->exit_sent && s->tx_len == 0;
}

int pump_run(const struct pump_config *cfg, int *exit_code)
{
	struct state s = { .cfg = cfg, .pidfd = -1, .tx_splice_fd = -1 };
	int rc = 0;

	s.chunk = cfg->version >= QREXEC_PROTOCOL_V3 ? MAX_DATA_CHUNK : MAX_DATA_CHUNK_V2;
	s.tx = malloc(HDR + MAX_DATA_CHUNK);
	s.untrusted_rx = malloc(MAX_DATA_CHUNK);
	if (s.tx == NULL || s.untrusted_rx == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	s.out_fd = cfg->local_out;
	s.err_out_fd = cfg->local_err_out;
	s.src[0] = (struct source){ .fd = cfg->local_in,
		.type = cfg->role == PUMP_SERVICE ? MSG_DATA_STDOUT : MSG_DATA_STDIN };
	s.nsrc = 1;
	if (cfg->role == PUMP_SERVICE && cfg->local_err >= 0)
		s.src[s.nsrc++] = (struct source){ .fd = cfg->local_err, .type = MSG_DATA_STDERR };
	for (int i = 0; i < s.nsrc; i++)
		s.src[i].is_pipe = prepare_local(s.src[i].fd);
	s.out_is_pipe = prepare_local(s.out_fd);
	s.err_out_is_pipe = prepare_local(s.err_out_fd);
	s.sfd = vchan_splice_fd(cfg->v);
	if (cfg->role == PUMP_SERVICE) {
		if (cfg->child > 0) {
			s.pidfd = (int)syscall(SYS_pidfd_open, cfg->child, 0);
			if (s.pidfd < 0) {
				rc = -errno;
				goto out;
			}
		} else {
			s.child_done = true;     /* socket service: exit code 0 */
		}
	}

	/* The first round reads before it sleeps: the channel may hold more
	 * than the handshake read, and on Xen the one event that announced
	 * it may be the one the handshake's wait consumed (a writer raises
	 * none unless asked, and the HELLO's read asked only after the rest
	 * was there).  Every later round ends with a read that asks. */
	for (bool first = true; !finished(&s); first = false) {
		struct pollfd p[5];
		short rev[2] = { 0, 0 };
		int np = 0, si[2] = { -1, -1 }, pi = -1;
		bool all_eof = true;

		/* A source without an fd still owes its EOF message. */
		for (int i = 0; i < s.nsrc; i++) {
			if (s.src[i].fd < 0 && !s.src[i].eof_sent && s.tx_len == 0) {
				queue_msg(&s, s.src[i].type, 0);
				s.src[i].eof_sent = true;
			}
			all_eof = all_eof && s.src[i].eof_sent;
		}
		/* Only what can make progress is polled: the channel for input
		 * unless a delivery is stuck on a slow local reader, for output
		 * while a message is pending; the sources while tx is free. */
		p[np++] = (struct pollfd){ .fd = vchan_fd(cfg->v), .events = vchan_events(&s) };
		if (s.tx_len == 0)
			for (int i = 0; i < s.nsrc; i++)
				if (s.src[i].fd >= 0 && !s.src[i].eof_sent) {
					si[i] = np;
					p[np++] = (struct pollfd){ .fd = s.src[i].fd, .events = POLLIN };
				}
		if (s.rx_delivering) {
			int fd = s.rx_type == MSG_DATA_STDERR ? s.err_out_fd : s.out_fd;
			if (fd >= 0)
				p[np++] = (struct pollfd){ .fd = fd, .events = POLLOUT };
		}
		if (s.pidfd >= 0) {
			pi = np;
			p[np++] = (struct pollfd){ .fd = s.pidfd, .events = POLLIN };
		}
		/* Nothing to wait for when the exit code is due right now. */
		if (!(s.tx_len == 0 && s.child_done && !s.exit_sent && all_eof) &&
		    poll(p, (nfds_t)np, first ? 0 : -1) < 0 && errno != EINTR) {
			rc = -errno;
			break;
		}
		if (p[0].revents)
			(void)vchan_wait(cfg->v, 0);    /* acknowledge: never blocks */
		if (pi >= 0 && (p[pi].revents & POLLIN))
			child_exited(&s);
		for (int i = 0; i < s.nsrc; i++)
			if (si[i] >= 0)
				rev[i] = p[si[i]].revents;
		fill_tx(&s, rev);
		if ((rc = flush_tx(&s)) == -EPIPE && cfg->role == PUMP_CLIENT) {
			/* The service side may close before reading all our input
			 * (a service that ignores stdin, or none at all): stop
			 * sending, and still read its output and exit code. */
			s.tx_len = s.tx_off = s.tx_splice = 0;
			for (int i = 0; i < s.nsrc; i++) {
				s.src[i].eof_sent = true;
				close_fd(&s.src[i].fd);
			}
			rc = 0;
		}
		if (rc < 0)
			break;
		rc = pump_rx(&s);
		if (rc == -EPIPE && cfg->role == PUMP_SERVICE && s.exit_sent)
			rc = 0;
		if (rc < 0)
			break;
	}
	if (rc == 0)
		*exit_code = cfg->role == PUMP_CLIENT ? s.exit_code : s.status;
out:
	for (int i = 0; i < s.nsrc; i++)
		close_fd(&s.src[i].fd);
	local_out_eof(&s);
	close_fd(&s.err_out_fd);
	close_fd(&s.pidfd);
	free(s.tx);
	free(s.untrusted_rx);
	return rc;
}

int pump_handshake(struct vchan *v, int is_server, uint32_t *version, uint64_t deadline_ms)
{
	uint8_t ours[HDR + 4], untrusted_theirs[HDR + 4];
	struct msg_header h;
	uint32_t theirs, max;
	size_t n;
	int rc;

	if (qrexec_hello_encode(QREXEC_PROTOCOL_VERSION, ours, sizeof(ours), &n) != QREXEC_OK)
		return -EINVAL;
	if (is_server && (rc = vchan_send(v, ours, n, deadline_ms)) < 0)
		return rc;
	if ((rc = vchan_recv(v, untrusted_theirs, sizeof(untrusted_theirs), deadline_ms)) < 0)
		return rc;
	if (qrexec_hdr_decode(untrusted_theirs, HDR, &h) != QREXEC_OK ||
	    qrexec_hdr_check(&h, CHAN_DATA, is_server ? PEER_DATA_CLIENT : PEER_DATA_SERVICE,
			     QREXEC_VERSION_NONE, &max) != QREXEC_OK ||
	    qrexec_hello_decode(untrusted_theirs + HDR, h.len, &theirs) != QREXEC_OK ||
	    qrexec_negotiate(QREXEC_PROTOCOL_VERSION, theirs, version) != QREXEC_OK)
		return -EPROTO;
	if (!is_server && (rc = vchan_send(v, ours, n, deadline_ms)) < 0)
		return rc;
	return 0;
}
