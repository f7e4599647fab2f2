/* qrexec policy evaluation (qrexec/policy/policy_eval.c) over policies
 * built from text: first match, argument matching, every source and target
 * token, allow/deny/ask with every parameter, @default, @dispvm, the ask
 * target list, query validation, a broken policy. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qrexec/policy/policy.h"
#include "qrexec/policy/policy_facts.h"
#include "tests/lib/check.h"

static struct policy_facts_table *T;
static struct policy_facts F;
static struct policy_decision D;
static char out[POLICY_ASK_TARGETS_MAX * POLICY_TARGET_MAX + 1024];

static void add(const char *name, enum policy_class cls, bool tfd, bool running, const char *dd,
		const char *tmpl, const char *tag1, const char *tag2)
{
	const char *tags[2] = { tag1, tag2 };
	struct policy_qube q = { .name = name, .cls = cls, .template_for_dispvms = tfd, .running = running,
				 .default_dispvm = dd, .template = tmpl, .tags = tags,
				 .ntags = tag2 ? 2u : tag1 ? 1u : 0u };

	CHECK(policy_facts_table_add(T, &q) == 0);
}

static void facts(void)
{
	T = policy_facts_table_new();
	add("dom0", PCLASS_ADMINVM, false, true, NULL, NULL, "admintag", NULL);
	add("work", PCLASS_APPVM, false, true, "dvm", NULL, "mgmt", "work-tag");
	add("personal", PCLASS_APPVM, false, false, "dvm", NULL, NULL, NULL);
	add("vault", PCLASS_APPVM, false, true, "", NULL, "secret", NULL);
	add("dvm", PCLASS_APPVM, true, false, "dvm", NULL, "dvmtag", NULL);
	add("dvm2", PCLASS_APPVM, true, false, NULL, NULL, NULL, NULL);
	add("disp1", PCLASS_DISPVM, false, true, "dvm", "dvm", NULL, NULL);
	add("tpl", PCLASS_TEMPLATEVM, false, false, NULL, NULL, NULL, NULL);
	add("sa", PCLASS_STANDALONEVM, false, true, "dvm2", NULL, "secret", NULL);
	add("baddd", PCLASS_APPVM, false, true, "personal", NULL, NULL, NULL);
	F = policy_facts_table_facts(T);
	/* The table itself. */
	{
		struct policy_qube q = { .name = "work", .cls = PCLASS_APPVM };
		struct policy_qube bad = { .name = "x-dm", .cls = PCLASS_APPVM };
		const char *badtag[1] = { "a b" };
		struct policy_qube bt = { .name = "ok", .cls = PCLASS_APPVM, .tags = badtag, .ntags = 1 };

		CHECK(policy_facts_table_add(T, &q) == -EEXIST);
		CHECK(policy_facts_table_add(T, &bad) == -EINVAL);
		CHECK(policy_facts_table_add(T, &bt) == -EINVAL);
		CHECK(F.lookup(F.ctx, "nope") == NULL);
		CHECK_STR(F.at(F.ctx, 0)->name, "baddd");   /* sorted by name */
		CHECK(F.at(F.ctx, 10) == NULL);
	}
}

/* Evaluates "svc+arg" from src to tgt against policy text; returns the
 * decision line. */
static const char *ev(const char *text, const char *src, const char *tgt, const char *call)
{
	struct policy *p = policy_load_buffer("t.policy", text, strlen(text));
	char svc[400];
	char *plus;
	struct policy_query q;

	snprintf(svc, sizeof(svc), "%s", call);
	plus = strchr(svc, '+');
	if (plus)
		*plus++ = '\0';
	q.source = src;
	q.target = tgt;
	q.service = svc;
	q.argument = plus ? plus : "";
	q.facts = &F;
	CHECK(policy_evaluate(p, &q, &D) == 0);
	CHECK(policy_format_decision(&D, out, sizeof(out)) > 0);
	policy_free(p);
	return out;
}

#define EV(text, src, tgt, call, expect) CHECK_STR(ev(text, src, tgt, call), expect)

#define A_PERSONAL "allow target=personal user=DEFAULT notify=no autostart=yes requested=personal"

