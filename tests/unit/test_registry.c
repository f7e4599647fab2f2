/* Registry rules (core/registry.c): creation, properties and their
 * defaults, cross-references, in-use protection, features, tags, clone.
 * Every refused change must leave the registry exactly as it was, which
 * is checked by comparing serializations. */
#include <stdlib.h>
#include <string.h>

#include "core/registry.h"
#include "core/store.h"
#include "tests/lib/check.h"

static char *snapshot(const struct registry *reg)
{
	struct strbuf sb;
	sb_init(&sb, STORE_MAX_BYTES);
	if (store_serialize(reg, &sb) < 0)
		abort();
	return sb.buf;
}

static int set(struct registry *reg, const char *qube, const char *prop, const char *v, struct bh_error *e)
{
	return qube_prop_set(reg, registry_find(reg, qube), (enum prop_id)prop_lookup(prop),
			     (const uint8_t *)v, strlen(v), e);
}

static const char *get(struct registry *reg, const char *qube, const char *prop)
{
	static char v[PROP_VALUE_MAX];
	bool d;
	struct bh_error e;
	if (qube_prop_get(reg, registry_find(reg, qube), (enum prop_id)prop_lookup(prop), v, sizeof(v), &d, &e) < 0)
		return NULL;
	return v;
}

/* The change must be refused with `exc` and leave everything unchanged. */
#define REFUSED(exc_, call) do { \
	char *before_ = snapshot(reg); \
	struct bh_error e_ = { 0 }; \
	struct bh_error *saved_e_ = e; \
	e = &e_; \
	CHECK((call) < 0); \
	e = saved_e_; \
	CHECK(e_.exc == (exc_)); \
	CHECK(e_.msg[0] != '\0'); \
	char *after_ = snapshot(reg); \
	CHECK(strcmp(before_, after_) == 0); \
	free(before_); \
	free(after_); \
} while (0)

#define CREATE(cls, name, label, tmpl) (registry_create(reg, cls, name, 0, label, tmpl, e) ? 0 : -1)

