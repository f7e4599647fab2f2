#include "core/admin.h"

#include <errno.h>
#include <string.h>

#include "core/admin_parse.h"
#include "core/store.h"
#include "core/vmm_client.h"
#include "lib/atomicfile.h"
#include "lib/log.h"

/* Where a call may be addressed and what it takes. */
#define A_DOM0      1u    /* dest must be dom0 (or empty) */
#define A_QUBE      2u    /* dest must name an existing qube (dom0 included) */
#define A_ARG       4u    /* arg required */
#define A_PAYLOAD   8u    /* payload allowed */
#define A_MUTATES  16u    /* commit the registry on success */
#define A_ANYDEST  32u    /* dom0 or a qube */
#define A_POLICYD  64u    /* qrexec-policyd may call it too */
#define A_DISPOSABLE 128u /* ... policyd only on a disposable (DispVM) */

struct call_ctx {
	struct admin_server *srv;
	const struct admin_request *req;
	const uint8_t *untrusted_payload;  /* checked by each handler's validator */
	size_t untrusted_payload_len;
	struct qube *q;             /* resolved dest, when A_QUBE */
	struct strbuf *out;         /* success content */
	int klass;                  /* admin.vm.Create.*: the class */
	struct bh_error err;
};

typedef int (*call_fn)(struct call_ctx *c);

struct admin_call {
	const char *method;
	unsigned flags;
	call_fn fn;
	int klass;                  /* admin.vm.Create.*: class; else -1 */
};

/* ---- helpers ---- */

static enum power_state qube_state(const struct qube *q, struct vmm_wire_reply *rep)
{
	struct vmm_wire_reply r = { 0 };

	if (qube_class(q) == CLASS_ADMINVM)
		return POWER_RUNNING;
	if (vmm_call_name(VMM_OP_STATUS, qube_name(q), &r) < 0 || r.state >= POWER_COUNT)
		return POWER_HALTED;
	if (rep)
		*rep = r;
	return (enum power_state)r.state;
}

static int need_halted(struct call_ctx *c, const struct qube *q)
{
	if (qube_state(q, NULL) != POWER_HALTED)
		return err_set(&c->err, EXC_NOT_HALTED, "qube '%s' is not halted", qube_name(q));
	return 0;
}

static int backend_error(struct call_ctx *c, const char *what, int rc)
{
	return err_set(&c->err, EXC_VM_ERROR, "%s failed: %s", what, strerror(-rc));
}

static int no_such_prop(struct call_ctx *c)
{
	return err_set(&c->err, EXC_NO_SUCH_PROP, "no such property '%s'", c->req->arg);
}

/* ---- admin.vm.List, CurrentState ---- */

static void list_one(struct call_ctx *c, const struct qube *q)
{
	sb_addf(c->out, "%s class=%s state=%s\n", qube_name(q), qube_class_name(qube_class(q)),
		power_state_name(qube_state(q, NULL)));
}

static int vm_list(struct call_ctx *c)
{
	if (c->q != NULL && qube_class(c->q) != CLASS_ADMINVM) {
		list_one(c, c->q);
		return 0;
	}
	for (size_t i = 0; i < registry_count(c->srv->reg); i++)
		list_one(c, registry_at(c->srv->reg, i));
	return 0;
}

static int vm_current_state(struct call_ctx *c)
{
	struct vmm_qube v;
	enum power_state st = qube_state(c->q, NULL);
	uint32_t mem = 0, max = 0;

	/* What the backend was given (no ballooning: a qube keeps its
	 * memory), not what it uses. */
	if (qube_class(c->q) != CLASS_ADMINVM) {
		qube_to_vmm(c->srv->reg, c->q, &v);
		mem = st == POWER_HALTED ? 0 : v.memory_mb;
		max = st == POWER_HALTED ? 0 : v.maxmem_mb;
	}
	sb_addf(c->out, "mem=%u mem_static_max=%u cputime=0 power_state=%s", mem, max,
		power_state_name(st));
	return 0;
}

/* ---- admin.bulkhead.SystemInfo ---- */

/* A property's value, or "" where the class has none (dom0's template). */
static void prop_or_empty(struct call_ctx *c, const struct qube *q, enum prop_id p, char *v, size_t len)
{
	struct bh_error e = { 0 };
	bool dflt;

	if (qube_prop_get(c->srv->reg, q, p, v, len, &dflt, &e) < 0)
		v[0] = '\0';
}

