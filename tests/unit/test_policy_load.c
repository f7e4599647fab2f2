/* qrexec policy loading (qrexec/policy/policy_load.c) in a scratch
 * $BULKHEAD_ROOT: file name rules and C-locale order, includes of every
 * kind, loops, depth, errors naming file and line, all-or-nothing, and
 * change detection with reload. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/paths.h"
#include "qrexec/policy/policy.h"
#include "tests/lib/check.h"

static char root[1024], dir[2048];   /* short enough that every path built from them fits */

static void path_of(char *out, const char *rel)
{
	snprintf(out, BH_PATH_MAX, "%s/%s", dir, rel);
}

static void put(const char *rel, const char *text)
{
	char p[BH_PATH_MAX];
	FILE *f;

	path_of(p, rel);
	f = fopen(p, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

static void mkd(const char *rel)
{
	char p[BH_PATH_MAX];

	path_of(p, rel);
	CHECK(mkdir(p, 0755) == 0 || errno == EEXIST);
}

static void rm(const char *rel)
{
	char p[BH_PATH_MAX];

	path_of(p, rel);
	CHECK(unlink(p) == 0);
}

/* Empties the policy directory (one level of subdirectories). */
static void clean(void)
{
	char cmd[2 * sizeof(dir) + 64];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", dir, dir);
	CHECK(system(cmd) == 0);
}

/* All rules of the policy as "file:line rule\n" lines, or "ERROR: msg". */
static const char *dump(const struct policy *p)
{
	static char buf[65536];
	size_t len = 0;

	buf[0] = '\0';
	if (policy_error(p)) {
		snprintf(buf, sizeof(buf), "ERROR: %s", policy_error(p));
		return buf;
	}
	for (size_t i = 0; i < policy_rule_count(p); i++) {
		char line[1024];
		const char *file;
		uint32_t ln;

		CHECK(policy_format_rule(p, i, line, sizeof(line)) > 0);
		policy_rule_origin(p, i, &file, &ln);
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s:%u %s\n", file, ln, line);
	}
	return buf;
}

static const char *load_dump(void)
{
	struct policy *p = policy_load_dir(NULL);
	const char *d = dump(p);

	CHECK(p != NULL);
	CHECK_STR(policy_dir(p), dir);
	policy_free(p);
	return d;
}

static void order_and_names(void)
{
	char p[BH_PATH_MAX], q[BH_PATH_MAX];

	clean();
	put("5-c.policy", "c * @anyvm @anyvm deny\n");
	put("10-a.policy", "# first\na * @anyvm @anyvm deny\n\na +x @anyvm @anyvm allow\n");
	put("20-b.policy", "b * @anyvm @anyvm deny");   /* no final newline */
	put("Z.txt", "not a policy, never read: !!!\n");
	put("README", "!!!\n");
	put(".hidden.policy", "!!!\n");
	put("x.policy.rpmsave", "!!!\n");
	mkd("include");
	put("include/notread.policy", "!!!\n");
	mkd("dir.policy");
	path_of(p, "dangling.policy");
	CHECK(symlink("/nonexistent/x", p) == 0);
	path_of(p, "fifo.policy");
	CHECK(mkfifo(p, 0600) == 0);
	path_of(p, "link.policy");
	path_of(q, "include/target");
	put("include/target", "l * @anyvm @anyvm deny\n");
	CHECK(symlink(q, p) == 0);
	CHECK_STR(load_dump(),
		  "10-a.policy:2 a * @anyvm @anyvm deny\n"
		  "10-a.policy:4 a +x @anyvm @anyvm allow\n"
		  "20-b.policy:1 b * @anyvm @anyvm deny\n"
		  "5-c.policy:1 c * @anyvm @anyvm deny\n"
		  "link.policy:1 l * @anyvm @anyvm deny\n");

	/* One invalid name and nothing loads. */
	put("Bad.policy", "x * @anyvm @anyvm allow\n");
	CHECK_STR(load_dump(), "ERROR: Bad.policy: invalid file name (allowed: [0-9a-z_.-], not starting with '.')");
	rm("Bad.policy");
	put("a b.policy", "");
	CHECK(strstr(load_dump(), "ERROR: a b.policy: invalid file name") != NULL);
	rm("a b.policy");
	put("caf\xc3\xa9.policy", "");
	CHECK(strstr(load_dump(), "invalid file name") != NULL);
	rm("caf\xc3\xa9.policy");
	/* An empty directory is a valid policy that denies everything. */
	clean();
	CHECK_STR(load_dump(), "");
}

static void includes(void)
{
	clean();
	mkd("include");
	mkd("include/d");
	put("10-main.policy",
	    "before * @anyvm @anyvm deny\n"
	    "!include include/rel\n"
	    "!include /etc/qubes/policy.d/include/abs\n"
	    "!include-dir include/d\n"
	    "!include-service qubes.Gpg + include/gpg\n"
	    "!include-service * * include/all\n"
	    "after * @anyvm @anyvm deny\n");
	put("include/rel", "rel * @anyvm @anyvm deny\n");
	put("include/abs", "abs * @anyvm @anyvm deny\n");
	put("include/d/b.policy", "db * @anyvm @anyvm deny\n");
	put("include/d/a.policy", "da * @anyvm @anyvm deny\n");
	put("include/d/ignored", "!!!\n");
	put("include/gpg", "# Qubes 4.0 syntax\n$anyvm $dispvm allow,target=$dispvm:dvm\nwork vault ask,default_target=vault\n"
			  "$include:include/gpg2\n");
	put("include/gpg2", "$tag:x $anyvm deny\n!include include/gpg3\n");
	put("include/gpg3", "sys-net $anyvm deny,notify=no\n");
	put("include/all", "$anyvm $anyvm deny\n");
	CHECK_STR(load_dump(),
		  "10-main.policy:1 before * @anyvm @anyvm deny\n"
		  "include/rel:1 rel * @anyvm @anyvm deny\n"
		  "include/abs:1 abs * @anyvm @anyvm deny\n"
		  "include/d/a.policy:1 da * @anyvm @anyvm deny\n"
		  "include/d/b.policy:1 db * @anyvm @anyvm deny\n"
		  "include/gpg:2 qubes.Gpg + @anyvm @dispvm allow target=@dispvm:dvm\n"
		  "include/gpg:3 qubes.Gpg + work vault ask default_target=vault\n"
		  "include/gpg2:1 qubes.Gpg + @tag:x @anyvm deny\n"
		  "include/gpg3:1 qubes.Gpg + sys-net @anyvm deny notify=no\n"
		  "include/all:1 * * @anyvm @anyvm deny\n"
		  "10-main.policy:7 after * @anyvm @anyvm deny\n");

	/* A file may be included twice (not a loop). */
	put("10-main.policy", "!include include/rel\n!include include/rel\n");
	CHECK_STR(load_dump(), "include/rel:1 rel * @anyvm @anyvm deny\ninclude/rel:1 rel * @anyvm @anyvm deny\n");

	/* Errors name the file and line that made them. */
	put("10-main.policy", "ok * @anyvm @anyvm deny\n!include include/missing\n");
	CHECK_STR(load_dump(), "ERROR: 10-main.policy:2: cannot read include/missing: No such file or directory");
	put("10-main.policy", "!include include/d\n");
	CHECK_STR(load_dump(), "ERROR: 10-main.policy:1: not a regular file: include/d");
	put("10-main.policy", "!include-dir include/rel\n");
	CHECK(strstr(load_dump(), "ERROR: 10-main.policy:1: cannot read directory include/rel") != NULL);
	put("10-main.policy", "!include include/bad\n");
	put("include/bad", "ok * @anyvm @anyvm deny\n\nbad * @anyvm @anyvm allow user=Root\n");
	CHECK_STR(load_dump(), "ERROR: include/bad:3: invalid user= value");
	put("10-main.policy", "!include-service s + include/badold\n");
	put("include/badold", "$anyvm $anyvm allow,frob=1\n");
	CHECK_STR(load_dump(), "ERROR: include/badold:1: invalid parameter for this action");
	put("10-main.policy", "!include-dir include/d\n");
	put("include/d/Bad.policy", "");
	CHECK_STR(load_dump(), "ERROR: include/d/Bad.policy: invalid file name (allowed: [0-9a-z_.-], not starting with '.')");
	rm("include/d/Bad.policy");
	/* A later file's syntax error also drops the rules of earlier files. */
	put("10-main.policy", "ok * @anyvm @anyvm allow\n");
	put("20-bad.policy", "\n\n\n* +x @anyvm @anyvm allow\n");
	CHECK_STR(load_dump(), "ERROR: 20-bad.policy:4: only * argument allowed for * service");
	rm("20-bad.policy");
}

static void loops_and_depth(void)
{
	clean();
	mkd("include");
	put("10-main.policy", "!include include/a\n");
	put("include/a", "a * @anyvm @anyvm deny\n!include include/b\n");
	put("include/b", "!include include/a\n");
	CHECK_STR(load_dump(), "ERROR: include/b:1: include loop: include/a");
	put("include/a", "!include include/a\n");
	CHECK_STR(load_dump(), "ERROR: include/a:1: include loop: include/a");
	/* !include-dir of the policy directory itself. */
	put("10-main.policy", "!include-dir /etc/qubes/policy.d\n");
	CHECK(strstr(load_dump(), "ERROR: 10-main.policy:1: include loop") != NULL);
	/* Eight nested includes are fine, nine are not. */
	for (int depth = 8; depth <= 9; depth++) {
		char name[64], text[128];

		snprintf(text, sizeof(text), "!include include/n1\n");
		put("10-main.policy", text);
		for (int i = 1; i <= depth; i++) {
			snprintf(name, sizeof(name), "include/n%d", i);
			if (i < depth)
				snprintf(text, sizeof(text), "!include include/n%d\n", i + 1);
			else
				snprintf(text, sizeof(text), "deep * @anyvm @anyvm deny\n");
			put(name, text);
		}
		if (depth == 8)
			CHECK_STR(load_dump(), "include/n8:1 deep * @anyvm @anyvm deny\n");
		else
			CHECK_STR(load_dump(), "ERROR: include/n8:1: includes nested deeper than 8: include/n9");
	}
}

static void missing_dir(void)
{
	struct policy *p = policy_load_dir("/nonexistent/policy.d");
	struct policy_decision *d = malloc(sizeof(*d));
	struct policy_query q = { "work", "vault", "s", "", NULL };

	CHECK(policy_error(p) != NULL);
	CHECK(strstr(policy_error(p), "cannot read directory") != NULL);
	CHECK(policy_rule_count(p) == 0);
	CHECK(policy_evaluate(p, &q, d) == 0);
	CHECK(d->verdict == POLICY_DENY && d->reason == PREASON_POLICY_ERROR);
	free(d);
	policy_free(p);
	/* Trailing slashes do not change display names. */
	clean();
	put("a.policy", "s * @anyvm @anyvm deny\n");
	{
		char withslash[sizeof(dir) + 2];
		const char *file;
		uint32_t line;

		snprintf(withslash, sizeof(withslash), "%s//", dir);
		p = policy_load_dir(withslash);
		CHECK(policy_error(p) == NULL);
		policy_rule_origin(p, 0, &file, &line);
		CHECK_STR(file, "a.policy");
		CHECK_STR(policy_dir(p), dir);
		policy_free(p);
	}
}

static void reload(void)
{
	struct policy *p, *old;

	clean();
	mkd("include");
	put("10-a.policy", "a * @anyvm @anyvm deny\n!include include/x\n");
	put("include/x", "x * @anyvm @anyvm deny\n");
	p = policy_load_dir(NULL);
	CHECK(policy_error(p) == NULL);
	CHECK(!policy_changed(p));
	CHECK(policy_reload(&p) == 0);

	/* Rewriting an included file. */
	put("include/x", "x * @anyvm @anyvm allow\nx2 * @anyvm @anyvm deny\n");
	CHECK(policy_changed(p));
	old = p;
	CHECK(policy_reload(&p) == 1);
	CHECK(p != old || policy_rule_count(p) == 3);
	CHECK(policy_rule_count(p) == 3);
	CHECK(!policy_changed(p));

	/* A new file in the directory. */
	put("20-b.policy", "b * @anyvm @anyvm deny\n");
	CHECK(policy_changed(p));
	CHECK(policy_reload(&p) == 1);
	CHECK(policy_rule_count(p) == 4);

	/* A broken edit replaces the policy with one that denies everything. */
	put("20-b.policy", "b * @anyvm @anyvm nope\n");
	CHECK(policy_reload(&p) == 1);
	CHECK_STR(policy_error(p), "20-b.policy:1: invalid action (allow, deny or ask)");
	CHECK(policy_rule_count(p) == 0);
	CHECK(policy_reload(&p) == 0);
	/* Fixing it is picked up. */
	rm("20-b.policy");
	CHECK(policy_changed(p));
	CHECK(policy_reload(&p) == 1);
	CHECK(policy_error(p) == NULL && policy_rule_count(p) == 3);

	/* A missing include appearing later. */
	put("10-a.policy", "!include include/later\n");
	CHECK(policy_reload(&p) == 1);
	CHECK(policy_error(p) != NULL);
	CHECK(!policy_changed(p));
	put("include/later", "later * @anyvm @anyvm deny\n");
	CHECK(policy_changed(p));
	CHECK(policy_reload(&p) == 1);
	CHECK(policy_error(p) == NULL && policy_rule_count(p) == 1);

	/* Replacing a file by rename (new inode, same size). */
	{
		char a[BH_PATH_MAX], b[BH_PATH_MAX];

		put("include/later.new", "LATER * @anyvm @anyvm deny\n");
		path_of(a, "include/later.new");
		path_of(b, "include/later");
		CHECK(rename(a, b) == 0);
		CHECK(policy_changed(p));
		CHECK(policy_reload(&p) == 1);
		CHECK(strstr(dump(p), "LATER") != NULL);
	}
	/* A file that is ignored now but becomes a regular file. */
	mkd("late.policy");
	CHECK(policy_reload(&p) == 1);
	CHECK(!policy_changed(p));
	{
		char a[BH_PATH_MAX];

		path_of(a, "late.policy");
		CHECK(rmdir(a) == 0);
	}
	put("late.policy", "late * @anyvm @anyvm deny\n");
	CHECK(policy_changed(p));
	CHECK(policy_reload(&p) == 1);
	CHECK(policy_rule_count(p) == 2);
	policy_free(p);

	/* A NULL policy has always changed; reload loads the default dir. */
	CHECK(policy_changed(NULL));
	p = NULL;
	CHECK(policy_reload(&p) == 1);
	CHECK(p != NULL && policy_rule_count(p) == 2);
	policy_free(p);
}

int main(void)
{
	const char *env = getenv("BULKHEAD_ROOT");
	char cmd[sizeof(dir) + 16];

	if (env && env[0]) {
		snprintf(root, sizeof(root), "%s", env);
	} else {
		snprintf(root, sizeof(root), "/tmp/bh-policy-load.XXXXXX");
		if (!mkdtemp(root))
			return 1;
		setenv("BULKHEAD_ROOT", root, 1);
	}
	snprintf(dir, sizeof(dir), "%s/" POLICY_DIR_REL, root);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	order_and_names();
	includes();
	loops_and_depth();
	missing_dir();
	reload();
	return check_exit();
}
