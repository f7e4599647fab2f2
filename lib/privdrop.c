#include "privdrop.h"

#include <errno.h>
#include <grp.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static bool kept(const int *caps, size_t n, int cap)
{
	for (size_t i = 0; i < n; i++)
		if (caps[i] == cap)
			return true;
	return false;
}

/* The capability sets hold exactly caps[]: permitted, effective and
 * bounding; nothing inheritable or ambient. */
static int caps_exactly(const int *caps, size_t n)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data) < 0)
		return -errno;
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++) {
		uint32_t bit = 1u << (cap % 32);
		const struct __user_cap_data_struct *d = &data[cap / 32];
		bool want = kept(caps, n, cap);

		if (((d->permitted & bit) != 0) != want || ((d->effective & bit) != 0) != want ||
		    (d->inheritable & bit) != 0 || (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1) != want ||
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0) > 0)
			return -EPERM;
	}
	return 0;
}

/* Permitted and effective become caps[] (from what KEEPCAPS kept). */
static int set_caps(const int *caps, size_t n)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[2] = { { 0, 0, 0 }, { 0, 0, 0 } };

	for (size_t i = 0; i < n; i++) {
		data[caps[i] / 32].permitted |= 1u << (caps[i] % 32);
		data[caps[i] / 32].effective |= 1u << (caps[i] % 32);
	}
	return syscall(SYS_capset, &hdr, data) < 0 ? -errno : 0;
}

int privdrop_to(uid_t uid, gid_t gid)
{
	return privdrop_keep(uid, gid, NULL, 0);
}

int privdrop_keep(uid_t uid, gid_t gid, const int *caps, size_t n)
{
	uid_t r, e, s;
	gid_t rg, eg, sg;
	pid_t parent = getppid();
	int pdeath = 0, rc = 0;

	if (uid == 0 || gid == 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (caps[i] < 0 || caps[i] > CAP_LAST_CAP || caps[i] == CAP_SETUID || caps[i] == CAP_SETGID ||
		    caps[i] == CAP_SETPCAP || caps[i] == CAP_SYS_ADMIN)
			return -EINVAL;   /* a way back to root is not a capability to keep */
	if (prctl(PR_GET_PDEATHSIG, &pdeath, 0, 0, 0) < 0)
		return -errno;
	/* The bounding set needs CAP_SETPCAP to shrink, so it goes first;
	 * dropping from it leaves the permitted set (CAP_SETUID) alone. */
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
		if (!kept(caps, n, cap) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return -errno;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return -errno;
	/* KEEPCAPS keeps the permitted set across the last uid 0 going (the
	 * effective set is cleared all the same); set_caps then narrows it
	 * to caps[] and raises those, and KEEPCAPS goes again. */
	if (prctl(PR_SET_KEEPCAPS, n > 0, 0, 0, 0) < 0)
		return -errno;
	if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
		return -errno;
	if (n > 0 && ((rc = set_caps(caps, n)) < 0 || prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0))
		return rc < 0 ? rc : -errno;
	if (getresuid(&r, &e, &s) < 0 || getresgid(&rg, &eg, &sg) < 0)
		return -errno;
	if (r != uid || e != uid || s != uid || rg != gid || eg != gid || sg != gid || getgroups(0, NULL) != 0)
		return -EPERM;
	if (setuid(0) == 0 || setgid(0) == 0)
		return -EPERM;
	if ((rc = caps_exactly(caps, n)) < 0)
		return rc;
	/* The kernel clears the parent-death signal on a uid change: a
	 * daemon started to die with bulkheadd's monitor must go on doing
	 * so (and if the parent went in between, it already missed it). */
	if (pdeath != 0 && (prctl(PR_SET_PDEATHSIG, pdeath, 0, 0, 0) < 0 || getppid() != parent))
		return -ESRCH;
	return 0;
}
