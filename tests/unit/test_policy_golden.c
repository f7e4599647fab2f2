/* Golden tests of qrexec-policy-check over tests/golden/policy/<case>/:
 *
 *   policy.d/     the policy (a policy.d directory, includes inside it)
 *   queries       "SOURCE TARGET SERVICE[+ARG] => DECISION LINE" per line
 *                 ('#' comments; "" is the empty target)
 *   list          optional: the exact output of --list
 *   error         optional: the policy must be refused with this message
 *   facts         optional: qubes for this case (default: ../facts)
 *
 * For every query the tool's stdout must be the decision line and its exit
 * status must match the verdict (0 allow, 1 deny, 3 ask).  For every policy
 * that loads, --list is printed, loaded again and printed again: both
 * prints must be identical, and every query must get the same decision
 * from the reprinted policy (its rule= origin aside). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/lib/check.h"

#define GOLDEN "tests/golden/policy"
#define OUT_MAX (256 * 1024)

static char tool[2048], scratch[1024];

/* Bounded copy that truncates quietly (test text only). */
static void cpy(char *d, size_t cap, const char *s)
{
	size_t n = strnlen(s, cap - 1);

	memcpy(d, s, n);
	d[n] = '\0';
}

struct run {
	int status;
	char out[OUT_MAX];
	char err[OUT_MAX];
};

