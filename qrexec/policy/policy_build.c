/* Building a policy in memory: rules from parsed lines, the string arena,
 * the service index.  No I/O: the loader feeds it file contents. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qrexec/policy/policy_int.h"

#define ARENA_CHUNK 65536u

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap;
	char data[];
};

/* Copy of s[0..n) with a NUL, owned by the policy; NULL when out of memory. */
static const char *arena_str(struct policy *p, const char *s, size_t n)
{
	struct arena_chunk *c = p->arena;
	char *r;

	if (!c || c->cap - c->used < n + 1) {
		size_t cap = n + 1 > ARENA_CHUNK ? n + 1 : ARENA_CHUNK;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->next = p->arena;
		c->used = 0;
		c->cap = cap;
		p->arena = c;
	}
	r = c->data + c->used;
	memcpy(r, s, n);
	r[n] = '\0';
	c->used += n + 1;
	return r;
}

struct policy *policy_new(const char *dir)
{
	struct policy *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->dir = strdup(dir ? dir : "");
	if (!p->dir) {
		free(p);
		return NULL;
	}
	return p;
}

static void drop_rules(struct policy *p)
{
	free(p->rules);
	p->rules = NULL;
	p->nrules = p->cap_rules = 0;
	free(p->slots);
	p->slots = NULL;
	p->nslots = 0;
	free(p->idx);
	p->idx = NULL;
	free(p->wild);
	p->wild = NULL;
	p->nwild = 0;
}

void policy_free(struct policy *p)
{
	if (!p)
		return;
	drop_rules(p);
	for (struct arena_chunk *c = p->arena, *n; c; c = n) {
		n = c->next;
		free(c);
	}
	for (size_t i = 0; i < p->nfiles; i++)
		free(p->files[i]);
	free(p->files);
	for (size_t i = 0; i < p->nwatch; i++)
		free(p->watch[i].path);
	free(p->watch);
	free(p->error);
	free(p->error_file);
	free(p->dir);
	free(p);
}

long policy_add_file(struct policy *p, const char *display)
{
	char *d;

	if (p->nfiles >= POLICY_FILES_MAX)
		return -E2BIG;
	if (p->nfiles == p->cap_files) {
		size_t cap = p->cap_files ? 2 * p->cap_files : 16;
		char **f = realloc(p->files, cap * sizeof(*f));

		if (!f)
			return -ENOMEM;
		p->files = f;
		p->cap_files = cap;
	}
	d = strdup(display);
	if (!d)
		return -ENOMEM;
	p->files[p->nfiles] = d;
	return (long)p->nfiles++;
}

void policy_fail(struct policy *p, const char *file, uint32_t line, const char *fmt, ...)
{
	char msg[POLICY_ERROR_MAX], full[POLICY_ERROR_MAX + 4096 + 32];  /* message + path + line */
	va_list ap;

	if (p->broken)
		return;     /* the first error is the one that counts */
	p->broken = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!file)
		file = p->dir[0] ? p->dir : "(policy)";
	if (line)
		snprintf(full, sizeof(full), "%s:%u: %s", file, line, msg);
	else
		snprintf(full, sizeof(full), "%s: %s", file, msg);
	p->error = strdup(full);       /* NULL when out of memory: policy_error() copes */
	p->error_file = strdup(file);
	p->error_line = line;
	drop_rules(p);
}

static bool tok_copy(struct policy *p, struct ptok *dst, const struct policy_token *src)
{
	dst->kind = src->kind;
	dst->len = src->len;
	dst->cls = 0;
	if (src->kind == PTOK_TYPE)
		dst->cls = (uint8_t)policy_class_from_name((const uint8_t *)src->value, src->len);
	dst->value = arena_str(p, src->value, src->len);
	return dst->value != NULL;
}

/* Appends the rule of a parsed line; svc overrides service/argument for
 * compat lines.  Returns 0 or -errno. */