/* Every qube's facts for qrexec-policyd in one reply (one call per
 * request instead of four per qube), in the facts-file format of
 * qrexec/policy/policy_facts.h:
 *   NAME class=C running=yes|no qid=N label=L default_user=U
 *        default_dispvm=D template=T template_for_dispvms=yes|no tags=A,B
 * (keys with an empty value left out).  Qubes' policy daemon has
 * internal.GetSystemInfo for the same purpose; our Admin API parser takes
 * only admin.* names, hence a Bulkhead extension under admin.bulkhead. */
static void sysinfo_one(struct call_ctx *c, const struct qube *q)
{
	static const struct { enum prop_id p; const char *key; } props[] = {
		{ P_QID, "qid" }, { P_LABEL, "label" }, { P_DEFAULT_USER, "default_user" },
		{ P_DEFAULT_DISPVM, "default_dispvm" }, { P_TEMPLATE_FOR_DISPVMS, "template_for_dispvms" },
	};
	enum qube_class k = qube_class(q);
	struct vmm_wire_reply st = { 0 };
	bool running = qube_state(q, &st) == POWER_RUNNING;
	char v[PROP_VALUE_MAX];

	sb_addf(c->out, "%s class=%s running=%s", qube_name(q), qube_class_name(k), running ? "yes" : "no");
	/* The domain id: qrexec-policyd checks a qrexec-daemon's answer
	 * against it (a daemon runs under its qube's control). */
	if (running && k != CLASS_ADMINVM && st.domid != 0)
		sb_addf(c->out, " domid=%u", st.domid);
	for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++) {
		prop_or_empty(c, q, props[i].p, v, sizeof(v));
		if (props[i].p == P_TEMPLATE_FOR_DISPVMS && v[0])
			sb_addf(c->out, " %s=%s", props[i].key, strcmp(v, "True") == 0 ? "yes" : "no");
		else if (v[0])
			sb_addf(c->out, " %s=%s", props[i].key, v);
	}
	/* Only a DispVM's template says which AppVM it was made from. */
	if (k == CLASS_DISPVM) {
		prop_or_empty(c, q, P_TEMPLATE, v, sizeof(v));
		if (v[0])
			sb_addf(c->out, " template=%s", v);
	}
	for (size_t i = 0; i < qube_tag_count(q); i++)
		sb_addf(c->out, "%s%s", i ? "," : " tags=", qube_tag(q, i));
	sb_adds(c->out, "\n");
}

static int system_info(struct call_ctx *c)
{
	for (size_t i = 0; i < registry_count(c->srv->reg); i++)
		sysinfo_one(c, registry_at(c->srv->reg, i));
	return 0;
}

/* ---- lifecycle ---- */

static int vm_start(struct call_ctx *c)
{
	struct vmm_qube self, tmpl, priv;
	struct vmm_wire_reply rep;
	const struct qube *rt, *ps = NULL;
	int rc;

	if (qube_class(c->q) == CLASS_ADMINVM)
		return err_set(&c->err, EXC_PERMISSION, "dom0 is always running");
	if (qube_state(c->q, NULL) != POWER_HALTED)
		return err_set(&c->err, EXC_NOT_HALTED, "qube '%s' is already running", qube_name(c->q));
	rt = qube_root_template(c->srv->reg, c->q);
	if ((qube_class(c->q) == CLASS_APPVM || qube_class(c->q) == CLASS_DISPVM) && rt == NULL)
		return err_set(&c->err, EXC_VALUE, "qube '%s' has no usable template", qube_name(c->q));
	if (qube_class(c->q) == CLASS_DISPVM) {
		char name[PROP_VALUE_MAX];
		bool dflt;
		if (qube_prop_get(c->srv->reg, c->q, P_TEMPLATE, name, sizeof(name), &dflt, &c->err) < 0)
			return -1;
		ps = registry_find(c->srv->reg, name);
	}
	qube_to_vmm(c->srv->reg, c->q, &self);
	if (rt)
		qube_to_vmm(c->srv->reg, rt, &tmpl);
	if (ps)
		qube_to_vmm(c->srv->reg, ps, &priv);
	rc = vmm_call(VMM_OP_START, &self, rt ? &tmpl : NULL, ps ? &priv : NULL, &rep);
	return rc < 0 ? backend_error(c, "start", rc) : 0;
}

