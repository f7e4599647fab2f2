/* qrexec calls through the real path (a request to the target's
 * qrexec-daemon, MSG_EXEC_CMDLINE to its agent, a data vchan, the exit
 * code), each figure next to a raw baseline from bench-socketpair:
 *
 *   qrexec.call.client.*      dom0 -> qube: `qrexec-client -d bench
 *                             user:true`, the whole process, as a user
 *                             pays it                  vs socketpair.rtt.*
 *   qrexec.call.inproc.*      the same call made in this process
 *                             (dom0req_call, vchan server, pump_handshake,
 *                             pump_run on /dev/null): no process start on
 *                             the dom0 side            vs socketpair.rtt.*
 *   qrexec.call.inproc.PART.median  where an in-process call's time goes:
 *                             request (the daemon's answer), connect (the
 *                             agent forks a handler, it connects), hello
 *                             (the HELLO exchange), run (the user's shell
 *                             runs `true`, until the exit code); no baseline
 *   qrexec.bulk.*.d2q         MIB MiB from dom0 into `cat >/dev/null` in
 *                             the qube                 vs socketpair.bulk
 *   qrexec.bulk.*.q2d         MIB MiB from the qube (this very program,
 *                             copied into its /usr/local/bin, writing
 *                             zeros from a static buffer) to dom0
 *                                                      vs socketpair.bulk
 *     client: through qrexec-client, fed from / drained into a pipe by
 *     this program in 64 KiB writes/reads (the bytes out of the qube are
 *     counted); inproc: the pump in this program reads a sparse memfd
 *     (holes read as zeros, no memory used) / writes /dev/null.
 *   qrexec.call.q2q.exec.*    qube -> qube: bench.Exec of the qube bench,
 *                             called from the qube benchsrc by our copy
 *                             there, in its own process (the request to
 *                             the agent, the data phase: what a resident
 *                             caller pays), allowed by a policy.d file; the
 *                             service is a link to /bin/true in bench's
 *                             /usr/local/etc/qubes-rpc vs socketpair.rtt.*
 *   qrexec.call.q2q.socket.*  the same for bench.Sock, a socket service in
 *                             bench (our copy, started as root by a
 *                             MSG_JUST_EXEC call: reads the descriptor and
 *                             stdin to EOF, closes)    vs socketpair.rtt.*
 *   qrexec.call.q2q.*.client.* the same two, each call a new
 *                             `qrexec-client-vm bench SERVICE` process (what
 *                             a shell user pays: one more process start)
 *                                                      vs socketpair.rtt.*
 *
 *   bench-qrexec [CALLS [MIB]]     (defaults 500 and 1024; CALLS >= 300)
 *
 * Latency: CALLS timed calls after 20 untimed, median and p90 (nearest
 * rank, as bench-socketpair).  Bulk: three runs each way, the median; the
 * clock includes the call's setup (about 1% of a 1 GiB run).
 *
 * Needs root: starts its own bulkheadd in a scratch BULKHEAD_ROOT, with
 * the AppVMs bench and benchsrc.  The daemon (which stops its qubes,
 * their qrexec-daemons and policyd on SIGTERM), our children and the
 * scratch root go on every exit: normal, failure, SIGTERM/SIGINT/SIGHUP,
 * our own deadline alarm; if we are SIGKILLed, bulkheadd still gets
 * SIGTERM (its parent death signal) and only the scratch directory stays.
 * The same binary is what runs in the qubes (--zeros, --call-loop,
 * --sock-service): nothing is added to every qube's /usr/lib/bulkhead. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/instance.h"
#include "bench/stats.h"
#include "lib/admin_client.h"
#include "lib/io.h"
#include "lib/vchan.h"
#include "qrexec/lib/call_client.h"
#include "qrexec/lib/dom0exec.h"
#include "qrexec/lib/pump.h"
#include "qrexec/lib/vm_request.h"

#define QUBE            "bench"      /* target of every call */
#define SRC_QUBE        "benchsrc"   /* source of the qube -> qube calls */
#define RPC_DIR         "/usr/local/etc/qubes-rpc"
#define DEFAULT_CALLS   500u
#define MIN_CALLS       300u
#define MAX_CALLS       100000u
#define WARMUP_CALLS    20u
#define DEFAULT_MIB     1024u
#define MAX_MIB         16384u
#define CHUNK           65536u
#define BULK_RUNS       3u
#define DEADLINE_S      540u     /* under bench/run's 600 s */
#define CALL_TIMEOUT_MS 60000u
#define SVC_NAME        "bench-qrexec"   /* our copy in the qube's /usr/local/bin */