static int add_rule(struct policy *p, const struct policy_line *l, const struct psvc *svc,
		    uint32_t file, uint32_t line)
{
	struct prule r;

	if (p->nrules >= POLICY_RULES_MAX)
		return -E2BIG;
	if (p->nrules == p->cap_rules) {
		size_t cap = p->cap_rules ? 2 * p->cap_rules : 64;
		struct prule *n = realloc(p->rules, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		p->rules = n;
		p->cap_rules = cap;
	}
	memset(&r, 0, sizeof(r));
	if (svc) {
		r.service = svc->any_service ? NULL : arena_str(p, svc->service, strlen(svc->service));
		r.arg = svc->any_arg ? NULL : arena_str(p, svc->arg, strlen(svc->arg));
		if ((!svc->any_service && !r.service) || (!svc->any_arg && !r.arg))
			return -ENOMEM;
	} else {
		r.service = l->any_service ? NULL : arena_str(p, l->service, l->service_len);
		r.arg = l->any_arg ? NULL : arena_str(p, l->arg, l->arg_len);
		if ((!l->any_service && !r.service) || (!l->any_arg && !r.arg))
			return -ENOMEM;
	}
	r.service_len = r.service ? (uint16_t)strlen(r.service) : 0;
	r.arg_len = r.arg ? (uint16_t)strlen(r.arg) : 0;
	if (!tok_copy(p, &r.source, &l->source) || !tok_copy(p, &r.target, &l->target) ||
	    !tok_copy(p, &r.redirect, &l->redirect) || !tok_copy(p, &r.default_target, &l->default_target))
		return -ENOMEM;
	if (l->params & PPARAM_USER) {
		r.user = arena_str(p, l->user, l->user_len);
		if (!r.user)
			return -ENOMEM;
	}
	r.file = file;
	r.line = line;
	r.action = l->action;
	r.params = l->params;
	/* Qubes' defaults: deny notifies, allow and ask do not; autostart. */
	r.notify = (l->params & PPARAM_NOTIFY) ? l->notify : l->action == PACT_DENY;
	r.autostart = (l->params & PPARAM_AUTOSTART) ? l->autostart : true;
	p->rules[p->nrules++] = r;
	return 0;
}

int policy_parse_text(struct policy *p, uint32_t file, const uint8_t *buf, size_t len,
		      enum policy_syntax syntax, const struct psvc *svc,
		      policy_include_fn inc, void *inc_ctx)
{
	const char *fname = p->files[file];
	struct policy_line l;
	size_t off = 0;
	uint32_t lineno = 0;

	while (off < len) {
		size_t n = policy_line_length(buf, len, off);
		int rc;

		lineno++;
		rc = policy_line_parse(buf + off, n, syntax, &l);
		if (rc < 0) {
			policy_fail(p, fname, lineno, "%s", policy_parse_strerror(rc));
			return -1;
		}
		off += n + 1;       /* past the '\n' (or the end) */
		switch (l.kind) {
		case PLINE_EMPTY:
			break;
		case PLINE_RULE:
			rc = add_rule(p, &l, syntax == PSYNTAX_COMPAT ? svc : NULL, file, lineno);
			if (rc < 0) {
				policy_fail(p, fname, lineno, "%s", rc == -E2BIG ?
					    "too many rules" : "out of memory");
				return -1;
			}
			break;
		default:
			if (!inc) {
				policy_fail(p, fname, lineno, "include directives are not supported here");
				return -1;
			}
			if (inc(inc_ctx, p, &l, syntax, svc, file, lineno) < 0)
				return -1;
			break;
		}
	}
	return 0;
}

static size_t slot_find(const struct policy *p, const char *s, size_t n, uint32_t h)
{
	size_t mask = p->nslots - 1, i = h & mask;

	while (p->slots[i].service &&
	       !(p->slots[i].hash == h && p->slots[i].len == n && memcmp(p->slots[i].service, s, n) == 0))
		i = (i + 1) & mask;
	return i;
}

int policy_finish(struct policy *p)
{
	size_t nsvc = 0, cap = 16, pos = 0;

	if (p->broken)
		return -1;
	for (size_t i = 0; i < p->nrules; i++)
		nsvc += p->rules[i].service != NULL;
	while (cap < 2 * nsvc)
		cap *= 2;
	p->slots = calloc(cap, sizeof(*p->slots));
	p->idx = malloc((nsvc ? nsvc : 1) * sizeof(*p->idx));
	p->wild = malloc((p->nrules - nsvc + 1) * sizeof(*p->wild));
	if (!p->slots || !p->idx || !p->wild) {
		policy_fail(p, NULL, 0, "out of memory");
		return -1;
	}
	p->nslots = cap;
	/* Count per service, then lay the groups out and fill them in rule
	 * order, so each group lists its rules in policy order. */
	for (size_t i = 0; i < p->nrules; i++) {
		const struct prule *r = &p->rules[i];
		uint32_t h;
		size_t s;

		if (!r->service) {
			p->wild[p->nwild++] = (uint32_t)i;
			continue;
		}
		h = policy_hash(r->service, r->service_len);
		s = slot_find(p, r->service, r->service_len, h);
		if (!p->slots[s].service) {
			p->slots[s].service = r->service;
			p->slots[s].len = r->service_len;
			p->slots[s].hash = h;
		}
		p->slots[s].count++;
	}
	for (size_t s = 0; s < cap; s++) {
		p->slots[s].start = (uint32_t)pos;
		pos += p->slots[s].count;
		p->slots[s].count = 0;
	}
	for (size_t i = 0; i < p->nrules; i++) {
		const struct prule *r = &p->rules[i];
		struct pslot *sl;

		if (!r->service)
			continue;
		sl = &p->slots[slot_find(p, r->service, r->service_len, policy_hash(r->service, r->service_len))];
		p->idx[sl->start + sl->count++] = (uint32_t)i;
	}
	return 0;
}

const char *policy_error(const struct policy *p)
{
	if (!p || (p->broken && !p->error))
		return "out of memory";
	return p->error;
}

const char *policy_dir(const struct policy *p)
{
	return p ? p->dir : "";
}

size_t policy_rule_count(const struct policy *p)
{
	return p ? p->nrules : 0;
}

void policy_rule_origin(const struct policy *p, size_t i, const char **file, uint32_t *line)
{
	if (!p || i >= p->nrules) {
		*file = NULL;
		*line = 0;
		return;
	}
	*file = p->files[p->rules[i].file];
	*line = p->rules[i].line;
}

struct policy *policy_load_buffer(const char *name, const void *buf, size_t len)
{
	struct policy *p = policy_new("");
	long f;

	if (!p)
		return NULL;
	f = policy_add_file(p, name);
	if (f < 0) {
		policy_free(p);
		return NULL;
	}
	if (len > POLICY_FILE_SIZE_MAX)
		policy_fail(p, p->files[f], 0, "file too large");
	else if (policy_parse_text(p, (uint32_t)f, buf, len, PSYNTAX_V5, NULL, NULL, NULL) == 0)
		(void)policy_finish(p);
	return p;
}
