/* The socket vchan transport (lib/vchan_socket.c, SPEC/vchan.md): dom0 and
 * simulated qubes as forked processes over a fake layout in
 * $BULKHEAD_ROOT/vchan (dom0's parent directory; domains 0, 5 and 7),
 * each process told who it is by VCHAN_DOMAIN / VCHAN_SOCKET_DIR. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/io.h"
#include "lib/vchan.h"
#include "lib/vchan_socket.h"
#include "tests/lib/check.h"

#define DUPLEX_BYTES (256ull << 20)
#define CHUNK        (256u * 1024u)

static char root[1024];   /* $BULKHEAD_ROOT */
static char vdir[1100];   /* dom0's VCHAN_SOCKET_DIR */

static uint64_t in_ms(uint64_t ms)
{
	return now_ms() + ms;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000u, (long)(ms % 1000u) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void path_of(char *out, size_t len, uint32_t dom, const char *name)
{
	snprintf(out, len, "%s/%u/%s", vdir, dom, name);
}

static void chan(char *out, size_t len, uint32_t s, uint32_t c, uint32_t port)
{
	snprintf(out, len, "vchan.%u.%u.%u.sock", s, c, port);
}

/* This process becomes domain d. */
static void as_domain(uint32_t d)
{
	char own[1200], id[16];

	if (d == 0) {
		unsetenv("VCHAN_DOMAIN");
		setenv("VCHAN_SOCKET_DIR", vdir, 1);
		return;
	}
	snprintf(own, sizeof(own), "%s/%u", vdir, d);
	snprintf(id, sizeof(id), "%u", d);
	setenv("VCHAN_DOMAIN", id, 1);
	setenv("VCHAN_SOCKET_DIR", own, 1);
}

struct job {
	uint32_t port;
	uint32_t peer;
	int fd;          /* a pipe end, when the job needs one */
	unsigned delay_ms;
};

static pid_t spawn(uint32_t dom, void (*fn)(struct job *), struct job *j)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		alarm(300);
		as_domain(dom);
		fn(j);
		exit(check_failures ? 1 : 0);
	}
	return pid;
}

static void reap(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static bool is_sock(const char *p)
{
	struct stat st;
	return lstat(p, &st) == 0 && S_ISSOCK(st.st_mode);
}

static bool gone(const char *p)
{
	struct stat st;
	return lstat(p, &st) < 0 && errno == ENOENT;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;   /* the DIR's own fd */
}

/* A listening socket at an absolute path, as something a qube must never
 * reach through dom0 (an admin socket). */
static int listener_at(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	unlink(path);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 8) < 0) {
		perror(path);
		exit(1);
	}
	return s;
}

static bool nobody_connected(int lfd)
{
	int c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (c >= 0) {
		close(c);
		return false;
	}
	return errno == EAGAIN;
}

/* ---- backend selection, environment ---- */

static void job_backend_bogus(struct job *j)
{
	int err = 0;
	(void)j;
	setenv("VCHAN_BACKEND", "carrier-pigeon", 1);
	CHECK(vchan_backend() == NULL);
	CHECK(vchan_server_init(5, 600, 0, 0, &err) == NULL && err == -EINVAL);
}

static void job_backend_xen(struct job *j)
{
	int err = 0;
	(void)j;
	/* This program does not link libvchanxen. */
	setenv("VCHAN_BACKEND", "xen", 1);
	CHECK(vchan_backend() == NULL);
	CHECK(vchan_client_init(5, 600, in_ms(100), &err) == NULL && err == -EPROTONOSUPPORT);
}

static void job_backend_default(struct job *j)
{
	(void)j;
	unsetenv("VCHAN_BACKEND");
	CHECK_STR(vchan_backend(), "socket");
}

static void test_env(void)
{
	static const struct { const char *s; uint32_t want; } cases[] = {
		{ "5", 5 }, { "0", 0 }, { "32751", 32751 }, { "32752", VCHAN_DOMAIN_INVALID },
		{ "05", VCHAN_DOMAIN_INVALID }, { "", VCHAN_DOMAIN_INVALID }, { "5x", VCHAN_DOMAIN_INVALID },
		{ "-1", VCHAN_DOMAIN_INVALID }, { "99999999999", VCHAN_DOMAIN_INVALID },
	};
	int err = 0;

	reap(spawn(0, job_backend_bogus, NULL));
	reap(spawn(0, job_backend_xen, NULL));
	reap(spawn(0, job_backend_default, NULL));

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		setenv("VCHAN_DOMAIN", cases[i].s, 1);
		CHECK(vchan_local_domain() == cases[i].want);
	}
	setenv("VCHAN_DOMAIN", "bogus", 1);
	CHECK(vchan_server_init(5, 600, 0, 0, &err) == NULL && err == -EINVAL);
	as_domain(0);
	CHECK(vchan_local_domain() == 0);
	CHECK(vchan_server_init(0x7ff0, 600, 0, 0, &err) == NULL && err == -EINVAL);
	/* expose and clear are dom0's, for two distinct qubes. */
	CHECK(vchan_socket_expose(0, 7, 600, in_ms(10)) == -EINVAL);
	CHECK(vchan_socket_expose(5, 0, 600, in_ms(10)) == -EINVAL);
	CHECK(vchan_socket_expose(5, 5, 600, in_ms(10)) == -EINVAL);
	as_domain(5);
	CHECK(vchan_socket_expose(5, 7, 600, in_ms(10)) == -EINVAL);
	CHECK(vchan_socket_clear(5, 7, 600) == -EINVAL);
	as_domain(0);
}

