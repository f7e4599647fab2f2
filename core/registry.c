#include "core/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/names_parse.h"

struct feature {
	char *name;
	char *value;
};

struct qube {
	char name[QUBE_NAME_MAX + 1];
	enum qube_class klass;
	uint32_t qid;
	char *props[P_COUNT];        /* NULL: at its default */
	struct feature *features;    /* sorted by name */
	size_t nfeatures;
	char **tags;                 /* sorted */
	size_t ntags;
};

struct registry {
	struct qube **qubes;         /* sorted by name */
	size_t n;
	char *globals[G_COUNT];      /* NULL: at its default */
	char backend[16];
	bool loading;
};

static bool is_name(const char *s)
{
	return names_check(NAME_QUBE, (const uint8_t *)s, strlen(s)) == 0;
}

struct registry *registry_new(const char *backend)
{
	struct registry *reg = calloc(1, sizeof(*reg));

	if (reg == NULL)
		return NULL;
	snprintf(reg->backend, sizeof(reg->backend), "%s", backend);
	return reg;
}

static void qube_free(struct qube *q)
{
	if (q == NULL)
		return;
	for (int i = 0; i < P_COUNT; i++)
		free(q->props[i]);
	for (size_t i = 0; i < q->nfeatures; i++) {
		free(q->features[i].name);
		free(q->features[i].value);
	}
	free(q->features);
	for (size_t i = 0; i < q->ntags; i++)
		free(q->tags[i]);
	free(q->tags);
	free(q);
}

void registry_free(struct registry *reg)
{
	if (reg == NULL)
		return;
	for (size_t i = 0; i < reg->n; i++)
		qube_free(reg->qubes[i]);
	free(reg->qubes);
	for (int i = 0; i < G_COUNT; i++)
		free(reg->globals[i]);
	free(reg);
}

void registry_set_loading(struct registry *reg, bool loading)
{
	reg->loading = loading;
}

const char *registry_backend(const struct registry *reg)
{
	return reg->backend;
}

size_t registry_count(const struct registry *reg)
{
	return reg->n;
}

struct qube *registry_at(const struct registry *reg, size_t i)
{
	return i < reg->n ? reg->qubes[i] : NULL;
}

