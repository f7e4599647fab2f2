/* Policy evaluation: pure (no I/O, no allocation, no globals); facts about
 * qubes come only from the caller's callbacks.  policy_evaluate() is the
 * one place a decision is made, so a capability for an allowed call can be
 * minted right there and nowhere else. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "qrexec/policy/policy_int.h"

/* The request's target after normalisation (Qubes' IntendedTarget). */
enum itk { IT_NAME, IT_ADMINVM, IT_DEFAULT, IT_DISPVM, IT_DISPVM_NAME };

struct ectx {
	const struct policy *p;
	const struct policy_facts *f;
	const char *service;
	size_t service_len;
	const char *arg;
	size_t arg_len;
	const char *src_name;
	const struct policy_qube *src;   /* never NULL once validated */
	const struct policy_qube *dd;    /* the source's default DispVM template, or NULL */
	enum itk it;
	const char *it_name;             /* IT_NAME, IT_DISPVM_NAME */
	const struct policy_qube *itq;   /* its facts */
};

static const struct policy_qube *lookup(const struct ectx *c, const char *name)
{
	return c->f->lookup(c->f->ctx, name);
}

static bool has_tag(const struct policy_qube *q, const char *tag)
{
	for (size_t i = 0; i < q->ntags; i++)
		if (q->tags[i] && strcmp(q->tags[i], tag) == 0)
			return true;
	return false;
}

static bool nonempty(const char *s)
{
	return s && s[0];
}

/* Qubes' RPC charset: [A-Za-z0-9._-], and '+' where plus is true. */
static bool rpc_chars(const char *s, size_t n, bool plus)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-' || (plus && c == '+')))
			return false;
	}
	return true;
}

static bool match_source(const struct ectx *c, const struct ptok *t)
{
	const struct policy_qube *s = c->src, *tq;

	switch (t->kind) {
	case PTOK_ANY:
		return true;
	case PTOK_ANYVM:
		return s->cls != PCLASS_ADMINVM;
	case PTOK_ADMINVM:
		return s->cls == PCLASS_ADMINVM;
	case PTOK_NAME:
		return strcmp(c->src_name, t->value) == 0;
	case PTOK_TAG:
		return has_tag(s, t->value);
	case PTOK_TYPE:
		return (unsigned)s->cls == t->cls;
	case PTOK_DISPVM_NAME:
		/* Bulkhead: a DispVM made from NAME (Qubes never matches here). */
		return s->cls == PCLASS_DISPVM && s->template && strcmp(s->template, t->value) == 0;
	case PTOK_DISPVM_TAG:
		if (s->cls != PCLASS_DISPVM || !nonempty(s->template))
			return false;
		tq = lookup(c, s->template);
		return tq && tq->template_for_dispvms && has_tag(tq, t->value);
	}
	return false;
}

static bool match_target(const struct ectx *c, const struct ptok *t)
{
	const struct policy_qube *tq;

	switch (t->kind) {
	case PTOK_ANY:
		return true;
	case PTOK_ANYVM:
		return c->it != IT_ADMINVM;
	case PTOK_ADMINVM:
		return c->it == IT_ADMINVM;
	case PTOK_DEFAULT:
		return c->it == IT_DEFAULT;
	case PTOK_DISPVM:
		return c->it == IT_DISPVM;
	case PTOK_DISPVM_NAME:
		if (c->it == IT_DISPVM_NAME)
			return strcmp(c->it_name, t->value) == 0;
		return c->it == IT_DISPVM && nonempty(c->src->default_dispvm) &&
		       strcmp(c->src->default_dispvm, t->value) == 0;
	case PTOK_DISPVM_TAG:
		tq = c->it == IT_DISPVM_NAME ? c->itq : c->it == IT_DISPVM ? c->dd : NULL;
		return tq && tq->template_for_dispvms && has_tag(tq, t->value);
	case PTOK_NAME:
		return c->it == IT_NAME && strcmp(c->it_name, t->value) == 0;
	case PTOK_TAG:
		return c->it == IT_NAME && has_tag(c->itq, t->value);
	case PTOK_TYPE:
		return c->it == IT_NAME && (unsigned)c->itq->cls == t->cls;
	}
	return false;
}

/* Service is matched by the index; this checks the rest but the target. */
static bool match_but_target(const struct ectx *c, const struct prule *r)
{
	if (r->arg && (r->arg_len != c->arg_len || memcmp(r->arg, c->arg, c->arg_len) != 0))
		return false;
	return match_source(c, &r->source);
}

/* Walks the rules that name the service or '*', in policy order (or in
 * reverse), merging the two sorted index lists. */
