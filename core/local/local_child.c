/* The child the monitor clones for a qube: PID 1 of a new PID namespace,
 * in a new mount namespace, still host root.  It builds the qube's root
 * (host root is needed for idmapped mounts and overlayfs' trusted
 * xattrs), joins the qube's user namespace, unshares the rest (owned by
 * that user namespace), and execs qube-init.  Any failure is reported on
 * status_fd and ends the child; exec closes status_fd, which tells the
 * monitor the start succeeded. */
#include "core/local/local.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define QUBE_INIT "/usr/lib/bulkhead/bin/qube-init"
#define GO_TIMEOUT_MS 30000

int lnet_lo_up(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = 0;

	if (s < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, "lo", 3);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) {
		rc = -errno;
	} else {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
			rc = -errno;
	}
	close(s);
	return rc;
}

static _Noreturn void fail(const struct lchild_args *a, const char *step, int err)
{
	struct lchild_report r;

	memset(&r, 0, sizeof(r));
	r.err = err;
	snprintf(r.step, sizeof(r.step), "%s", step);
	dprintf(a->log_fd, "bulkhead: %s: start failed at %s: %s\n", a->plan.name, step, strerror(err));
	if (write(a->status_fd, &r, sizeof(r)) != (ssize_t)sizeof(r))
		_exit(126);
	_exit(127);
}

/* True while the monitor lives: it holds its end of go until we exec. */
static bool parent_alive(int go_fd)
{
	struct pollfd p = { .fd = go_fd, .events = POLLIN };

	return poll(&p, 1, 0) == 0;
}

_Noreturn void lchild_main(const struct lchild_args *a)
{
	static char *const argv[] = { "qube-init", NULL };
	char domain[32];
	char *const envp[] = {
		"PATH=/usr/lib/bulkhead/bin:/usr/local/bin:/usr/bin:/bin",
		"HOME=/root",
		"TERM=dumb",
		/* What the qrexec agent needs to find dom0 (lib/vchan.h). */
		domain,
		"VCHAN_SOCKET_DIR=" LOCAL_QUBE_VCHAN_DIR,
		NULL,
	};
	struct pollfd go = { .fd = a->go_fd, .events = POLLIN };

	snprintf(domain, sizeof(domain), "VCHAN_DOMAIN=%u", a->plan.domid);
	const char *step = "setup";
	sigset_t all;
	char c;
	int rc, nul;

	/* The monitor's handlers, ignored signals and mask are not ours.
	 * The signals qube-init handles stay blocked across exec: a PID 1
	 * drops a SIGTERM that arrives at SIG_DFL, so a shutdown() racing
	 * with qube-init's start must find it blocked (pending) instead. */
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	sigemptyset(&all);
	sigaddset(&all, SIGTERM);
	sigaddset(&all, SIGINT);
	sigaddset(&all, SIGHUP);
	sigaddset(&all, SIGCHLD);
	sigprocmask(SIG_SETMASK, &all, NULL);
	/* Die with the monitor; the go pipe closes the race with its exit. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		fail(a, "pdeathsig", errno);
	if (poll(&go, 1, GO_TIMEOUT_MS) != 1 || read(a->go_fd, &c, 1) != 1 || c != 'g')
		_exit(125);

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		fail(a, "private mounts", errno);
	if ((rc = lroot_build(&a->plan, &step)) < 0)
		fail(a, step, -rc);

	/* Into the qube's user namespace: full capabilities there, none
	 * outside.  Ids 0 inside are the qube's host base. */
	if (setns(a->userns_fd, CLONE_NEWUSER) < 0)
		fail(a, "join user namespace", errno);
	if (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		fail(a, "switch to qube root", errno);
	/* Changing credentials cleared PDEATHSIG: set it again, then check
	 * the monitor did not die in between. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		fail(a, "pdeathsig", errno);
	if (!parent_alive(a->go_fd))
		_exit(125);

	/* Owned by the qube's user namespace; the mount namespace copy
	 * locks every mount made above (the qube cannot unmount them). */
	if (unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP) < 0)
		fail(a, "unshare namespaces", errno);
	if (sethostname(a->plan.name, strlen(a->plan.name)) < 0)
		fail(a, "sethostname", errno);
	if ((rc = lnet_lo_up()) < 0)
		fail(a, "loopback up", -rc);
	if (chdir("/") < 0)
		fail(a, "chdir", errno);

	if ((nul = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
		fail(a, "open /dev/null", errno);
	if (dup2(nul, 0) < 0 || dup2(a->log_fd, 1) < 0 || dup2(a->log_fd, 2) < 0)
		fail(a, "stdio", errno);
	umask(022);
	/* Nothing of the monitor's but stdio crosses exec. */
	close_range(3, ~0u, CLOSE_RANGE_CLOEXEC);
	execve(QUBE_INIT, argv, envp);
	fail(a, "exec " QUBE_INIT, errno);
}