/* ---- dom0 server, qube client; exact exchange, EOF, peer uid ---- */

static void job_qube_client_hello(struct job *j)
{
	char buf[8];
	uid_t uid = 12345;
	int err = 0;
	struct vchan *v = vchan_client_init(0, j->port, in_ms(5000), &err);

	CHECK(v != NULL);
	if (v == NULL)
		return;
	CHECK(vchan_is_open(v) == VCHAN_CONNECTED);
	CHECK(vchan_peer_uid(v, &uid) == 0 && uid == geteuid());
	CHECK(vchan_send(v, "hello", 5, in_ms(5000)) == 0);
	CHECK(vchan_recv(v, buf, 5, in_ms(5000)) == 0 && memcmp(buf, "world", 5) == 0);
	/* Unread data of ours when we close: the peer still gets what we
	 * sent, then EOF. */
	CHECK(vchan_send(v, "bye", 3, in_ms(5000)) == 0);
	while (vchan_data_ready(v) < 6 && vchan_wait(v, in_ms(5000)) == 0)
		;
	CHECK(vchan_data_ready(v) == 6);
	vchan_close(v);
}

static void test_dom0_server(void)
{
	char name[64], p[1300], buf[8];
	struct stat st;
	uid_t uid = 12345;
	int err = 0;
	struct job j = { .port = 513 };
	struct vchan *v;
	pid_t pid;
	uint64_t t0;

	chan(name, sizeof(name), 0, 5, 513);
	path_of(p, sizeof(p), 5, name);
	umask(077);     /* the socket's mode must not depend on it */
	v = vchan_server_init(5, 513, 0, 0, &err);
	umask(022);
	CHECK(v != NULL);
	if (v == NULL)
		return;
	/* Bound in the client's directory, connectable by another uid. */
	CHECK(lstat(p, &st) == 0 && S_ISSOCK(st.st_mode) && (st.st_mode & 0777) == 0666);
	CHECK(vchan_is_open(v) == VCHAN_WAITING);
	CHECK(vchan_peer_uid(v, &uid) == -ENOTCONN);

	pid = spawn(5, job_qube_client_hello, &j);
	CHECK(vchan_wait_connected(v, in_ms(5000)) == 0);
	CHECK(gone(p));     /* unlinked once the peer is in */
	CHECK(vchan_peer_uid(v, &uid) == 0 && uid == geteuid());
	CHECK(vchan_recv(v, buf, 5, in_ms(5000)) == 0 && memcmp(buf, "hello", 5) == 0);
	CHECK(vchan_send(v, "world", 5, in_ms(5000)) == 0);
	CHECK(vchan_send(v, "unread", 6, in_ms(5000)) == 0);
	reap(pid);
	/* The peer is gone, its last bytes are still here. */
	CHECK(vchan_is_open(v) == VCHAN_DISCONNECTED);
	CHECK(vchan_data_ready(v) == 3);
	CHECK(vchan_recv(v, buf, 3, in_ms(5000)) == 0 && memcmp(buf, "bye", 3) == 0);
	CHECK(vchan_read(v, buf, sizeof(buf)) == -EPIPE);
	t0 = now_ms();
	CHECK(vchan_recv(v, buf, 1, in_ms(5000)) == -EPIPE);
	CHECK(now_ms() - t0 < 1000);
	/* Writing to a closed peer: -EPIPE, no SIGPIPE. */
	CHECK(vchan_write(v, "x", 1) == -EPIPE);
	CHECK(vchan_send(v, "x", 1, in_ms(1000)) == -EPIPE);
	vchan_close(v);
	vchan_close(NULL);
}

/* ---- qube server, dom0 client; server-side EOF ---- */

static void job_qube_server(struct job *j)
{
	char buf[4];
	uid_t uid;
	int err = 0;
	struct vchan *v;

	sleep_ms(j->delay_ms);
	v = vchan_server_init(j->peer, j->port, 0, 0, &err);
	CHECK(v != NULL);
	if (v == NULL)
		return;
	CHECK(vchan_wait_connected(v, in_ms(5000)) == 0);
	CHECK(vchan_peer_uid(v, &uid) == 0 && uid == geteuid());
	CHECK(vchan_recv(v, buf, 4, in_ms(5000)) == 0 && memcmp(buf, "ping", 4) == 0);
	CHECK(vchan_send(v, "pong", 4, in_ms(5000)) == 0);
	vchan_close(v);
}