struct walk {
	const uint32_t *a, *w;
	size_t na, nw, ia, iw;
	bool reverse;
};

static void walk_init(struct walk *k, const struct ectx *c, bool reverse)
{
	const struct policy *p = c->p;

	memset(k, 0, sizeof(*k));
	k->w = p->wild;
	k->nw = p->nwild;
	k->reverse = reverse;
	if (p->nslots && c->service_len <= UINT16_MAX) {
		uint32_t h = policy_hash(c->service, c->service_len);
		size_t mask = p->nslots - 1, i = h & mask;

		/* The table is at most half full, so this ends at an empty slot. */
		for (; p->slots[i].service; i = (i + 1) & mask) {
			const struct pslot *s = &p->slots[i];

			if (s->hash == h && s->len == c->service_len &&
			    memcmp(s->service, c->service, c->service_len) == 0) {
				k->a = p->idx + s->start;
				k->na = s->count;
				break;
			}
		}
	}
}

/* Next rule number, or -1 at the end. */
static long walk_next(struct walk *k)
{
	bool have_a = k->ia < k->na, have_w = k->iw < k->nw;
	uint32_t ra, rw;

	if (!have_a && !have_w)
		return -1;
	if (!k->reverse) {
		ra = have_a ? k->a[k->ia] : 0;
		rw = have_w ? k->w[k->iw] : 0;
		if (have_a && (!have_w || ra < rw))
			return k->a[k->ia++];
		return k->w[k->iw++];
	}
	ra = have_a ? k->a[k->na - 1 - k->ia] : 0;
	rw = have_w ? k->w[k->nw - 1 - k->iw] : 0;
	if (have_a && (!have_w || ra > rw)) {
		k->ia++;
		return ra;
	}
	k->iw++;
	return rw;
}

static void set_str(char *dst, size_t n, const char *a, const char *b)
{
	snprintf(dst, n, "%s%s", a, b);
}

/* dst is an array (not a decayed pointer): its size is known here. */
#define SET(dst, a, b) set_str((dst), sizeof(dst), (a), (b))

/* A target token of a rule's redirect (target=, default_target=) as
 * Qubes' Redirect + IntendedTarget.verify.  Returns PREASON_OK or a reason. */
static enum policy_reason redirect_kind(const struct ectx *c, const struct ptok *t, enum itk *k,
					const struct policy_qube **q)
{
	*q = NULL;
	switch (t->kind) {
	case PTOK_ADMINVM:
		*k = IT_ADMINVM;
		return PREASON_OK;
	case PTOK_DISPVM:
		*k = IT_DISPVM;
		return PREASON_OK;
	case PTOK_DISPVM_NAME:
		*q = lookup(c, t->value);
		if (!*q || !(*q)->template_for_dispvms)
			return PREASON_BAD_TARGET;
		*k = IT_DISPVM_NAME;
		return PREASON_OK;
	case PTOK_NAME:
		*q = lookup(c, t->value);
		*k = !*q ? IT_DEFAULT : (*q)->cls == PCLASS_ADMINVM ? IT_ADMINVM : IT_NAME;
		return PREASON_OK;
	}
	return PREASON_BAD_TARGET;
}

/* The concrete target of kind k into dst ("dom0", a name, @dispvm:NAME). */
static enum policy_reason concrete(const struct ectx *c, enum itk k, const char *name,
				   char dst[POLICY_TARGET_MAX])
{
	switch (k) {
	case IT_DEFAULT:
		return PREASON_NO_TARGET;
	case IT_ADMINVM:
		set_str(dst, POLICY_TARGET_MAX, "dom0", "");
		return PREASON_OK;
	case IT_DISPVM:
		if (!c->dd || !c->dd->template_for_dispvms)
			return PREASON_NO_DISPVM;
		set_str(dst, POLICY_TARGET_MAX, "@dispvm:", c->dd->name);
		return PREASON_OK;
	case IT_DISPVM_NAME:
		set_str(dst, POLICY_TARGET_MAX, "@dispvm:", name);
		return PREASON_OK;
	case IT_NAME:
		set_str(dst, POLICY_TARGET_MAX, name, "");
		return PREASON_OK;
	}
	return PREASON_NO_TARGET;
}

/* Whether autostart=no still allows kind k (Qubes: dom0, or a running qube;
 * never a new DispVM). */
static bool running_ok(enum itk k, const struct policy_qube *q)
{
	if (k == IT_ADMINVM)
		return true;
	if (k == IT_NAME)
		return q && q->running;
	return false;
}