static int name_op(struct call_ctx *c, enum vmm_op op, const char *what, bool needs_running)
{
	struct vmm_wire_reply rep;
	int rc;

	if (qube_class(c->q) == CLASS_ADMINVM)
		return err_set(&c->err, EXC_PERMISSION, "cannot %s dom0", what);
	if (needs_running && qube_state(c->q, NULL) == POWER_HALTED)
		return err_set(&c->err, EXC_NOT_STARTED, "qube '%s' is not running", qube_name(c->q));
	rc = vmm_call_name(op, qube_name(c->q), &rep);
	return rc < 0 ? backend_error(c, what, rc) : 0;
}

static int vm_shutdown(struct call_ctx *c) { return name_op(c, VMM_OP_SHUTDOWN, "shutdown", true); }
static int vm_kill(struct call_ctx *c) { return name_op(c, VMM_OP_KILL, "kill", true); }
static int vm_pause(struct call_ctx *c) { return name_op(c, VMM_OP_PAUSE, "pause", true); }
static int vm_unpause(struct call_ctx *c) { return name_op(c, VMM_OP_UNPAUSE, "unpause", true); }

/* ---- create, clone, remove ---- */

static int vm_create(struct call_ctx *c)
{
	enum qube_class klass = (enum qube_class)c->klass;
	struct admin_kv kv[ADMIN_KV_MAX];
	const char *name = NULL, *label = NULL;
	struct vmm_qube v;
	struct qube *q;
	int n, rc;

	n = admin_kv_parse(c->untrusted_payload, c->untrusted_payload_len, kv);
	if (n < 0)
		return err_set(&c->err, EXC_PROTOCOL, "malformed payload (expected name=N label=L [prop=value ...])");
	for (int i = 0; i < n; i++) {
		if (strcmp(kv[i].key, "name") == 0)
			name = kv[i].value;
		else if (strcmp(kv[i].key, "label") == 0)
			label = kv[i].value;
	}
	if (name == NULL || label == NULL)
		return err_set(&c->err, EXC_VALUE, "name= and label= are required");
	/* On any failure below, admin_handle() restores the committed
	 * registry, so nothing of the half-made qube remains. */
	q = registry_create(c->srv->reg, klass, name, 0, label, c->req->arg, &c->err);
	if (q == NULL)
		return -1;
	for (int i = 0; i < n; i++) {
		int p;
		if (strcmp(kv[i].key, "name") == 0 || strcmp(kv[i].key, "label") == 0)
			continue;
		p = prop_lookup(kv[i].key);
		if (p < 0 || p == P_TEMPLATE || !qube_has_prop(q, (enum prop_id)p))
			return err_set(&c->err, EXC_NO_SUCH_PROP, "no such settable property '%s'", kv[i].key);
		if (qube_prop_set(c->srv->reg, q, (enum prop_id)p, (const uint8_t *)kv[i].value,
				  strlen(kv[i].value), &c->err) < 0)
			return -1;
	}
	qube_to_vmm(c->srv->reg, q, &v);
	rc = vmm_call(VMM_OP_VOLUME_CREATE, &v, NULL, NULL, &(struct vmm_wire_reply){ 0 });
	return rc < 0 ? backend_error(c, "creating volumes", rc) : 0;
}

static int vm_clone(struct call_ctx *c)
{
	struct admin_kv kv[ADMIN_KV_MAX];
	struct vmm_qube src, dst;
	struct qube *q;
	int n, rc;

	n = admin_kv_parse(c->untrusted_payload, c->untrusted_payload_len, kv);
	if (n != 1 || strcmp(kv[0].key, "name") != 0)
		return err_set(&c->err, EXC_PROTOCOL, "malformed payload (expected name=N)");
	if (need_halted(c, c->q) < 0)
		return -1;
	q = registry_clone(c->srv->reg, c->q, kv[0].value, &c->err);
	if (q == NULL)
		return -1;
	qube_to_vmm(c->srv->reg, c->q, &src);
	qube_to_vmm(c->srv->reg, q, &dst);
	rc = vmm_call(VMM_OP_VOLUME_CLONE, &src, &dst, NULL, &(struct vmm_wire_reply){ 0 });
	if (rc < 0) {
		if (vmm_call(VMM_OP_VOLUME_REMOVE, &dst, NULL, NULL, &(struct vmm_wire_reply){ 0 }) < 0)
			log_warnx("cleaning up volumes of %s failed", dst.name);
		return backend_error(c, "cloning volumes", rc);
	}
	return 0;
}

