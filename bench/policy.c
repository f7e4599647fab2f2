/* Benchmark of the qrexec policy engine: one decision against a policy of
 * 10,000 rules (one per service, a few '*' rules at the end), next to a
 * raw baseline measured in the same run:
 *   policy.rawscan.*    strcmp over the same 10,000 service names until the
 *                       queried one (what an unindexed engine does at least)
 *   policy.eval.*       policy_evaluate() of an allow rule
 *   policy.eval.ask.*   policy_evaluate() of an ask rule (targets listed)
 *   policy.eval.miss.*  a service with no rule of its own ('*' rules decide)
 *   policy.load         building the 10,000-rule policy from text (ms)
 * Each sample times one call (clock_gettime on both sides included). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/stats.h"
#include "qrexec/policy/policy.h"
#include "qrexec/policy/policy_facts.h"

#define RULES   10000
#define QUERIES 20000
#define QUBES   20

static char names[RULES][32];

/* Deterministic, so every run asks the same questions. */
static unsigned rnd(void)
{
	static unsigned s = 12345;

	s = s * 1103515245u + 12345u;
	return (s >> 8) & 0xffffff;
}

static volatile size_t sink;

int main(void)
{
	static struct policy_decision d;
	static uint64_t v[QUERIES];
	static unsigned pick[QUERIES];
	struct policy_facts_table *t = policy_facts_table_new();
	struct policy_facts f;
	size_t cap = (size_t)RULES * 80 + 4096, len = 0;
	char *text = malloc(cap);
	struct policy *p;
	uint64_t t0;

	if (!t || !text)
		return 1;
	for (int i = 0; i < QUBES; i++) {
		char name[32], tag[16];
		const char *tags[1] = { tag };
		struct policy_qube q = { .name = name, .cls = i ? PCLASS_APPVM : PCLASS_ADMINVM,
					 .template_for_dispvms = i == 1, .running = i % 2 == 0,
					 .default_dispvm = i ? "q1" : NULL, .tags = tags, .ntags = 1 };

		snprintf(name, sizeof(name), i ? "q%d" : "dom0", i);
		snprintf(tag, sizeof(tag), "t%d", i % 3);
		if (policy_facts_table_add(t, &q) != 0)
			return 1;
	}
	f = policy_facts_table_facts(t);

	/* One rule per service, cycling through source/target forms and
	 * actions, then catch-alls. */
	for (int i = 0; i < RULES; i++) {
		static const char *const src[] = { "@anyvm", "@tag:t1", "q2", "@type:AppVM", "*" };
		static const char *const act[] = { "allow", "allow target=q3", "ask", "allow user=u", "deny" };

		snprintf(names[i], sizeof(names[i]), "bench.Service%05d", i);
		len += (size_t)snprintf(text + len, cap - len, "%s * %s @anyvm %s\n", names[i],
					i % 10 == 7 ? "@anyvm" : src[i % 5], i % 10 == 7 ? act[2] : act[i % 2]);
	}
	len += (size_t)snprintf(text + len, cap - len,
				"* * @anyvm @adminvm deny\n* * @tag:t2 @anyvm deny notify=no\n* * @anyvm @anyvm allow\n");

	t0 = bench_now_ns();
	p = policy_load_buffer("bench.policy", text, len);
	printf("policy.load %.3f ms -\n", (double)(bench_now_ns() - t0) / 1e6);
	if (!p || policy_error(p) || policy_rule_count(p) != RULES + 3) {
		fprintf(stderr, "bench-policy: policy did not load: %s\n", policy_error(p));
		return 1;
	}
	for (int i = 0; i < QUERIES; i++) {
		unsigned k = rnd() % RULES;

		pick[i] = k % 10 == 7 ? k - 1 : k;   /* allow rules here; ask below */
	}

	/* Baseline: find the service by name in a plain array. */
	for (int i = 0; i < QUERIES; i++) {
		const char *want = names[pick[i]];
		size_t j;

		t0 = bench_now_ns();
		for (j = 0; j < RULES; j++)
			if (strcmp(names[j], want) == 0)
				break;
		v[i] = bench_now_ns() - t0;
		sink += j;
	}
	bench_report_us("policy.rawscan", v, QUERIES, "policy.rawscan");

	for (int i = 0; i < QUERIES; i++) {
		struct policy_query q = { "q4", "q6", names[pick[i]], "", &f };

		t0 = bench_now_ns();
		if (policy_evaluate(p, &q, &d) != 0)
			return 1;
		v[i] = bench_now_ns() - t0;
		if (d.verdict != POLICY_ALLOW && !(d.verdict == POLICY_DENY && d.reason == PREASON_NO_MATCH)) {
			fprintf(stderr, "bench-policy: unexpected decision for %s: %s\n", q.service,
				policy_reason_name(d.reason));
			return 1;
		}
	}
	bench_report_us("policy.eval", v, QUERIES, "policy.rawscan");

	for (int i = 0; i < QUERIES; i++) {
		struct policy_query q = { "q4", "", names[(rnd() % (RULES / 10)) * 10 + 7], "", &f };

		t0 = bench_now_ns();
		if (policy_evaluate(p, &q, &d) != 0)
			return 1;
		v[i] = bench_now_ns() - t0;
		if (d.verdict != POLICY_ASK) {
			fprintf(stderr, "bench-policy: %s: expected ask, got %s\n", q.service,
				policy_reason_name(d.reason));
			return 1;
		}
	}
	bench_report_us("policy.eval.ask", v, QUERIES, "policy.rawscan");

	for (int i = 0; i < QUERIES; i++) {
		struct policy_query q = { "q4", "q6", "other.Service", "", &f };

		t0 = bench_now_ns();
		if (policy_evaluate(p, &q, &d) != 0)
			return 1;
		v[i] = bench_now_ns() - t0;
	}
	bench_report_us("policy.eval.miss", v, QUERIES, "policy.rawscan");

	policy_free(p);
	policy_facts_table_free(t);
	free(text);
	return 0;
}