static void decide_allow(const struct ectx *c, const struct prule *r, struct policy_decision *d)
{
	enum itk k = c->it;
	const char *name = c->it_name;
	const struct policy_qube *q = c->itq;
	enum policy_reason why = PREASON_OK;

	if (r->redirect.kind != PTOK_NONE) {
		why = redirect_kind(c, &r->redirect, &k, &q);
		name = r->redirect.value;
	}
	if (why == PREASON_OK)
		why = concrete(c, k, name, d->target);
	if (why == PREASON_OK && !r->autostart && !running_ok(k, q))
		why = PREASON_AUTOSTART;
	if (why == PREASON_OK && strcmp(d->target, c->src_name) == 0)
		why = PREASON_LOOPBACK;
	if (why != PREASON_OK) {
		d->target[0] = '\0';
		d->verdict = POLICY_DENY;
		d->reason = why;
		d->notify = why == PREASON_AUTOSTART ? r->notify : true;
		return;
	}
	d->verdict = POLICY_ALLOW;
	d->reason = PREASON_OK;
	d->notify = r->notify;
	d->autostart = r->autostart;
	SET(d->user, r->user ? r->user : "", "");
}

/* Marks in the ask candidate set (Qubes' collect_targets_for_ask). */
#define ASK_NAME 1u
#define ASK_DISP 2u

struct askset {
	const struct policy_qube *q[POLICY_QUBES_MAX];
	uint8_t mark[POLICY_QUBES_MAX];
	size_t n;
	bool adminvm, dispvm;   /* the @adminvm and @dispvm keywords */
};

static void mark(struct askset *s, size_t i, unsigned bit, bool add)
{
	s->mark[i] = (uint8_t)(add ? (s->mark[i] | bit) : (s->mark[i] & ~bit));
}

/* Adds (allow, ask) or removes (deny) what token t stands for. */
static void expand(struct askset *s, const struct ptok *t, bool add)
{
	if (t->kind == PTOK_ADMINVM) {
		s->adminvm = add;
		return;
	}
	if (t->kind == PTOK_DISPVM || t->kind == PTOK_ANYVM || t->kind == PTOK_ANY)
		s->dispvm = add;
	for (size_t i = 0; i < s->n; i++) {
		const struct policy_qube *q = s->q[i];

		switch (t->kind) {
		case PTOK_NAME:
			if (strcmp(q->name, t->value) == 0)
				mark(s, i, ASK_NAME, add);
			break;
		case PTOK_ANYVM:
		case PTOK_ANY:
			if (t->kind == PTOK_ANY || q->cls != PCLASS_ADMINVM)
				mark(s, i, ASK_NAME, add);
			if (q->template_for_dispvms)
				mark(s, i, ASK_DISP, add);
			break;
		case PTOK_TYPE:
			if ((unsigned)q->cls == t->cls)
				mark(s, i, ASK_NAME, add);
			break;
		case PTOK_TAG:
			if (has_tag(q, t->value))
				mark(s, i, ASK_NAME, add);
			break;
		case PTOK_DISPVM_NAME:
			if (q->template_for_dispvms && strcmp(q->name, t->value) == 0)
				mark(s, i, ASK_DISP, add);
			break;
		case PTOK_DISPVM_TAG:
			if (q->template_for_dispvms && has_tag(q, t->value))
				mark(s, i, ASK_DISP, add);
			break;
		default:
			break;
		}
	}
}

static void ask_collect(const struct ectx *c, struct askset *s)
{
	struct walk k;
	long ri;

	memset(s->mark, 0, sizeof(s->mark));
	s->adminvm = s->dispvm = false;
	for (s->n = 0; s->n < POLICY_QUBES_MAX; s->n++) {
		const struct policy_qube *q = c->f->at(c->f->ctx, s->n);

		if (!q)
			break;
		s->q[s->n] = q;
	}
	/* Last rule first, so earlier rules override later ones: a deny
	 * removes what later rules added. */
	walk_init(&k, c, true);
	while ((ri = walk_next(&k)) >= 0) {
		const struct prule *r = &c->p->rules[ri];

		if (!match_but_target(c, r))
			continue;
		expand(s, r->redirect.kind != PTOK_NONE ? &r->redirect : &r->target,
		       r->action != PACT_DENY);
	}
	for (size_t i = 0; i < s->n; i++) {
		if (s->adminvm && s->q[i]->cls == PCLASS_ADMINVM)
			mark(s, i, ASK_NAME, true);
		if (s->dispvm && s->q[i] == c->dd && c->dd->template_for_dispvms)
			mark(s, i, ASK_DISP, true);
	}
}

