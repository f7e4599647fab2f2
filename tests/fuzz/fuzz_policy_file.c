/* libFuzzer target: a whole policy file from a buffer (builder, index,
 * evaluator, printer).  A policy either loads or is refused with an error
 * and no rule; a loaded policy prints back to text that loads to the same
 * rules (printed identically), and evaluation against fixed facts always
 * returns a complete decision whose origin is a rule of the policy. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "qrexec/policy/policy.h"
#include "qrexec/policy/policy_facts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct policy_facts_table *facts_table(void)
{
	static struct policy_facts_table *t;
	static const char *const tags1[] = { "t", "dvm-ok" };
	static const char *const tags2[] = { "x" };
	const struct policy_qube q[] = {
		{ .name = "dom0", .cls = PCLASS_ADMINVM, .running = true },
		{ .name = "a", .cls = PCLASS_APPVM, .running = true, .default_dispvm = "dvm", .tags = tags2, .ntags = 1 },
		{ .name = "b", .cls = PCLASS_APPVM },
		{ .name = "dvm", .cls = PCLASS_APPVM, .template_for_dispvms = true, .default_dispvm = "dvm", .tags = tags1, .ntags = 2 },
		{ .name = "disp1", .cls = PCLASS_DISPVM, .running = true, .default_dispvm = "dvm", .template = "dvm" },
		{ .name = "tpl", .cls = PCLASS_TEMPLATEVM, .tags = tags2, .ntags = 1 },
	};

	if (!t) {
		t = policy_facts_table_new();
		for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++)
			if (policy_facts_table_add(t, &q[i]) != 0)
				abort();
	}
	return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const src[] = { "dom0", "a", "b", "disp1" };
	static const char *const tgt[] = { "", "dom0", "a", "b", "@dispvm", "@dispvm:dvm", "ghost" };
	static const char *const svc[] = { "s", "qubes.Filecopy", "svc" };
	static struct policy_decision d;
	static char text[1 << 20], line[POLICY_LINE_MAX + 1], again[POLICY_LINE_MAX + 1];
	struct policy_facts f = policy_facts_table_facts(facts_table());
	struct policy *p = policy_load_buffer("f.policy", data, size), *q;
	size_t n, len = 0;

	if (!p)
		return 0;
	n = policy_rule_count(p);
	assert(policy_error(p) == NULL || n == 0);
	for (size_t i = 0; i < n; i++) {
		int k = policy_format_rule(p, i, line, sizeof(line));

		assert(k > 0);
		assert(len + (size_t)k + 1 < sizeof(text));
		memcpy(text + len, line, (size_t)k);
		len += (size_t)k;
		text[len++] = '\n';
	}
	if (!policy_error(p)) {
		q = policy_load_buffer("g.policy", text, len);
		assert(q && policy_error(q) == NULL && policy_rule_count(q) == n);
		for (size_t i = 0; i < n; i++) {
			assert(policy_format_rule(p, i, line, sizeof(line)) > 0);
			assert(policy_format_rule(q, i, again, sizeof(again)) > 0);
			assert(strcmp(line, again) == 0);
		}
		policy_free(q);
	}
	for (size_t s = 0; s < sizeof(src) / sizeof(src[0]); s++)
		for (size_t t = 0; t < sizeof(tgt) / sizeof(tgt[0]); t++)
			for (size_t v = 0; v < sizeof(svc) / sizeof(svc[0]); v++) {
				struct policy_query qu = { src[s], tgt[t], svc[v], v ? "" : "x", &f };

				assert(policy_evaluate(p, &qu, &d) == 0);
				assert(d.verdict <= POLICY_ASK && d.reason < PREASON_COUNT);
				assert((d.verdict == POLICY_DENY) == (d.reason != PREASON_OK));
				assert(d.verdict != POLICY_ALLOW || d.target[0]);
				assert(d.verdict != POLICY_ASK || d.ntargets > 0);
				assert(d.verdict == POLICY_DENY || strcmp(d.target, src[s]) != 0);
				assert(d.file == NULL || strcmp(d.file, "f.policy") == 0);
				assert(d.reason == PREASON_NO_MATCH || d.reason == PREASON_BAD_QUERY ||
				       d.reason == PREASON_UNKNOWN_SOURCE || d.reason == PREASON_BAD_TARGET ||
				       (d.line >= 1 && d.file));
			}
	policy_free(p);
	return 0;
}
