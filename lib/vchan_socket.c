/* The socket vchan transport: one Unix stream socket per channel, named
 * vchan.<server>.<client>.<port>.sock in a per-domain directory.
 * SPEC/vchan.md "Socket transport" is normative; the reasoning about
 * directories a qube controls is there too.
 *
 * Every name in a domain's directory is touched only through a directory
 * fd and *at() calls that never follow a link at the last component, and
 * a socket is bound or connected through /proc/self/fd/N, which names
 * exactly the directory or inode that was checked.  A qube can reorder its
 * own directory under us at any moment; what it can achieve by that is
 * listed in SPEC/vchan.md. */
#include "vchan_socket.h"
#include "vchan_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <linux/sockios.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "io.h"
#include "paths.h"

#define NAME_MAX_LEN   48     /* "vchan." + 3 x 10 digits + 3 dots + ".sock" = 44 */
#define TMP_TRIES      16     /* fresh temporary names tried before giving up */
#define MIN_SOCKBUF    (64u * 1024u)
#define MAX_SOCKBUF    (64u * 1024u * 1024u)
#define LISTEN_BACKLOG 4      /* one peer; a few queued connects do no harm */
#define BUSY_RETRY_MS  10     /* a full backlog gives no event to wait for */
#define POLL_WATCH     INT_MAX  /* watch_dir: no inotify to be had, look on a timer */
#define POLL_FALLBACK_MS 5     /* ... every 5 ms */

#define POLL_SLICE_MS  60000  /* poll()'s int timeout, well inside its range */
#define SOCK_MODE      0666   /* the directory is the access control */

struct sockchan {
	struct vchan base;
	int conn;          /* connected socket; -1 while a server waits */
	int lfd;           /* server: listening socket until the peer connects */
	int dirfd;         /* server: directory holding name, until unlinked */
	dev_t name_dev;    /* the inode bound at name, to unlink only ours */
	ino_t name_ino;
	char name[NAME_MAX_LEN];
	int sndbuf;        /* SO_SNDBUF as the kernel reports it */
	bool want_out;     /* a write came back short: wait() polls POLLOUT too */
	bool eof;          /* read saw the peer's close */
	bool have_peer;
	uid_t peer_uid;
	/* A client's inotify fd, kept until vchan_close: closing one waits
	 * for an RCU grace period (1-16 ms), which must not delay the call. */
	int watch;
};

static struct sockchan *sc(struct vchan *v)
{
	return (struct sockchan *)v;
}

static const struct sockchan *csc(const struct vchan *v)
{
	return (const struct sockchan *)v;
}

static void close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

static int set_err(int *err, int e)
{
	if (err != NULL)
		*err = e;
	return e;
}

/* ---- names and directories ---- */

static int sock_dir(char *out, size_t len)
{
	const char *env = getenv("VCHAN_SOCKET_DIR");
	size_t n;

	if (env == NULL)
		return bh_path(out, len, VCHAN_SOCKET_DIR_DEFAULT);
	n = strlen(env);
	if (n == 0)
		return -EINVAL;
	if (n >= len)
		return -ENAMETOOLONG;
	memcpy(out, env, n + 1);
	return 0;
}

static int chan_name(char *out, uint32_t server, uint32_t client, uint32_t port)
{
	int n = snprintf(out, NAME_MAX_LEN, "vchan.%u.%u.%u.sock", server, client, port);

	return n > 0 && n < NAME_MAX_LEN ? 0 : -ENAMETOOLONG;
}

/* "/proc/self/fd/<fd>[/<name>]": names exactly the open file fd, whatever
 * has since happened to the path it was opened by. */