static int vm_remove(struct call_ctx *c)
{
	struct vmm_qube v;
	int rc;

	if (qube_class(c->q) == CLASS_ADMINVM)
		return err_set(&c->err, EXC_PERMISSION, "dom0 cannot be removed");
	if (need_halted(c, c->q) < 0)
		return -1;
	qube_to_vmm(c->srv->reg, c->q, &v);
	if (registry_remove(c->srv->reg, qube_name(c->q), &c->err) < 0)
		return -1;
	c->q = NULL;
	/* Commit first: a crash now leaves orphaned volumes, never a
	 * registered qube without its volumes. */
	if (admin_commit(c->srv, &c->err) < 0)
		return -1;
	rc = vmm_call(VMM_OP_VOLUME_REMOVE, &v, NULL, NULL, &(struct vmm_wire_reply){ 0 });
	if (rc < 0)
		log_warnx("removing volumes of %s: %s (left on disk)", v.name, strerror(-rc));
	return 0;
}

/* ---- properties ---- */

static int prop_id_of(struct call_ctx *c)
{
	int p = prop_lookup(c->req->arg);

	if (p < 0 || !qube_has_prop(c->q, (enum prop_id)p))
		return no_such_prop(c);
	return p;
}

static int vm_prop_list(struct call_ctx *c)
{
	for (int p = 0; p < P_COUNT; p++)
		if (qube_has_prop(c->q, (enum prop_id)p))
			sb_addf(c->out, "%s\n", prop_table[p].name);
	return 0;
}

static int vm_prop_get(struct call_ctx *c)
{
	char v[PROP_VALUE_MAX];
	bool dflt;
	int p = prop_id_of(c);

	if (p < 0 || qube_prop_get(c->srv->reg, c->q, (enum prop_id)p, v, sizeof(v), &dflt, &c->err) < 0)
		return -1;
	sb_addf(c->out, "default=%s type=%s %s", dflt ? "True" : "False",
		prop_type_name(prop_table[p].type), v);
	return 0;
}

static int vm_prop_set(struct call_ctx *c)
{
	int p = prop_id_of(c);

	if (p < 0)
		return -1;
	if ((prop_table[p].flags & PF_HALTED) && qube_class(c->q) != CLASS_ADMINVM &&
	    need_halted(c, c->q) < 0)
		return -1;
	return qube_prop_set(c->srv->reg, c->q, (enum prop_id)p, c->untrusted_payload,
			     c->untrusted_payload_len, &c->err);
}

static int vm_prop_reset(struct call_ctx *c)
{
	int p = prop_id_of(c);

	if (p < 0)
		return -1;
	if ((prop_table[p].flags & PF_HALTED) && qube_class(c->q) != CLASS_ADMINVM &&
	    need_halted(c, c->q) < 0)
		return -1;
	return qube_prop_reset(c->srv->reg, c->q, (enum prop_id)p, &c->err);
}

static int global_id_of(struct call_ctx *c)
{
	int g = global_prop_lookup(c->req->arg);

	return g < 0 ? no_such_prop(c) : g;
}

static int global_list(struct call_ctx *c)
{
	for (int g = 0; g < G_COUNT; g++)
		sb_addf(c->out, "%s\n", global_prop_table[g].name);
	return 0;
}

static int global_get(struct call_ctx *c)
{
	char v[PROP_VALUE_MAX];
	bool dflt;
	int g = global_id_of(c);

	if (g < 0)
		return -1;
	global_prop_get(c->srv->reg, (enum global_prop_id)g, v, sizeof(v), &dflt);
	sb_addf(c->out, "default=%s type=%s %s", dflt ? "True" : "False",
		prop_type_name(global_prop_table[g].type), v);
	return 0;
}

static int global_set(struct call_ctx *c)
{
	int g = global_id_of(c);

	return g < 0 ? -1 : global_prop_set(c->srv->reg, (enum global_prop_id)g, c->untrusted_payload,
					     c->untrusted_payload_len, &c->err);
}