static void first_match_and_arguments(void)
{
	const char *p =
		"# comment\n"
		"\n"
		"s +a work personal allow\n"
		"s + work personal deny notify=no\n"
		"s * work personal ask\n"
		"s * work personal allow\n"
		"* * work personal allow user=late\n";

	EV(p, "work", "personal", "s+a", A_PERSONAL " rule=t.policy:3");
	EV(p, "work", "personal", "s+", "deny reason=denied notify=no requested=personal rule=t.policy:4");
	EV(p, "work", "personal", "s", "deny reason=denied notify=no requested=personal rule=t.policy:4");
	EV(p, "work", "personal", "s+b",
	   "ask targets=personal user=DEFAULT notify=no autostart=yes requested=personal rule=t.policy:5");
	EV(p, "work", "personal", "s+a+b",
	   "ask targets=personal user=DEFAULT notify=no autostart=yes requested=personal rule=t.policy:5");
	EV(p, "work", "personal", "t+x",
	   "allow target=personal user=late notify=no autostart=yes requested=personal rule=t.policy:7");
	EV(p, "work", "vault", "s+a", "deny reason=no-match notify=yes requested=vault rule=none");
	EV(p, "vault", "personal", "s", "deny reason=no-match notify=yes requested=personal rule=none");
	/* Wildcard-service rules keep their place among indexed ones. */
	EV("* * work @anyvm deny\ns * work @anyvm allow\n", "work", "vault", "s",
	   "deny reason=denied notify=yes requested=vault rule=t.policy:1");
	EV("s * work @anyvm allow\n* * work @anyvm deny\n", "work", "vault", "s",
	   "allow target=vault user=DEFAULT notify=no autostart=yes requested=vault rule=t.policy:1");
	EV("s2 * work @anyvm allow\n* * work @anyvm deny\ns * work @anyvm allow\n", "work", "vault", "s",
	   "deny reason=denied notify=yes requested=vault rule=t.policy:2");
	/* Service names match exactly, case included. */
	EV("S * work @anyvm allow\n", "work", "vault", "s", "deny reason=no-match notify=yes requested=vault rule=none");
	EV("s.x * work @anyvm allow\n", "work", "vault", "s", "deny reason=no-match notify=yes requested=vault rule=none");
}

static void sources(void)
{
	static const struct {
		const char *tok, *yes, *no;
	} t[] = {
		{ "work", "work", "personal" },
		{ "dom0", "dom0", "work" },
		{ "@adminvm", "dom0", "work" },
		{ "@anyvm", "work", "dom0" },
		{ "@anyvm", "disp1", "dom0" },
		{ "*", "dom0", NULL },
		{ "*", "work", NULL },
		{ "@tag:secret", "vault", "work" },
		{ "@tag:secret", "sa", "personal" },
		{ "@tag:admintag", "dom0", "vault" },
		{ "@type:AppVM", "work", "sa" },
		{ "@type:StandaloneVM", "sa", "work" },
		{ "@type:AdminVM", "dom0", "work" },
		{ "@type:DispVM", "disp1", "dvm" },
		{ "@type:TemplateVM", "tpl", "dom0" },
		/* Bulkhead: a DispVM by its template (Qubes never matches these). */
		{ "@dispvm:dvm", "disp1", "dvm" },
		{ "@dispvm:dvm2", NULL, "disp1" },
		{ "@dispvm:@tag:dvmtag", "disp1", "dvm" },
		{ "@dispvm:@tag:secret", NULL, "disp1" },
	};
	char p[200];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(p, sizeof(p), "s * %s @default deny notify=no\n", t[i].tok);
		if (t[i].yes)
			EV(p, t[i].yes, "", "s", "deny reason=denied notify=no requested=@default rule=t.policy:1");
		if (t[i].no)
			EV(p, t[i].no, "", "s", "deny reason=no-match notify=yes requested=@default rule=none");
	}
}

