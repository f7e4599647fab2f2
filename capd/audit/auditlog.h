/* Bulkhead's tamper-evident audit log (SPEC/audit-log.md): one text
 * record a line, hash-chained (BLAKE2b-256), every record and a separately
 * stored head signed with the log's Ed25519 key.  Library `auditlog`.
 *
 * Writer side: exactly one process (capd) holds the log open for
 * appending; a second auditlog_open of the same directory fails with
 * -EBUSY.  Reader side: auditlog_verify/auditlog_walk need only the log,
 * the head and the public key, and may run while the writer appends.
 *
 * Errors: 0 or a negative errno code; nothing here exits or logs.
 * Not thread-safe: one struct auditlog is used by one thread (plus the
 * flusher thread auditlog_group_start makes, which it manages itself). */
#ifndef BH_AUDITLOG_H
#define BH_AUDITLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capd/audit/audit_parse.h"

/* The log's directory relative to $BULKHEAD_ROOT, and its files. */
#define AUDIT_DIR_REL      "var/log/bulkhead/audit"
#define AUDIT_LOG_FILE     "audit.log"    /* the records, 0600 */
#define AUDIT_HEAD_FILE    "audit.head"   /* two signed head slots, 0600 */
#define AUDIT_KEY_FILE     "audit.key"    /* Ed25519 seed, 0400, owned by the writer */
#define AUDIT_PUB_FILE     "audit.pub"    /* Ed25519 public key, 0444 */
#define AUDIT_LOCK_FILE    "writer.lock"  /* flock()ed by the one writer */

/* ---- writer ------------------------------------------------------- */

/* At most this many records past the signed head on disk: the writer
 * never lets group commit fall further behind, so the verifier accepts no
 * more after a crash (and an attacker who tears the newest head slot can
 * hide at most this many of the newest records: SPEC/audit-log.md). */
#define AUDIT_LAG_MAX 16u

struct auditlog;

/* A field of a record.  key: [a-z][a-z0-9_]{0,31}, not seq, time, event,
 * prev, hash or sig, and no key twice in one record.  value: any
 * NUL-terminated string of at most AUDIT_VALUE_MAX bytes; every byte
 * that is not printable ASCII (and space, '%', '=') is escaped in the log,
 * so qube-controlled bytes may be passed as they are. */
struct audit_field {
	const char *key;
	const char *value;
};

/* Opens (creating it and its key on first use) the log in dir, e.g.
 * $BULKHEAD_ROOT/var/log/bulkhead/audit (created 0700 if missing).  The
 * whole log is checked first (syntax, hashes, chain, the head; the
 * signatures of records after the signed head) and the state a crash
 * leaves is completed (SPEC/audit-log.md "Crash consistency").  On
 * success *out is the caller's, freed with auditlog_close.
 *   -EBUSY        another process has the log open for writing
 *   -EBADMSG      the log or the head fails verification: not appended to
 *                 (bulkhead-audit verify says where and why)
 *   -ENOKEY       the key file is missing but a log or head exists
 *   -EKEYREJECTED the key file is malformed, or audit.pub is another key
 *   -EPERM        the key file is readable by others or not the caller's,
 *                 or dir is writable by group or others, or owned by
 *                 neither the caller nor root
 *   other -errno  from the file system
 * May be called before the caller drops privileges and installs its
 * seccomp table: appends then use only the descriptors opened here
 * (write, pwrite64, fdatasync, clock_gettime; ftruncate after a failed
 * write), no path lookups; auditlog_close uses close, munmap and mprotect
 * (sodium_free).  Sequence numbers give the order; the time in a record
 * is CLOCK_REALTIME and may go backwards if the clock is set back. */
int auditlog_open(const char *dir, struct auditlog **out) __attribute__((warn_unused_result));

/* Appends one record (the event name: [a-z][a-z0-9_-]{0,31}) and returns
 * once it and the head are on disk (fdatasync); after
 * auditlog_group_start, once it is written (a crash of the process then
 * loses nothing; a crash of the system up to AUDIT_LAG_MAX records).
 *   -EINVAL       a bad event name or key, a duplicate key, a NULL value,
 *                 over AUDIT_FIELDS_MAX fields
 *   -EMSGSIZE     a value over AUDIT_VALUE_MAX, or the record over
 *                 AUDIT_RECORD_MAX
 *   -EOVERFLOW    the log reached AUDIT_SEQ_MAX records
 *   -EIO or other -errno: the write or a sync failed.  The log is then
 *                 refused for good (every later append fails with -EIO):
 *                 after a failed fsync nothing says what reached the disk,
 *                 so the caller must fail closed and reopen.
 * Nothing is written on the -EINVAL/-EMSGSIZE/-EOVERFLOW errors. */
int auditlog_append(struct auditlog *l, const char *event, const struct audit_field *fields,
	size_t nfields) __attribute__((warn_unused_result));

