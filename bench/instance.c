#include "bench/instance.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/admin_client.h"

int bench_instance_init(struct bench_instance *in, const char *prog)
{
	const char *tmp = getenv("TMPDIR");
	char exe[BENCH_PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	in->daemon = -1;
	in->root[0] = '\0';
	if (n < 0) {
		fprintf(stderr, "%s: cannot find its own executable\n", prog);
		return -1;
	}
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash == NULL)
		return -1;
	*slash = '\0';
	if ((size_t)snprintf(in->bindir, sizeof(in->bindir), "%s/../bin", exe) >= sizeof(in->bindir) ||
	    (size_t)snprintf(in->root, sizeof(in->root), "%s/bulkhead-bench.XXXXXX",
			     tmp && *tmp ? tmp : "/tmp") >= sizeof(in->root) ||
	    mkdtemp(in->root) == NULL) {
		fprintf(stderr, "%s: cannot make a scratch root under %s\n", prog, tmp && *tmp ? tmp : "/tmp");
		in->root[0] = '\0';
		return -1;
	}
	setenv("BULKHEAD_ROOT", in->root, 1);
	return 0;
}

int bench_instance_start(struct bench_instance *in, const char *name)
{
	char path[BENCH_PATH_MAX + 64];
	pid_t pid;

	snprintf(path, sizeof(path), "%s/%s", in->bindir, name);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0)
			dup2(null, 2);
		execl(path, name, (char *)NULL);
		_exit(127);
	}
	in->daemon = pid;
	return 0;
}

void bench_instance_end(struct bench_instance *in)
{
	pid_t pid;

	if (in->daemon > 0) {
		kill(in->daemon, SIGTERM);
		waitpid(in->daemon, NULL, 0);
		in->daemon = -1;
	}
	if (in->root[0] == '\0')
		return;
	pid = fork();
	if (pid == 0) {
		execlp("rm", "rm", "-rf", "--one-file-system", in->root, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
	in->root[0] = '\0';
}

int bench_admin_ok(const char *prog, const char *method, const char *dest,
		   const char *arg, const char *payload)
{
	struct admin_reply r;
	int rc = admin_call(method, dest, arg, payload, payload ? strlen(payload) : 0, &r);

	if (rc == 0 && !r.ok) {
		fprintf(stderr, "%s: %s: %s\n", prog, method, r.content.buf ? r.content.buf : "");
		rc = -1;
	}
	admin_reply_free(&r);
	return rc;
}
