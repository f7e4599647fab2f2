/* Facts about qubes for policy evaluation, read from bulkheadd's Admin
 * API: admin.vm.List, then per qube its class, power state,
 * default_dispvm, template_for_dispvms, template and tags. */
#include "qrexec/policy/policy_facts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/admin_client.h"
#include "lib/log.h"

/* The value of "default=X type=T VALUE" (admin.vm.property.Get), "" for
 * none; NULL when malformed. */
static const char *prop_value(const char *content)
{
	const char *sp = strchr(content, ' ');

	if (!sp || strncmp(content, "default=", 8) != 0)
		return NULL;
	sp = strchr(sp + 1, ' ');
	return sp ? sp + 1 : "";
}

/* admin.vm.property.Get into buf; 0, or -1 (buf ""). */
static int get_prop(const char *qube, const char *prop, char *buf, size_t len)
{
	struct admin_reply r;
	const char *v;
	int rc = admin_call("admin.vm.property.Get", qube, prop, NULL, 0, &r);

	buf[0] = '\0';
	if (rc == 0 && r.ok && r.content.buf && (v = prop_value(r.content.buf)) != NULL) {
		snprintf(buf, len, "%s", v);
		buf[strcspn(buf, "\n")] = '\0';
	} else {
		rc = -1;
	}
	admin_reply_free(&r);
	return rc;
}

/* Tags of a qube; fills tags[] with pointers into *store (caller frees). */
static size_t get_tags(const char *qube, char **store, const char *tags[], size_t max)
{
	struct admin_reply r;
	size_t n = 0;
	char *s, *line;

	*store = NULL;
	if (admin_call("admin.vm.tag.List", qube, "", NULL, 0, &r) == 0 && r.ok && r.content.buf) {
		*store = strdup(r.content.buf);
		for (s = *store; s && (line = strsep(&s, "\n")) != NULL;)
			if (line[0] && n < max)
				tags[n++] = line;
	}
	admin_reply_free(&r);
	return n;
}

/* Facts from bulkheadd: admin.vm.List, then per qube its class, power
 * state, default_dispvm, template_for_dispvms, template and tags. */
int policy_facts_from_admin(struct policy_facts_table *t)
{
	struct admin_reply list;
	char *save, *s, *line;
	int rc = admin_call("admin.vm.List", "dom0", "", NULL, 0, &list);

	if (rc < 0 || !list.ok || !list.content.buf) {
		fprintf(stderr, "%s: cannot read qubes from bulkheadd (%s); use --facts FILE\n",
			log_progname(), rc < 0 ? strerror(-rc) : "admin.vm.List refused");
		admin_reply_free(&list);
		return -1;
	}
	save = strdup(list.content.buf);
	admin_reply_free(&list);
	if (!save)
		return -1;
	rc = 0;
	for (s = save; rc == 0 && (line = strsep(&s, "\n")) != NULL;) {
		char name[64], cls[32], state[32], dd[64] = "", tmpl[64] = "", tfd[16] = "";
		const char *tags[POLICY_FACTS_TAGS_MAX];
		char *tagstore = NULL;
		struct policy_qube q;
		int c;

		if (!line[0])
			continue;
		if (sscanf(line, "%63s class=%31s state=%31s", name, cls, state) != 3 ||
		    (c = policy_class_from_name((const uint8_t *)cls, strlen(cls))) < 0) {
			fprintf(stderr, "%s: unexpected admin.vm.List line\n", log_progname());
			rc = -1;
			break;
		}
		memset(&q, 0, sizeof(q));
		q.name = name;
		q.cls = (enum policy_class)c;
		q.running = strcmp(state, "Running") == 0 || c == PCLASS_ADMINVM;
		if (c != PCLASS_ADMINVM) {
			(void)get_prop(name, "default_dispvm", dd, sizeof(dd));
			if (c == PCLASS_APPVM)
				(void)get_prop(name, "template_for_dispvms", tfd, sizeof(tfd));
			if (c == PCLASS_DISPVM)
				(void)get_prop(name, "template", tmpl, sizeof(tmpl));
		}
		q.default_dispvm = dd;
		q.template = tmpl;
		q.template_for_dispvms = strcmp(tfd, "True") == 0;
		q.tags = tags;
		q.ntags = get_tags(name, &tagstore, tags, POLICY_FACTS_TAGS_MAX);
		if (policy_facts_table_add(t, &q) < 0) {
			fprintf(stderr, "%s: cannot use the facts of qube %s\n", log_progname(), name);
			rc = -1;
		}
		free(tagstore);
	}
	free(save);
	return rc;
}