/* Group commit: from now on an append returns after its write, and a
 * flusher thread syncs the log and writes the head for every record
 * written meanwhile (appends wait while AUDIT_LAG_MAX records are not on
 * disk).  Call after dropping privileges (the thread inherits them) and
 * before installing a seccomp table, which must then be synchronised to
 * every thread (sandbox_install does) and allow futex, and exit and
 * madvise for auditlog_close's join.  A failed sync makes every later
 * append and auditlog_sync fail with -EIO.  0 or -errno. */
int auditlog_group_start(struct auditlog *l) __attribute__((warn_unused_result));

/* Returns once every record appended so far and its head are on disk:
 * 0, or -EIO when a sync failed.  Immediate without group commit. */
int auditlog_sync(struct auditlog *l) __attribute__((warn_unused_result));

/* Sequence number of the last record (0 for an empty log). */
uint64_t auditlog_last_seq(const struct auditlog *l);

/* Makes every record durable (group commit: joins the flusher), closes
 * the files, wipes the key from memory, frees l.  NULL is fine. */
void auditlog_close(struct auditlog *l);

/* ---- verifier ----------------------------------------------------- */

/* What the first problem found looks like (bulkhead-audit prints the
 * name).  SPEC/audit-log.md "Verification" lists how each is decided. */
enum audit_tamper {
	AUDIT_T_NONE = 0,
	AUDIT_T_MALFORMED,    /* a line that is not a record: edited or corrupted */
	AUDIT_T_MODIFIED,     /* a record whose hash does not match its text */
	AUDIT_T_FORGED,       /* hash matches, signature does not: rewritten or not ours */
	AUDIT_T_DELETED,      /* a gap in the sequence, the missing records absent */
	AUDIT_T_REORDERED,    /* a gap in the sequence, the missing record later on */
	AUDIT_T_INSERTED,     /* a record out of sequence (a copy, or from elsewhere) */
	AUDIT_T_CHAIN,        /* right sequence, prev does not match: replaced */
	AUDIT_T_TRUNCATED,    /* the signed head names records the log lacks */
	AUDIT_T_HEAD_OLD,     /* the log goes on past head+AUDIT_LAG_MAX: head replaced by an older one */
	AUDIT_T_HEAD_BAD,     /* head missing, malformed, not signed by the key, or
	                         not matching the records it names */
	AUDIT_T_MISSING,      /* a file of the log missing or unreadable */
	AUDIT_T_KEY,          /* the public key file missing or malformed */
};

struct audit_verify_report {
	enum audit_tamper kind;    /* AUDIT_T_NONE when the log verified */
	uint64_t line;             /* line of the problem, 0 when it is not a line */
	uint64_t records;          /* records verified before the problem (all when none) */
	uint64_t last_seq;         /* seq of the last verified record */
	uint64_t head_seq;         /* seq of the signed head in force */
	bool head_lag;             /* the log has records past the head (crash: last_seq - head_seq
	                              of them, at most AUDIT_LAG_MAX) */
	bool torn_tail;            /* a partial last line after the head's record (crash) */
	bool torn_slot;            /* one head slot unreadable (torn by a crash) */
	uint64_t torn_bytes;       /* length of that partial line */
	uint64_t tail_offset;      /* where it starts (the log's valid length) */
	uint8_t pubkey[AUDIT_PUBKEY_LEN];   /* the key the log was checked with */
	char msg[256];             /* one line saying what is wrong, or "" */
};

/* Called for every record once it is verified (hash, signature, chain), in
 * order; line[0..len) is the record with its LF, rec its parse.  A
 * non-zero return stops the walk and is returned by auditlog_walk. */
typedef int (*audit_record_cb)(void *ctx, uint64_t lineno, const uint8_t *line, size_t len,
	const struct audit_record *rec);

/* Verifies the log in dir against the public key in pubkey_path (NULL:
 * dir/audit.pub).  Returns 0 when it verifies (r->kind == AUDIT_T_NONE;
 * r->head_lag, r->torn_tail and r->torn_slot report the states a crash
 * legitimately leaves), -EBADMSG when it does not (r says what and where),
 * or another -errno for a failure that is not about the log's contents
 * (-ENOMEM, -EAGAIN when the writer kept moving the head).  The log is
 * read streaming, one record at a time. */
int auditlog_verify(const char *dir, const char *pubkey_path, struct audit_verify_report *r)
	__attribute__((warn_unused_result));

/* auditlog_verify that also calls cb for each verified record. */
int auditlog_walk(const char *dir, const char *pubkey_path, audit_record_cb cb, void *ctx,
	struct audit_verify_report *r) __attribute__((warn_unused_result));

/* "modified", "truncated", ... for the report's kind. */
const char *audit_tamper_name(enum audit_tamper k);

#endif