extern char **environ;

/* What cleanup() undoes; set before anything can fail. */
static char root[] = "/tmp/bulkhead-bench-qrexec.XXXXXX";
static volatile pid_t daemon_pid = -1, child_pid = -1;
static char *rm_argv[] = { "rm", "-rf", "--one-file-system", root, NULL };
static char *rm_envp[] = { "PATH=/usr/bin:/bin", NULL };
static volatile sig_atomic_t cleaning, have_root;
static char exe[4096], bindir[4200];

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Waits up to ms for pid; 1 if reaped (or gone), 0 if still running. */
static int reap_within(pid_t pid, long ms)
{
	for (long t = 0;; t += 10) {
		pid_t r = waitpid(pid, NULL, WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR))
			return 1;
		if (t >= ms)
			return 0;
		nap_ms(10);
	}
}

/* Async-signal-safe: called from main's exit paths and signal handlers. */
static void cleanup(void)
{
	pid_t p;

	if (cleaning)
		return;
	cleaning = 1;
	if ((p = child_pid) > 0) {
		kill(p, SIGKILL);
		reap_within(p, 2000);
	}
	if ((p = daemon_pid) > 0) {
		kill(p, SIGTERM);
		if (!reap_within(p, 10000)) {
			kill(p, SIGKILL);
			reap_within(p, 2000);
		}
	}
	if (have_root) {
		p = fork();
		if (p == 0) {
			execve("/bin/rm", rm_argv, rm_envp);
			_exit(127);
		}
		if (p > 0)
			reap_within(p, 30000);
	}
}

static void on_signal(int sig)
{
	static const char msg[] = "bench-qrexec: interrupted; cleaning up\n";

	(void)!write(2, msg, sizeof(msg) - 1);
	cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* The last lines of a log under the scratch root, to stderr, before it goes. */
static void show_log(const char *rel)
{
	char path[sizeof(root) + 128], buf[2048];
	ssize_t n;
	off_t end;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	end = lseek(fd, 0, SEEK_END);
	if (end > (off_t)sizeof(buf))
		lseek(fd, end - (off_t)sizeof(buf), SEEK_SET);
	else
		lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n > 0)
		fprintf(stderr, "--- end of %s:\n%.*s\n", rel, (int)n, buf);
}

static _Noreturn void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static _Noreturn void fail(const char *fmt, ...)
{
	va_list ap;

	fputs("bench-qrexec: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (have_root) {
		show_log("bulkheadd.log");
		show_log("var/log/bulkhead/qrexec." QUBE ".log");
		show_log("var/log/bulkhead/qubes/" QUBE ".log");
	}
	cleanup();
	exit(1);
}

static uint32_t parse_count(const char *s, uint32_t min, uint32_t max, const char *what)
{
	char *end;
	unsigned long v;

	if (s[0] < '0' || s[0] > '9')
		fail("%s", what);
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		fail("%s", what);
	return (uint32_t)v;
}

static void report_latency(const char *name, uint64_t *ns, size_t n)
{
	bench_report_us(name, ns, n, "socketpair.rtt");
}

static void report_bulk(const char *name, uint64_t *ns, uint64_t total)
{
	bench_sort(ns, BULK_RUNS);
	printf("%s %.2f GB/s socketpair.bulk\n", name, (double)total / ((double)ns[BULK_RUNS / 2] / 1e9) / 1e9);
}

/* ---- in the qube: the zero writer ---- */

