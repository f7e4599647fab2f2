#include "qrexec/lib/service.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

const char *const service_default_dirs[] = {
	"/usr/local/etc/qubes-rpc", "/etc/qubes-rpc", NULL,
};

/* The search roots: QREXEC_SERVICE_PATH or the defaults. */
static size_t search_dirs(const char *out[SERVICE_DIRS_MAX], char *store, size_t storelen)
{
	const char *env = getenv("QREXEC_SERVICE_PATH");
	size_t n = 0;

	if (env == NULL || strlen(env) >= storelen) {
		for (; service_default_dirs[n] && n < SERVICE_DIRS_MAX; n++)
			out[n] = service_default_dirs[n];
		return n;
	}
	memcpy(store, env, strlen(env) + 1);
	for (char *tok = store; tok && n < SERVICE_DIRS_MAX; n++) {
		char *colon = strchr(tok, ':');
		out[n] = tok;
		if (colon)
			*colon++ = '\0';
		tok = colon;
	}
	return n;
}

int service_lookup(const char *service, const char *arg, char *path, size_t pathlen,
		   bool *is_socket)
{
	const char *dirs[SERVICE_DIRS_MAX];
	char store[1024];
	size_t ndirs = search_dirs(dirs, store, sizeof(store));

	/* SVC+ARG in every root first, then SVC in every root (Qubes' order). */
	for (int with_arg = 1; with_arg >= 0; with_arg--) {
		for (size_t d = 0; d < ndirs; d++) {
			struct stat st;
			int n = with_arg ? snprintf(path, pathlen, "%s/%s+%s", dirs[d], service, arg)
					 : snprintf(path, pathlen, "%s/%s", dirs[d], service);

			if (n < 0 || (size_t)n >= pathlen)
				continue;
			if (stat(path, &st) < 0)
				continue;
			if (S_ISSOCK(st.st_mode)) {
				*is_socket = true;
				return SERVICE_OK;
			}
			if (S_ISREG(st.st_mode) && access(path, X_OK) == 0) {
				*is_socket = false;
				return SERVICE_OK;
			}
		}
	}
	return SERVICE_NOT_FOUND;
}

/* In the child: become user (validated name) with its groups and home. */
static int become(const char *user, struct passwd *pw_out, char *buf, size_t buflen)
{
	struct passwd *pw = NULL;

	if (getpwnam_r(user, pw_out, buf, buflen, &pw) != 0 || pw == NULL)
		return -1;
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
		return -1;
	if (chdir(pw->pw_dir) < 0 && chdir("/") < 0)
		return -1;
	return 0;
}

static int pipes(int in[2], int out[2], int err[2])
{
	if (pipe2(in, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(out, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	if (pipe2(err, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		return -1;
	}
	return 0;
}

/* Forks a child with stdin/stdout/stderr on pipes; the child runs
 * become(user) then exec_fn(ctx).  Never returns in the child. */
static int fork_with_pipes(const char *user, void (*exec_fn)(const void *ctx, const struct passwd *pw),
			   const void *ctx, struct spawned *sp)
{
	int in[2], out[2], err[2];
	pid_t pid;

	if (pipes(in, out, err) < 0)
		return SERVICE_FAILED;
	pid = fork();
	if (pid < 0) {
		for (int i = 0; i < 2; i++) {
			close(in[i]);
			close(out[i]);
			close(err[i]);
		}
		return SERVICE_FAILED;
	}
	if (pid == 0) {
		struct passwd pw;
		char buf[4096];
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0)
			_exit(125);
		if (become(user, &pw, buf, sizeof(buf)) < 0) {
			dprintf(2, "qrexec-agent: cannot run as user '%s'\n", user);
			_exit(125);
		}
		exec_fn(ctx, &pw);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	sp->pid = pid;
	sp->in_fd = in[1];
	sp->out_fd = out[0];
	sp->err_fd = err[0];
	return SERVICE_OK;
}

struct service_ctx {
	const char *path, *service, *arg, *source;
};

static void exec_service(const void *vctx, const struct passwd *pw)
{
	const struct service_ctx *c = vctx;
	char full[512];
	char *argv[3];

	snprintf(full, sizeof(full), "%s+%s", c->service, c->arg);
	clearenv();
	setenv("HOME", pw->pw_dir, 1);
	setenv("USER", pw->pw_name, 1);
	setenv("PATH", "/usr/lib/bulkhead/bin:/usr/local/bin:/usr/bin:/bin", 1);
	setenv("QREXEC_REMOTE_DOMAIN", c->source, 1);
	setenv("QREXEC_SERVICE_FULL_NAME", full, 1);
	setenv("QREXEC_SERVICE_ARGUMENT", c->arg, 1);
	/* argv[1] is the argument, as in Qubes; empty argument: no argv[1]. */
	argv[0] = (char *)c->path;
	argv[1] = c->arg[0] ? (char *)c->arg : NULL;
	argv[2] = NULL;
	execv(c->path, argv);
}

/* A socket service: connect and send the descriptor "SVC+ARG SOURCE\0". */
static int connect_socket_service(const struct service_ctx *c, struct spawned *sp)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char desc[512];
	int fd, fd2, n;

	if (strlen(c->path) >= sizeof(sa.sun_path))
		return SERVICE_FAILED;
	memcpy(sa.sun_path, c->path, strlen(c->path) + 1);
	n = snprintf(desc, sizeof(desc), "%s+%s %s", c->service, c->arg, c->source);
	if (n < 0 || (size_t)n >= sizeof(desc))
		return SERVICE_FAILED;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return SERVICE_FAILED;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    write(fd, desc, (size_t)n + 1) != n + 1 || (fd2 = dup(fd)) < 0) {
		close(fd);
		return SERVICE_FAILED;
	}
	sp->pid = -1;
	sp->in_fd = fd;
	sp->out_fd = fd2;
	sp->err_fd = -1;
	return SERVICE_OK;
}

int service_spawn(const char *path, bool is_socket, const char *service, const char *arg,
		  const char *source, const char *user, struct spawned *sp)
{
	const struct service_ctx c = { path, service, arg, source };

	if (is_socket)
		return connect_socket_service(&c, sp);
	return fork_with_pipes(user, exec_service, &c, sp);
}

static void exec_command(const void *vctx, const struct passwd *pw)
{
	const char *command = vctx;
	const char *shell = pw->pw_shell && pw->pw_shell[0] ? pw->pw_shell : "/bin/sh";

	clearenv();
	setenv("HOME", pw->pw_dir, 1);
	setenv("USER", pw->pw_name, 1);
	setenv("SHELL", shell, 1);
	setenv("PATH", "/usr/lib/bulkhead/bin:/usr/local/bin:/usr/bin:/bin", 1);
	/* A command line from dom0, run like Qubes does: by the user's shell. */
	execl(shell, shell, "-c", command, (char *)NULL);
}

int command_spawn(const char *user, const char *command, struct spawned *sp)
{
	return fork_with_pipes(user, exec_command, command, sp);
}
