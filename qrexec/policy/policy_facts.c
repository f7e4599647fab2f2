/* The facts table: qubes kept sorted by name, binary search for lookup,
 * the sorted order for enumeration. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/names_parse.h"
#include "qrexec/policy/policy_facts.h"
#include "qrexec/protocol.h"

struct fq {
	struct policy_qube q;   /* strings below are owned */
	char **tags;
};

struct policy_facts_table {
	struct fq *v;
	size_t n, cap;
};

struct policy_facts_table *policy_facts_table_new(void)
{
	return calloc(1, sizeof(struct policy_facts_table));
}

static void fq_free(struct fq *f)
{
	free((char *)f->q.name);
	free((char *)f->q.default_dispvm);
	free((char *)f->q.template);
	free((char *)f->q.label);
	free((char *)f->q.default_user);
	for (size_t i = 0; i < f->q.ntags; i++)
		free(f->tags[i]);
	free(f->tags);
}

void policy_facts_table_free(struct policy_facts_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		fq_free(&t->v[i]);
	free(t->v);
	free(t);
}

/* Index of name, or where it would go (*found false). */
static size_t find(const struct policy_facts_table *t, const char *name, bool *found)
{
	size_t lo = 0, hi = t->n;

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(t->v[mid].q.name, name);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static char *dup_opt(const char *s, bool *fail)
{
	char *d;

	if (!s || !s[0])
		return NULL;
	d = strdup(s);
	if (!d)
		*fail = true;
	return d;
}

static bool qube_name_ok(const char *s)
{
	return s && names_check(NAME_QUBE, (const uint8_t *)s, strnlen(s, QUBE_NAME_MAX + 1)) == 0;
}

int policy_facts_table_add(struct policy_facts_table *t, const struct policy_qube *q)
{
	struct fq f;
	bool found, fail = false;
	size_t at;

	if (!qube_name_ok(q->name) || (unsigned)q->cls >= PCLASS_COUNT ||
	    (q->default_dispvm && q->default_dispvm[0] && !qube_name_ok(q->default_dispvm)) ||
	    (q->template && q->template[0] && !qube_name_ok(q->template)) ||
	    (q->label && q->label[0] && names_check(NAME_TAG, (const uint8_t *)q->label,
						    strnlen(q->label, TOKEN_NAME_MAX + 1)) != 0) ||
	    (q->default_user && q->default_user[0] &&
	     names_check(NAME_USER, (const uint8_t *)q->default_user,
			 strnlen(q->default_user, USER_NAME_MAX + 1)) != 0))
		return -EINVAL;
	if (q->ntags > POLICY_FACTS_TAGS_MAX || t->n >= POLICY_QUBES_MAX)
		return -E2BIG;
	for (size_t i = 0; i < q->ntags; i++)
		if (!q->tags[i] || names_check(NAME_TAG, (const uint8_t *)q->tags[i],
					       strnlen(q->tags[i], TOKEN_NAME_MAX + 1)) != 0)
			return -EINVAL;
	at = find(t, q->name, &found);
	if (found)
		return -EEXIST;
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 16;
		struct fq *v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		t->v = v;
		t->cap = cap;
	}
	memset(&f, 0, sizeof(f));
	f.q = *q;
	f.q.name = dup_opt(q->name, &fail);
	f.q.default_dispvm = dup_opt(q->default_dispvm, &fail);
	f.q.template = dup_opt(q->template, &fail);
	f.q.label = dup_opt(q->label, &fail);
	f.q.default_user = dup_opt(q->default_user, &fail);
	f.q.ntags = 0;
	f.tags = q->ntags ? calloc(q->ntags, sizeof(char *)) : NULL;
	if (q->ntags && !f.tags)
		fail = true;
	for (size_t i = 0; !fail && i < q->ntags; i++) {
		f.tags[i] = strdup(q->tags[i]);
		if (!f.tags[i])
			fail = true;
		else
			f.q.ntags++;
	}
	f.q.tags = (const char *const *)f.tags;
	if (fail) {
		fq_free(&f);
		return -ENOMEM;
	}
	memmove(&t->v[at + 1], &t->v[at], (t->n - at) * sizeof(*t->v));
	t->v[at] = f;
	t->n++;
	return 0;
}

const struct policy_qube *policy_facts_table_find(const struct policy_facts_table *t, const char *name)
{
	bool found;
	size_t i = find(t, name, &found);

	return found ? &t->v[i].q : NULL;
}

static const struct policy_qube *t_lookup(const void *ctx, const char *name)
{
	return policy_facts_table_find(ctx, name);
}

static const struct policy_qube *t_at(const void *ctx, size_t i)
{
	const struct policy_facts_table *t = ctx;

	return i < t->n ? &t->v[i].q : NULL;
}

struct policy_facts policy_facts_table_facts(const struct policy_facts_table *t)
{
	struct policy_facts f = { t, t_lookup, t_at };

	return f;
}

static int yesno(const char *v, bool *out)
{
	if (strcmp(v, "yes") == 0)
		*out = true;
	else if (strcmp(v, "no") == 0)
		*out = false;
	else
		return -1;
	return 0;
}

/* Decimal, no sign, no leading zero, at most QREXEC_DOMID_MAX (Xen's
 * domid space, which bounds qids too). */
static int parse_qid(const char *v, uint32_t *out)
{
	uint32_t n = 0;

	if (!v[0] || (v[0] == '0' && v[1]) || strlen(v) > 5)
		return -1;
	for (const char *c = v; *c; c++) {
		if (*c < '0' || *c > '9')
			return -1;
		n = n * 10 + (uint32_t)(*c - '0');
	}
	if (n > QREXEC_DOMID_MAX)
		return -1;
	*out = n;
	return 0;
}