static void test_qube_server(void)
{
	char name[64], p[1300], buf[4];
	int err = 0;
	struct job j = { .port = 514, .peer = 0, .delay_ms = 100 };
	struct vchan *v;
	pid_t pid;

	chan(name, sizeof(name), 5, 0, 514);
	path_of(p, sizeof(p), 5, name);
	pid = spawn(5, job_qube_server, &j);
	/* The client waits for the server to appear. */
	v = vchan_client_init(5, 514, in_ms(5000), &err);
	CHECK(v != NULL);
	if (v == NULL) {
		reap(pid);
		return;
	}
	CHECK(vchan_is_open(v) == VCHAN_CONNECTED);
	CHECK(vchan_send(v, "ping", 4, in_ms(5000)) == 0);
	CHECK(vchan_recv(v, buf, 4, in_ms(5000)) == 0 && memcmp(buf, "pong", 4) == 0);
	reap(pid);
	CHECK(gone(p));
	CHECK(vchan_recv(v, buf, 1, in_ms(5000)) == -EPIPE);
	CHECK(vchan_is_open(v) == VCHAN_DISCONNECTED);
	vchan_close(v);
}

/* ---- qube to qube through vchan_socket_expose ---- */

static void job_q2q_client(struct job *j)
{
	char buf[4];
	int err = 0;
	struct vchan *v = vchan_client_init(5, j->port, in_ms(5000), &err);

	CHECK(v != NULL);
	if (v == NULL)
		return;
	CHECK(vchan_send(v, "ping", 4, in_ms(5000)) == 0);
	CHECK(vchan_recv(v, buf, 4, in_ms(5000)) == 0 && memcmp(buf, "pong", 4) == 0);
	vchan_close(v);
}

static void test_q2q(void)
{
	char name[64], in5[1300], in7[1300];
	struct stat a, b;
	struct job js = { .port = 515, .peer = 7 }, jc = { .port = 515 };
	pid_t server, client;
	int fake, dead;

	/* 7 planted a live socket of its own at the name. */
	chan(name, sizeof(name), 5, 7, 515);
	path_of(in5, sizeof(in5), 5, name);
	path_of(in7, sizeof(in7), 7, name);
	fake = listener_at(in7);
	server = spawn(5, job_qube_server, &js);
	CHECK(vchan_socket_expose(5, 7, 515, in_ms(5000)) == 0);
	/* 7's name is now the very inode 5 bound. */
	CHECK(lstat(in5, &a) == 0 && lstat(in7, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	client = spawn(7, job_q2q_client, &jc);
	reap(client);
	reap(server);
	CHECK(nobody_connected(fake));
	CHECK(gone(in5) && gone(in7));
	close(fake);

	/* The client first, facing a stale socket (nobody listens); the
	 * server later; dom0's expose in between. */
	js.port = jc.port = 516;
	chan(name, sizeof(name), 5, 7, 516);
	path_of(in7, sizeof(in7), 7, name);
	dead = listener_at(in7);
	close(dead);
	client = spawn(7, job_q2q_client, &jc);
	js.delay_ms = 200;
	server = spawn(5, job_qube_server, &js);
	CHECK(vchan_socket_expose(5, 7, 516, in_ms(5000)) == 0);
	reap(client);
	reap(server);

	/* Nothing comes: expose times out. */
	CHECK(vchan_socket_expose(5, 7, 517, in_ms(200)) == -ETIMEDOUT);
	/* A name that is not a socket is never linked. */
	chan(name, sizeof(name), 5, 7, 518);
	path_of(in5, sizeof(in5), 5, name);
	path_of(in7, sizeof(in7), 7, name);
	CHECK(symlink("/etc/passwd", in5) == 0);
	CHECK(vchan_socket_expose(5, 7, 518, in_ms(200)) == -ETIMEDOUT);
	CHECK(gone(in7));
	/* clear removes leftovers in both directories. */
	CHECK(close(listener_at(in7)) == 0);
	CHECK(vchan_socket_clear(5, 7, 518) == 0);
	CHECK(gone(in5) && gone(in7));
	CHECK(vchan_socket_clear(5, 7, 518) == 0);
}

/* ---- partial reads and writes, waits for space ---- */

static void job_partial(struct job *j)
{
	static uint8_t buf[1 << 20];
	uint64_t total = 0, want = 0;
	char go;
	int err = 0;
	struct vchan *v = vchan_client_init(0, j->port, in_ms(5000), &err);

	CHECK(v != NULL);
	if (v == NULL)
		return;
	CHECK(vchan_send(v, "0123456789", 10, in_ms(5000)) == 0);
	/* Told to drain: read until EOF, then compare with the count. */
	CHECK(read(j->fd, &go, 1) == 1);
	for (;;) {
		ssize_t n = vchan_read(v, buf, sizeof(buf));
		if (n < 0) {
			CHECK(n == -EPIPE);
			break;
		}
		if (n == 0) {
			CHECK(vchan_wait(v, in_ms(5000)) == 0);
			continue;
		}
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] != (uint8_t)((total + (uint64_t)i) * 7u)) {
				CHECK(!"byte mismatch");
				break;
			}
		total += (uint64_t)n;
	}
	CHECK(read(j->fd, &want, sizeof(want)) == (ssize_t)sizeof(want));
	CHECK(total == want);
	vchan_close(v);
}