static void targets(void)
{
	static const struct {
		const char *tok, *yes, *no;
	} t[] = {
		{ "vault", "vault", "personal" },
		{ "dom0", "dom0", "vault" },
		{ "@adminvm", "@adminvm", "vault" },
		{ "@adminvm", "dom0", "@default" },
		{ "@anyvm", "vault", "dom0" },
		{ "@anyvm", "@default", "@adminvm" },
		{ "@anyvm", "@dispvm", NULL },
		{ "@anyvm", "@dispvm:dvm", NULL },
		{ "*", "dom0", NULL },
		{ "*", "@default", NULL },
		{ "*", "@dispvm:dvm2", NULL },
		{ "@default", "@default", "vault" },
		{ "@default", "", "@dispvm" },
		{ "@default", "no-such-qube", NULL },   /* Qubes 4.2: unknown target is @default */
		{ "@dispvm", "@dispvm", "@dispvm:dvm" },
		{ "@dispvm:dvm", "@dispvm:dvm", "@dispvm:dvm2" },
		{ "@dispvm:dvm", "@dispvm", "dvm" },    /* work's default_dispvm is dvm */
		{ "@dispvm:dvm2", "@dispvm:dvm2", "@dispvm" },
		{ "@dispvm:@tag:dvmtag", "@dispvm:dvm", "@dispvm:dvm2" },
		{ "@dispvm:@tag:dvmtag", "@dispvm", "dvm" },
		{ "@tag:secret", "vault", "personal" },
		{ "@tag:secret", "sa", "@default" },
		{ "@tag:admintag", NULL, "dom0" },   /* dom0 as a target is @adminvm, not a name */
		{ "@type:AppVM", "vault", "sa" },
		{ "@type:DispVM", "disp1", "@dispvm" },
		{ "@type:AdminVM", NULL, "dom0" },
	};
	char p[200], want[200], req[64];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(p, sizeof(p), "s * work %s deny notify=no\n", t[i].tok);
		if (t[i].yes) {
			const char *r = t[i].yes;

			if (!r[0] || strcmp(r, "no-such-qube") == 0)
				r = "@default";
			else if (strcmp(r, "dom0") == 0)
				r = "@adminvm";
			snprintf(req, sizeof(req), "%s", r);
			snprintf(want, sizeof(want), "deny reason=denied notify=no requested=%s rule=t.policy:1", req);
			EV(p, "work", t[i].yes, "s", want);
		}
		if (t[i].no) {
			const char *r = strcmp(t[i].no, "dom0") == 0 ? "@adminvm" : t[i].no;

			snprintf(want, sizeof(want), "deny reason=no-match notify=yes requested=%s rule=none", r);
			EV(p, "work", t[i].no, "s", want);
		}
	}
}