/* The next non-empty field of *s split at any of seps (cut in place), or
 * NULL at the end. */
static char *next_field(char **s, const char *seps)
{
	char *f;

	while (**s && strchr(seps, **s))
		(*s)++;
	if (!**s)
		return NULL;
	f = *s;
	*s += strcspn(*s, seps);
	if (**s)
		*(*s)++ = '\0';
	return f;
}

/* One line of a facts file: fields split at spaces/tabs in place. */
static const char *parse_line(struct policy_facts_table *t, char *line)
{
	char *field[POLICY_FACTS_FIELDS_MAX], *rest = line, *tok, *tags[POLICY_FACTS_TAGS_MAX];
	size_t nf = 0, nt = 0;
	struct policy_qube q;
	int cls = -1, rc;

	rest += strspn(rest, " \t\r");
	if (rest[0] == '#')
		return NULL;
	while ((tok = next_field(&rest, " \t\r")) != NULL) {
		if (nf == POLICY_FACTS_FIELDS_MAX)
			return "too many fields";
		field[nf++] = tok;
	}
	if (nf == 0)
		return NULL;
	memset(&q, 0, sizeof(q));
	q.name = field[0];
	for (size_t i = 1; i < nf; i++) {
		char *eq = strchr(field[i], '=');
		const char *k = field[i], *v;

		if (!eq)
			return "expected key=value";
		*eq = '\0';
		v = eq + 1;
		if (strcmp(k, "class") == 0) {
			cls = policy_class_from_name((const uint8_t *)v, strlen(v));
			if (cls < 0)
				return "unknown class";
		} else if (strcmp(k, "tags") == 0) {
			char *list = eq + 1, *g;

			while ((g = next_field(&list, ",")) != NULL) {
				if (nt == POLICY_FACTS_TAGS_MAX)
					return "too many tags";
				tags[nt++] = g;
			}
		} else if (strcmp(k, "default_dispvm") == 0) {
			q.default_dispvm = v;
		} else if (strcmp(k, "template") == 0) {
			q.template = v;
		} else if (strcmp(k, "template_for_dispvms") == 0) {
			if (yesno(v, &q.template_for_dispvms) < 0)
				return "template_for_dispvms must be yes or no";
		} else if (strcmp(k, "running") == 0) {
			if (yesno(v, &q.running) < 0)
				return "running must be yes or no";
		} else if (strcmp(k, "qid") == 0) {
			if (parse_qid(v, &q.qid) < 0)
				return "qid must be a number from 0 to 32751";
		} else if (strcmp(k, "domid") == 0) {
			if (parse_qid(v, &q.domid) < 0)
				return "domid must be a number from 0 to 32751";
		} else if (strcmp(k, "label") == 0) {
			q.label = v;
		} else if (strcmp(k, "default_user") == 0) {
			q.default_user = v;
		} else {
			return "unknown key";
		}
	}
	if (cls < 0)
		return "class= missing";
	q.cls = (enum policy_class)cls;
	q.tags = (const char *const *)tags;
	q.ntags = nt;
	rc = policy_facts_table_add(t, &q);
	if (rc == -EEXIST)
		return "duplicate qube";
	if (rc == -EINVAL)
		return "invalid name or tag";
	if (rc < 0)
		return "cannot add (too many qubes or out of memory)";
	return NULL;
}

/* Lines of text, '\n'-separated; name is for messages ("FILE" or
 * "bulkheadd"). */
static int parse_text(struct policy_facts_table *t, char *text, const char *name, char *err, size_t errlen)
{
	unsigned lineno = 0;
	char *line, *rest = text;

	while ((line = strsep(&rest, "\n")) != NULL) {
		const char *msg;

		lineno++;
		if (strlen(line) >= POLICY_FACTS_LINE_MAX) {
			snprintf(err, errlen, "%s:%u: line too long", name, lineno);
			return -1;
		}
		if ((msg = parse_line(t, line)) != NULL) {
			snprintf(err, errlen, "%s:%u: %s", name, lineno, msg);
			return -1;
		}
	}
	return 0;
}

int policy_facts_table_parse(struct policy_facts_table *t, const char *text, const char *name, char *err,
			     size_t errlen)
{
	char *copy = strdup(text);
	int rc;

	if (!copy) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	rc = parse_text(t, copy, name, err, errlen);
	free(copy);
	return rc;
}

/* The whole file as a string (caller frees); -E2BIG over
 * POLICY_FACTS_TEXT_MAX, -EINVAL for a NUL byte (text files have none). */
static int read_text_file(FILE *f, char **out, size_t *outlen)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap + 1), *nb;
	size_t n;

	if (!buf)
		return -ENOMEM;
	while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len < cap)
			continue;
		if (cap >= POLICY_FACTS_TEXT_MAX || (nb = realloc(buf, 2 * cap + 1)) == NULL) {
			free(buf);
			return cap >= POLICY_FACTS_TEXT_MAX ? -E2BIG : -ENOMEM;
		}
		buf = nb;
		cap *= 2;
	}
	if (ferror(f) || memchr(buf, '\0', len) != NULL) {
		free(buf);
		return ferror(f) ? -EIO : -EINVAL;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;
}

int policy_facts_table_read(struct policy_facts_table *t, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = read_text_file(f, &text, &len);
	fclose(f);
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return -1;
	}
	rc = parse_text(t, text, path, err, errlen);
	free(text);
	return rc;
}