static int global_reset(struct call_ctx *c)
{
	int g = global_id_of(c);

	return g < 0 ? -1 : global_prop_reset(c->srv->reg, (enum global_prop_id)g, &c->err);
}

/* ---- features and tags ---- */

static int need_not_dom0(struct call_ctx *c)
{
	if (qube_class(c->q) == CLASS_ADMINVM)
		return err_set(&c->err, EXC_PERMISSION, "dom0's features and tags are fixed");
	return 0;
}

static int feat_list(struct call_ctx *c)
{
	for (size_t i = 0; i < qube_feature_count(c->q); i++)
		sb_addf(c->out, "%s\n", qube_feature_name(c->q, i));
	return 0;
}

static int feat_get(struct call_ctx *c)
{
	const char *v = qube_feature_get(c->q, c->req->arg);

	if (v == NULL)
		return err_set(&c->err, EXC_FEATURE_NOT_FOUND, "no such feature '%s'", c->req->arg);
	sb_adds(c->out, v);
	return 0;
}

static int feat_set(struct call_ctx *c)
{
	if (need_not_dom0(c) < 0)
		return -1;
	return qube_feature_set(c->q, c->req->arg, c->untrusted_payload, c->untrusted_payload_len, &c->err);
}

static int feat_remove(struct call_ctx *c)
{
	if (need_not_dom0(c) < 0)
		return -1;
	if (qube_feature_remove(c->q, c->req->arg, &c->err) < 0)
		return err_set(&c->err, EXC_FEATURE_NOT_FOUND, "no such feature '%s'", c->req->arg);
	return 0;
}

static int tag_list(struct call_ctx *c)
{
	for (size_t i = 0; i < qube_tag_count(c->q); i++)
		sb_addf(c->out, "%s\n", qube_tag(c->q, i));
	return 0;
}

static int tag_get(struct call_ctx *c)
{
	sb_adds(c->out, qube_tag_has(c->q, c->req->arg) ? "1" : "0");
	return 0;
}

static int tag_set(struct call_ctx *c)
{
	if (need_not_dom0(c) < 0)
		return -1;
	return qube_tag_add(c->q, c->req->arg, &c->err);
}

static int tag_remove(struct call_ctx *c)
{
	if (need_not_dom0(c) < 0)
		return -1;
	if (qube_tag_remove(c->q, c->req->arg, &c->err) < 0)
		return err_set(&c->err, EXC_TAG_NOT_FOUND, "no such tag '%s'", c->req->arg);
	return 0;
}

/* ---- labels ---- */

static int label_list(struct call_ctx *c)
{
	for (int l = 0; l < LABEL_COUNT; l++)
		sb_addf(c->out, "%s\n", label_name((enum label)l));
	return 0;
}

static int label_get(struct call_ctx *c)
{
	int l = label_from_name((const uint8_t *)c->req->arg, strlen(c->req->arg));

	if (l < 0)
		return err_set(&c->err, EXC_VALUE, "no such label '%s'", c->req->arg);
	sb_addf(c->out, "0x%06x", label_color((enum label)l));
	return 0;
}

