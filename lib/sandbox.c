#include "sandbox.h"

#include <errno.h>
#include <linux/capability.h>
#include <seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef BH_SANITIZER_BUILD
/* Sanitizer builds only (make SAN=1): what the ASan/UBSan runtime needs
 * when it reports, and LeakSanitizer at exit (it lists and ptraces the
 * threads).  Appended to every policy; never in a production build. */
static const struct sandbox_rule sanitizer_rules[] = {
	{ "sigaltstack", -1, 0, "" }, { "rt_sigaction", -1, 0, "" }, { "prctl", -1, 0, "" },
	{ "readlink", -1, 0, "" }, { "readlinkat", -1, 0, "" }, { "getrlimit", -1, 0, "" },
	{ "prlimit64", -1, 0, "" }, { "sched_yield", -1, 0, "" }, { "gettid", -1, 0, "" },
	{ "tgkill", -1, 0, "" }, { "getppid", -1, 0, "" }, { "open", -1, 0, "" },
	{ "openat", -1, 0, "" }, { "getdents64", -1, 0, "" }, { "getdents", -1, 0, "" },
	{ "pipe2", -1, 0, "" }, { "clone", -1, 0, "" }, { "clone3", -1, 0, "" },
	{ "execve", -1, 0, "" }, { "mprotect", -1, 0, "" }, { "pread64", -1, 0, "" },
	{ "ptrace", -1, 0, "" }, { "wait4", -1, 0, "" }, { "sched_getaffinity", -1, 0, "" },
	{ "futex", -1, 0, "" }, { "ioctl", -1, 0, "" }, { "fstat", -1, 0, "" },
	{ "newfstatat", -1, 0, "" }, { "write", -1, 0, "" }, { "exit_group", -1, 0, "" },
};
#endif

static int add_rules(scmp_filter_ctx ctx, const struct sandbox_rule *rules, size_t n)
{
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		int nr = seccomp_syscall_resolve_name(rules[i].syscall);
		if (nr == __NR_SCMP_ERROR)
			return -EINVAL;
		if (rules[i].arg < 0) {
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		} else {
			struct scmp_arg_cmp cmp = {
				.arg = (unsigned)rules[i].arg, .op = SCMP_CMP_EQ,
				.datum_a = rules[i].value, .datum_b = 0,
			};
			rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, 1, &cmp);
		}
		/* The same call twice (a table and the sanitizer's) is fine. */
		if (rc == -EEXIST)
			rc = 0;
	}
	return rc;
}

int sandbox_install(const struct sandbox_rule *rules, size_t n)
{
	scmp_filter_ctx ctx;
	int rc = 0;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (ctx == NULL)
		return -ENOMEM;
#ifdef BH_SANITIZER_BUILD
	rc = add_rules(ctx, sanitizer_rules, sizeof(sanitizer_rules) / sizeof(sanitizer_rules[0]));
#endif
	if (rc == 0)
		rc = add_rules(ctx, rules, n);
	/* Every thread of the process, not only the caller (capd's audit
	 * flusher is started before the table). */
	if (rc == 0)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	return rc;
}

int sandbox_keep_caps(const int *caps, size_t n)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };

	for (int cap = 0; cap <= CAP_LAST_CAP; cap++) {
		int keep = 0;
		for (size_t i = 0; i < n; i++)
			keep |= caps[i] == cap;
		if (keep) {
			data[cap / 32].effective |= 1u << (cap % 32);
			data[cap / 32].permitted |= 1u << (cap % 32);
		} else if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) {
			return -errno;
		}
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return -errno;
	if (syscall(SYS_capset, &hdr, data) < 0)
		return -errno;
	return 0;
}

int sandbox_drop_all_caps(void)
{
	return sandbox_keep_caps(NULL, 0);
}