static void test_partial(void)
{
	static uint8_t big[16 << 20];
	char buf[100];
	int pfd[2], err = 0;
	struct job j = { .port = 519 };
	struct vchan *v;
	pid_t pid;
	uint64_t written = 0, t0;
	ssize_t n;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7u);
	CHECK(pipe2(pfd, O_CLOEXEC) == 0);
	v = vchan_server_init(5, 519, 0, 0, &err);
	CHECK(v != NULL);
	if (v == NULL)
		return;
	CHECK(vchan_read(v, buf, 1) == 0);       /* nobody yet: nothing, no error */
	CHECK(vchan_write(v, "x", 1) == 0);
	CHECK(vchan_buffer_space(v) == 0 && vchan_data_ready(v) == 0);
	j.fd = pfd[0];
	pid = spawn(5, job_partial, &j);
	close(pfd[0]);
	CHECK(vchan_wait_connected(v, in_ms(5000)) == 0);
	while (vchan_data_ready(v) < 10 && vchan_wait(v, in_ms(5000)) == 0)
		;
	CHECK(vchan_data_ready(v) == 10);
	CHECK(vchan_read(v, buf, 4) == 4 && memcmp(buf, "0123", 4) == 0);
	CHECK(vchan_data_ready(v) == 6);
	CHECK(vchan_read(v, buf, sizeof(buf)) == 6 && memcmp(buf, "456789", 6) == 0);
	CHECK(vchan_read(v, buf, sizeof(buf)) == 0);
	CHECK(vchan_buffer_space(v) >= 64 * 1024);

	/* The peer does not read: a big write goes in part, then not at all. */
	n = vchan_write(v, big, sizeof(big));
	CHECK(n > 0 && (size_t)n < sizeof(big));
	if (n > 0)
		written += (uint64_t)n;
	while ((n = vchan_write(v, big + written, sizeof(big) - written)) > 0)
		written += (uint64_t)n;
	CHECK(n == 0);
	CHECK(vchan_buffer_space(v) < 64 * 1024);
	t0 = now_ms();
	CHECK(vchan_send(v, big + written, 1, in_ms(200)) == -ETIMEDOUT);
	CHECK(now_ms() - t0 >= 200 && now_ms() - t0 < 2000);
	CHECK(vchan_wait(v, in_ms(100)) == -ETIMEDOUT);
	/* Space comes back when the peer drains; wait() says so. */
	CHECK(write(pfd[1], "g", 1) == 1);
	CHECK(vchan_wait(v, in_ms(5000)) == 0);
	CHECK(vchan_send(v, big + written, sizeof(big) - written, in_ms(10000)) == 0);
	written = sizeof(big);
	vchan_close(v);
	CHECK(write(pfd[1], &written, sizeof(written)) == (ssize_t)sizeof(written));
	close(pfd[1]);
	reap(pid);
}

/* ---- full duplex, both sides in a poll loop ---- */

struct gen {
	uint64_t s, w;
	unsigned left;
};

static uint64_t gen_next(struct gen *g)
{
	g->s ^= g->s << 13;
	g->s ^= g->s >> 7;
	g->s ^= g->s << 17;
	return g->s;
}

static void gen_fill(struct gen *g, uint8_t *p, size_t n)
{
	while (n > 0 && g->left > 0) {
		*p++ = (uint8_t)g->w;
		g->w >>= 8;
		g->left--;
		n--;
	}
	while (n >= 8) {
		uint64_t x = gen_next(g);
		for (int i = 0; i < 8; i++)
			p[i] = (uint8_t)(x >> (8 * i));
		p += 8;
		n -= 8;
	}
	if (n > 0) {
		g->w = gen_next(g);
		g->left = 8;
		while (n > 0) {
			*p++ = (uint8_t)g->w;
			g->w >>= 8;
			g->left--;
			n--;
		}
	}
}

/* Sends DUPLEX_BYTES from seed tx while receiving and checking
 * DUPLEX_BYTES from seed rx; only vchan_fd/vchan_poll_events/vchan_wait(0)
 * and the non-blocking calls, as an event loop would. */
