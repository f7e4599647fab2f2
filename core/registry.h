/* The qube registry: qubes, their properties, features and tags, and the
 * global properties.  An in-memory model with every rule of SPEC/core.md;
 * persistence is core/store.c, power state is the backend's.
 *
 * Every mutating function validates everything first and changes nothing
 * when it fails (err says why).  The registry owns all memory it returns
 * pointers to; they stay valid until the next mutation. */
#ifndef BH_REGISTRY_H
#define BH_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/errors.h"
#include "core/props.h"
#include "core/vmm.h"

#define REG_MAX_QUBES    1024u
#define REG_MAX_FEATURES 256u
#define REG_MAX_TAGS     256u
#define PROP_VALUE_MAX   64u      /* canonical property values are short */
#define DEFAULT_TEMPLATE_NAME "host-base"

struct registry;
struct qube;

struct registry *registry_new(const char *backend);
void registry_free(struct registry *reg);

/* A fresh instance: dom0 and the default TemplateVM. */
struct registry *registry_new_default(const char *backend);

const char *registry_backend(const struct registry *reg);
size_t registry_count(const struct registry *reg);
struct qube *registry_at(const struct registry *reg, size_t i);   /* sorted by name */
struct qube *registry_find(const struct registry *reg, const char *name);

const char *qube_name(const struct qube *q);
enum qube_class qube_class(const struct qube *q);
uint32_t qube_qid(const struct qube *q);

/* Creation.  template may be "" for the class default.  qid 0 means "pick
 * the lowest free one" (store loading passes the stored qid). */
struct qube *registry_create(struct registry *reg, enum qube_class klass, const char *name,
			     uint32_t qid, const char *label, const char *template_name,
			     struct bh_error *err);
int registry_remove(struct registry *reg, const char *name, struct bh_error *err);
struct qube *registry_clone(struct registry *reg, const struct qube *src, const char *new_name,
			    struct bh_error *err);

/* Properties.  get writes the value into out and whether it is the
 * default.  set takes an untrusted value. */
int qube_prop_get(const struct registry *reg, const struct qube *q, enum prop_id id,
		  char *out, size_t outlen, bool *is_default, struct bh_error *err);
int qube_prop_set(struct registry *reg, struct qube *q, enum prop_id id,
		  const uint8_t *value, size_t len, struct bh_error *err);
int qube_prop_reset(struct registry *reg, struct qube *q, enum prop_id id, struct bh_error *err);
bool qube_has_prop(const struct qube *q, enum prop_id id);

int global_prop_get(const struct registry *reg, enum global_prop_id id, char *out, size_t outlen,
		    bool *is_default);
int global_prop_set(struct registry *reg, enum global_prop_id id, const uint8_t *value, size_t len,
		    struct bh_error *err);
int global_prop_reset(struct registry *reg, enum global_prop_id id, struct bh_error *err);

/* Features (sorted by name). */
size_t qube_feature_count(const struct qube *q);
const char *qube_feature_name(const struct qube *q, size_t i);
const char *qube_feature_value(const struct qube *q, size_t i);
const char *qube_feature_get(const struct qube *q, const char *name);
int qube_feature_set(struct qube *q, const char *name, const uint8_t *value, size_t len,
		     struct bh_error *err);
int qube_feature_remove(struct qube *q, const char *name, struct bh_error *err);

/* Tags (sorted). */
size_t qube_tag_count(const struct qube *q);
const char *qube_tag(const struct qube *q, size_t i);
bool qube_tag_has(const struct qube *q, const char *tag);
int qube_tag_add(struct qube *q, const char *tag, struct bh_error *err);
int qube_tag_remove(struct qube *q, const char *tag, struct bh_error *err);

/* The backend's view of a qube (all values validated). */
void qube_to_vmm(const struct registry *reg, const struct qube *q, struct vmm_qube *out);
/* The qube whose template this qube runs on (AppVM: template; DispVM: its
 * template's template), or NULL. */
struct qube *qube_root_template(const struct registry *reg, const struct qube *q);

/* Checks every cross-reference (after loading a store). */
int registry_check_refs(const struct registry *reg, struct bh_error *err);

/* Loading mode: while set, vm-reference targets are not checked (the
 * store checks them all at the end with registry_check_refs). */
void registry_set_loading(struct registry *reg, bool loading);

#endif