static void slurp(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	buf[0] = '\0';
	if (!f)
		return;
	n = fread(buf, 1, cap - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* Runs the tool with argv (NULL-terminated, argv[0] ignored). */
static void run_tool(char *const argv[], struct run *r)
{
	char outp[4200], errp[4200];
	pid_t pid;
	int st;

	snprintf(outp, sizeof(outp), "%s/out", scratch);
	snprintf(errp, sizeof(errp), "%s/err", scratch);
	pid = fork();
	if (pid == 0) {
		int o = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int e = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(125);
		execv(tool, argv);
		_exit(126);
	}
	r->status = -1;
	if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st))
		r->status = WEXITSTATUS(st);
	slurp(outp, r->out, sizeof(r->out));
	slurp(errp, r->err, sizeof(r->err));
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* "rule=..." removed, for comparing decisions of the reprinted policy. */
static void strip_rule(char *s)
{
	char *r = strstr(s, " rule=");

	if (r)
		*r = '\0';
}

static int expected_status(const char *decision)
{
	if (strncmp(decision, "allow ", 6) == 0)
		return 0;
	if (strncmp(decision, "ask ", 4) == 0)
		return 3;
	return 1;
}

static struct run R;

static void fail_case(const char *c, const char *what, const char *got, const char *want)
{
	check_failures++;
	fprintf(stderr, "%s: %s\n  got:  %s\n  want: %s\n", c, what, got, want);
}

/* Evaluates every line of the queries file against dir. */
static void queries(const char *c, const char *dir, const char *facts, bool compare_to_file,
		    char (*decisions)[1024], size_t *ndec)
{
	char qpath[4200], line[2048];
	FILE *f;
	unsigned lineno = 0;
	size_t n = 0;

	snprintf(qpath, sizeof(qpath), GOLDEN "/%s/queries", c);
	f = fopen(qpath, "r");
	if (!f) {
		fail_case(c, "no queries file", "", qpath);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char src[128], tgt[128], call[1024], *arrow, *want;
		char *argv[9];
		char where[4300];

		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		arrow = strstr(line, " => ");
		if (!arrow || sscanf(line, "%127s %127s %1023s", src, tgt, call) != 3) {
			fail_case(c, "malformed queries line", line, "SOURCE TARGET CALL => DECISION");
			continue;
		}
		want = arrow + 4;
		if (strcmp(tgt, "\"\"") == 0)
			tgt[0] = '\0';
		argv[0] = tool;
		argv[1] = "--policy-dir";
		argv[2] = (char *)dir;
		argv[3] = "--facts";
		argv[4] = (char *)facts;
		argv[5] = src;
		argv[6] = tgt;
		argv[7] = call;
		argv[8] = NULL;
		run_tool(argv, &R);
		R.out[strcspn(R.out, "\n")] = '\0';
		snprintf(where, sizeof(where), "queries:%u (%s %s %s)%s", lineno, src, tgt[0] ? tgt : "\"\"",
			 call, compare_to_file ? "" : " on the reprinted policy");
		check_count++;
		if (compare_to_file) {
			if (strcmp(R.out, want) != 0)
				fail_case(c, where, R.out, want);
			else if (R.status != expected_status(want))
				fail_case(c, where, "wrong exit status", R.err);
			if (n < 256)
				cpy(decisions[n++], 1024, R.out);
		} else if (n < *ndec) {
			char a[1024], b[1024];

			cpy(a, sizeof(a), R.out);
			cpy(b, sizeof(b), decisions[n++]);
			strip_rule(a);
			strip_rule(b);
			if (strcmp(a, b) != 0)
				fail_case(c, where, a, b);
		}
	}
	fclose(f);
	if (compare_to_file)
		*ndec = n;
}

static void one_case(const char *c)
{
	static char decisions[256][1024];
	static char want[OUT_MAX], first[OUT_MAX];
	char dir[1024], facts[1024], p[4200], redir[2048];
	char *argv[5];
	size_t ndec = 0;
	bool broken;

	snprintf(dir, sizeof(dir), GOLDEN "/%s/policy.d", c);
	snprintf(facts, sizeof(facts), GOLDEN "/%s/facts", c);
	if (!exists(facts))
		snprintf(facts, sizeof(facts), GOLDEN "/facts");
	snprintf(p, sizeof(p), GOLDEN "/%s/error", c);
	broken = exists(p);

	/* --list, and the refusal message of a broken policy. */
	argv[0] = tool;
	argv[1] = "--policy-dir";
	argv[2] = dir;
	argv[3] = "--list";
	argv[4] = NULL;
	run_tool(argv, &R);
	check_count++;
	if (broken) {
		static const char pfx[] = "qrexec-policy-check: policy refused, everything is denied: ";
		char msg[OUT_MAX];

		slurp(p, want, sizeof(want));
		want[strcspn(want, "\n")] = '\0';
		cpy(msg, sizeof(msg), pfx);
		cpy(msg + sizeof(pfx) - 1, sizeof(msg) - sizeof(pfx) + 1, want);
		R.err[strcspn(R.err, "\n")] = '\0';
		if (R.status != 1 || R.out[0] || strcmp(R.err, msg) != 0)
			fail_case(c, "refusal", R.err, msg);
	} else {
		if (R.status != 0)
			fail_case(c, "--list failed", R.err, "exit 0");
		snprintf(p, sizeof(p), GOLDEN "/%s/list", c);
		if (exists(p)) {
			slurp(p, want, sizeof(want));
			if (strcmp(R.out, want) != 0)
				fail_case(c, "--list", R.out, want);
		}
	}
	cpy(first, sizeof(first), R.out);

	queries(c, dir, facts, true, decisions, &ndec);
	if (broken)
		return;

	/* Round trip: the printed policy as one file, printed again. */
	snprintf(redir, sizeof(redir), "%s/rt.d", scratch);
	snprintf(p, sizeof(p), "rm -rf '%s' && mkdir -p '%s'", redir, redir);
	CHECK(system(p) == 0);
	snprintf(p, sizeof(p), "%s/50-list.policy", redir);
	{
		FILE *f = fopen(p, "w");

		CHECK(f != NULL);
		if (f) {
			fputs(first, f);
			fclose(f);
		}
	}
	argv[2] = redir;
	run_tool(argv, &R);
	check_count++;
	if (R.status != 0 || strcmp(R.out, first) != 0)
		fail_case(c, "round trip (--list, reload, --list)", R.out, first);
	queries(c, redir, facts, false, decisions, &ndec);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	const char *build = getenv("BULKHEAD_BUILD");
	char *cases[512];
	size_t n = 0;
	struct dirent *de;
	DIR *d;

	snprintf(tool, sizeof(tool), "%s/bin/qrexec-policy-check", build && build[0] ? build : "build");
	if (access(tool, X_OK) != 0) {
		fprintf(stderr, "%s: not built\n", tool);
		return 1;
	}
	snprintf(scratch, sizeof(scratch), "/tmp/bh-policy-golden.XXXXXX");
	if (!mkdtemp(scratch))
		return 1;
	d = opendir(GOLDEN);
	if (!d) {
		perror(GOLDEN);
		return 1;
	}
	while ((de = readdir(d)) != NULL && n < 512) {
		char p[4200];
		struct stat st;

		snprintf(p, sizeof(p), GOLDEN "/%s", de->d_name);
		if (de->d_name[0] != '.' && stat(p, &st) == 0 && S_ISDIR(st.st_mode))
			cases[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(cases, n, sizeof(*cases), cmp);
	for (size_t i = 0; i < n; i++) {
		int before = check_failures;

		one_case(cases[i]);
		printf("%s %s\n", check_failures == before ? "ok  " : "FAIL", cases[i]);
		free(cases[i]);
	}
	{
		char cmd[4200];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
		if (system(cmd) != 0)
			check_failures++;
	}
	CHECK(n >= 10);
	return check_exit();
}