static void duplex(struct vchan *v, uint64_t tx_seed, uint64_t rx_seed)
{
	static uint8_t txbuf[CHUNK], rxbuf[CHUNK], expect[CHUNK];
	struct gen tg = { .s = tx_seed }, rg = { .s = rx_seed };
	size_t tx_len = 0, tx_off = 0;
	uint64_t sent = 0, got = 0, end = in_ms(240000);
	bool ok = true;

	while (ok && (sent < DUPLEX_BYTES || tx_off < tx_len || got < DUPLEX_BYTES)) {
		struct pollfd p;

		if (tx_off == tx_len && sent < DUPLEX_BYTES) {
			tx_len = DUPLEX_BYTES - sent < CHUNK ? (size_t)(DUPLEX_BYTES - sent) : CHUNK;
			gen_fill(&tg, txbuf, tx_len);
			tx_off = 0;
			sent += tx_len;
		}
		/* The fd may change (a server's, when its peer comes). */
		p = (struct pollfd){ .fd = vchan_fd(v), .events = vchan_poll_events(v, tx_off < tx_len) };
		if (now_ms() > end) {
			CHECK(!"duplex deadline");
			break;
		}
		if (poll(&p, 1, 1000) > 0)
			(void)vchan_wait(v, 0);
		while (tx_off < tx_len) {
			ssize_t n = vchan_write(v, txbuf + tx_off, tx_len - tx_off);
			if (n < 0) {
				CHECK(!"duplex write");
				ok = false;
			}
			if (n <= 0)
				break;
			tx_off += (size_t)n;
		}
		while (ok && got < DUPLEX_BYTES) {
			size_t want = DUPLEX_BYTES - got < CHUNK ? (size_t)(DUPLEX_BYTES - got) : CHUNK;
			ssize_t n = vchan_read(v, rxbuf, want);
			if (n < 0) {
				CHECK(!"duplex read");
				ok = false;
			}
			if (n <= 0)
				break;
			gen_fill(&rg, expect, (size_t)n);
			if (memcmp(rxbuf, expect, (size_t)n) != 0) {
				CHECK(!"duplex data mismatch");
				ok = false;
			}
			got += (uint64_t)n;
		}
	}
	CHECK(sent == DUPLEX_BYTES && got == DUPLEX_BYTES);
}

static void job_duplex(struct job *j)
{
	int err = 0;
	struct vchan *v = vchan_client_init(0, j->port, in_ms(5000), &err);

	CHECK(v != NULL);
	if (v == NULL)
		return;
	duplex(v, 0x9e3779b97f4a7c15ull, 0xd1b54a32d192ed03ull);
	vchan_close(v);
}

static void test_duplex(void)
{
	int err = 0;
	struct job j = { .port = 520 };
	struct vchan *v = vchan_server_init(5, 520, 1 << 20, 1 << 20, &err);
	pid_t pid;
	uint64_t t0 = now_ms();

	CHECK(v != NULL);
	if (v == NULL)
		return;
	pid = spawn(5, job_duplex, &j);
	duplex(v, 0xd1b54a32d192ed03ull, 0x9e3779b97f4a7c15ull);
	reap(pid);
	vchan_close(v);
	fprintf(stderr, "duplex: %llu MiB each way in %llu ms\n",
		(unsigned long long)(DUPLEX_BYTES >> 20), (unsigned long long)(now_ms() - t0));
}

/* ---- deadlines: nobody comes ---- */

static void job_client_times_out(struct job *j)
{
	int err = 0;
	uint64_t t0 = now_ms();

	CHECK(vchan_client_init(0, j->port, in_ms(300), &err) == NULL && err == -ETIMEDOUT);
	CHECK(now_ms() - t0 >= 300 && now_ms() - t0 < 3000);
}

static void test_nobody(void)
{
	char name[64], p[1300], buf[1];
	uid_t uid;
	int err = 0;
	struct job j = { .port = 522 };
	struct vchan *v;
	uint64_t t0;

	/* A server whose peer never comes. */
	v = vchan_server_init(5, 521, 0, 0, &err);
	CHECK(v != NULL);
	if (v == NULL)
		return;
	t0 = now_ms();
	CHECK(vchan_wait_connected(v, in_ms(300)) == -ETIMEDOUT);
	CHECK(now_ms() - t0 >= 300 && now_ms() - t0 < 3000);
	CHECK(vchan_is_open(v) == VCHAN_WAITING);
	CHECK(vchan_recv(v, buf, 1, in_ms(100)) == -ETIMEDOUT);
	CHECK(vchan_wait(v, 0) == -ETIMEDOUT);
	CHECK(vchan_peer_uid(v, &uid) == -ENOTCONN);
	chan(name, sizeof(name), 0, 5, 521);
	path_of(p, sizeof(p), 5, name);
	CHECK(is_sock(p));
	vchan_close(v);
	CHECK(gone(p));      /* close takes the name away */

	/* A client whose server never comes, in dom0 and in a qube. */
	t0 = now_ms();
	CHECK(vchan_client_init(5, 522, in_ms(300), &err) == NULL && err == -ETIMEDOUT);
	CHECK(now_ms() - t0 >= 300 && now_ms() - t0 < 3000);
	reap(spawn(5, job_client_times_out, &j));
	/* A deadline already past: one look, no wait. */
	CHECK(vchan_client_init(5, 522, 0, &err) == NULL && err == -ETIMEDOUT);
	/* A domain without a directory. */
	CHECK(vchan_client_init(42, 522, in_ms(100), &err) == NULL && err == -ENOENT);
}

