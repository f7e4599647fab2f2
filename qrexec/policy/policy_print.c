/* Printing rules (normalised, for --list and round trips) and decisions
 * (one line, for qrexec-policy-check and the golden tests). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "qrexec/policy/policy_int.h"

/* A bounded appender: the first overflow latches. */
struct out {
	char *buf;
	size_t cap, len;
	bool overflow;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->len) {
		o->overflow = true;
		return;
	}
	o->len += (size_t)n;
}

static int finish(struct out *o)
{
	if (o->overflow) {
		if (o->cap)
			o->buf[o->cap - 1] = '\0';
		return -ENOSPC;
	}
	return (int)o->len;
}

static const char *tok_prefix(uint8_t kind)
{
	switch (kind) {
	case PTOK_ANY:
		return "*";
	case PTOK_ADMINVM:
		return "@adminvm";
	case PTOK_ANYVM:
		return "@anyvm";
	case PTOK_DEFAULT:
		return "@default";
	case PTOK_DISPVM:
		return "@dispvm";
	case PTOK_DISPVM_NAME:
		return "@dispvm:";
	case PTOK_DISPVM_TAG:
		return "@dispvm:@tag:";
	case PTOK_TAG:
		return "@tag:";
	case PTOK_TYPE:
		return "@type:";
	}
	return "";
}

static void put_tok(struct out *o, const char *sep, const struct ptok *t)
{
	put(o, "%s%s%s", sep, tok_prefix(t->kind), t->value ? t->value : "");
}

int policy_format_rule(const struct policy *p, size_t i, char *buf, size_t buflen)
{
	struct out o = { buf, buflen, 0, buflen == 0 };
	const struct prule *r;
	static const char *const actions[] = { "deny", "allow", "ask" };

	if (!p || i >= p->nrules)
		return -EINVAL;
	r = &p->rules[i];
	if (buflen)
		buf[0] = '\0';
	put(&o, "%s", r->service ? r->service : "*");
	if (r->arg)
		put(&o, " +%s", r->arg);
	else
		put(&o, " *");
	put_tok(&o, " ", &r->source);
	put_tok(&o, " ", &r->target);
	put(&o, " %s", actions[r->action <= PACT_ASK ? r->action : 0]);
	if (r->params & PPARAM_TARGET)
		put_tok(&o, " target=", &r->redirect);
	if (r->params & PPARAM_DEFAULT_TARGET)
		put_tok(&o, " default_target=", &r->default_target);
	if (r->params & PPARAM_USER)
		put(&o, " user=%s", r->user);
	if (r->params & PPARAM_NOTIFY)
		put(&o, " notify=%s", r->notify ? "yes" : "no");
	if (r->params & PPARAM_AUTOSTART)
		put(&o, " autostart=%s", r->autostart ? "yes" : "no");
	return finish(&o);
}

int policy_format_decision(const struct policy_decision *d, char *buf, size_t buflen)
{
	struct out o = { buf, buflen, 0, buflen == 0 };

	if (buflen)
		buf[0] = '\0';
	put(&o, "%s", policy_verdict_name(d->verdict));
	if (d->verdict == POLICY_DENY) {
		put(&o, " reason=%s notify=%s", policy_reason_name(d->reason), d->notify ? "yes" : "no");
	} else {
		if (d->verdict == POLICY_ALLOW) {
			put(&o, " target=%s", d->target);
		} else {
			put(&o, " targets=");
			for (size_t i = 0; i < d->ntargets; i++)
				put(&o, "%s%s", i ? "," : "", d->targets[i]);
			if (d->default_target[0])
				put(&o, " default_target=%s", d->default_target);
		}
		put(&o, " user=%s notify=%s autostart=%s", d->user[0] ? d->user : "DEFAULT",
		    d->notify ? "yes" : "no", d->autostart ? "yes" : "no");
	}
	if (d->requested_target[0])
		put(&o, " requested=%s", d->requested_target);
	if (!d->file)
		put(&o, " rule=none");
	else if (d->line)
		put(&o, " rule=%s:%u", d->file, d->line);
	else
		put(&o, " rule=%s", d->file);
	return finish(&o);
}
