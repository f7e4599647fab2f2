#include "qrexec/lib/service.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdint.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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

/* Everything the child needs, prepared before it exists: it shares our
 * memory until it execs (CLONE_VM | CLONE_VFORK, like posix_spawn), so it
 * may only make system calls, never allocate or take libc locks. */
struct launch {
	uid_t uid;
	gid_t gid;
	gid_t groups[SPAWN_GROUPS_MAX];
	size_t ngroups;
	int in[2], out[2], err[2];
	const char *dir;            /* the user's home */
	const char *path;           /* what to exec */
	char *const *argv;
	char *const *envp;
};

/* The user's ids, groups, home and shell, looked up in the caller (the
 * NSS lookups read files and may allocate: not in the child). */
struct user_info {
	struct passwd pw;
	char buf[4096];
};

static int lookup_user(const char *user, struct user_info *ui, struct launch *l)
{
	struct passwd *pw = NULL;
	int n = SPAWN_GROUPS_MAX;

	if (getpwnam_r(user, &ui->pw, ui->buf, sizeof(ui->buf), &pw) != 0 || pw == NULL)
		return -1;
	/* More groups than we keep: refuse rather than run with a subset. */
	if (getgrouplist(pw->pw_name, pw->pw_gid, l->groups, &n) < 0 || n < 0)
		return -1;
	l->uid = pw->pw_uid;
	l->gid = pw->pw_gid;
	l->ngroups = (size_t)n;
	l->dir = pw->pw_dir && pw->pw_dir[0] ? pw->pw_dir : "/";
	return 0;
}

static _Noreturn void child_fail(const char *msg, size_t len, int code)
{
	(void)!write(2, msg, len);
	_exit(code);
}

#define CHILD_FAIL(msg, code) child_fail(msg, sizeof(msg) - 1, code)

/* The child: only system calls (see struct launch). */
static int launch_child(void *arg)
{
	const struct launch *l = arg;
	sigset_t none;

	/* Our own mask and handler table (no CLONE_SIGHAND): a service
	 * starts with nothing blocked and SIGPIPE at its default, whatever
	 * the caller uses. */
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0 || signal(SIGPIPE, SIG_DFL) == SIG_ERR ||
	    dup2(l->in[0], 0) < 0 || dup2(l->out[1], 1) < 0 || dup2(l->err[1], 2) < 0)
		_exit(125);
	/* Raw system calls: glibc's set*id wrappers synchronise with the
	 * process's threads, which in a CLONE_VM child are the parent's. */
	if (syscall(SYS_setgroups, l->ngroups, l->groups) < 0 || syscall(SYS_setresgid, l->gid, l->gid, l->gid) < 0 ||
	    syscall(SYS_setresuid, l->uid, l->uid, l->uid) < 0)
		CHILD_FAIL("qrexec-agent: cannot become the requested user\n", 125);
	if (chdir(l->dir) < 0 && chdir("/") < 0)
		CHILD_FAIL("qrexec-agent: no usable working directory\n", 125);
	execve(l->path, l->argv, l->envp);
	CHILD_FAIL("qrexec-agent: cannot execute the requested program\n", 127);
}

static void close_pair(int p[2])
{
	for (int i = 0; i < 2; i++)
		if (p[i] >= 0)
			close(p[i]);
}

/* Starts l->path with stdin/stdout/stderr on new pipes, as l's user. */
static int launch(struct launch *l, struct spawned *sp)
{
	/* The child runs on this stack while we wait (CLONE_VFORK). */
	static char stack[SPAWN_STACK_SIZE] __attribute__((aligned(16)));
	pid_t pid;

	l->in[0] = l->in[1] = l->out[0] = l->out[1] = l->err[0] = l->err[1] = -1;
	if (pipe2(l->in, O_CLOEXEC) < 0 || pipe2(l->out, O_CLOEXEC) < 0 || pipe2(l->err, O_CLOEXEC) < 0) {
		close_pair(l->in);
		close_pair(l->out);
		close_pair(l->err);
		return SERVICE_FAILED;
	}
	pid = clone(launch_child, stack + sizeof(stack), CLONE_VM | CLONE_VFORK | SIGCHLD, l);
	close(l->in[0]);
	close(l->out[1]);
	close(l->err[1]);
	if (pid < 0) {
		close(l->in[1]);
		close(l->out[0]);
		close(l->err[0]);
		return SERVICE_FAILED;
	}
	sp->pid = pid;
	sp->in_fd = l->in[1];
	sp->out_fd = l->out[0];
	sp->err_fd = l->err[0];
	return SERVICE_OK;
}