/* ---- hostile directories ---- */

static void job_qube_server_real(struct job *j)
{
	int err = 0;
	struct vchan *v;

	sleep_ms(j->delay_ms);
	v = vchan_server_init(0, j->port, 0, 0, &err);
	CHECK(v != NULL);
	if (v == NULL)
		return;
	CHECK(vchan_wait_connected(v, in_ms(5000)) == 0);
	CHECK(vchan_send(v, "real", 4, in_ms(5000)) == 0);
	vchan_close(v);
}

static void test_hostile_client(void)
{
	char name[64], p[1300], admin[1100], other[1300], buf[4];
	int err = 0, lfd, fd = -1;
	struct job j = { .port = 523, .delay_ms = 300 };
	struct vchan *v;
	pid_t pid;

	snprintf(admin, sizeof(admin), "%s/admin.sock", root);
	lfd = listener_at(admin);
	/* Qube 5 points dom0's name at dom0's admin socket. */
	chan(name, sizeof(name), 5, 0, 523);
	path_of(p, sizeof(p), 5, name);
	CHECK(symlink(admin, p) == 0);
	CHECK(vchan_client_init(5, 523, in_ms(300), &err) == NULL && err == -ETIMEDOUT);
	CHECK(nobody_connected(lfd));
	/* ...and the same through a relative link and a link to a link. */
	path_of(other, sizeof(other), 5, "hop");
	CHECK(unlink(p) == 0 && symlink(admin, other) == 0 && symlink("hop", p) == 0);
	CHECK(vchan_client_init(5, 523, in_ms(200), &err) == NULL && err == -ETIMEDOUT);
	CHECK(nobody_connected(lfd));
	/* A regular file or a directory at the name is not a socket either. */
	CHECK(unlink(p) == 0 && (fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0600)) >= 0);
	close(fd);
	CHECK(vchan_client_init(5, 523, in_ms(200), &err) == NULL && err == -ETIMEDOUT);
	CHECK(unlink(p) == 0 && mkdir(p, 0700) == 0);
	CHECK(vchan_client_init(5, 523, in_ms(200), &err) == NULL && err == -ETIMEDOUT);
	CHECK(rmdir(p) == 0 && symlink(admin, p) == 0);

	/* The real server comes later and replaces the link; dom0 connects to
	 * it and nothing else. */
	pid = spawn(5, job_qube_server_real, &j);
	v = vchan_client_init(5, 523, in_ms(5000), &err);
	CHECK(v != NULL);
	if (v != NULL) {
		CHECK(vchan_recv(v, buf, 4, in_ms(5000)) == 0 && memcmp(buf, "real", 4) == 0);
		vchan_close(v);
	}
	reap(pid);
	CHECK(nobody_connected(lfd));
	CHECK(gone(p));

	/* A domain directory that is a link is refused outright. */
	snprintf(other, sizeof(other), "%s/9", vdir);
	CHECK(symlink("5", other) == 0);
	CHECK(vchan_client_init(9, 523, in_ms(200), &err) == NULL && err == -ELOOP);
	CHECK(vchan_server_init(9, 523, 0, 0, &err) == NULL && err == -ELOOP);
	CHECK(vchan_socket_expose(9, 7, 523, in_ms(100)) == -ELOOP);
	CHECK(unlink(other) == 0);
	close(lfd);
	unlink(admin);
	path_of(other, sizeof(other), 5, "hop");
	unlink(other);
}

static void job_qube_client_real(struct job *j)
{
	char buf[4];
	int err = 0;
	struct vchan *v = vchan_client_init(0, j->port, in_ms(5000), &err);

	CHECK(v != NULL);
	if (v == NULL)
		return;
	CHECK(vchan_recv(v, buf, 4, in_ms(5000)) == 0 && memcmp(buf, "real", 4) == 0);
	vchan_close(v);
}