/* Index of name, or of where it would be inserted (with *found false). */
static size_t find_index(const struct registry *reg, const char *name, bool *found)
{
	size_t lo = 0, hi = reg->n;

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(reg->qubes[mid]->name, name);
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

struct qube *registry_find(const struct registry *reg, const char *name)
{
	bool found;
	size_t i = find_index(reg, name, &found);

	return found ? reg->qubes[i] : NULL;
}

const char *qube_name(const struct qube *q) { return q->name; }
enum qube_class qube_class(const struct qube *q) { return q->klass; }
uint32_t qube_qid(const struct qube *q) { return q->qid; }

bool qube_has_prop(const struct qube *q, enum prop_id id)
{
	return (prop_table[id].classes & CLS(q->klass)) != 0;
}

static const char *stored(const struct qube *q, enum prop_id id)
{
	return q->props[id];
}

/* The effective value of a property that has one (no error path). */
static const char *effective(const struct registry *reg, const struct qube *q, enum prop_id id)
{
	const char *v = stored(q, id);
	enum global_prop_id g;

	if (v != NULL)
		return v;
	if (prop_table[id].def != NULL)
		return prop_table[id].def;
	if (id == P_NETVM) {
		/* Like Qubes: network providers and templates default to none,
		 * so defaults can never form a netvm loop. */
		if (q->klass == CLASS_TEMPLATEVM || prop_bool(effective(reg, q, P_PROVIDES_NETWORK)))
			return "";
		g = G_DEFAULT_NETVM;
	}
	else if (id == P_DEFAULT_DISPVM)
		g = G_DEFAULT_DISPVM;
	else
		return "";
	v = reg->globals[g] ? reg->globals[g] : "";
	/* A qube is never its own default netvm or disposable template. */
	return strcmp(v, q->name) == 0 ? "" : v;
}

static bool is_dvm_template(const struct qube *t)
{
	return t != NULL && t->klass == CLASS_APPVM && prop_bool(effective(NULL, t, P_TEMPLATE_FOR_DISPVMS));
}

static bool provides_network(const struct qube *t)
{
	return t != NULL && t->klass != CLASS_ADMINVM && prop_bool(effective(NULL, t, P_PROVIDES_NETWORK));
}

/* Rules for a vm-typed value `target` of property id on qube q (q NULL
 * for global properties, gid says which). */
static int check_vm_ref(const struct registry *reg, const struct qube *q, enum prop_id id,
			int gid, const char *target, struct bh_error *err)
{
	const struct qube *t;
	const char *what = q ? prop_table[id].name : global_prop_table[gid].name;

	if (target[0] == '\0') {
		if (q != NULL && id == P_TEMPLATE)
			return err_set(err, EXC_VALUE, "property 'template' cannot be empty");
		return 0;
	}
	if (reg->loading)
		return 0;
	t = registry_find(reg, target);
	if (t == NULL)
		return err_set(err, EXC_VALUE, "invalid value for '%s': no such qube '%s'", what, target);
	if (q != NULL && t == q)
		return err_set(err, EXC_VALUE, "invalid value for '%s': a qube cannot refer to itself", what);
	if ((q && id == P_TEMPLATE && q->klass == CLASS_APPVM) || (!q && gid == G_DEFAULT_TEMPLATE)) {
		if (t->klass != CLASS_TEMPLATEVM)
			return err_set(err, EXC_VALUE, "invalid value for '%s': '%s' is not a TemplateVM", what, target);
	} else if ((q && id == P_TEMPLATE) || (q && id == P_DEFAULT_DISPVM) || (!q && gid == G_DEFAULT_DISPVM)) {
		if (!is_dvm_template(t))
			return err_set(err, EXC_VALUE,
				       "invalid value for '%s': '%s' is not an AppVM with template_for_dispvms",
				       what, target);
	} else if ((q && id == P_NETVM) || (!q && gid == G_DEFAULT_NETVM)) {
		if (!provides_network(t))
			return err_set(err, EXC_VALUE, "invalid value for '%s': '%s' does not provide network",
				       what, target);
		/* No cycles: following netvm from the target must not reach q. */
		for (size_t hops = 0; q != NULL && t != NULL && hops < REG_MAX_QUBES; hops++) {
			const char *next = effective(reg, t, P_NETVM);
			if (strcmp(next, q->name) == 0)
				return err_set(err, EXC_VALUE, "invalid value for 'netvm': would create a loop");
			t = next[0] ? registry_find(reg, next) : NULL;
		}
	}
	return 0;
}

static int set_str(char **slot, const char *v)
{
	char *copy = NULL;

	if (v != NULL && (copy = strdup(v)) == NULL)
		return -1;
	free(*slot);
	*slot = copy;
	return 0;
}

static uint32_t lowest_free_qid(const struct registry *reg)
{
	for (uint32_t qid = 1; qid <= QID_MAX; qid++) {
		bool used = false;
		for (size_t i = 0; i < reg->n && !used; i++)
			used = reg->qubes[i]->qid == qid;
		if (!used)
			return qid;
	}
	return 0;
}

static int insert(struct registry *reg, struct qube *q, struct bh_error *err)
{
	bool found;
	size_t at = find_index(reg, q->name, &found);
	struct qube **n;

	if (found)
		return err_set(err, EXC_VALUE, "a qube named '%s' already exists", q->name);
	n = realloc(reg->qubes, (reg->n + 1) * sizeof(*n));
	if (n == NULL)
		return err_set(err, EXC_QUBES, "out of memory");
	reg->qubes = n;
	memmove(n + at + 1, n + at, (reg->n - at) * sizeof(*n));
	n[at] = q;
	reg->n++;
	return 0;
}

struct qube *registry_create(struct registry *reg, enum qube_class klass, const char *name,
			     uint32_t qid, const char *label, const char *template_name,
			     struct bh_error *err)
{
	struct qube *q;
	const char *tmpl = template_name ? template_name : "";

	if ((unsigned)klass >= CLASS_COUNT) {
		err_set(err, EXC_VALUE, "unknown class");
		return NULL;
	}
	if (klass == CLASS_ADMINVM ? strcmp(name, "dom0") != 0 : !is_name(name)) {
		err_set(err, EXC_VALUE, "invalid qube name (1-31 chars [A-Za-z0-9_.-], starting with a letter)");
		return NULL;
	}
	if (klass != CLASS_ADMINVM && strcmp(name, "dom0") == 0) {
		err_set(err, EXC_VALUE, "the name 'dom0' is reserved");
		return NULL;
	}
	if (registry_find(reg, name) != NULL) {
		err_set(err, EXC_VALUE, "a qube named '%s' already exists", name);
		return NULL;
	}
	if (reg->n >= REG_MAX_QUBES) {
		err_set(err, EXC_VALUE, "too many qubes (at most %u)", REG_MAX_QUBES);
		return NULL;
	}
	if (label == NULL || label_from_name((const uint8_t *)label, strlen(label)) < 0) {
		err_set(err, EXC_VALUE, "a valid label is required (red orange yellow green gray blue purple black)");
		return NULL;
	}
	if (qid == 0 && klass != CLASS_ADMINVM)
		qid = lowest_free_qid(reg);
	if (klass == CLASS_ADMINVM ? qid != 0 : (qid == 0 || qid > QID_MAX)) {
		err_set(err, EXC_VALUE, "invalid qid");
		return NULL;
	}
	for (size_t i = 0; i < reg->n; i++)
		if (reg->qubes[i]->qid == qid) {
			err_set(err, EXC_VALUE, "qid %u is already in use", qid);
			return NULL;
		}
	if (klass == CLASS_APPVM || klass == CLASS_DISPVM) {
		if (tmpl[0] == '\0') {
			enum global_prop_id g = klass == CLASS_APPVM ? G_DEFAULT_TEMPLATE : G_DEFAULT_DISPVM;
			tmpl = reg->globals[g] ? reg->globals[g] : "";
			if (tmpl[0] == '\0') {
				err_set(err, EXC_VALUE, "no template given and no default set");
				return NULL;
			}
		}
	} else if (tmpl[0] != '\0') {
		err_set(err, EXC_VALUE, "a %s has no template", qube_class_name(klass));
		return NULL;
	}

	q = calloc(1, sizeof(*q));
	if (q == NULL) {
		err_set(err, EXC_QUBES, "out of memory");
		return NULL;
	}
	memcpy(q->name, name, strlen(name) + 1);
	q->klass = klass;
	q->qid = qid;
	if (tmpl[0] != '\0') {
		if (!is_name(tmpl) || check_vm_ref(reg, q, P_TEMPLATE, -1, tmpl, err) < 0) {
			if (!is_name(tmpl))
				err_set(err, EXC_VALUE, "invalid template name");
			qube_free(q);
			return NULL;
		}
	}
	if (set_str(&q->props[P_LABEL], label) < 0 ||
	    (tmpl[0] && set_str(&q->props[P_TEMPLATE], tmpl) < 0) ||
	    insert(reg, q, err) < 0) {
		if (err->exc == EXC_NONE)
			err_set(err, EXC_QUBES, "out of memory");
		qube_free(q);
		return NULL;
	}
	return q;
}

struct registry *registry_new_default(const char *backend)
{
	struct registry *reg = registry_new(backend);
	struct bh_error err = { 0 };

	if (reg == NULL)
		return NULL;
	if (registry_create(reg, CLASS_ADMINVM, "dom0", 0, "black", "", &err) == NULL ||
	    registry_create(reg, CLASS_TEMPLATEVM, DEFAULT_TEMPLATE_NAME, 0, "black", "", &err) == NULL ||
	    set_str(&reg->globals[G_DEFAULT_TEMPLATE], DEFAULT_TEMPLATE_NAME) < 0) {
		registry_free(reg);
		return NULL;
	}
	return reg;
}

/* Why `name` cannot go away, or NULL. */
static const char *in_use_by(const struct registry *reg, const char *name)
{
	static const enum prop_id refs[] = { P_TEMPLATE, P_NETVM, P_DEFAULT_DISPVM };

	for (int g = 0; g < G_COUNT; g++)
		if (global_prop_table[g].type == PT_VM && reg->globals[g] && strcmp(reg->globals[g], name) == 0)
			return global_prop_table[g].name;
	for (size_t i = 0; i < reg->n; i++)
		for (size_t r = 0; r < sizeof(refs) / sizeof(refs[0]); r++)
			if (reg->qubes[i]->props[refs[r]] && strcmp(reg->qubes[i]->props[refs[r]], name) == 0)
				return reg->qubes[i]->name;
	return NULL;
}

int registry_remove(struct registry *reg, const char *name, struct bh_error *err)
{
	bool found;
	size_t i = find_index(reg, name, &found);
	const char *user;

	if (!found)
		return err_set(err, EXC_VM_NOT_FOUND, "no such qube");
	if (reg->qubes[i]->klass == CLASS_ADMINVM)
		return err_set(err, EXC_PERMISSION, "dom0 cannot be removed");
	if ((user = in_use_by(reg, name)) != NULL)
		return err_set(err, EXC_IN_USE, "qube '%s' is in use by '%s'", name, user);
	qube_free(reg->qubes[i]);
	memmove(reg->qubes + i, reg->qubes + i + 1, (reg->n - i - 1) * sizeof(*reg->qubes));
	reg->n--;
	return 0;
}

struct qube *registry_clone(struct registry *reg, const struct qube *src, const char *new_name,
			    struct bh_error *err)
{
	struct qube *q;

	if (src->klass == CLASS_ADMINVM) {
		err_set(err, EXC_PERMISSION, "dom0 cannot be cloned");
		return NULL;
	}
	q = registry_create(reg, src->klass, new_name, 0, src->props[P_LABEL],
			    src->props[P_TEMPLATE] ? src->props[P_TEMPLATE] : "", err);
	if (q == NULL)
		return NULL;
	for (int i = 0; i < P_COUNT; i++)
		if (src->props[i] && set_str(&q->props[i], src->props[i]) < 0)
			goto oom;
	if (src->nfeatures) {
		q->features = calloc(src->nfeatures, sizeof(*q->features));
		if (q->features == NULL)
			goto oom;
		for (size_t i = 0; i < src->nfeatures; i++) {
			q->features[i].name = strdup(src->features[i].name);
			q->features[i].value = strdup(src->features[i].value);
			q->nfeatures++;
			if (!q->features[i].name || !q->features[i].value)
				goto oom;
		}
	}
	if (src->ntags) {
		q->tags = calloc(src->ntags, sizeof(*q->tags));
		if (q->tags == NULL)
			goto oom;
		for (size_t i = 0; i < src->ntags; i++) {
			q->tags[i] = strdup(src->tags[i]);
			q->ntags++;
			if (!q->tags[i])
				goto oom;
		}
	}
	return q;
oom:
	err_set(err, EXC_QUBES, "out of memory");
	registry_remove(reg, new_name, &(struct bh_error){ 0 });
	return NULL;
}

int qube_prop_get(const struct registry *reg, const struct qube *q, enum prop_id id,
		  char *out, size_t outlen, bool *is_default, struct bh_error *err)
{
	if (!qube_has_prop(q, id))
		return err_set(err, EXC_NO_SUCH_PROP, "%s has no property '%s'", qube_class_name(q->klass),
			       prop_table[id].name);
	*is_default = false;
	switch (id) {
	case P_NAME:
		snprintf(out, outlen, "%s", q->name);
		break;
	case P_CLASS:
		snprintf(out, outlen, "%s", qube_class_name(q->klass));
		break;
	case P_QID:
		snprintf(out, outlen, "%u", q->qid);
		break;
	default:
		*is_default = stored(q, id) == NULL;
		snprintf(out, outlen, "%s", effective(reg, q, id));
		break;
	}
	return 0;
}

/* Rules that tie one property to others or to other qubes. */
static int check_consistency(const struct registry *reg, const struct qube *q, enum prop_id id,
			     const char *v, struct bh_error *err)
{
	if (id == P_MEMORY || id == P_MAXMEM) {
		uint32_t mem = prop_uint(id == P_MEMORY ? v : effective(reg, q, P_MEMORY));
		uint32_t max = prop_uint(id == P_MAXMEM ? v : effective(reg, q, P_MAXMEM));
		if (max != 0 && mem > max)
			return err_set(err, EXC_VALUE, "memory (%u) must not exceed maxmem (%u)", mem, max);
	}
	if (id == P_PROVIDES_NETWORK && !prop_bool(v))
		for (size_t i = 0; i < reg->n; i++)
			if (strcmp(effective(reg, reg->qubes[i], P_NETVM), q->name) == 0 &&
			    reg->qubes[i]->klass != CLASS_ADMINVM)
				return err_set(err, EXC_IN_USE, "'%s' uses %s as its netvm",
					       reg->qubes[i]->name, q->name);
	if (id == P_TEMPLATE_FOR_DISPVMS && !prop_bool(v))
		for (size_t i = 0; i < reg->n; i++) {
			const struct qube *o = reg->qubes[i];
			if (o->klass == CLASS_ADMINVM)
				continue;
			if ((o->klass == CLASS_DISPVM && o->props[P_TEMPLATE] &&
			     strcmp(o->props[P_TEMPLATE], q->name) == 0) ||
			    strcmp(effective(reg, o, P_DEFAULT_DISPVM), q->name) == 0)
				return err_set(err, EXC_IN_USE, "'%s' uses %s as a disposable template",
					       o->name, q->name);
		}
	return 0;
}

int qube_prop_set(struct registry *reg, struct qube *q, enum prop_id id,
		  const uint8_t *value, size_t len, struct bh_error *err)
{
	const struct prop_def *def = &prop_table[id];
	char v[PROP_VALUE_MAX], why[sizeof(err->msg)];

	if (!qube_has_prop(q, id))
		return err_set(err, EXC_NO_SUCH_PROP, "%s has no property '%s'", qube_class_name(q->klass),
			       def->name);
	if ((def->flags & PF_READONLY) || q->klass == CLASS_ADMINVM)
		return err_set(err, EXC_PROP_ACCESS, "property '%s' is read-only", def->name);
	if (prop_check_value(def, value, len, v, sizeof(v), why, sizeof(why)) < 0)
		return err_set(err, EXC_VALUE, "%s", why);
	if (def->type == PT_VM && check_vm_ref(reg, q, id, -1, v, err) < 0)
		return -1;
	if (!reg->loading && check_consistency(reg, q, id, v, err) < 0)
		return -1;
	if (set_str(&q->props[id], v) < 0)
		return err_set(err, EXC_QUBES, "out of memory");
	return 0;
}

int qube_prop_reset(struct registry *reg, struct qube *q, enum prop_id id, struct bh_error *err)
{
	const struct prop_def *def = &prop_table[id];
	char *saved;

	if (!qube_has_prop(q, id))
		return err_set(err, EXC_NO_SUCH_PROP, "%s has no property '%s'", qube_class_name(q->klass),
			       def->name);
	if ((def->flags & PF_READONLY) || q->klass == CLASS_ADMINVM || id == P_LABEL || id == P_TEMPLATE)
		return err_set(err, EXC_PROP_ACCESS, "property '%s' has no default to reset to", def->name);
	/* The default must itself satisfy the cross-property rules. */
	saved = q->props[id];
	q->props[id] = NULL;
	if (check_consistency(reg, q, id, effective(reg, q, id), err) < 0) {
		q->props[id] = saved;
		return -1;
	}
	free(saved);
	return 0;
}

int global_prop_get(const struct registry *reg, enum global_prop_id id, char *out, size_t outlen,
		    bool *is_default)
{
	if (id == G_BACKEND) {
		*is_default = true;
		snprintf(out, outlen, "%s", reg->backend);
		return 0;
	}
	*is_default = reg->globals[id] == NULL;
	snprintf(out, outlen, "%s", reg->globals[id] ? reg->globals[id] : global_prop_table[id].def);
	return 0;
}

int global_prop_set(struct registry *reg, enum global_prop_id id, const uint8_t *value, size_t len,
		    struct bh_error *err)
{
	const struct prop_def *def = &global_prop_table[id];
	char v[PROP_VALUE_MAX], why[sizeof(err->msg)];

	if (def->flags & PF_READONLY)
		return err_set(err, EXC_PROP_ACCESS, "property '%s' is read-only", def->name);
	if (prop_check_value(def, value, len, v, sizeof(v), why, sizeof(why)) < 0)
		return err_set(err, EXC_VALUE, "%s", why);
	if (check_vm_ref(reg, NULL, 0, (int)id, v, err) < 0)
		return -1;
	if (set_str(&reg->globals[id], v) < 0)
		return err_set(err, EXC_QUBES, "out of memory");
	return 0;
}

int global_prop_reset(struct registry *reg, enum global_prop_id id, struct bh_error *err)
{
	if (global_prop_table[id].flags & PF_READONLY)
		return err_set(err, EXC_PROP_ACCESS, "property '%s' is read-only", global_prop_table[id].name);
	set_str(&reg->globals[id], NULL);
	return 0;
}

/* ---- features ---- */

static size_t feature_index(const struct qube *q, const char *name, bool *found)
{
	size_t i = 0;

	*found = false;
	for (; i < q->nfeatures; i++) {
		int c = strcmp(q->features[i].name, name);
		if (c == 0)
			*found = true;
		if (c >= 0)
			break;
	}
	return i;
}

size_t qube_feature_count(const struct qube *q) { return q->nfeatures; }
const char *qube_feature_name(const struct qube *q, size_t i) { return q->features[i].name; }
const char *qube_feature_value(const struct qube *q, size_t i) { return q->features[i].value; }

const char *qube_feature_get(const struct qube *q, const char *name)
{
	bool found;
	size_t i = feature_index(q, name, &found);

	return found ? q->features[i].value : NULL;
}

int qube_feature_set(struct qube *q, const char *name, const uint8_t *value, size_t len,
		     struct bh_error *err)
{
	bool found;
	size_t i;
	char *v, *n;
	struct feature *nf;

	if (names_check(NAME_FEATURE, (const uint8_t *)name, strlen(name)) < 0)
		return err_set(err, EXC_VALUE, "invalid feature name");
	if (names_check(NAME_VALUE, value, len) < 0)
		return err_set(err, EXC_VALUE, "invalid feature value (at most %u printable ASCII bytes)",
			       VALUE_MAX);
	i = feature_index(q, name, &found);
	if (!found && q->nfeatures >= REG_MAX_FEATURES)
		return err_set(err, EXC_VALUE, "too many features (at most %u)", REG_MAX_FEATURES);
	v = strndup((const char *)value, len);
	if (v == NULL)
		return err_set(err, EXC_QUBES, "out of memory");
	if (found) {
		free(q->features[i].value);
		q->features[i].value = v;
		return 0;
	}
	n = strdup(name);
	nf = n ? realloc(q->features, (q->nfeatures + 1) * sizeof(*nf)) : NULL;
	if (nf == NULL) {
		free(v);
		free(n);
		return err_set(err, EXC_QUBES, "out of memory");
	}
	q->features = nf;
	memmove(nf + i + 1, nf + i, (q->nfeatures - i) * sizeof(*nf));
	nf[i].name = n;
	nf[i].value = v;
	q->nfeatures++;
	return 0;
}

int qube_feature_remove(struct qube *q, const char *name, struct bh_error *err)
{
	bool found;
	size_t i = feature_index(q, name, &found);

	if (!found)
		return err_set(err, EXC_FEATURE_NOT_FOUND, "no such feature");
	free(q->features[i].name);
	free(q->features[i].value);
	memmove(q->features + i, q->features + i + 1, (q->nfeatures - i - 1) * sizeof(*q->features));
	q->nfeatures--;
	return 0;
}

/* ---- tags ---- */

static size_t tag_index(const struct qube *q, const char *tag, bool *found)
{
	size_t i = 0;

	*found = false;
	for (; i < q->ntags; i++) {
		int c = strcmp(q->tags[i], tag);
		if (c == 0)
			*found = true;
		if (c >= 0)
			break;
	}
	return i;
}

size_t qube_tag_count(const struct qube *q) { return q->ntags; }
const char *qube_tag(const struct qube *q, size_t i) { return q->tags[i]; }

bool qube_tag_has(const struct qube *q, const char *tag)
{
	bool found;

	tag_index(q, tag, &found);
	return found;
}

int qube_tag_add(struct qube *q, const char *tag, struct bh_error *err)
{
	bool found;
	size_t i;
	char *t, **nt;

	if (names_check(NAME_TAG, (const uint8_t *)tag, strlen(tag)) < 0)
		return err_set(err, EXC_VALUE, "invalid tag name");
	i = tag_index(q, tag, &found);
	if (found)
		return 0;
	if (q->ntags >= REG_MAX_TAGS)
		return err_set(err, EXC_VALUE, "too many tags (at most %u)", REG_MAX_TAGS);
	t = strdup(tag);
	nt = t ? realloc(q->tags, (q->ntags + 1) * sizeof(*nt)) : NULL;
	if (nt == NULL) {
		free(t);
		return err_set(err, EXC_QUBES, "out of memory");
	}
	q->tags = nt;
	memmove(nt + i + 1, nt + i, (q->ntags - i) * sizeof(*nt));
	nt[i] = t;
	q->ntags++;
	return 0;
}

int qube_tag_remove(struct qube *q, const char *tag, struct bh_error *err)
{
	bool found;
	size_t i = tag_index(q, tag, &found);

	if (!found)
		return err_set(err, EXC_TAG_NOT_FOUND, "no such tag");
	free(q->tags[i]);
	memmove(q->tags + i, q->tags + i + 1, (q->ntags - i - 1) * sizeof(*q->tags));
	q->ntags--;
	return 0;
}

/* ---- backend view ---- */

struct qube *qube_root_template(const struct registry *reg, const struct qube *q)
{
	struct qube *t;

	if (q->klass != CLASS_APPVM && q->klass != CLASS_DISPVM)
		return NULL;
	t = registry_find(reg, effective(reg, q, P_TEMPLATE));
	if (t != NULL && q->klass == CLASS_DISPVM)
		t = registry_find(reg, effective(reg, t, P_TEMPLATE));
	return t;
}

void qube_to_vmm(const struct registry *reg, const struct qube *q, struct vmm_qube *out)
{
	uint32_t mem = prop_uint(effective(reg, q, P_MEMORY));
	uint32_t max = prop_uint(effective(reg, q, P_MAXMEM));

	memset(out, 0, sizeof(*out));
	memcpy(out->name, q->name, sizeof(out->name));
	out->qid = q->qid;
	out->klass = q->klass;
	out->label = (enum label)label_from_name((const uint8_t *)effective(reg, q, P_LABEL),
						 strlen(effective(reg, q, P_LABEL)));
	/* maxmem 0 means "memory is the ceiling" (SPEC/core.md): resolved
	 * here, so the monitor always gets the effective ceiling, and
	 * check_consistency() keeps it >= memory. */
	out->memory_mb = mem;
	out->maxmem_mb = max != 0 ? max : mem;
	out->vcpus = prop_uint(effective(reg, q, P_VCPUS));
	out->pids_max = prop_uint(effective(reg, q, P_PIDS_MAX));
	out->shutdown_timeout_s = prop_uint(effective(reg, q, P_SHUTDOWN_TIMEOUT));
	out->qrexec_timeout_s = prop_uint(effective(reg, q, P_QREXEC_TIMEOUT));
	out->has_netvm = effective(reg, q, P_NETVM)[0] != '\0';
	snprintf(out->default_user, sizeof(out->default_user), "%s", effective(reg, q, P_DEFAULT_USER));
}

int registry_check_refs(const struct registry *reg, struct bh_error *err)
{
	static const enum prop_id refs[] = { P_TEMPLATE, P_NETVM, P_DEFAULT_DISPVM };

	for (int g = 0; g < G_COUNT; g++)
		if (global_prop_table[g].type == PT_VM && reg->globals[g] &&
		    check_vm_ref(reg, NULL, 0, g, reg->globals[g], err) < 0)
			return -1;
	for (size_t i = 0; i < reg->n; i++) {
		const struct qube *q = reg->qubes[i];
		if ((q->klass == CLASS_APPVM || q->klass == CLASS_DISPVM) && q->props[P_TEMPLATE] == NULL)
			return err_set(err, EXC_VALUE, "qube '%s' has no template", q->name);
		for (size_t r = 0; r < sizeof(refs) / sizeof(refs[0]); r++)
			if (q->props[refs[r]] && check_vm_ref(reg, q, refs[r], -1, q->props[refs[r]], err) < 0)
				return -1;
		if (check_consistency(reg, q, P_MEMORY, effective(reg, q, P_MEMORY), err) < 0)
			return -1;
	}
	if (registry_find(reg, "dom0") == NULL || registry_find(reg, "dom0")->klass != CLASS_ADMINVM)
		return err_set(err, EXC_VALUE, "no AdminVM dom0");
	return 0;
}