/* "NAME=value" into env[*n] (storage from pool); -1 when it does not fit. */
static int env_add(char *env[], size_t *n, char **pool, size_t *left, const char *name, const char *value)
{
	int k = snprintf(*pool, *left, "%s=%s", name, value);

	if (k < 0 || (size_t)k >= *left || *n + 1 >= SPAWN_ENV_MAX)
		return -1;
	env[(*n)++] = *pool;
	env[*n] = NULL;
	*pool += k + 1;
	*left -= (size_t)k + 1;
	return 0;
}

#define SPAWN_PATH "/usr/lib/bulkhead/bin:/usr/local/bin:/usr/bin:/bin"

/* A socket service: connect and send the descriptor "SVC+ARG SOURCE\0". */
static int connect_socket_service(const char *path, const char *service, const char *arg, const char *source,
				  struct spawned *sp)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char desc[512];
	int fd, fd2, n;

	if (strlen(path) >= sizeof(sa.sun_path))
		return SERVICE_FAILED;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	n = snprintf(desc, sizeof(desc), "%s+%s %s", service, arg, source);
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
	static struct user_info ui;
	static char pool[SPAWN_ENV_POOL], full[512];
	static char *env[SPAWN_ENV_MAX];
	struct launch l = { .path = path, .envp = env };
	/* argv[1] is the argument, as in Qubes; empty argument: no argv[1]. */
	char *argv[3] = { (char *)path, arg[0] ? (char *)arg : NULL, NULL };
	char *p = pool;
	size_t n = 0, left = sizeof(pool);
	int k;

	if (is_socket)
		return connect_socket_service(path, service, arg, source, sp);
	k = snprintf(full, sizeof(full), "%s+%s", service, arg);
	if (k < 0 || (size_t)k >= sizeof(full) || lookup_user(user, &ui, &l) < 0 ||
	    env_add(env, &n, &p, &left, "HOME", l.dir) < 0 ||
	    env_add(env, &n, &p, &left, "USER", ui.pw.pw_name) < 0 ||
	    env_add(env, &n, &p, &left, "PATH", SPAWN_PATH) < 0 ||
	    env_add(env, &n, &p, &left, "QREXEC_REMOTE_DOMAIN", source) < 0 ||
	    env_add(env, &n, &p, &left, "QREXEC_SERVICE_FULL_NAME", full) < 0 ||
	    env_add(env, &n, &p, &left, "QREXEC_SERVICE_ARGUMENT", arg) < 0)
		return SERVICE_FAILED;
	l.argv = argv;
	return launch(&l, sp);
}

int command_spawn(const char *user, const char *command, struct spawned *sp)
{
	static struct user_info ui;
	static char pool[SPAWN_ENV_POOL];
	static char *env[SPAWN_ENV_MAX];
	struct launch l = { .envp = env };
	const char *shell;
	char *argv[4];
	char *p = pool;
	size_t n = 0, left = sizeof(pool);

	if (lookup_user(user, &ui, &l) < 0)
		return SERVICE_FAILED;
	shell = ui.pw.pw_shell && ui.pw.pw_shell[0] ? ui.pw.pw_shell : "/bin/sh";
	if (env_add(env, &n, &p, &left, "HOME", l.dir) < 0 ||
	    env_add(env, &n, &p, &left, "USER", ui.pw.pw_name) < 0 ||
	    env_add(env, &n, &p, &left, "SHELL", shell) < 0 ||
	    env_add(env, &n, &p, &left, "PATH", SPAWN_PATH) < 0)
		return SERVICE_FAILED;
	/* A command line from dom0, run like Qubes does: by the user's shell. */
	argv[0] = (char *)shell;
	argv[1] = "-c";
	argv[2] = (char *)command;
	argv[3] = NULL;
	l.path = shell;
	l.argv = argv;
	return launch(&l, sp);
}