static int zeros_main(const char *count)
{
	static char buf[CHUNK];
	char *end;
	unsigned long long total;

	errno = 0;
	total = strtoull(count, &end, 10);
	if (errno != 0 || *end != '\0' || count[0] < '0' || count[0] > '9')
		return 2;
	while (total > 0) {
		size_t n = total < CHUNK ? (size_t)total : CHUNK;
		ssize_t w = write(1, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return 1;
		total -= (unsigned long long)w;
	}
	return 0;
}

/* One call made in this process, as a resident program in a qube would
 * make it: the request to the agent, then the data phase on our stdio
 * (/dev/null here).  0 or -1. */
static int call_inproc(const char *target, const char *service)
{
	struct vmrep rep;
	const char *step;
	int code;

	if (vm_request(target, service, &rep, now_ms() + VM_DECISION_TIMEOUT_MS) < 0 ||
	    rep.status != VMREP_CONNECT || vm_request_use_channel(&rep) < 0 ||
	    call_with_stdio(rep.domain, rep.port, &code, &step) < 0 || code != 0)
		return -1;
	return 0;
}

/* One call through a new `qrexec-client-vm TARGET SERVICE` process, as a
 * user would run it.  0 or -1. */
static int call_process(const char *target, const char *service)
{
	char *argv[] = { "qrexec-client-vm", (char *)target, (char *)service, NULL };
	pid_t pid;
	int st;

	if (posix_spawn(&pid, "/usr/lib/bulkhead/bin/qrexec-client-vm", NULL, NULL, argv, environ) != 0)
		return -1;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* In the source qube: times COUNT calls of TARGET's SERVICE after
 * WARMUP untimed ones, MODE "inproc" (call_inproc) or "process"
 * (call_process); prints one line per timed call (nanoseconds) on
 * stdout.  The calls' stdio is /dev/null. */
static int call_loop_main(const char *mode, const char *target, const char *service, const char *count)
{
	unsigned long n = strtoul(count, NULL, 10);
	int (*call)(const char *, const char *) = strcmp(mode, "inproc") == 0 ? call_inproc : call_process;
	uint64_t *ns = calloc(n ? n : 1, sizeof(*ns));
	int out = dup(1), devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	FILE *f;

	if (ns == NULL || n == 0 || n > MAX_CALLS || out < 0 || devnull < 0 || dup2(devnull, 0) < 0 ||
	    dup2(devnull, 1) < 0 || (f = fdopen(out, "w")) == NULL)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	for (unsigned long i = 0; i < WARMUP_CALLS + n; i++) {
		uint64_t t0 = bench_now_ns();

		if (call(target, service) < 0) {
			fprintf(stderr, "bench-qrexec: %s call %s %s failed\n", mode, target, service);
			return 1;
		}
		if (i >= WARMUP_CALLS)
			ns[i - WARMUP_CALLS] = bench_now_ns() - t0;
	}
	for (unsigned long i = 0; i < n; i++)
		fprintf(f, "%" PRIu64 "\n", ns[i]);
	return fclose(f) == 0 ? 0 : 1;
}

/* In the target qube, as root: the socket service at PATH.  One
 * connection at a time: the descriptor up to its NUL, then stdin to EOF,
 * then close (the caller sees EOF and exit code 0).  Runs until the qube
 * stops. */
static int sock_service_main(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[4096];
	int s, c;

	if (strlen(path) >= sizeof(sa.sun_path))
		return 2;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	signal(SIGPIPE, SIG_IGN);
	unlink(path);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, 0666) < 0 ||
	    listen(s, 16) < 0)
		return 1;
	for (;;) {
		ssize_t n;

		c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return 1;
		}
		while ((n = read(c, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
			;
		close(c);
	}
}

/* ---- dom0 side ---- */

static int admin_ok(const char *method, const char *dest, const char *arg, const char *payload)
{
	return bench_admin_ok("bench-qrexec", method, dest, arg, payload);
}

static void start_daemon(void)
{
	char daemon[4300];
	pid_t pid;
	int up = 0;

	snprintf(daemon, sizeof(daemon), "%s/bulkheadd", bindir);
	pid = fork();
	if (pid < 0)
		fail("fork: %s", strerror(errno));
	if (pid == 0) {
		char log[sizeof(root) + 32];
		int fd;

		/* If we are SIGKILLed, bulkheadd still stops its qubes. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		snprintf(log, sizeof(log), "%s/bulkheadd.log", root);
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl(daemon, "bulkheadd", (char *)NULL);
		_exit(127);
	}
	daemon_pid = pid;
	for (int i = 0; i < 250 && !up; i++) {
		nap_ms(20);
		up = admin_ok("admin.vm.List", "dom0", "", NULL) == 0;
	}
	if (!up)
		fail("bulkheadd (%s) did not come up", daemon);
}

/* The host directory that is QUBE's /usr/local/SUB (its private volume). */
static void usrlocal(char *out, size_t len, const char *qube, const char *sub)
{
	snprintf(out, len, "%s/var/lib/bulkhead/qubes/%s/private/usrlocal/%s", root, qube, sub);
}

/* Our own binary into the qube's persistent /usr/local/bin (on the host:
 * private/usrlocal/bin), owned like that directory, so the qube's users can
 * run it there: the zero writer, the call loop, the socket service. */
static void install_in_qube(const char *qube)
{
	static char buf[CHUNK];
	char dir[sizeof(root) + 128], dst[sizeof(dir) + 32];
	struct stat st;
	int in, out;
	ssize_t n;

	usrlocal(dir, sizeof(dir), qube, "bin");
	snprintf(dst, sizeof(dst), "%s/%s", dir, SVC_NAME);
	if (stat(dir, &st) < 0)
		fail("%s: %s", dir, strerror(errno));
	in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0700);
	if (in < 0 || out < 0)
		fail("copy to %s: %s", dst, strerror(errno));
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write_all_deadline(out, buf, (size_t)n, now_ms() + CALL_TIMEOUT_MS) < 0)
			fail("write %s", dst);
	if (n < 0 || fchown(out, st.st_uid, st.st_gid) < 0 || fchmod(out, 0755) < 0 || close(out) < 0)
		fail("copy to %s: %s", dst, strerror(errno));
	close(in);
}

/* Runs qrexec-client -d qube CMDLINE with stdin in_fd and stdout out_fd
 * (-1: /dev/null); returns its pid (also in child_pid). */
static pid_t spawn_client_to(const char *qube, const char *cmdline, int in_fd, int out_fd)
{
	char prog[4300];
	char *argv[] = { "qrexec-client", "-d", (char *)qube, (char *)cmdline, NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc;

	snprintf(prog, sizeof(prog), "%s/qrexec-client", bindir);
	posix_spawn_file_actions_init(&fa);
	if (in_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
	else
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (out_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	else
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	rc = posix_spawn(&pid, prog, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		fail("spawn %s: %s", prog, strerror(rc));
	child_pid = pid;
	return pid;
}

static pid_t spawn_client(const char *cmdline, int in_fd, int out_fd)
{
	return spawn_client_to(QUBE, cmdline, in_fd, out_fd);
}

/* The client's exit code (or 128+signal). */
static int wait_client(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			fail("waitpid: %s", strerror(errno));
	child_pid = -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int client_call(const char *cmdline)
{
	return wait_client(spawn_client(cmdline, -1, -1));
}

/* One call done here, as qrexec-client does it (dom0req_call, then the
 * steps of call_with_stdio in qrexec/lib/call_client.c, with our own fds
 * and clock readings between the steps): local_in is read and sent
 * as stdin (-1: /dev/null), stdout goes to local_out (-1: /dev/null).
 * Returns the command's exit code; fails the bench on a qrexec error.
 * stamp (or NULL) gets bench_now_ns() when the daemon answered, when the agent's
 * handler connected, and when the data channel's HELLOs were done. */
static int inproc_call(const char *cmdline, int local_in, int local_out, uint64_t stamp[3])
{
	struct pump_config cfg = { .role = PUMP_CLIENT, .child = -1, .local_err = -1 };
	struct dom0rep rep;
	uint64_t deadline = now_ms() + CALL_TIMEOUT_MS;
	int rc, err = 0, code;

	if ((rc = dom0_exec(QUBE, false, cmdline, &rep)) < 0)
		fail("dom0_exec: %s", strerror(-rc));
	if (rep.rc < 0)
		fail("the daemon refused the call: %s", strerror(-rep.rc));
	if (stamp)
		stamp[0] = bench_now_ns();
	cfg.v = vchan_server_init(rep.domid, rep.port, 0, 0, &err);
	if (cfg.v == NULL)
		fail("vchan_server_init(%u, %u): %s", rep.domid, rep.port, strerror(-err));
	if ((rc = vchan_wait_connected(cfg.v, deadline)) < 0)
		fail("data channel: %s", strerror(-rc));
	if (stamp)
		stamp[1] = bench_now_ns();
	if ((rc = pump_handshake(cfg.v, 1, &cfg.version, deadline)) < 0)
		fail("data channel: %s", strerror(-rc));
	if (stamp)
		stamp[2] = bench_now_ns();
	cfg.local_in = local_in >= 0 ? local_in : open("/dev/null", O_RDONLY | O_CLOEXEC);
	cfg.local_out = local_out >= 0 ? local_out : open("/dev/null", O_WRONLY | O_CLOEXEC);
	cfg.local_err_out = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (cfg.local_in < 0 || cfg.local_out < 0 || cfg.local_err_out < 0)
		fail("/dev/null: %s", strerror(errno));
	rc = pump_run(&cfg, &code);     /* closes the three local fds */
	vchan_close(cfg.v);
	if (rc < 0)
		fail("pump_run: %s", strerror(-rc));
	return code;
}

/* The first calls after a start may race the agent's connection. */
static void wait_ready(void)
{
	for (int i = 0; i < 250; i++) {
		if (client_call("user:true") == 0)
			return;
		nap_ms(20);
	}
	fail("qrexec-client -d %s user:true never succeeded", QUBE);
}

static void bench_latency(uint32_t calls)
{
	uint64_t *ns = calloc(calls, sizeof(*ns)), *part[4], stamp[3];
	static const char *const part_name[4] = { "request", "connect", "hello", "run" };
	int code;

	if (ns == NULL)
		fail("calloc");
	for (int k = 0; k < 4; k++)
		if ((part[k] = calloc(calls, sizeof(*part[k]))) == NULL)
			fail("calloc");
	for (uint32_t i = 0; i < WARMUP_CALLS + calls; i++) {
		uint64_t t0 = bench_now_ns();
		if ((code = client_call("user:true")) != 0)
			fail("qrexec-client user:true: exit %d", code);
		if (i >= WARMUP_CALLS)
			ns[i - WARMUP_CALLS] = bench_now_ns() - t0;
	}
	report_latency("qrexec.call.client", ns, calls);
	for (uint32_t i = 0; i < WARMUP_CALLS + calls; i++) {
		uint64_t t0 = bench_now_ns();
		uint64_t t1;
		if ((code = inproc_call("user:true", -1, -1, stamp)) != 0)
			fail("in-process user:true: exit %d", code);
		t1 = bench_now_ns();
		if (i < WARMUP_CALLS)
			continue;
		ns[i - WARMUP_CALLS] = t1 - t0;
		part[0][i - WARMUP_CALLS] = stamp[0] - t0;
		part[1][i - WARMUP_CALLS] = stamp[1] - stamp[0];
		part[2][i - WARMUP_CALLS] = stamp[2] - stamp[1];
		part[3][i - WARMUP_CALLS] = t1 - stamp[2];
	}
	report_latency("qrexec.call.inproc", ns, calls);
	/* Where an in-process call's time goes (medians of each part, so
	 * they need not add up): the daemon's answer; the agent forking a
	 * handler that connects; the HELLO exchange; running `true` by the
	 * user's shell until its exit code is back. */
	for (int k = 0; k < 4; k++) {
		bench_sort(part[k], calls);
		printf("qrexec.call.inproc.%s.median %.2f us -\n", part_name[k],
		       (double)bench_percentile(part[k], calls, 50) / 1000.0);
		free(part[k]);
	}
	free(ns);
}

static void make_pipe(int p[2])
{
	if (pipe2(p, O_CLOEXEC) < 0)
		fail("pipe: %s", strerror(errno));
}

/* dom0 -> qube through qrexec-client: we feed its stdin. */
static uint64_t client_d2q(uint64_t total)
{
	static char buf[CHUNK];
	uint64_t t0 = bench_now_ns(), t;
	int p[2], code;
	pid_t pid;

	make_pipe(p);
	pid = spawn_client("user:cat >/dev/null", p[0], -1);
	close(p[0]);
	for (uint64_t sent = 0; sent < total;) {
		size_t n = total - sent < CHUNK ? (size_t)(total - sent) : CHUNK;
		if (write_all_deadline(p[1], buf, n, now_ms() + CALL_TIMEOUT_MS) < 0)
			fail("writing to qrexec-client: %s", strerror(errno));
		sent += n;
	}
	close(p[1]);
	if ((code = wait_client(pid)) != 0)
		fail("qrexec-client user:cat >/dev/null: exit %d", code);
	t = bench_now_ns() - t0;
	return t;
}

/* qube -> dom0 through qrexec-client: we drain and count its stdout. */
static uint64_t client_q2d(uint64_t total)
{
	static char buf[CHUNK];
	char cmd[128];
	uint64_t t0 = bench_now_ns(), got = 0, t;
	int p[2], code;
	ssize_t n;
	pid_t pid;

	snprintf(cmd, sizeof(cmd), "user:/usr/local/bin/%s --zeros %" PRIu64, SVC_NAME, total);
	make_pipe(p);
	pid = spawn_client(cmd, -1, p[1]);
	close(p[1]);
	while ((n = read(p[0], buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fail("reading from qrexec-client: %s", strerror(errno));
		got += (uint64_t)n;
	}
	close(p[0]);
	if ((code = wait_client(pid)) != 0)
		fail("qrexec-client %s: exit %d", cmd, code);
	t = bench_now_ns() - t0;
	if (got != total)
		fail("qube to dom0: %" PRIu64 " bytes, not %" PRIu64, got, total);
	return t;
}

/* dom0 -> qube in process: the pump reads a sparse memfd of total bytes. */
static uint64_t inproc_d2q(uint64_t total)
{
	int fd = memfd_create("bench-qrexec", MFD_CLOEXEC), code;
	uint64_t t0;

	if (fd < 0 || ftruncate(fd, (off_t)total) < 0)
		fail("memfd: %s", strerror(errno));
	t0 = bench_now_ns();
	if ((code = inproc_call("user:cat >/dev/null", fd, -1, NULL)) != 0)
		fail("in-process cat >/dev/null: exit %d", code);
	return bench_now_ns() - t0;
}

/* qube -> dom0 in process: the pump writes /dev/null; the writer's exit
 * code 0 says every byte left it (a short stream would have failed it). */
static uint64_t inproc_q2d(uint64_t total)
{
	char cmd[128];
	uint64_t t0 = bench_now_ns();
	int code;

	snprintf(cmd, sizeof(cmd), "user:/usr/local/bin/%s --zeros %" PRIu64, SVC_NAME, total);
	if ((code = inproc_call(cmd, -1, -1, NULL)) != 0)
		fail("in-process %s: exit %d", cmd, code);
	return bench_now_ns() - t0;
}

static void bench_bulk(uint32_t mib)
{
	uint64_t total = (uint64_t)mib << 20, ns[4][BULK_RUNS];

	for (unsigned r = 0; r < BULK_RUNS; r++) {
		ns[0][r] = client_d2q(total);
		ns[1][r] = client_q2d(total);
		ns[2][r] = inproc_d2q(total);
		ns[3][r] = inproc_q2d(total);
	}
	report_bulk("qrexec.bulk.client.d2q", ns[0], total);
	report_bulk("qrexec.bulk.client.q2d", ns[1], total);
	report_bulk("qrexec.bulk.inproc.d2q", ns[2], total);
	report_bulk("qrexec.bulk.inproc.q2d", ns[3], total);
}

/* Policy for the qube -> qube calls, before bulkheadd (and policyd) start. */
static void write_policy(void)
{
	static const char policy[] =
		"# bench-qrexec: qube -> qube calls\n"
		"bench.Exec  *  " SRC_QUBE "  " QUBE "  allow\n"
		"bench.Sock  *  " SRC_QUBE "  " QUBE "  allow\n";
	const char *const dirs[] = { "etc", "etc/qubes", "etc/qubes/policy.d" };
	char path[sizeof(root) + 64];
	int fd;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			fail("mkdir %s: %s", path, strerror(errno));
	}
	snprintf(path, sizeof(path), "%s/etc/qubes/policy.d/30-bench.policy", root);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || write_all_deadline(fd, policy, sizeof(policy) - 1, now_ms() + CALL_TIMEOUT_MS) < 0 ||
	    close(fd) < 0)
		fail("writing %s: %s", path, strerror(errno));
}

/* The target's services: bench.Exec a link to /bin/true; bench.Sock the
 * socket our copy serves, started as root by a MSG_JUST_EXEC call. */
static void setup_q2q(void)
{
	char dir[sizeof(root) + 128], path[sizeof(dir) + 32];
	struct dom0rep rep;
	const char *cmdline;
	struct stat st, sock;
	int rc, up = 0;

	if (admin_ok("admin.vm.Create.AppVM", "dom0", "", "name=" SRC_QUBE " label=red") < 0 ||
	    admin_ok("admin.vm.Start", SRC_QUBE, "", NULL) < 0)
		fail("cannot create and start the qube %s", SRC_QUBE);
	install_in_qube(SRC_QUBE);
	usrlocal(dir, sizeof(dir), QUBE, "etc");
	if (stat(dir, &st) < 0)
		fail("%s: %s", dir, strerror(errno));
	usrlocal(dir, sizeof(dir), QUBE, "etc/qubes-rpc");
	if (mkdir(dir, 0755) < 0 || lchown(dir, st.st_uid, st.st_gid) < 0)
		fail("mkdir %s: %s", dir, strerror(errno));
	snprintf(path, sizeof(path), "%s/bench.Exec", dir);
	if (symlink("/bin/true", path) < 0 || lchown(path, st.st_uid, st.st_gid) < 0)
		fail("symlink %s: %s", path, strerror(errno));
	/* MSG_JUST_EXEC (qrexec-client -e): started and left running. */
	cmdline = "root:exec /usr/local/bin/" SVC_NAME " --sock-service " RPC_DIR "/bench.Sock";
	if ((rc = dom0_exec(QUBE, true, cmdline, &rep)) < 0 || (rc = rep.rc) < 0)
		fail("starting the socket service: %s", strerror(-rc));
	snprintf(path, sizeof(path), "%s/bench.Sock", dir);
	for (int i = 0; i < 250 && !up; i++) {
		up = lstat(path, &sock) == 0 && S_ISSOCK(sock.st_mode);
		if (!up)
			nap_ms(20);
	}
	if (!up)
		fail("the socket service did not come up in %s", QUBE);
}

/* qube -> qube: the loop runs in SRC_QUBE, its timings come back on stdout. */
static void bench_q2q(uint32_t calls, const char *mode, const char *service, const char *name)
{
	char cmd[256], *buf, *p, *end;
	size_t cap = (size_t)calls * 24 + 1, got = 0;
	uint64_t *ns = calloc(calls, sizeof(*ns));
	int pfd[2], code;
	ssize_t n;
	pid_t pid;

	buf = malloc(cap);
	if (ns == NULL || buf == NULL)
		fail("malloc");
	snprintf(cmd, sizeof(cmd), "user:/usr/local/bin/%s --call-loop %s %s %s %" PRIu32, SVC_NAME, mode, QUBE,
		 service, calls);
	make_pipe(pfd);
	pid = spawn_client_to(SRC_QUBE, cmd, -1, pfd[1]);
	close(pfd[1]);
	while (got < cap - 1 && ((n = read(pfd[0], buf + got, cap - 1 - got)) != 0)) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fail("reading the call loop: %s", strerror(errno));
		got += (size_t)n;
	}
	close(pfd[0]);
	if ((code = wait_client(pid)) != 0)
		fail("the call loop in %s (%s): exit %d", SRC_QUBE, service, code);
	buf[got] = '\0';
	p = buf;
	for (uint32_t i = 0; i < calls; i++) {
		errno = 0;
		ns[i] = strtoull(p, &end, 10);
		if (errno != 0 || end == p || *end != '\n')
			fail("the call loop in %s (%s): bad output", SRC_QUBE, service);
		p = end + 1;
	}
	report_latency(name, ns, calls);
	free(ns);
	free(buf);
}

int main(int argc, char **argv)
{
	uint32_t calls = DEFAULT_CALLS, mib = DEFAULT_MIB;
	char vdir[sizeof(root) + 64];
	struct sigaction sa = { .sa_handler = on_signal };
	const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGALRM };
	ssize_t n;

	/* In the qube, as the zero writer of the q2d figures. */
	if (argc == 3 && strcmp(argv[1], "--zeros") == 0)
		return zeros_main(argv[2]);
	if (argc == 6 && strcmp(argv[1], "--call-loop") == 0)
		return call_loop_main(argv[2], argv[3], argv[4], argv[5]);
	if (argc == 3 && strcmp(argv[1], "--sock-service") == 0)
		return sock_service_main(argv[2]);

	if (argc > 3 || (argc > 1 && argv[1][0] == '-')) {
		fprintf(stderr, "usage: bench-qrexec [CALLS [MIB]]\n");
		return 2;
	}
	if (argc > 1)
		calls = parse_count(argv[1], MIN_CALLS, MAX_CALLS, "CALLS: 300..100000");
	if (argc > 2)
		mib = parse_count(argv[2], 1, MAX_MIB, "MIB: 1..16384");
	if (geteuid() != 0) {
		fprintf(stderr, "bench-qrexec: needs root (it starts bulkheadd)\n");
		return 1;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		fail("readlink /proc/self/exe: %s", strerror(errno));
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	snprintf(bindir, sizeof(bindir), "%s/../bin", exe);

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	alarm(DEADLINE_S);
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (mkdtemp(root) == NULL) {
		fprintf(stderr, "bench-qrexec: mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	have_root = 1;
	setenv("BULKHEAD_ROOT", root, 1);
	snprintf(vdir, sizeof(vdir), "%s/run/bulkhead/vchan", root);
	setenv("VCHAN_SOCKET_DIR", vdir, 1);
	unsetenv("VCHAN_DOMAIN");
	fprintf(stderr, "bench-qrexec: %" PRIu32 " calls each way, %" PRIu32 " MiB each way x %u, root %s\n",
		calls, mib, BULK_RUNS, root);

	write_policy();
	start_daemon();
	if (admin_ok("admin.vm.Create.AppVM", "dom0", "", "name=" QUBE " label=red") < 0 ||
	    admin_ok("admin.vm.Start", QUBE, "", NULL) < 0)
		fail("cannot create and start the qube %s", QUBE);
	install_in_qube(QUBE);
	wait_ready();

	bench_latency(calls);
	bench_bulk(mib);
	setup_q2q();
	bench_q2q(calls, "inproc", "bench.Exec", "qrexec.call.q2q.exec");
	bench_q2q(calls, "inproc", "bench.Sock", "qrexec.call.q2q.socket");
	bench_q2q(calls, "process", "bench.Exec", "qrexec.call.q2q.exec.client");
	bench_q2q(calls, "process", "bench.Sock", "qrexec.call.q2q.socket.client");
	fflush(stdout);
	cleanup();
	return 0;
}