static int proc_path(char *out, size_t len, int fd, const char *name)
{
	int n = name != NULL ? snprintf(out, len, "/proc/self/fd/%d/%s", fd, name)
			     : snprintf(out, len, "/proc/self/fd/%d", fd);

	return n > 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

static int proc_addr(struct sockaddr_un *a, int fd, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	return proc_path(a->sun_path, sizeof(a->sun_path), fd, name);
}

/* /proc/self/fd must be this process's own, or binding and connecting
 * through it would go elsewhere (a process in a new PID namespace with
 * the old /proc): the path has to reach the very directory fd holds. */
static int check_proc(int dirfd)
{
	char p[64];
	struct stat a, b;

	if (proc_path(p, sizeof(p), dirfd, NULL) < 0 || fstat(dirfd, &a) < 0)
		return -EIO;
	if (stat(p, &b) < 0 || a.st_dev != b.st_dev || a.st_ino != b.st_ino)
		return -ENOSYS;
	return 0;
}

/* dom0: <parent>/<domid>, refusing any symlink, magic link or ".." on
 * the way (the name is a single component, so O_NOFOLLOW is the same
 * thing where openat2 is missing). */
static int open_dom_dir(int parent, uint32_t dom)
{
	char name[16];
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	long fd;

	snprintf(name, sizeof(name), "%u", dom);
	fd = syscall(SYS_openat2, parent, name, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		fd = openat(parent, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : (int)fd;
}

/* The directory where this process finds or makes names for domain dom's
 * channels: its own directory in a qube (dom must be itself), dom's
 * directory in dom0. */
static int open_chan_dir(uint32_t dom)
{
	char path[BH_PATH_MAX];
	uint32_t local = vchan_local_domain();
	int fd, parent, rc;

	if ((rc = sock_dir(path, sizeof(path))) < 0)
		return rc;
	if (local != 0) {
		if (dom != local)
			return -EINVAL;
		fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	parent = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (parent < 0)
		return -errno;
	fd = open_dom_dir(parent, dom);
	close(parent);
	return fd;
}

static void tmp_name(char *out, size_t len)
{
	static unsigned counter;
	uint64_t r;

	/* Uniqueness, not secrecy: a name someone planted only costs a retry. */
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
		r = ((uint64_t)getpid() << 32) ^ now_ms() ^ ((uint64_t)++counter << 16);
	snprintf(out, len, ".vchan.tmp.%016llx", (unsigned long long)r);
}

/* An inotify fd watching dirfd for names appearing (created, renamed or
 * linked in, or made accessible).  POLL_WATCH when inotify instances or
 * watches are used up (fs.inotify.max_user_instances is per uid: a
 * hundred calls waiting at once in one qube, or in policyd, reach it):
 * the caller then looks again every POLL_FALLBACK_MS instead of failing
 * the call. */
static int watch_dir(int dirfd)
{
	char p[64];
	int ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	if (ino < 0)
		return errno == EMFILE || errno == ENFILE || errno == ENOMEM ? POLL_WATCH : -errno;
	if (proc_path(p, sizeof(p), dirfd, NULL) < 0) {
		close(ino);
		return -ENAMETOOLONG;
	}
	if (inotify_add_watch(ino, p, IN_CREATE | IN_MOVED_TO | IN_ATTRIB | IN_ONLYDIR) < 0) {
		int e = errno;
		close(ino);
		return e == ENOSPC || e == ENOMEM ? POLL_WATCH : -e;
	}
	return ino;
}

static void release_watch(int *ino)
{
	if (*ino == POLL_WATCH)
		*ino = -1;
	close_fd(ino);
}

/* Sleeps until the directory changes, at most max_ms, at most until the
 * deadline.  Returns -ETIMEDOUT once the deadline has passed, else 0
 * (the caller looks again; events are not matched against the name, a
 * spurious look is cheap). */
static int wait_dir(int ino, uint64_t deadline_ms, uint64_t max_ms)
{
	uint64_t now = now_ms(), left;
	struct pollfd p = { .fd = ino, .events = POLLIN };
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	if (now >= deadline_ms)
		return -ETIMEDOUT;
	left = deadline_ms - now;
	if (left > max_ms)
		left = max_ms;
	if (ino == POLL_WATCH) {
		(void)poll(NULL, 0, (int)(left > POLL_FALLBACK_MS ? POLL_FALLBACK_MS : left));
		return 0;
	}
	if (poll(&p, 1, (int)(left > POLL_SLICE_MS ? POLL_SLICE_MS : left)) < 0 && errno != EINTR)
		return -errno;
	while (read(ino, buf, sizeof(buf)) > 0)
		;
	return 0;
}

/* ---- socket buffers and credentials ---- */

static void set_buf(int fd, int opt, size_t want)
{
	int cur, val;
	socklen_t l = sizeof(cur);

	if (want < MIN_SOCKBUF)
		want = MIN_SOCKBUF;
	if (want > MAX_SOCKBUF)
		want = MAX_SOCKBUF;
	/* Never shrink: the kernel's default (about 208 KiB) already beats
	 * the 64 KiB floor, and the kernel reports twice what was set. */
	if (getsockopt(fd, SOL_SOCKET, opt, &cur, &l) == 0 && cur >= 0 && (size_t)cur / 2 >= want)
		return;
	val = (int)want;
	(void)setsockopt(fd, SOL_SOCKET, opt, &val, sizeof(val));   /* a hint */
}

static void on_connected(struct sockchan *c, int fd)
{
	struct ucred cred;
	socklen_t l = sizeof(cred);
	int v;

	c->conn = fd;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &l) == 0) {
		c->have_peer = true;
		c->peer_uid = cred.uid;
	}
	l = sizeof(v);
	c->sndbuf = getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, &l) == 0 && v > 0 ? v : 0;
}

/* ---- server ---- */

/* Unlinks c->name in c->dirfd if it is still the socket we bound there.
 * The check and the unlink are two steps; in between the directory's
 * owner may swap the name, and then loses its own entry: harmless. */
static void unlink_ours(struct sockchan *c)
{
	struct stat st;
	int f;

	if (c->dirfd < 0 || c->name_ino == 0)
		return;
	f = openat(c->dirfd, c->name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (f < 0)
		return;
	if (fstat(f, &st) == 0 && st.st_dev == c->name_dev && st.st_ino == c->name_ino)
		(void)unlinkat(c->dirfd, c->name, 0);
	close(f);
	c->name_ino = 0;
}

/* Binds sock at c->name in c->dirfd, atomically replacing whatever is
 * there, without following any link the directory's owner planted:
 *  1. bind to a fresh temporary name through /proc/self/fd/DIRFD/ (the
 *     kernel creates the last component and refuses an existing one,
 *     link or not);
 *  2. open that name O_PATH|O_NOFOLLOW and check it is a socket, then
 *     chmod it through /proc/self/fd/N (that inode, never a link's
 *     target) so a peer with another uid may connect;
 *  3. rename it over the final name. */
static int bind_name(struct sockchan *c, int sock)
{
	char tmp[48], p[64];
	struct sockaddr_un a;
	struct stat st;
	int rc = -EADDRINUSE, f = -1;

	for (int i = 0; i < TMP_TRIES; i++) {
		tmp_name(tmp, sizeof(tmp));
		if ((rc = proc_addr(&a, c->dirfd, tmp)) < 0)
			return rc;
		if (bind(sock, (struct sockaddr *)&a, sizeof(a)) == 0) {
			rc = 0;
			break;
		}
		rc = -errno;
		if (rc != -EADDRINUSE)
			return rc;
	}
	if (rc < 0)
		return rc;
	if (listen(sock, LISTEN_BACKLOG) < 0) {
		rc = -errno;
		goto fail;
	}
	f = openat(c->dirfd, tmp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (f < 0) {
		rc = -errno;
		goto fail;
	}
	if (fstat(f, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		rc = -EBUSY;     /* the directory's owner swapped it already */
		goto fail;
	}
	if ((rc = proc_path(p, sizeof(p), f, NULL)) < 0)
		goto fail;
	if (chmod(p, SOCK_MODE) < 0) {
		rc = -errno;
		goto fail;
	}
	if (renameat(c->dirfd, tmp, c->dirfd, c->name) < 0) {
		rc = -errno;
		goto fail;
	}
	c->name_dev = st.st_dev;
	c->name_ino = st.st_ino;
	close(f);
	return 0;
fail:
	close_fd(&f);
	(void)unlinkat(c->dirfd, tmp, 0);
	return rc;
}

static void sock_close(struct vchan *v);

/* A channel (server, client, port) with its name and its directory open:
 * a qube's own, or in dom0 its peer's (the only one the peer sees).
 * NULL with *err set on failure. */
static struct sockchan *chan_new(uint32_t server, uint32_t client, uint32_t port, int *err)
{
	uint32_t local = vchan_local_domain(), remote = local == server ? client : server;
	struct sockchan *c = calloc(1, sizeof(*c));
	int rc;

	if (c == NULL) {
		set_err(err, -ENOMEM);
		return NULL;
	}
	c->base.ops = &vchan_socket_ops;
	c->conn = c->lfd = c->dirfd = c->watch = -1;
	if ((rc = chan_name(c->name, server, client, port)) < 0 ||
	    (rc = c->dirfd = open_chan_dir(local != 0 ? local : remote)) < 0 || (rc = check_proc(c->dirfd)) < 0) {
		sock_close(&c->base);
		set_err(err, rc);
		return NULL;
	}
	return c;
}

static struct vchan *sock_server_init(uint32_t remote, uint32_t port, size_t read_min,
				      size_t write_min, int *err)
{
	struct sockchan *c = chan_new(vchan_local_domain(), remote, port, err);
	int rc, sock;

	if (c == NULL)
		return NULL;
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (sock < 0) {
		rc = -errno;
		goto fail;
	}
	c->lfd = sock;
	/* Accepted sockets inherit these. */
	set_buf(sock, SO_SNDBUF, write_min ? write_min : VCHAN_DEFAULT_RING);
	set_buf(sock, SO_RCVBUF, read_min ? read_min : VCHAN_DEFAULT_RING);
	if ((rc = bind_name(c, sock)) < 0)
		goto fail;
	return &c->base;
fail:
	sock_close(&c->base);
	set_err(err, rc);
	return NULL;
}

/* 1 once connected (now or before), 0 while the peer has not come,
 * -errno on a failed accept. */
static int try_accept(struct sockchan *c)
{
	int fd;

	if (c->conn >= 0)
		return 1;
	if (c->lfd < 0)
		return -EBADF;
	fd = accept4(c->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED)
			return 0;
		return -errno;
	}
	/* One peer per channel: nobody else may connect, and the name goes. */
	close_fd(&c->lfd);
	unlink_ours(c);
	close_fd(&c->dirfd);
	on_connected(c, fd);
	return 1;
}

/* ---- client ---- */

/* One attempt.  0 with *out connected; -EAGAIN when there is nothing
 * (yet) to connect to: no name, a name that is not a socket (it may be a
 * link or file planted by the directory's owner; a server's rename
 * replaces it), a socket nobody listens on (a stale one; likewise);
 * -EBUSY when the listener's backlog is full; -errno otherwise.  *dev and
 * *ino identify the inode connected to. */
static int try_connect(int dirfd, const char *name, int *out, dev_t *dev, ino_t *ino)
{
	struct sockaddr_un a;
	struct stat st;
	int f, s, rc;

	f = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (f < 0)
		return errno == ENOENT ? -EAGAIN : -errno;
	if (fstat(f, &st) < 0) {
		rc = -errno;
		close(f);
		return rc;
	}
	if (!S_ISSOCK(st.st_mode)) {
		close(f);
		return -EAGAIN;
	}
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0) {
		rc = -errno;
		close(f);
		return rc;
	}
	set_buf(s, SO_SNDBUF, VCHAN_DEFAULT_RING);
	set_buf(s, SO_RCVBUF, VCHAN_DEFAULT_RING);
	rc = proc_addr(&a, f, NULL);
	if (rc == 0 && connect(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		switch (errno) {
		case ECONNREFUSED:
		case ENOENT:         /* unlinked and gone between open and connect */
			rc = -EAGAIN;
			break;
		case EAGAIN:
		case EINTR:
			rc = -EBUSY;
			break;
		default:
			rc = -errno;
		}
	}
	close(f);
	if (rc < 0) {
		close(s);
		return rc;
	}
	*out = s;
	*dev = st.st_dev;
	*ino = st.st_ino;
	return 0;
}

static struct vchan *sock_client_init(uint32_t remote, uint32_t port, uint64_t deadline_ms,
				      int *err)
{
	uint32_t local = vchan_local_domain();
	struct sockchan *c = chan_new(remote, local, port, err);
	int rc, ino = -1, fd = -1;
	dev_t dev = 0;
	ino_t inode = 0;

	if (c == NULL)
		return NULL;
	/* Look first: usually the server is there already, and an inotify
	 * instance costs ~10 ms to close (an RCU grace period) on the call's
	 * critical path.  Otherwise watch, then look again before waiting, so
	 * a name appearing in between is not missed. */
	for (;;) {
		rc = try_connect(c->dirfd, c->name, &fd, &dev, &inode);
		if (rc == 0)
			break;
		if (rc != -EAGAIN && rc != -EBUSY)
			goto fail;
		if (ino < 0) {
			if ((rc = ino = watch_dir(c->dirfd)) < 0)
				goto fail;
			continue;
		}
		rc = wait_dir(ino, deadline_ms, rc == -EBUSY ? BUSY_RETRY_MS : UINT64_MAX);
		if (rc < 0)
			goto fail;
	}
	c->watch = ino == POLL_WATCH ? -1 : ino;
	ino = -1;
	/* Qube to qube: the name in our directory is the link dom0 made for
	 * us (vchan_socket_expose); it served its purpose.  Other names are
	 * the server's to remove. */
	if (local != 0 && remote != 0) {
		c->name_dev = dev;
		c->name_ino = inode;
		unlink_ours(c);
	}
	close_fd(&c->dirfd);
	on_connected(c, fd);
	return &c->base;
fail:
	release_watch(&ino);
	sock_close(&c->base);
	set_err(err, rc);
	return NULL;
}

/* ---- data ---- */

static ssize_t sock_read(struct vchan *v, void *buf, size_t len)
{
	struct sockchan *c = sc(v);
	int rc;

	if ((rc = try_accept(c)) <= 0)
		return rc;
	if (len == 0)
		return 0;
	if (len > SSIZE_MAX)
		len = SSIZE_MAX;
	for (;;) {
		ssize_t n = read(c->conn, buf, len);

		if (n > 0)
			return n;
		if (n == 0) {
			c->eof = true;
			return -EPIPE;
		}
		switch (errno) {
		case EINTR:
			continue;
		case EAGAIN:
			return 0;
		case ECONNRESET:      /* the peer closed with our data unread */
			c->eof = true;
			return -EPIPE;
		default:
			return -errno;
		}
	}
}

static ssize_t sock_write(struct vchan *v, const void *buf, size_t len)
{
	struct sockchan *c = sc(v);
	int rc;

	if ((rc = try_accept(c)) <= 0)
		return rc;
	if (len == 0)
		return 0;
	if (len > SSIZE_MAX)
		len = SSIZE_MAX;
	for (;;) {
		ssize_t n = send(c->conn, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n >= 0) {
			c->want_out = (size_t)n < len;
			return n;
		}
		switch (errno) {
		case EINTR:
			continue;
		case EAGAIN:
			c->want_out = true;
			return 0;
		case EPIPE:
		case ECONNRESET:
			return -EPIPE;
		default:
			return -errno;
		}
	}
}

static int sock_wait(struct vchan *v, uint64_t deadline_ms)
{
	struct sockchan *c = sc(v);

	for (;;) {
		struct pollfd p;
		uint64_t now, left;
		int rc, n;

		if (c->conn < 0) {
			/* Waiting for the peer: its arrival is the event. */
			if ((rc = try_accept(c)) != 0)
				return rc < 0 ? rc : 0;
			p = (struct pollfd){ .fd = c->lfd, .events = POLLIN };
		} else {
			p = (struct pollfd){ .fd = c->conn,
					     .events = (short)(POLLIN | (c->want_out ? POLLOUT : 0)) };
		}
		now = now_ms();
		left = now >= deadline_ms ? 0 : deadline_ms - now;
		n = poll(&p, 1, (int)(left > POLL_SLICE_MS ? POLL_SLICE_MS : left));
		if (n < 0) {
			if (errno != EINTR)
				return -errno;
			continue;
		}
		if (n == 0) {
			if (now_ms() >= deadline_ms)
				return -ETIMEDOUT;
			continue;
		}
		if (c->conn < 0)
			continue;             /* accept at the top */
		if (p.revents & POLLOUT)
			c->want_out = false;  /* reported once; the next short write re-arms */
		return 0;
	}
}

static int sock_fd(const struct vchan *v)
{
	const struct sockchan *c = csc(v);

	return c->conn >= 0 ? c->conn : c->lfd;
}

static short sock_poll_events(const struct vchan *v, int want_write)
{
	return (short)(POLLIN | (want_write && csc(v)->conn >= 0 ? POLLOUT : 0));
}

static int sock_is_open(struct vchan *v)
{
	struct sockchan *c = sc(v);
	struct pollfd p;

	/* A failed accept leaves us waiting; wait() reports the error. */
	if (try_accept(c) <= 0)
		return VCHAN_WAITING;
	if (c->eof)
		return VCHAN_DISCONNECTED;
	p = (struct pollfd){ .fd = c->conn, .events = POLLRDHUP };
	if (poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)))
		return VCHAN_DISCONNECTED;
	return VCHAN_CONNECTED;
}

static size_t sock_data_ready(struct vchan *v)
{
	struct sockchan *c = sc(v);
	int n;

	if (try_accept(c) <= 0 || ioctl(c->conn, FIONREAD, &n) < 0 || n < 0)
		return 0;
	return (size_t)n;
}

/* Best effort: SIOCOUTQ counts the kernel's memory for queued data, a
 * little more than the bytes themselves. */
static size_t sock_buffer_space(struct vchan *v)
{
	struct sockchan *c = sc(v);
	int q;

	if (try_accept(c) <= 0 || ioctl(c->conn, SIOCOUTQ, &q) < 0 || q < 0 || q >= c->sndbuf)
		return 0;
	return (size_t)(c->sndbuf - q);
}

static void sock_close(struct vchan *v)
{
	struct sockchan *c = sc(v);

	close_fd(&c->conn);
	close_fd(&c->lfd);
	unlink_ours(c);
	close_fd(&c->dirfd);
	close_fd(&c->watch);    /* last: the slow close, after the call is over */
	free(c);
}

static int sock_available(void)
{
	return 1;
}

/* The connected socket: sock_read and sock_write keep no bytes of their
 * own, so splice(2) on it sees exactly the stream they would. */
static int sock_splice_fd(struct vchan *v)
{
	struct sockchan *c = sc(v);

	return try_accept(c) > 0 && !c->eof ? c->conn : -1;
}

const struct vchan_ops vchan_socket_ops = {
	.name = "socket",
	.available = sock_available,
	.server_init = sock_server_init,
	.client_init = sock_client_init,
	.read = sock_read,
	.write = sock_write,
	.wait = sock_wait,
	.fd = sock_fd,
	.poll_events = sock_poll_events,
	.is_open = sock_is_open,
	.data_ready = sock_data_ready,
	.buffer_space = sock_buffer_space,
	.close = sock_close,
	.splice_fd = sock_splice_fd,
};

/* ---- dom0 extras ---- */

int vchan_peer_uid(struct vchan *v, uid_t *out)
{
	struct sockchan *c;

	if (v->ops != &vchan_socket_ops)
		return -EPROTONOSUPPORT;
	c = sc(v);
	if (try_accept(c) <= 0 || !c->have_peer)
		return -ENOTCONN;
	*out = c->peer_uid;
	return 0;
}

/* Hard-links the inode open at f into dirfd as name: linked under a fresh
 * temporary name first, then renamed over name, so whatever the
 * directory's owner put at name is replaced in one step.  Linking through
 * /proc/self/fd/F links exactly the inode that was checked. */
static int link_over(int f, int dirfd, const char *name)
{
	char tmp[48], p[64];
	int rc = -EEXIST;

	if ((rc = proc_path(p, sizeof(p), f, NULL)) < 0)
		return rc;
	rc = -EEXIST;
	for (int i = 0; i < TMP_TRIES && rc == -EEXIST; i++) {
		tmp_name(tmp, sizeof(tmp));
		rc = linkat(AT_FDCWD, p, dirfd, tmp, AT_SYMLINK_FOLLOW) == 0 ? 0 : -errno;
	}
	if (rc < 0)
		return rc;
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		rc = -errno;
		(void)unlinkat(dirfd, tmp, 0);
	}
	return rc;
}