static void allow(void)
{
	/* Plain allow to the requested target. */
	EV("s * work @anyvm allow\n", "work", "vault", "s",
	   "allow target=vault user=DEFAULT notify=no autostart=yes requested=vault rule=t.policy:1");
	/* @anyvm matches @default, but allow needs a target. */
	EV("s * work @anyvm allow\n", "work", "", "s",
	   "deny reason=no-target notify=yes requested=@default rule=t.policy:1");
	/* @default with target= (required by the parser). */
	EV("s * work @default allow target=vault user=u notify=yes autostart=yes\n", "work", "@default", "s",
	   "allow target=vault user=u notify=yes autostart=yes requested=@default rule=t.policy:1");
	/* Redirect wins over the requested target. */
	EV("s * work @anyvm allow target=vault\n", "work", "personal", "s",
	   "allow target=vault user=DEFAULT notify=no autostart=yes requested=personal rule=t.policy:1");
	EV("s * work @anyvm allow target=dom0\n", "work", "personal", "s",
	   "allow target=dom0 user=DEFAULT notify=no autostart=yes requested=personal rule=t.policy:1");
	EV("s * work @anyvm allow target=@adminvm\n", "work", "personal", "s",
	   "allow target=dom0 user=DEFAULT notify=no autostart=yes requested=personal rule=t.policy:1");
	EV("s * work @anyvm allow target=gone\n", "work", "personal", "s",
	   "deny reason=no-target notify=yes requested=personal rule=t.policy:1");
	EV("s * work @anyvm allow target=@dispvm:personal\n", "work", "personal", "s",
	   "deny reason=bad-target notify=yes requested=personal rule=t.policy:1");
	EV("s * work @anyvm allow target=@dispvm:dvm2\n", "work", "personal", "s",
	   "allow target=@dispvm:dvm2 user=DEFAULT notify=no autostart=yes requested=personal rule=t.policy:1");
	/* @dispvm resolves to the source's default_dispvm. */
	EV("s * @anyvm @dispvm allow\n", "work", "@dispvm", "s",
	   "allow target=@dispvm:dvm user=DEFAULT notify=no autostart=yes requested=@dispvm rule=t.policy:1");
	EV("s * @anyvm @dispvm allow\n", "sa", "@dispvm", "s",
	   "allow target=@dispvm:dvm2 user=DEFAULT notify=no autostart=yes requested=@dispvm rule=t.policy:1");
	EV("s * @anyvm @dispvm allow\n", "vault", "@dispvm", "s",
	   "deny reason=no-dispvm notify=yes requested=@dispvm rule=t.policy:1");
	EV("s * @anyvm @dispvm allow\n", "baddd", "@dispvm", "s",
	   "deny reason=no-dispvm notify=yes requested=@dispvm rule=t.policy:1");
	EV("s * @anyvm @anyvm allow target=@dispvm\n", "work", "vault", "s",
	   "allow target=@dispvm:dvm user=DEFAULT notify=no autostart=yes requested=vault rule=t.policy:1");
	EV("s * @anyvm @dispvm:dvm allow\n", "work", "@dispvm:dvm", "s",
	   "allow target=@dispvm:dvm user=DEFAULT notify=no autostart=yes requested=@dispvm:dvm rule=t.policy:1");
	/* The @dispvm:NAME rule also takes a plain @dispvm whose default is NAME. */
	EV("s * @anyvm @dispvm:dvm allow\n", "work", "@dispvm", "s",
	   "allow target=@dispvm:dvm user=DEFAULT notify=no autostart=yes requested=@dispvm rule=t.policy:1");
	/* autostart=no: only dom0 and running qubes. */
	EV("s * @anyvm @anyvm allow autostart=no\n", "work", "vault", "s",
	   "allow target=vault user=DEFAULT notify=no autostart=no requested=vault rule=t.policy:1");
	EV("s * @anyvm @anyvm allow autostart=no notify=yes\n", "work", "personal", "s",
	   "deny reason=autostart notify=yes requested=personal rule=t.policy:1");
	EV("s * @anyvm @anyvm allow autostart=no\n", "work", "personal", "s",
	   "deny reason=autostart notify=no requested=personal rule=t.policy:1");
	EV("s * @anyvm @dispvm allow autostart=no\n", "work", "@dispvm", "s",
	   "deny reason=autostart notify=no requested=@dispvm rule=t.policy:1");
	EV("s * @anyvm @adminvm allow autostart=no\n", "work", "dom0", "s",
	   "allow target=dom0 user=DEFAULT notify=no autostart=no requested=@adminvm rule=t.policy:1");
	/* Loopback is refused. */
	EV("s * @anyvm @anyvm allow\n", "work", "work", "s",
	   "deny reason=loopback notify=yes requested=work rule=t.policy:1");
	EV("s * * * allow\n", "dom0", "dom0", "s",
	   "deny reason=loopback notify=yes requested=@adminvm rule=t.policy:1");
	EV("s * @anyvm @anyvm allow target=work\n", "work", "vault", "s",
	   "deny reason=loopback notify=yes requested=vault rule=t.policy:1");
}

static void deny(void)
{
	EV("s * @anyvm @anyvm deny\n", "work", "vault", "s",
	   "deny reason=denied notify=yes requested=vault rule=t.policy:1");
	EV("s * @anyvm @anyvm deny notify=yes\n", "work", "vault", "s",
	   "deny reason=denied notify=yes requested=vault rule=t.policy:1");
	EV("s * @anyvm @anyvm deny notify=no\n", "work", "vault", "s",
	   "deny reason=denied notify=no requested=vault rule=t.policy:1");
}

