/* Talking to capd (library `capdclient`; SPEC/capabilities.md).
 *
 * Every call fails closed: it returns 0 only when capd answered, in
 * time, a well-formed "ok" to exactly this request.  Otherwise:
 *   -EACCES         capd refused; *reason (if not NULL) is the CAPD_R_*
 *   -ETIMEDOUT      no complete answer before deadline_ms (a now_ms() value)
 *   -EPROTO         the answer was malformed or not for this request
 *   other -errno    capd unreachable (-ENOENT, -ECONNREFUSED), I/O errors
 * A caller treats every non-zero result as "refused".
 *
 * c: a connection from capd_conn_open(), or NULL for a connection made
 * and closed for this one call.  A connection is one request at a time;
 * after any error it is closed, and the next call on it reconnects.  A
 * connection idle for half of CAPD_IDLE_TIMEOUT_MS is reopened before it
 * is used (capd closes idle ones).  Not thread-safe.
 *
 * Ownership: capd_conn_open() allocates *out; capd_conn_close() frees it. */
#ifndef BH_CAPD_CLIENT_H
#define BH_CAPD_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capd/capd_parse.h"

struct capd_conn;

/* Connects to $BULKHEAD_ROOT/run/bulkhead/capd/capd.sock.  0 or -errno. */
int capd_conn_open(struct capd_conn **out, uint64_t deadline_ms) __attribute__((warn_unused_result));
void capd_conn_close(struct capd_conn *c);

/* Fills *call from C strings, checked as capd checks them: source and
 * target are qube names with their qids, or "dom0" with qid 0; the
 * service is a name without '+'; the argument may be "" ; the request id
 * is the qrexec request id.  0, or -EINVAL with *call untouched. */
int capd_call_set(struct capd_call *call, const char *source, uint32_t source_qid, const char *target,
		  uint32_t target_qid, const char *service, const char *argument, const char *request_id)
	__attribute__((warn_unused_result));

/* policyd: a one-shot capability for call (ttl_ms 0: CAPD_TTL_DEFAULT_MS;
 * at most CAPD_TTL_MAX_MS). */
int capd_mint(struct capd_conn *c, const struct capd_call *call, uint32_t ttl_ms, struct capd_token *tok,
	      uint32_t *reason, uint64_t deadline_ms) __attribute__((warn_unused_result));

/* policyd: a capability derived from a standing grant that covers call
 * exactly; -EACCES with CAPD_R_NO_GRANT when none does (then prompt).
 * *grant_id (may be NULL): the grant it came from. */
int capd_mint_from_grant(struct capd_conn *c, const struct capd_call *call, struct capd_token *tok,
			 uint64_t *grant_id, uint32_t *reason, uint64_t deadline_ms) __attribute__((warn_unused_result));

/* The target's qrexec-daemon (policyd for calls into dom0): 0 means the
 * call may proceed, and the capability is consumed. */
int capd_redeem(struct capd_conn *c, const struct capd_token *tok, const struct capd_call *call, uint32_t *reason,
		uint64_t deadline_ms) __attribute__((warn_unused_result));

/* policyd, after the user answered a prompt with a scope wider than one
 * call: scope CAPD_SCOPE_CALLS (value calls), _MINUTES (value minutes) or
 * _ALWAYS (value 0).  The call being prompted for is not counted: mint
 * it from the new grant (capd_mint_from_grant) to count it. */
int capd_grant_create(struct capd_conn *c, const struct capd_binding *b, uint32_t scope, uint32_t value,
		      uint64_t *id, uint32_t *reason, uint64_t deadline_ms) __attribute__((warn_unused_result));

/* uid 0: up to CAPD_LIST_BATCH grants with ids above after into
 * out[CAPD_LIST_BATCH]; *n of them; *more when others follow. */
int capd_grant_list(struct capd_conn *c, uint64_t after, struct capd_grant_entry *out, size_t *n, bool *more,
		    uint32_t *reason, uint64_t deadline_ms) __attribute__((warn_unused_result));

/* uid 0: ends grant id at once. */
int capd_grant_revoke(struct capd_conn *c, uint64_t id, uint32_t *reason, uint64_t deadline_ms)
	__attribute__((warn_unused_result));

/* policyd: a policy decision for the audit log.  The strings of rec must
 * be NUL-terminated within their fields and pass capd_audit_decode (else
 * -EINVAL, nothing sent). */
int capd_audit_policy(struct capd_conn *c, const struct capd_audit_rec *rec, uint32_t *reason,
		      uint64_t deadline_ms) __attribute__((warn_unused_result));

#endif