int main(void)
{
	struct registry *reg = registry_new_default("local");
	struct bh_error err = { 0 }, *e = &err;
	struct qube *work, *dvm;

	CHECK(reg != NULL);
	CHECK(registry_count(reg) == 2);
	CHECK(qube_class(registry_find(reg, "dom0")) == CLASS_ADMINVM);
	CHECK(qube_class(registry_find(reg, "host-base")) == CLASS_TEMPLATEVM);

	work = registry_create(reg, CLASS_APPVM, "work", 0, "red", "", &err);
	CHECK(work != NULL);
	CHECK(qube_qid(work) == 2);
	CHECK_STR(get(reg, "work", "template"), "host-base");
	CHECK_STR(get(reg, "work", "memory"), "400");
	CHECK_STR(get(reg, "work", "default_user"), "user");
	CHECK_STR(get(reg, "work", "class"), "AppVM");

	/* Creation refusals. */
	REFUSED(EXC_VALUE, CREATE(CLASS_APPVM, "work", "red", ""));
	REFUSED(EXC_VALUE, CREATE(CLASS_APPVM, "dom0", "red", ""));
	REFUSED(EXC_VALUE, CREATE(CLASS_APPVM, "bad name", "red", ""));
	REFUSED(EXC_VALUE, CREATE(CLASS_APPVM, "x-dm", "red", ""));
	REFUSED(EXC_VALUE, CREATE(CLASS_APPVM, "x", "pink", ""));
	REFUSED(EXC_VALUE, CREATE(CLASS_APPVM, "x", "red", "work"));        /* not a TemplateVM */
	REFUSED(EXC_VALUE, CREATE(CLASS_APPVM, "x", "red", "nosuch"));
	REFUSED(EXC_VALUE, CREATE(CLASS_TEMPLATEVM, "x", "red", "host-base"));
	REFUSED(EXC_VALUE, CREATE(CLASS_DISPVM, "x", "red", ""));           /* no default_dispvm */
	REFUSED(EXC_VALUE, CREATE(CLASS_DISPVM, "x", "red", "work"));       /* not a dvm template */
	REFUSED(EXC_VALUE, CREATE(CLASS_ADMINVM, "x", "red", ""));

	/* Properties: types, ranges, read-only, unknown. */
	CHECK(set(reg, "work", "memory", "800", e) == 0);
	CHECK_STR(get(reg, "work", "memory"), "800");
	REFUSED(EXC_VALUE, set(reg, "work", "memory", "31", e));
	REFUSED(EXC_VALUE, set(reg, "work", "memory", "65537", e));
	REFUSED(EXC_VALUE, set(reg, "work", "memory", "0800", e));
	REFUSED(EXC_VALUE, set(reg, "work", "memory", "-1", e));
	REFUSED(EXC_VALUE, set(reg, "work", "memory", "", e));
	REFUSED(EXC_VALUE, set(reg, "work", "memory", "99999999999", e));
	REFUSED(EXC_VALUE, set(reg, "work", "memory", "5000", e));          /* > maxmem 4000 */
	CHECK(set(reg, "work", "maxmem", "0", e) == 0);
	CHECK(set(reg, "work", "memory", "5000", e) == 0);                  /* maxmem 0: no cap */
	REFUSED(EXC_VALUE, set(reg, "work", "maxmem", "4000", e));          /* now < memory */
	REFUSED(EXC_VALUE, set(reg, "work", "autostart", "true", e));
	REFUSED(EXC_VALUE, set(reg, "work", "autostart", "1", e));
	CHECK(set(reg, "work", "autostart", "True", e) == 0);
	REFUSED(EXC_VALUE, set(reg, "work", "label", "Red", e));
	REFUSED(EXC_VALUE, set(reg, "work", "default_user", "Root", e));
	REFUSED(EXC_PROP_ACCESS, set(reg, "work", "qid", "5", e));
	REFUSED(EXC_PROP_ACCESS, set(reg, "work", "name", "y", e));
	REFUSED(EXC_PROP_ACCESS, set(reg, "dom0", "label", "red", e));
	REFUSED(EXC_NO_SUCH_PROP, set(reg, "host-base", "template", "host-base", e));
	REFUSED(EXC_NO_SUCH_PROP, set(reg, "dom0", "memory", "400", e));
	REFUSED(EXC_NO_SUCH_PROP, set(reg, "host-base", "template_for_dispvms", "True", e));

	/* Reset returns to the default; memory back at 400 fits maxmem 0. */
	CHECK(qube_prop_reset(reg, work, P_MEMORY, e) == 0);
	CHECK_STR(get(reg, "work", "memory"), "400");
	REFUSED(EXC_PROP_ACCESS, qube_prop_reset(reg, work, P_LABEL, e));

	/* netvm: must provide network, no self, no loops. */
	CHECK(CREATE(CLASS_APPVM, "sys-net", "red", "") == 0);
	CHECK(CREATE(CLASS_APPVM, "sys-firewall", "green", "") == 0);
	REFUSED(EXC_VALUE, set(reg, "work", "netvm", "sys-net", e));
	CHECK(set(reg, "sys-net", "provides_network", "True", e) == 0);
	CHECK(set(reg, "sys-firewall", "provides_network", "True", e) == 0);
	CHECK(set(reg, "sys-firewall", "netvm", "sys-net", e) == 0);
	CHECK(set(reg, "work", "netvm", "sys-firewall", e) == 0);
	REFUSED(EXC_VALUE, set(reg, "sys-net", "netvm", "sys-firewall", e));  /* loop */
	REFUSED(EXC_VALUE, set(reg, "sys-net", "netvm", "sys-net", e));       /* self */
	REFUSED(EXC_IN_USE, set(reg, "sys-firewall", "provides_network", "False", e));
	/* Global default_netvm applies to qubes without their own. */
	CHECK(global_prop_set(reg, G_DEFAULT_NETVM, (const uint8_t *)"sys-firewall", 12, e) == 0);
	CHECK_STR(get(reg, "sys-net", "netvm"), "");           /* providers default to none */
	CHECK_STR(get(reg, "sys-firewall", "netvm"), "sys-net");
	REFUSED(EXC_VALUE, global_prop_set(reg, G_DEFAULT_NETVM, (const uint8_t *)"work", 4, e));
	REFUSED(EXC_PROP_ACCESS, global_prop_set(reg, G_BACKEND, (const uint8_t *)"xen", 3, e));
	REFUSED(EXC_VALUE, global_prop_set(reg, G_DEFAULT_TEMPLATE, (const uint8_t *)"work", 4, e));

	/* In use: cannot remove a template, netvm or default. */
	REFUSED(EXC_IN_USE, registry_remove(reg, "host-base", e));
	REFUSED(EXC_IN_USE, registry_remove(reg, "sys-net", e));
	REFUSED(EXC_IN_USE, registry_remove(reg, "sys-firewall", e));
	REFUSED(EXC_PERMISSION, registry_remove(reg, "dom0", e));
	REFUSED(EXC_VM_NOT_FOUND, registry_remove(reg, "nosuch", e));

	/* Disposables. */
	dvm = registry_create(reg, CLASS_APPVM, "work-dvm", 0, "red", "", e);
	CHECK(dvm != NULL);
	REFUSED(EXC_VALUE, global_prop_set(reg, G_DEFAULT_DISPVM, (const uint8_t *)"work-dvm", 8, e));
	CHECK(set(reg, "work-dvm", "template_for_dispvms", "True", e) == 0);
	CHECK(global_prop_set(reg, G_DEFAULT_DISPVM, (const uint8_t *)"work-dvm", 8, e) == 0);
	CHECK(CREATE(CLASS_DISPVM, "disp1", "red", "") == 0);
	CHECK_STR(get(reg, "disp1", "template"), "work-dvm");
	CHECK(qube_root_template(reg, registry_find(reg, "disp1")) == registry_find(reg, "host-base"));
	REFUSED(EXC_IN_USE, set(reg, "work-dvm", "template_for_dispvms", "False", e));
	REFUSED(EXC_IN_USE, registry_remove(reg, "work-dvm", e));
	CHECK(registry_remove(reg, "disp1", e) == 0);

	/* Features and tags. */
	CHECK(qube_feature_set(work, "gui", (const uint8_t *)"1", 1, e) == 0);
	CHECK(qube_feature_set(work, "a.b-c", (const uint8_t *)"some text", 9, e) == 0);
	CHECK(qube_feature_set(work, "gui", (const uint8_t *)"", 0, e) == 0);
	CHECK(qube_feature_count(work) == 2);
	CHECK_STR(qube_feature_name(work, 0), "a.b-c");
	CHECK_STR(qube_feature_get(work, "gui"), "");
	REFUSED(EXC_VALUE, qube_feature_set(work, "bad name", (const uint8_t *)"1", 1, e));
	REFUSED(EXC_VALUE, qube_feature_set(work, "x", (const uint8_t *)"a\nb", 3, e));
	REFUSED(EXC_FEATURE_NOT_FOUND, qube_feature_remove(work, "nosuch", e));
	CHECK(qube_feature_remove(work, "gui", e) == 0);
	CHECK(qube_tag_add(work, "zeta", e) == 0);
	CHECK(qube_tag_add(work, "alpha", e) == 0);
	CHECK(qube_tag_add(work, "alpha", e) == 0);
	CHECK(qube_tag_count(work) == 2);
	CHECK_STR(qube_tag(work, 0), "alpha");
	REFUSED(EXC_VALUE, qube_tag_add(work, "a.b", e));
	REFUSED(EXC_TAG_NOT_FOUND, qube_tag_remove(work, "nosuch", e));
	for (unsigned i = 0; i < REG_MAX_TAGS - 2; i++) {
		char t[16];
		snprintf(t, sizeof(t), "t%u", i);
		CHECK(qube_tag_add(work, t, e) == 0);
	}
	REFUSED(EXC_VALUE, qube_tag_add(work, "one-too-many", e));

	/* Clone copies properties, features and tags, with a new qid. */
	{
		struct qube *c = registry_clone(reg, work, "work2", e);
		CHECK(c != NULL);
		CHECK(c && qube_qid(c) != qube_qid(work));
		CHECK_STR(get(reg, "work2", "netvm"), "sys-firewall");
		CHECK_STR(get(reg, "work2", "autostart"), "True");
		CHECK(c && qube_tag_count(c) == REG_MAX_TAGS);
		CHECK(c && qube_feature_get(c, "a.b-c") != NULL);
		REFUSED(EXC_VALUE, registry_clone(reg, work, "work2", e) ? 0 : -1);
	}

	/* The backend view. */
	{
		struct vmm_qube v;
		qube_to_vmm(reg, work, &v);
		CHECK_STR(v.name, "work");
		CHECK(v.label == LABEL_RED);
		CHECK(v.memory_mb == 400 && v.maxmem_mb == 400);    /* maxmem 0: memory is the ceiling */
		CHECK(v.has_netvm);
		CHECK(v.pids_max == 4096);
		CHECK(v.qrexec_timeout_s == 60);
		CHECK(set(reg, "work", "maxmem", "1000", e) == 0);
		CHECK(set(reg, "work", "memory", "300", e) == 0);
		CHECK(set(reg, "work", "qrexec_timeout", "900", e) == 0);
		qube_to_vmm(reg, work, &v);
		CHECK(v.memory_mb == 300 && v.maxmem_mb == 1000);
		CHECK(v.qrexec_timeout_s == 900);
		CHECK(set(reg, "work", "maxmem", "300", e) == 0);   /* maxmem == memory */
		qube_to_vmm(reg, work, &v);
		CHECK(v.memory_mb == 300 && v.maxmem_mb == 300);
	}
	CHECK(registry_check_refs(reg, e) == 0);
	registry_free(reg);
	return check_exit();
}