static void ask(void)
{
	/* Candidates: every rule for (service, argument, source), last first;
	 * deny rules remove.  Names in the facts' (sorted) order, then DispVMs. */
	const char *p =
		"s * work vault deny\n"
		"s * work @anyvm ask default_target=personal\n"
		"s * work @adminvm allow\n"
		"s * personal @anyvm allow\n";

	EV(p, "work", "personal", "s",
	   "ask targets=baddd,disp1,dom0,dvm,dvm2,personal,sa,tpl,work,@dispvm:dvm,@dispvm:dvm2 "
	   "default_target=personal user=DEFAULT notify=no autostart=yes requested=personal rule=t.policy:2");
	/* The deny at line 1 removes vault even though it comes first. */
	EV(p, "work", "vault", "s", "deny reason=denied notify=yes requested=vault rule=t.policy:1");
	/* An earlier deny removes what a later rule added (Qubes walks the
	 * rules last to first); a later deny does not. */
	EV("s * work @type:AppVM deny\ns * work @dispvm deny\ns * work @anyvm ask\n", "work", "", "s",
	   "ask targets=disp1,sa,tpl,@dispvm:dvm,@dispvm:dvm2 user=DEFAULT notify=no autostart=yes "
	   "requested=@default rule=t.policy:3");
	EV("s * work @anyvm ask\ns * work vault deny\n", "work", "", "s",
	   "ask targets=baddd,disp1,dvm,dvm2,personal,sa,tpl,vault,work,@dispvm:dvm,@dispvm:dvm2 "
	   "user=DEFAULT notify=no autostart=yes requested=@default rule=t.policy:1");
	/* @dispvm in the set becomes the source's default DispVM; @adminvm dom0. */
	EV("s * work @default ask\ns * work @dispvm allow\ns * work @adminvm allow\n", "work", "", "s",
	   "ask targets=dom0,@dispvm:dvm user=DEFAULT notify=no autostart=yes requested=@default rule=t.policy:1");
	EV("s * vault @default ask\ns * vault @dispvm allow\n", "vault", "", "s",
	   "deny reason=no-target notify=yes requested=@default rule=t.policy:1");
	/* target= gives exactly one choice. */
	EV("s * work @default ask target=vault default_target=vault user=u notify=yes\n", "work", "", "s",
	   "ask targets=vault default_target=vault user=u notify=yes autostart=yes requested=@default rule=t.policy:1");
	EV("s * work @default ask target=@dispvm\n", "work", "", "s",
	   "ask targets=@dispvm:dvm user=DEFAULT notify=no autostart=yes requested=@default rule=t.policy:1");
	EV("s * work @default ask target=gone\n", "work", "", "s",
	   "deny reason=no-target notify=yes requested=@default rule=t.policy:1");
	/* default_target outside the choices is not offered. */
	EV("s * work @default ask target=vault default_target=personal\n", "work", "", "s",
	   "ask targets=vault user=DEFAULT notify=no autostart=yes requested=@default rule=t.policy:1");
	EV("s * work @default ask default_target=@dispvm\ns * work @dispvm:dvm allow\n", "work", "", "s",
	   "ask targets=@dispvm:dvm default_target=@dispvm:dvm user=DEFAULT notify=no autostart=yes "
	   "requested=@default rule=t.policy:1");
	/* autostart=no keeps dom0 and running qubes, never new DispVMs. */
	EV("s * work @anyvm ask autostart=no\ns * work @adminvm allow\n", "work", "", "s",
	   "ask targets=baddd,disp1,dom0,sa,vault,work user=DEFAULT notify=no autostart=no requested=@default "
	   "rule=t.policy:1");
	/* Tokens expand: tags, types, @dispvm:@tag:, *, names. */
	EV("s * work @default ask\ns * work @tag:secret allow\ns * work @dispvm:@tag:dvmtag ask\n", "work", "", "s",
	   "ask targets=sa,vault,@dispvm:dvm user=DEFAULT notify=no autostart=yes requested=@default rule=t.policy:1");
	EV("s * work @default ask\ns * work @type:AppVM deny\ns * work * allow\n", "work", "", "s",
	   "ask targets=disp1,dom0,sa,tpl,@dispvm:dvm,@dispvm:dvm2 user=DEFAULT notify=no autostart=yes "
	   "requested=@default rule=t.policy:1");
	EV("s * work @default ask\ns * work vault allow\ns * work gone allow\ns * work @dispvm:dvm2 ask\n",
	   "work", "", "s",
	   "ask targets=vault,@dispvm:dvm2 user=DEFAULT notify=no autostart=yes requested=@default rule=t.policy:1");
	/* Rules for other arguments or sources do not count. */
	EV("s +a work @default ask\ns +b work vault allow\ns +a personal sa allow\ns * work tpl allow\n",
	   "work", "", "s+a",
	   "ask targets=tpl user=DEFAULT notify=no autostart=yes requested=@default rule=t.policy:1");
	EV("s * work @default ask\n", "work", "", "s",
	   "deny reason=no-target notify=yes requested=@default rule=t.policy:1");
}