static const struct admin_call calls[] = {
	{ "admin.vm.List", A_ANYDEST, vm_list, -1 },
	{ "admin.vm.Create.TemplateVM", A_DOM0 | A_PAYLOAD | A_MUTATES, vm_create, CLASS_TEMPLATEVM },
	{ "admin.vm.Create.AppVM", A_DOM0 | A_PAYLOAD | A_MUTATES, vm_create, CLASS_APPVM },
	{ "admin.vm.Create.StandaloneVM", A_DOM0 | A_PAYLOAD | A_MUTATES, vm_create, CLASS_STANDALONEVM },
	{ "admin.vm.Create.DispVM", A_DOM0 | A_PAYLOAD | A_MUTATES | A_POLICYD, vm_create, CLASS_DISPVM },
	{ "admin.vm.Clone", A_QUBE | A_PAYLOAD | A_MUTATES, vm_clone, -1 },
	{ "admin.vm.Remove", A_QUBE | A_POLICYD | A_DISPOSABLE, vm_remove, -1 },   /* commits itself, before volumes go */
	{ "admin.vm.Start", A_QUBE | A_POLICYD, vm_start, -1 },
	{ "admin.vm.Shutdown", A_QUBE, vm_shutdown, -1 },
	{ "admin.vm.Kill", A_QUBE | A_POLICYD | A_DISPOSABLE, vm_kill, -1 },
	{ "admin.vm.Pause", A_QUBE, vm_pause, -1 },
	{ "admin.vm.Unpause", A_QUBE, vm_unpause, -1 },
	{ "admin.vm.CurrentState", A_QUBE, vm_current_state, -1 },
	{ "admin.vm.property.List", A_QUBE, vm_prop_list, -1 },
	{ "admin.vm.property.Get", A_QUBE | A_ARG, vm_prop_get, -1 },
	{ "admin.vm.property.Set", A_QUBE | A_ARG | A_PAYLOAD | A_MUTATES, vm_prop_set, -1 },
	{ "admin.vm.property.Reset", A_QUBE | A_ARG | A_MUTATES, vm_prop_reset, -1 },
	{ "admin.vm.feature.List", A_QUBE, feat_list, -1 },
	{ "admin.vm.feature.Get", A_QUBE | A_ARG, feat_get, -1 },
	{ "admin.vm.feature.Set", A_QUBE | A_ARG | A_PAYLOAD | A_MUTATES, feat_set, -1 },
	{ "admin.vm.feature.Remove", A_QUBE | A_ARG | A_MUTATES, feat_remove, -1 },
	{ "admin.vm.tag.List", A_QUBE, tag_list, -1 },
	{ "admin.vm.tag.Get", A_QUBE | A_ARG, tag_get, -1 },
	{ "admin.vm.tag.Set", A_QUBE | A_ARG | A_MUTATES, tag_set, -1 },
	{ "admin.vm.tag.Remove", A_QUBE | A_ARG | A_MUTATES, tag_remove, -1 },
	{ "admin.label.List", A_DOM0, label_list, -1 },
	{ "admin.label.Get", A_DOM0 | A_ARG, label_get, -1 },
	{ "admin.property.List", A_DOM0, global_list, -1 },
	{ "admin.property.Get", A_DOM0 | A_ARG, global_get, -1 },
	{ "admin.property.Set", A_DOM0 | A_ARG | A_PAYLOAD | A_MUTATES, global_set, -1 },
	{ "admin.property.Reset", A_DOM0 | A_ARG | A_MUTATES, global_reset, -1 },
	{ "admin.bulkhead.SystemInfo", A_DOM0 | A_POLICYD, system_info, -1 },
};

int admin_commit(struct admin_server *srv, struct bh_error *err)
{
	struct strbuf sb;
	struct registry *prev;
	struct bh_error perr;
	int rc;

	sb_init(&sb, STORE_MAX_BYTES);
	rc = store_serialize(srv->reg, &sb);
	if (rc == 0)
		rc = atomic_write_file(srv->store_path, sb.buf, sb.len, 0600);
	if (rc == 0) {
		sb_free(&srv->saved);
		srv->saved = sb;
		return 0;
	}
	sb_free(&sb);
	/* Roll the in-memory registry back to what is on disk. */
	prev = store_parse(srv->saved.buf, srv->saved.len, registry_backend(srv->reg), &perr);
	if (prev == NULL)
		fatalx("cannot restore the committed registry: %s", perr.msg);
	registry_free(srv->reg);
	srv->reg = prev;
	return err_set(err, EXC_QUBES, "cannot save the registry: %s", strerror(-rc));
}

static void reply_exception(struct strbuf *reply, const struct bh_error *err)
{
	sb_reset(reply);
	sb_add(reply, "\x32\0", 2);
	sb_adds(reply, exc_name(err->exc));
	sb_add(reply, "\0\0", 2);         /* type NUL, empty traceback NUL */
	sb_adds(reply, err->msg);
	sb_addc(reply, '\0');
}

