/* capd's audit records: every decision goes through capd_audit() here,
 * which appends it to the tamper-evident log (capd/audit/auditlog.h,
 * SPEC/audit-log.md) before capd answers.  capd is the log's only
 * writer.  With group commit (the default) a record is written before
 * the answer and synced by the log's flusher just after; records of
 * grants, which change state kept on disk, are synced before the answer
 * (capd_audit_durable).  A record that cannot be written or synced stops
 * capd (fail closed: no decision without its record). */
#ifndef BH_CAPD_AUDIT_H
#define BH_CAPD_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "capd/audit/auditlog.h"
#include "capd/capd_parse.h"

#define CAPD_AUDIT_FIELDS_MAX 16u

/* Opens the log in dir (before the privilege drop: appends then use only
 * the descriptors opened here).  0 or -errno. */
int capd_audit_open(const char *dir) __attribute__((warn_unused_result));
/* Group commit from now on (auditlog_group_start: after the privilege
 * drop, before the seccomp table).  0 or -errno. */
int capd_audit_group_start(void) __attribute__((warn_unused_result));
void capd_audit_close(void);

/* A record builder: fields are copied (formatted) into it, so the
 * caller's buffers need not outlive the call. */
struct capd_rec {
	size_t n;
	struct audit_field f[CAPD_AUDIT_FIELDS_MAX];
	char val[CAPD_AUDIT_FIELDS_MAX][CAPD_ARG_FIELD + 16];
};

void capd_rec_init(struct capd_rec *r);
void capd_rec_str(struct capd_rec *r, const char *key, const char *value);
void capd_rec_u64(struct capd_rec *r, const char *key, uint64_t v);
void capd_rec_hex(struct capd_rec *r, const char *key, const uint8_t *p, size_t n);
/* source, source_qid, target, target_qid, service, argument. */
void capd_rec_binding(struct capd_rec *r, const struct capd_binding *b);

/* Appends event with r's fields; on failure logs why and exits (capd's
 * clients then fail closed). */
void capd_audit(const char *event, const struct capd_rec *r);
/* capd_audit, returning once the record is on disk. */
void capd_audit_durable(const char *event, const struct capd_rec *r);

#endif