static void queries(void)
{
	const char *p = "* * @anyvm @anyvm allow\n";
	struct policy *pol = policy_load_buffer("t.policy", p, strlen(p));
	struct policy_query q = { "work", "vault", "s", "", &F };

	EV(p, "work", "vault", "bad:svc", "deny reason=bad-query notify=yes rule=none");
	EV(p, "work", "vault", "", "deny reason=bad-query notify=yes rule=none");
	EV(p, "work", "vault", "s+a:b", "deny reason=bad-query notify=yes rule=none");
	EV(p, "work", "@anyvm", "s", "deny reason=bad-query notify=yes rule=none");
	EV(p, "work", "@tag:x", "s", "deny reason=bad-query notify=yes rule=none");
	EV(p, "work", "*", "s", "deny reason=bad-query notify=yes rule=none");
	EV(p, "work", "bad name", "s", "deny reason=bad-query notify=yes rule=none");
	EV(p, "work", "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijk", "s",
	   "deny reason=bad-query notify=yes rule=none");
	EV(p, "Bad name", "vault", "s", "deny reason=bad-query notify=yes rule=none");
	EV(p, "ghost", "vault", "s", "deny reason=unknown-source notify=yes rule=none");
	EV(p, "work", "@dispvm:personal", "s", "deny reason=bad-target notify=yes rule=none");
	EV(p, "work", "@dispvm:gone", "s", "deny reason=bad-target notify=yes rule=none");
	EV(p, "work", "gone", "s", "deny reason=no-target notify=yes requested=@default rule=t.policy:1");

	CHECK(policy_evaluate(pol, &q, NULL) == -EINVAL);
	CHECK(policy_evaluate(pol, NULL, &D) == 0);
	CHECK(D.verdict == POLICY_DENY && D.reason == PREASON_BAD_QUERY);
	q.facts = NULL;
	CHECK(policy_evaluate(pol, &q, &D) == 0 && D.reason == PREASON_BAD_QUERY);
	q.facts = &F;
	CHECK(policy_evaluate(pol, &q, &D) == 0 && D.verdict == POLICY_ALLOW);
	CHECK_STR(D.file, "t.policy");
	CHECK(D.line == 1);
	/* A NULL policy (out of memory) denies. */
	CHECK(policy_evaluate(NULL, &q, &D) == 0);
	CHECK(D.verdict == POLICY_DENY && D.reason == PREASON_POLICY_ERROR && D.file == NULL);
	policy_free(pol);
}

static void broken(void)
{
	const char *p = "* * @anyvm @anyvm allow\ns * work @bogus allow\n";
	struct policy *pol = policy_load_buffer("b.policy", p, strlen(p));

	CHECK(policy_error(pol) != NULL);
	CHECK_STR(policy_error(pol), "b.policy:2: invalid target token");
	CHECK(policy_rule_count(pol) == 0);
	policy_free(pol);
	EV(p, "work", "vault", "s", "deny reason=policy-error notify=yes rule=t.policy:2");
	EV("!include x\n", "work", "vault", "s", "deny reason=policy-error notify=yes rule=t.policy:1");
	CHECK(policy_error(NULL) != NULL);
}

static void printing(void)
{
	const char *p =
		"s  +a\tdom0  @default  allow target=@adminvm notify=no user=u autostart=yes\n"
		"* * @anyvm @dispvm:@tag:t ask default_target=@dispvm target=@dispvm:dvm\n"
		"s + @type:AppVM @tag:x deny notify=yes\n";
	struct policy *pol = policy_load_buffer("p.policy", p, strlen(p));
	char line[512], small[8];
	const char *file;
	uint32_t ln;

	CHECK(policy_rule_count(pol) == 3);
	CHECK(policy_format_rule(pol, 0, line, sizeof(line)) > 0);
	CHECK_STR(line, "s +a @adminvm @default allow target=@adminvm user=u notify=no autostart=yes");
	CHECK(policy_format_rule(pol, 1, line, sizeof(line)) > 0);
	CHECK_STR(line, "* * @anyvm @dispvm:@tag:t ask target=@dispvm:dvm default_target=@dispvm");
	CHECK(policy_format_rule(pol, 2, line, sizeof(line)) > 0);
	CHECK_STR(line, "s + @type:AppVM @tag:x deny notify=yes");
	CHECK(policy_format_rule(pol, 3, line, sizeof(line)) == -EINVAL);
	CHECK(policy_format_rule(pol, 0, small, sizeof(small)) == -ENOSPC);
	CHECK(strlen(small) < sizeof(small));
	policy_rule_origin(pol, 2, &file, &ln);
	CHECK_STR(file, "p.policy");
	CHECK(ln == 3);
	policy_free(pol);
	CHECK_STR(policy_verdict_name(POLICY_ASK), "ask");
	CHECK_STR(policy_reason_name(PREASON_LOOPBACK), "loopback");
}

int main(void)
{
	facts();
	first_match_and_arguments();
	sources();
	targets();
	allow();
	deny();
	ask();
	queries();
	broken();
	printing();
	policy_facts_table_free(T);
	return check_exit();
}