static bool fits(const char *name)
{
	return name && strnlen(name, QUBE_NAME_MAX + 1) <= QUBE_NAME_MAX;
}

static void add_target(struct policy_decision *d, const char *prefix, const char *name)
{
	if (d->ntargets < POLICY_ASK_TARGETS_MAX)
		SET(d->targets[d->ntargets++], prefix, name);
}

static void decide_ask(const struct ectx *c, const struct prule *r, struct policy_decision *d,
		       struct askset *s)
{
	d->ntargets = 0;
	if (r->redirect.kind != PTOK_NONE) {
		enum itk k;
		const struct policy_qube *q;
		char t[POLICY_TARGET_MAX];

		if (redirect_kind(c, &r->redirect, &k, &q) == PREASON_OK &&
		    concrete(c, k, r->redirect.value, t) == PREASON_OK && (r->autostart || running_ok(k, q)))
			add_target(d, t, "");
	} else {
		ask_collect(c, s);
		for (size_t i = 0; i < s->n; i++)
			if ((s->mark[i] & ASK_NAME) && fits(s->q[i]->name) &&
			    (r->autostart || running_ok(s->q[i]->cls == PCLASS_ADMINVM ? IT_ADMINVM : IT_NAME, s->q[i])))
				add_target(d, s->q[i]->name, "");
		for (size_t i = 0; i < s->n && r->autostart; i++)
			if ((s->mark[i] & ASK_DISP) && fits(s->q[i]->name))
				add_target(d, "@dispvm:", s->q[i]->name);
	}
	if (d->ntargets == 0) {
		d->verdict = POLICY_DENY;
		d->reason = PREASON_NO_TARGET;
		d->notify = true;
		return;
	}
	d->verdict = POLICY_ASK;
	d->reason = PREASON_OK;
	d->notify = r->notify;
	d->autostart = r->autostart;
	SET(d->user, r->user ? r->user : "", "");
	if (r->default_target.kind != PTOK_NONE) {
		enum itk k;
		const struct policy_qube *q;
		char t[POLICY_TARGET_MAX];

		if (redirect_kind(c, &r->default_target, &k, &q) == PREASON_OK &&
		    concrete(c, k, r->default_target.value, t) == PREASON_OK) {
			/* Offered only if it is one of the choices. */
			for (size_t i = 0; i < d->ntargets; i++)
				if (strcmp(d->targets[i], t) == 0)
					SET(d->default_target, t, "");
		}
	}
}

/* Validates the query and fills the context; PREASON_OK or why not. */
static enum policy_reason prepare(struct ectx *c, const struct policy_query *q,
				  struct policy_decision *d)
{
	struct policy_token tok;
	size_t tlen;

	if (!q || !q->source || !q->target || !q->service || !q->argument || !q->facts ||
	    !q->facts->lookup || !q->facts->at)
		return PREASON_BAD_QUERY;
	c->f = q->facts;
	c->service = q->service;
	c->service_len = strnlen(q->service, POLICY_SERVICE_MAX + 1);
	c->arg = q->argument;
	c->arg_len = strnlen(q->argument, POLICY_ARG_MAX + 1);
	c->src_name = q->source;
	if (c->service_len == 0 || c->service_len > POLICY_SERVICE_MAX ||
	    !rpc_chars(c->service, c->service_len, false) ||
	    c->arg_len > POLICY_ARG_MAX || !rpc_chars(c->arg, c->arg_len, true) ||
	    names_check(NAME_QUBE, (const uint8_t *)q->source, strnlen(q->source, QUBE_NAME_MAX + 1)) != 0)
		return PREASON_BAD_QUERY;
	c->src = lookup(c, q->source);
	if (!c->src)
		return PREASON_UNKNOWN_SOURCE;
	c->dd = nonempty(c->src->default_dispvm) ? lookup(c, c->src->default_dispvm) : NULL;

