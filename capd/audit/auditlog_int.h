/* Internals of the audit log library shared by the writer (auditlog.c),
 * the verifier (audit_verify.c) and the unit tests: formatting and signing
 * records and head slots, and the verification walk over an open
 * directory.  Not for other callers. */
#ifndef BH_AUDITLOG_INT_H
#define BH_AUDITLOG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capd/audit/auditlog.h"

#define AUDIT_SK_LEN 64u   /* libsodium's Ed25519 secret key: seed + public key */

/* How many times the verifier re-reads the head when the writer moved it
 * while the verifier took its snapshot (head, log size, head). */
#define AUDIT_SNAPSHOT_TRIES 100

/* The time now (CLOCK_REALTIME, UTC).  -ERANGE outside the years the
 * format allows. */
int audit_time_now(struct audit_time *t) __attribute__((warn_unused_result));

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" and its NUL into out. */
void audit_time_format(const struct audit_time *t, char out[AUDIT_TIME_LEN + 1]);

/* Formats, hashes and signs record seq into line[0..cap), *len set, *hash
 * its hash.  Checks the event, keys and values (-EINVAL, -EMSGSIZE as
 * auditlog_append says) and, as a last step, that audit_parse_record
 * accepts the line it made with the same hashed and signed lengths. */
int audit_format_record(uint8_t *line, size_t cap, size_t *len, uint8_t hash[AUDIT_HASH_LEN],
	uint64_t seq, const struct audit_time *t, const uint8_t prev[AUDIT_HASH_LEN],
	const char *event, const struct audit_field *fields, size_t nfields,
	const uint8_t sk[AUDIT_SK_LEN]) __attribute__((warn_unused_result));

/* The head slot for (seq, hash), signed. */
void audit_format_head(uint8_t slot[AUDIT_HEAD_SLOT_LEN], uint64_t seq,
	const uint8_t hash[AUDIT_HASH_LEN], const uint8_t sk[AUDIT_SK_LEN]);

/* The public key file's text for pk. */
void audit_format_pubkey(uint8_t out[AUDIT_PUBKEY_FILE_LEN], const uint8_t pk[AUDIT_PUBKEY_LEN]);

/* The secret key file's text for a seed. */
void audit_format_seed(uint8_t out[AUDIT_SEED_FILE_LEN], const uint8_t seed[AUDIT_SEED_LEN]);

/* Whether the signature of a parsed record verifies, and whether its hash
 * matches its text. */
bool audit_record_sig_ok(const uint8_t *line, const struct audit_record *rec,
	const uint8_t pk[AUDIT_PUBKEY_LEN]) __attribute__((warn_unused_result));
bool audit_record_hash_ok(const uint8_t *line, const struct audit_record *rec)
	__attribute__((warn_unused_result));

/* Short text for an audit_perr code. */
const char *audit_perr_name(int code);

struct audit_walk_opts {
	bool all_sigs;          /* false: only records after the signed head (the writer's open) */
	audit_record_cb cb;     /* may be NULL */
	void *ctx;
};

/* The verification walk over the log in the directory dirfd with public
 * key pk.  Returns as auditlog_verify; r->last_hash is the hash of the
 * last verified record (zero for none). */
int audit_walk_dirfd(int dirfd, const uint8_t pk[AUDIT_PUBKEY_LEN],
	const struct audit_walk_opts *o, struct audit_verify_report *r,
	uint8_t last_hash[AUDIT_HASH_LEN]) __attribute__((warn_unused_result));

/* Reads the whole small file name (at most cap bytes) in dirfd (a symlink
 * followed only if `follow`).  Returns its length, -EFBIG if larger, or
 * -errno. */
long audit_read_small(int dirfd, const char *name, uint8_t *buf, size_t cap, bool follow)
	__attribute__((warn_unused_result));

#endif
