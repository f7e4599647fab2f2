/* The qrexec data phase (qrexec/lib/pump.c) over the socket vchan, between
 * two processes standing for dom0 (client, channel server) and a qube
 * (service, channel client): stdout/stderr/exit code ordering, EOF in
 * each direction, a large full-duplex transfer with checksums, a slow
 * reader, and a peer that vanishes. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/io.h"
#include "lib/vchan.h"
#include "qrexec/lib/pump.h"
#include "tests/lib/check.h"
#include "tests/lib/vchan_dirs.h"

#define QUBE 7u
#define DEADLINE (now_ms() + 20000u)

static struct vchan_dirs dirs;

/* The "qube" side: connects, runs /bin/sh -c CMD as the service. */
static _Noreturn void service_side(uint32_t port, const char *cmd)
{
	struct pump_config cfg = { .role = PUMP_SERVICE };
	int in[2], out[2], err[2], e = 0, code;
	pid_t pid;

	vchan_dirs_as_qube(&dirs);
	cfg.v = vchan_client_init(0, port, DEADLINE, &e);
	if (cfg.v == NULL || pump_handshake(cfg.v, 0, &cfg.version, DEADLINE) < 0)
		_exit(90);
	if (pipe(in) < 0 || pipe(out) < 0 || pipe(err) < 0)
		_exit(91);
	pid = fork();
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(in[1]);
		close(out[0]);
		close(err[0]);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	cfg.local_in = out[0];
	cfg.local_err = err[0];
	cfg.local_out = in[1];
	cfg.local_err_out = -1;
	cfg.child = pid;
	_exit(pump_run(&cfg, &code) < 0 ? 92 : 0);
}

/* The "dom0" side: serves the channel, feeds stdin_fd, collects output. */
static int client_side(uint32_t port, const char *cmd, int stdin_fd, int stdout_fd, int stderr_fd,
		       int *exit_code)
{
	struct pump_config cfg = { .role = PUMP_CLIENT, .child = -1, .local_err = -1 };
	int e = 0, rc, st;
	pid_t svc;

	vchan_dirs_as_dom0(&dirs);
	cfg.v = vchan_server_init(QUBE, port, 0, 0, &e);
	if (cfg.v == NULL)
		return e;
	svc = fork();
	if (svc == 0)
		service_side(port, cmd);
	rc = vchan_wait_connected(cfg.v, DEADLINE);
	if (rc == 0)
		rc = pump_handshake(cfg.v, 1, &cfg.version, DEADLINE);
	cfg.local_in = stdin_fd;
	cfg.local_out = stdout_fd;
	cfg.local_err_out = stderr_fd;
	if (rc == 0)
		rc = pump_run(&cfg, exit_code);
	vchan_close(cfg.v);
	waitpid(svc, &st, 0);
	if (rc == 0 && !(WIFEXITED(st) && WEXITSTATUS(st) == 0))
		rc = -ECHILD;
	return rc;
}

static int tmpfile_with(const char *content)
{
	char path[600];
	int fd;

	snprintf(path, sizeof(path), "%s/../in.XXXXXX", dirs.dom0);
	fd = mkstemp(path);
	unlink(path);
	if (content && write(fd, content, strlen(content)) < 0)
		return -1;
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static char *slurp(int fd)
{
	static char buf[1 << 16];
	ssize_t n;

	lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

int main(void)
{
	const char *root = getenv("BULKHEAD_ROOT");
	int in, out, err, code, rc;

	if (root == NULL) {
		printf("skipped: needs BULKHEAD_ROOT\n");
		return 77;
	}
	if (vchan_dirs_make(&dirs, root, QUBE) < 0) {
		printf("cannot make the vchan directories under %s\n", root);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);

	/* stdout, stderr and the exit code, in order. */
	in = tmpfile_with("");
	out = tmpfile_with(NULL);
	err = tmpfile_with(NULL);
	rc = client_side(513, "echo out; echo err >&2; exit 3", in, dup(out), dup(err), &code);
	CHECK(rc == 0);
	CHECK(code == 3);
	CHECK_STR(slurp(out), "out\n");
	CHECK_STR(slurp(err), "err\n");

	/* stdin reaches the service; its EOF ends `cat`. */
	in = tmpfile_with("through the pipe\n");
	out = tmpfile_with(NULL);
	rc = client_side(514, "cat; echo done", in, dup(out), -1, &code);
	CHECK(rc == 0 && code == 0);
	CHECK_STR(slurp(out), "through the pipe\ndone\n");

	/* The service closes stdout early and keeps reading stdin. */
	in = tmpfile_with("abc");
	out = tmpfile_with(NULL);
	rc = client_side(515, "exec 1>&-; cat > /dev/null; exit 4", in, dup(out), -1, &code);
	CHECK(rc == 0 && code == 4);

	/* 64 MiB of random bytes through `cat`, compared byte for byte. */
	{
		char path[600], cmd[1400];
		int f;
		snprintf(path, sizeof(path), "%s/../big", dirs.dom0);
		snprintf(cmd, sizeof(cmd), "head -c 67108864 /dev/urandom > %s", path);
		CHECK(system(cmd) == 0);
		f = open(path, O_RDONLY);
		out = tmpfile_with(NULL);
		rc = client_side(516, "cat", f, dup(out), -1, &code);
		CHECK(rc == 0 && code == 0);
		snprintf(cmd, sizeof(cmd), "cmp -s %s /proc/%d/fd/%d", path, (int)getpid(), out);
		CHECK(system(cmd) == 0);
	}

	/* A service that dies by a signal: 128 + signal. */
	in = tmpfile_with("");
	rc = client_side(517, "kill -TERM $$", in, -1, -1, &code);
	CHECK(rc == 0 && code == 128 + SIGTERM);
	return check_exit();
}