	tlen = strnlen(q->target, POLICY_TARGET_MAX);
	if (tlen == POLICY_TARGET_MAX)
		return PREASON_BAD_QUERY;
	if (tlen == 0 || strcmp(q->target, "@default") == 0) {
		c->it = IT_DEFAULT;
	} else if (policy_token_parse((const uint8_t *)q->target, tlen, PPLACE_REDIRECT, &tok) != 0) {
		return PREASON_BAD_QUERY;
	} else {
		switch (tok.kind) {
		case PTOK_ADMINVM:
			c->it = IT_ADMINVM;
			break;
		case PTOK_DISPVM:
			c->it = IT_DISPVM;
			break;
		case PTOK_DISPVM_NAME:
			c->it_name = q->target + 8;
			c->itq = lookup(c, c->it_name);
			if (!c->itq || !c->itq->template_for_dispvms)
				return PREASON_BAD_TARGET;
			c->it = IT_DISPVM_NAME;
			break;
		default:   /* PTOK_NAME */
			c->it_name = q->target;
			c->itq = lookup(c, c->it_name);
			/* Qubes 4.2: a target that does not exist is @default, so
			 * a qube learns nothing about which names exist. */
			c->it = !c->itq ? IT_DEFAULT : c->itq->cls == PCLASS_ADMINVM ? IT_ADMINVM : IT_NAME;
			break;
		}
	}
	switch (c->it) {
	case IT_DEFAULT:
		SET(d->requested_target, "@default", "");
		break;
	case IT_ADMINVM:
		SET(d->requested_target, "@adminvm", "");
		break;
	case IT_DISPVM:
		SET(d->requested_target, "@dispvm", "");
		break;
	case IT_DISPVM_NAME:
		SET(d->requested_target, "@dispvm:", c->it_name);
		break;
	case IT_NAME:
		SET(d->requested_target, c->it_name, "");
		break;
	}
	return PREASON_OK;
}

static void decide(const struct policy *p, const struct policy_query *q, struct policy_decision *d,
		   struct askset *s)
{
	struct ectx c;
	struct walk k;
	long ri;
	enum policy_reason why;

	if (!p || p->broken) {
		d->reason = PREASON_POLICY_ERROR;
		d->file = p ? p->error_file : NULL;
		d->line = p ? p->error_line : 0;
		return;
	}
	memset(&c, 0, sizeof(c));
	c.p = p;
	why = prepare(&c, q, d);
	if (why != PREASON_OK) {
		d->reason = why;
		return;
	}
	walk_init(&k, &c, false);
	while ((ri = walk_next(&k)) >= 0) {
		const struct prule *r = &p->rules[ri];

		if (!match_but_target(&c, r) || !match_target(&c, &r->target))
			continue;
		/* First match wins: this rule decides, whatever follows. */
		d->file = p->files[r->file];
		d->line = r->line;
		switch (r->action) {
		case PACT_ALLOW:
			decide_allow(&c, r, d);
			break;
		case PACT_ASK:
			decide_ask(&c, r, d, s);
			break;
		default:
			d->reason = PREASON_DENIED;
			d->notify = r->notify;
			break;
		}
		return;
	}
	d->reason = PREASON_NO_MATCH;
}

int policy_evaluate(const struct policy *p, const struct policy_query *q, struct policy_decision *out)
{
	/* The ask candidate set is large; it lives here, not in the caller's
	 * decision, and is only touched for ask rules. */
	struct askset s;

	if (!out)
		return -EINVAL;
	out->verdict = POLICY_DENY;
	out->reason = PREASON_NO_MATCH;
	out->file = NULL;
	out->line = 0;
	out->requested_target[0] = '\0';
	out->target[0] = '\0';
	out->user[0] = '\0';
	out->notify = true;
	out->autostart = false;
	out->default_target[0] = '\0';
	out->ntargets = 0;
	decide(p, q, out, &s);
	if (out->verdict == POLICY_DENY) {
		out->target[0] = '\0';
		out->user[0] = '\0';
		out->default_target[0] = '\0';
		out->ntargets = 0;
		out->autostart = false;
	}
	return 0;
}

const char *policy_verdict_name(enum policy_verdict v)
{
	switch (v) {
	case POLICY_ALLOW:
		return "allow";
	case POLICY_ASK:
		return "ask";
	case POLICY_DENY:
		break;
	}
	return "deny";
}

const char *policy_reason_name(enum policy_reason r)
{
	static const char *const names[PREASON_COUNT] = {
		[PREASON_OK] = "ok",
		[PREASON_DENIED] = "denied",
		[PREASON_NO_MATCH] = "no-match",
		[PREASON_POLICY_ERROR] = "policy-error",
		[PREASON_BAD_QUERY] = "bad-query",
		[PREASON_UNKNOWN_SOURCE] = "unknown-source",
		[PREASON_BAD_TARGET] = "bad-target",
		[PREASON_NO_TARGET] = "no-target",
		[PREASON_NO_DISPVM] = "no-dispvm",
		[PREASON_AUTOSTART] = "autostart",
		[PREASON_LOOPBACK] = "loopback",
	};

	return (unsigned)r < PREASON_COUNT ? names[r] : "?";
}