static void test_hostile_server(void)
{
	char name[64], p[1300], victim[1100], created[1100], buf[16];
	struct stat st;
	int err = 0, fd;
	struct job j = { .port = 524 };
	struct vchan *v, *w;
	pid_t pid;

	/* A link at dom0's name to a file dom0 can write. */
	snprintf(victim, sizeof(victim), "%s/victim", root);
	fd = open(victim, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
	CHECK(fd >= 0 && write(fd, "secret", 6) == 6);
	close(fd);
	chan(name, sizeof(name), 0, 5, 524);
	path_of(p, sizeof(p), 5, name);
	CHECK(symlink(victim, p) == 0);
	v = vchan_server_init(5, 524, 0, 0, &err);
	CHECK(v != NULL);
	CHECK(is_sock(p));               /* the link was replaced */
	CHECK(lstat(victim, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0600);
	fd = open(victim, O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0 && read(fd, buf, sizeof(buf)) == 6 && memcmp(buf, "secret", 6) == 0);
	close(fd);
	if (v != NULL) {
		pid = spawn(5, job_qube_client_real, &j);
		CHECK(vchan_wait_connected(v, in_ms(5000)) == 0);
		CHECK(vchan_send(v, "real", 4, in_ms(5000)) == 0);
		reap(pid);
		vchan_close(v);
	}

	/* A dangling link: binding must not create its target. */
	snprintf(created, sizeof(created), "%s/created.sock", root);
	chan(name, sizeof(name), 0, 5, 525);
	path_of(p, sizeof(p), 5, name);
	CHECK(symlink(created, p) == 0);
	w = vchan_server_init(5, 525, 0, 0, &err);
	CHECK(w != NULL);
	CHECK(gone(created));
	CHECK(is_sock(p));
	vchan_close(w);
	CHECK(gone(p));

	/* A stale socket (its server died) at the name is replaced too. */
	j.port = 526;
	chan(name, sizeof(name), 0, 5, 526);
	path_of(p, sizeof(p), 5, name);
	close(listener_at(p));
	v = vchan_server_init(5, 526, 0, 0, &err);
	CHECK(v != NULL);
	if (v != NULL) {
		pid = spawn(5, job_qube_client_real, &j);
		CHECK(vchan_wait_connected(v, in_ms(5000)) == 0);
		CHECK(vchan_send(v, "real", 4, in_ms(5000)) == 0);
		reap(pid);
		vchan_close(v);
	}
	/* A directory at the name cannot be replaced: the qube only blocks
	 * its own channel. */
	chan(name, sizeof(name), 0, 5, 527);
	path_of(p, sizeof(p), 5, name);
	CHECK(mkdir(p, 0700) == 0);
	CHECK(vchan_server_init(5, 527, 0, 0, &err) == NULL && err < 0);
	CHECK(rmdir(p) == 0);
	unlink(victim);
}

/* ---- qubes as other uids: modes, links of another uid's socket, peer uids ---- */

#define QUBE_UID(d) (100000u + (d))

static void become(uint32_t d)
{
	uid_t id = QUBE_UID(d);

	if (setgroups(0, NULL) < 0 || setresgid(id, id, id) < 0 || setresuid(id, id, id) < 0) {
		perror("become");
		exit(1);
	}
}

static void job_uid_client(struct job *j)
{
	char buf[4];
	uid_t uid = 1;
	int err = 0;
	struct vchan *v;

	become(vchan_local_domain());
	v = vchan_client_init(j->peer, j->port, in_ms(5000), &err);
	CHECK(v != NULL);
	if (v == NULL) {
		fprintf(stderr, "uid client: %s\n", strerror(-err));
		return;
	}
	CHECK(vchan_peer_uid(v, &uid) == 0 && uid == (j->peer ? QUBE_UID(j->peer) : 0));
	CHECK(vchan_send(v, "ping", 4, in_ms(5000)) == 0);
	CHECK(vchan_recv(v, buf, 4, in_ms(5000)) == 0 && memcmp(buf, "pong", 4) == 0);
	vchan_close(v);
}

static void job_uid_server(struct job *j)
{
	char buf[4];
	uid_t uid = 1;
	int err = 0;
	struct vchan *v;

	become(vchan_local_domain());
	v = vchan_server_init(j->peer, j->port, 0, 0, &err);
	CHECK(v != NULL);
	if (v == NULL) {
		fprintf(stderr, "uid server: %s\n", strerror(-err));
		return;
	}
	CHECK(vchan_wait_connected(v, in_ms(5000)) == 0);
	CHECK(vchan_peer_uid(v, &uid) == 0 && uid == (j->peer ? QUBE_UID(j->peer) : 0));
	CHECK(vchan_recv(v, buf, 4, in_ms(5000)) == 0 && memcmp(buf, "ping", 4) == 0);
	CHECK(vchan_send(v, "pong", 4, in_ms(5000)) == 0);
	vchan_close(v);
}

/* Two layouts: each qube owning its directory, or (the local backend's)
 * root-owned sticky 01777 directories. */
static void test_uids(bool sticky, uint32_t port)
{
	char p[1200], name[64], buf[4];
	uid_t uid = 1;
	int err = 0;
	struct job js = { .port = port, .peer = 0 }, jc = { .port = port, .peer = 0 };
	struct vchan *v;
	pid_t server, client;

	/* dom0's parent only lets the qubes pass (they have no bind mounts
	 * here). */
	CHECK(chmod(root, 0711) == 0 && chmod(vdir, 0711) == 0);
	for (uint32_t d = 5; d <= 7; d += 2) {
		snprintf(p, sizeof(p), "%s/%u", vdir, d);
		if (sticky)
			CHECK(chown(p, 0, 0) == 0 && chmod(p, 01777) == 0);
		else
			CHECK(chown(p, QUBE_UID(d), QUBE_UID(d)) == 0 && chmod(p, 0700) == 0);
	}

	/* dom0 server, qube client with its own uid. */
	v = vchan_server_init(5, port, 0, 0, &err);
	CHECK(v != NULL);
	if (v != NULL) {
		client = spawn(5, job_uid_client, &jc);
		CHECK(vchan_wait_connected(v, in_ms(5000)) == 0);
		CHECK(vchan_peer_uid(v, &uid) == 0 && uid == QUBE_UID(5));
		CHECK(vchan_recv(v, buf, 4, in_ms(5000)) == 0 && memcmp(buf, "ping", 4) == 0);
		CHECK(vchan_send(v, "pong", 4, in_ms(5000)) == 0);
		reap(client);
		vchan_close(v);
	}

	/* Qube server, dom0 client. */
	js.port = port + 1;
	server = spawn(5, job_uid_server, &js);
	v = vchan_client_init(5, port + 1, in_ms(5000), &err);
	CHECK(v != NULL);
	if (v != NULL) {
		CHECK(vchan_peer_uid(v, &uid) == 0 && uid == QUBE_UID(5));
		CHECK(vchan_send(v, "ping", 4, in_ms(5000)) == 0);
		CHECK(vchan_recv(v, buf, 4, in_ms(5000)) == 0 && memcmp(buf, "pong", 4) == 0);
		vchan_close(v);
	}
	reap(server);

	/* Qube to qube, two uids: dom0 links 5's socket into 7's directory. */
	js.port = jc.port = port + 2;
	js.peer = 7;
	jc.peer = 5;
	server = spawn(5, job_uid_server, &js);
	client = spawn(7, job_uid_client, &jc);
	CHECK(vchan_socket_expose(5, 7, port + 2, in_ms(5000)) == 0);
	reap(client);
	reap(server);
	/* In a sticky directory 7 cannot remove the link (5's uid owns it);
	 * dom0 clears it. */
	chan(name, sizeof(name), 5, 7, port + 2);
	path_of(p, sizeof(p), 7, name);
	CHECK(sticky ? is_sock(p) : gone(p));
	CHECK(vchan_socket_clear(5, 7, port + 2) == 0);
	CHECK(gone(p));
}

/* Nothing but the directories themselves may be left behind. */
static void check_dirs_empty(void)
{
	static const uint32_t doms[] = { 0, 5, 7 };

	for (size_t i = 0; i < sizeof(doms) / sizeof(*doms); i++) {
		char p[1200];
		DIR *d;
		struct dirent *e;

		snprintf(p, sizeof(p), "%s/%u", vdir, doms[i]);
		d = opendir(p);
		CHECK(d != NULL);
		if (d == NULL)
			continue;
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			fprintf(stderr, "left behind: %s/%s\n", p, e->d_name);
			CHECK(!"directory not empty");
		}
		closedir(d);
	}
}

int main(void)
{
	const char *r = getenv("BULKHEAD_ROOT");
	static const uint32_t doms[] = { 0, 5, 7 };
	int fds_before, fds_after;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (r == NULL || r[0] != '/' || strlen(r) > 200) {
		printf("BULKHEAD_ROOT unset or unusable\n");
		return 77;
	}
	if (geteuid() != 0) {
		/* expose needs CAP_FOWNER to link another uid's socket. */
		printf("needs root\n");
		return 77;
	}
	signal(SIGPIPE, SIG_DFL);   /* a write to a closed peer must not raise it */
	alarm(500);
	snprintf(root, sizeof(root), "%s", r);
	snprintf(vdir, sizeof(vdir), "%s/vchan", root);
	CHECK(mkdir(vdir, 0700) == 0);
	for (size_t i = 0; i < sizeof(doms) / sizeof(*doms); i++) {
		char p[1200];
		snprintf(p, sizeof(p), "%s/%u", vdir, doms[i]);
		CHECK(mkdir(p, 0700) == 0);
	}
	unsetenv("VCHAN_BACKEND");
	as_domain(0);
	fds_before = count_fds();

	test_env();
	test_dom0_server();
	test_qube_server();
	test_q2q();
	test_partial();
	test_nobody();
	test_hostile_client();
	test_hostile_server();
	test_duplex();
	test_uids(true, 530);
	test_uids(false, 540);

	as_domain(0);
	fds_after = count_fds();
	CHECK(fds_before > 0 && fds_before == fds_after);
	check_dirs_empty();
	return check_exit();
}