void admin_handle(struct admin_server *srv, enum admin_caller caller, const uint8_t *untrusted_req,
		  size_t len, struct strbuf *reply)
{
	struct admin_request req;
	struct call_ctx c = { .srv = srv };
	const struct admin_call *call = NULL;
	struct strbuf content;
	int rc = admin_request_parse(untrusted_req, len, &req);

	sb_init(&content, ADMIN_MAX_REPLY - 2);
	if (rc < 0) {
		log_warnx("refused request: %s", admin_parse_strerror(rc));
		err_set(&c.err, EXC_PROTOCOL, "%s", admin_parse_strerror(rc));
		goto fail;
	}
	c.req = &req;
	c.untrusted_payload = untrusted_req + req.payload_off;
	c.untrusted_payload_len = req.payload_len;
	c.out = &content;
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (strcmp(calls[i].method, req.method) == 0)
			call = &calls[i];
	if (strcmp(req.source, "dom0") != 0) {
		err_set(&c.err, EXC_PERMISSION, "only dom0 may call the Admin API directly");
		goto fail;
	}
	if (call == NULL) {
		err_set(&c.err, EXC_PROTOCOL, "unknown method '%s'", req.method);
		goto fail;
	}
	if (caller != ADMIN_ROOT && !(call->flags & A_POLICYD)) {
		err_set(&c.err, EXC_PERMISSION, "qrexec-policyd may not call %s", req.method);
		call = NULL;   /* nothing changed: no rollback */
		goto fail;
	}
	if ((call->flags & A_DOM0) && req.dest[0] && strcmp(req.dest, "dom0") != 0) {
		err_set(&c.err, EXC_PROTOCOL, "%s must be addressed to dom0", req.method);
		goto fail;
	}
	if (call->flags & (A_QUBE | A_ANYDEST)) {
		c.q = registry_find(srv->reg, req.dest[0] ? req.dest : "dom0");
		if (c.q == NULL) {
			err_set(&c.err, EXC_VM_NOT_FOUND, "no such qube: '%s'", req.dest);
			goto fail;
		}
		if (caller != ADMIN_ROOT && (call->flags & A_DISPOSABLE) && qube_class(c.q) != CLASS_DISPVM) {
			err_set(&c.err, EXC_PERMISSION, "qrexec-policyd may call %s only on a disposable",
				req.method);
			call = NULL;
			goto fail;
		}
	}
	/* Create takes an optional argument (the template); others say. */
	if (call->klass < 0 && ((call->flags & A_ARG) != 0) != (req.arg[0] != '\0')) {
		err_set(&c.err, EXC_PROTOCOL, (call->flags & A_ARG) ? "%s needs an argument"
					      : "%s takes no argument", req.method);
		goto fail;
	}
	if (!(call->flags & A_PAYLOAD) && req.payload_len != 0) {
		err_set(&c.err, EXC_PROTOCOL, "%s takes no payload", req.method);
		goto fail;
	}
	c.klass = call->klass;
	if (call->fn(&c) < 0)
		goto fail;
	if ((call->flags & A_MUTATES) && admin_commit(srv, &c.err) < 0)
		goto fail;
	if (content.err) {
		err_set(&c.err, EXC_QUBES, "reply too large");
		goto fail;
	}
	sb_reset(reply);
	sb_add(reply, "\x30\0", 2);
	sb_add(reply, content.buf ? content.buf : "", content.len);
	sb_free(&content);
	return;
fail:
	if (call && (call->flags & A_MUTATES)) {
		/* A handler that failed half-way may have touched memory:
		 * restore the committed state so the failure changes nothing. */
		struct bh_error perr;
		struct registry *prev = store_parse(srv->saved.buf, srv->saved.len,
						    registry_backend(srv->reg), &perr);
		if (prev == NULL)
			fatalx("cannot restore the committed registry: %s", perr.msg);
		registry_free(srv->reg);
		srv->reg = prev;
	}
	reply_exception(reply, &c.err);
	sb_free(&content);
}

void admin_autostart(struct admin_server *srv)
{
	for (size_t i = 0; i < registry_count(srv->reg); i++) {
		struct qube *q = registry_at(srv->reg, i);
		struct call_ctx c = { .srv = srv, .q = q };
		char v[PROP_VALUE_MAX];
		bool dflt;

		if (!qube_has_prop(q, P_AUTOSTART) ||
		    qube_prop_get(srv->reg, q, P_AUTOSTART, v, sizeof(v), &dflt, &c.err) < 0 || !prop_bool(v))
			continue;
		if (vm_start(&c) < 0)
			log_warnx("autostart of %s failed: %s", qube_name(q), c.err.msg);
		else
			log_info("autostarted %s", qube_name(q));
	}
}
