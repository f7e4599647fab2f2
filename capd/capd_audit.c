/* The one place capd writes audit records. */
#include "capd/capd_audit.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"

static struct auditlog *audit_log;

int capd_audit_open(const char *dir)
{
	return auditlog_open(dir, &audit_log);
}

int capd_audit_group_start(void)
{
	return auditlog_group_start(audit_log);
}

void capd_audit_close(void)
{
	auditlog_close(audit_log);
	audit_log = NULL;
}

void capd_rec_init(struct capd_rec *r)
{
	r->n = 0;
}

void capd_rec_str(struct capd_rec *r, const char *key, const char *value)
{
	if (r->n == CAPD_AUDIT_FIELDS_MAX)
		fatalx("audit record: more than %u fields (a bug)", CAPD_AUDIT_FIELDS_MAX);
	/* Values may hold bytes a qube chose; auditlog escapes every one. */
	snprintf(r->val[r->n], sizeof(r->val[r->n]), "%s", value);
	r->f[r->n].key = key;
	r->f[r->n].value = r->val[r->n];
	r->n++;
}

void capd_rec_u64(struct capd_rec *r, const char *key, uint64_t v)
{
	char s[24];

	snprintf(s, sizeof(s), "%" PRIu64, v);
	capd_rec_str(r, key, s);
}

void capd_rec_hex(struct capd_rec *r, const char *key, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char s[2 * 32 + 1];
	size_t i;

	for (i = 0; i < n && i < 32; i++) {
		s[2 * i] = digits[p[i] >> 4];
		s[2 * i + 1] = digits[p[i] & 15];
	}
	s[2 * i] = '\0';
	capd_rec_str(r, key, s);
}

void capd_rec_binding(struct capd_rec *r, const struct capd_binding *b)
{
	capd_rec_str(r, "source", b->source);
	capd_rec_u64(r, "source_qid", b->source_qid);
	capd_rec_str(r, "target", b->target);
	capd_rec_u64(r, "target_qid", b->target_qid);
	capd_rec_str(r, "service", b->service);
	capd_rec_str(r, "argument", b->argument);
}

void capd_audit(const char *event, const struct capd_rec *r)
{
	int rc;

	if (audit_log == NULL)
		fatalx("audit log not open");
	rc = auditlog_append(audit_log, event, r->f, r->n);
	if (rc < 0)
		fatalx("audit log: appending %s: %s: stopping (no decision without its record)", event,
		       strerror(-rc));
}

void capd_audit_durable(const char *event, const struct capd_rec *r)
{
	int rc;

	capd_audit(event, r);
	rc = auditlog_sync(audit_log);
	if (rc < 0)
		fatalx("audit log: syncing %s: %s: stopping (no decision without its record)", event,
		       strerror(-rc));
}