int vchan_socket_expose(uint32_t server, uint32_t client, uint32_t port, uint64_t deadline_ms)
{
	char name[NAME_MAX_LEN];
	int sdir = -1, cdir = -1, ino = -1, rc;

	if (vchan_local_domain() != 0 || server == 0 || client == 0 || server == client ||
	    server >= VCHAN_DOMID_LIMIT || client >= VCHAN_DOMID_LIMIT)
		return -EINVAL;
	if ((rc = chan_name(name, server, client, port)) < 0)
		return rc;
	if ((rc = sdir = open_chan_dir(server)) < 0)
		goto out;
	if ((rc = cdir = open_chan_dir(client)) < 0)
		goto out;
	if ((rc = check_proc(sdir)) < 0)
		goto out;
	/* Look first, watch only when we must wait (see sock_client_init). */
	for (;;) {
		int f = openat(sdir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);

		if (f >= 0) {
			struct stat st;
			bool is_sock;

			if (fstat(f, &st) < 0) {
				rc = -errno;
				close(f);
				goto out;
			}
			is_sock = S_ISSOCK(st.st_mode);
			rc = is_sock ? link_over(f, cdir, name) : 0;
			close(f);
			if (is_sock)
				goto out;
			/* Not a socket (yet): the server's rename will replace it. */
		} else if (errno != ENOENT) {
			rc = -errno;
			goto out;
		}
		if (ino < 0) {
			if ((rc = ino = watch_dir(sdir)) < 0)
				goto out;
			continue;
		}
		if ((rc = wait_dir(ino, deadline_ms, UINT64_MAX)) < 0)
			goto out;
	}
out:
	release_watch(&ino);
	close_fd(&sdir);
	close_fd(&cdir);
	return rc;
}

int vchan_socket_clear(uint32_t server, uint32_t client, uint32_t port)
{
	char name[NAME_MAX_LEN];
	/* Where the name can be: the server's directory (a qube server), the
	 * client's (a dom0 server's, or expose's link); dom0's own only for a
	 * dom0-to-dom0 channel. */
	uint32_t dirs[2] = { server, client };
	int rc;

	if (vchan_local_domain() != 0 || server >= VCHAN_DOMID_LIMIT || client >= VCHAN_DOMID_LIMIT)
		return -EINVAL;
	if ((rc = chan_name(name, server, client, port)) < 0)
		return rc;
	for (int i = 0; i < 2; i++) {
		int d;

		if (i == 1 && client == server)
			break;
		if (dirs[i] == 0 && !(server == 0 && client == 0))
			continue;
		if ((d = open_chan_dir(dirs[i])) < 0)
			return d;
		if (unlinkat(d, name, 0) < 0 && errno != ENOENT)
			rc = -errno;
		close(d);
		if (rc < 0)
			return rc;
	}
	return 0;
}
