/* capd's wire protocol: the one normative header, mirrored by
 * SPEC/capabilities.md ("Wire format").
 *
 * One Unix stream socket, $BULKHEAD_ROOT/run/bulkhead/capd/capd.sock.
 * Every message is an 8-byte header {u32 type, u32 len} then exactly len
 * payload bytes; every integer is little-endian; every string sits in a
 * fixed-size field, NUL-terminated and NUL-padded (one spelling per
 * value, so the encoding a MAC covers is canonical).  Each request type
 * has exactly one payload size; the reply to it has type
 * CAPD_REPLY | type and a payload {u32 status} followed, when status is
 * CAPD_OK, by exactly the type's answer.  Who may send which request is
 * decided by the caller's uid (lib/dom0_uids.h), never by the request.
 * Decoding is done only by capd/capd_parse.c. */
#ifndef BH_CAPD_PROTO_H
#define BH_CAPD_PROTO_H

#include <stdint.h>

#define CAPD_SOCKET_REL   "run/bulkhead/capd/capd.sock"
#define CAPD_SOCKET_DIR   "run/bulkhead/capd"
#define CAPD_STATE_DIR    "var/lib/bulkhead/capd"   /* key, grants: 0700 BH_UID_CAPD */
#define CAPD_AUDIT_DIR    "var/log/bulkhead/audit"  /* the audit log (capd/audit/) */
#define CAPD_AUDIT_SYNC_FILE "audit-sync"   /* in etc/bulkhead: group (default) or each */

#define CAPD_HDR_SIZE     8u

/* Request types. */
#define CAPD_MINT             1u  /* policyd: a one-shot capability for one call */
#define CAPD_MINT_FROM_GRANT  2u  /* policyd: the same, derived from a standing grant */
#define CAPD_REDEEM           3u  /* the target's qrexec-daemon (policyd for dom0) */
#define CAPD_GRANT_CREATE     4u  /* policyd, after the user's answer to a prompt */
#define CAPD_GRANT_LIST       5u  /* uid 0 (qvm-cap list) */
#define CAPD_GRANT_REVOKE     6u  /* uid 0 (qvm-cap revoke) */
#define CAPD_AUDIT            7u  /* policyd: a policy decision for the audit log */
#define CAPD_MSG_MIN          CAPD_MINT
#define CAPD_MSG_MAX          CAPD_AUDIT
#define CAPD_REPLY            0x80000000u

/* Field sizes (bytes, NUL included) and the lengths of their strings. */
#define CAPD_NAME_FIELD       32u   /* a qube name (1..31) or "dom0" */
#define CAPD_SERVICE_FIELD    72u   /* service name: 1..64 of [A-Za-z0-9._-] */
#define CAPD_SERVICE_MAX      64u   /* = POLICY_SERVICE_MAX */
#define CAPD_ARG_FIELD        256u  /* argument: 0..254 of [A-Za-z0-9._+-] */
#define CAPD_ARG_MAX          254u  /* = POLICY_ARG_MAX */
#define CAPD_REQID_FIELD      32u   /* the qrexec request id (REQUEST_ID_SIZE) */
#define CAPD_TARGET_FIELD     64u   /* AUDIT: the requested target, as qrexec checks it */
#define CAPD_REASON_FIELD     32u   /* AUDIT: 1..31 of [a-z0-9-] */
#define CAPD_FILE_FIELD       192u  /* AUDIT: 0..191 of [A-Za-z0-9._/-] */
#define CAPD_ID_SIZE          16u   /* capability id: random */
#define CAPD_EPOCH_SIZE       16u   /* capd's per-start epoch: random */
#define CAPD_MAC_SIZE         32u   /* keyed BLAKE2b-256 */

/* Payload sizes. */
#define CAPD_BINDING_SIZE     400u  /* u32 source_qid, u32 target_qid, source, target, service, argument */
#define CAPD_CALL_SIZE        432u  /* binding, then request id */
#define CAPD_TOKEN_SIZE       88u   /* u32 version, u32 uses, id, epoch, u64 grant, u64 expiry_ms, mac */
#define CAPD_TOKEN_MACED      56u   /* the token's bytes before its MAC */
#define CAPD_MINT_SIZE        440u  /* call, u32 ttl_ms (0: default), u32 zero */
#define CAPD_MINT_GRANT_SIZE  CAPD_CALL_SIZE
#define CAPD_REDEEM_SIZE      520u  /* token, call */
#define CAPD_GRANT_SIZE       408u  /* binding, u32 scope, u32 value */
#define CAPD_LIST_SIZE        8u    /* u64: list grants with an id above this */
#define CAPD_REVOKE_SIZE      8u    /* u64 grant id */
#define CAPD_AUDIT_SIZE       688u  /* source, target, service, argument, request id,
				     * u32 verdict, reason, file, u32 line */
#define CAPD_REQ_MAX          CAPD_AUDIT_SIZE

/* Answers (after the u32 status, only when it is CAPD_OK). */
#define CAPD_STATUS_SIZE      4u
#define CAPD_GRANT_ENTRY_SIZE 440u  /* u64 id, binding, u32 scope, u32 value, u32 remaining,
				     * u32 zero, u64 expires (unix s; 0: none), u64 created (unix s) */
#define CAPD_LIST_BATCH       16u
#define CAPD_LIST_ANSWER      (8u + CAPD_LIST_BATCH * CAPD_GRANT_ENTRY_SIZE)  /* u32 count, u32 more, entries */
#define CAPD_REPLY_MAX        (CAPD_STATUS_SIZE + CAPD_LIST_ANSWER)

#define CAPD_TOKEN_VERSION    1u
#define CAPD_TOKEN_USES       1u    /* every capability is one-shot */

/* Grant scopes and the bounds of their value. */
#define CAPD_SCOPE_CALLS      1u    /* value: 1 .. CAPD_GRANT_CALLS_MAX calls */
#define CAPD_SCOPE_MINUTES    2u    /* value: 1 .. CAPD_GRANT_MINUTES_MAX minutes from creation */
#define CAPD_SCOPE_ALWAYS     3u    /* value: 0; until revoked */
#define CAPD_GRANT_CALLS_MAX  1000u
#define CAPD_GRANT_MINUTES_MAX 1440u

/* Expiry of a capability (milliseconds after it is minted). */
#define CAPD_TTL_DEFAULT_MS   10000u
#define CAPD_TTL_MAX_MS       120000u   /* MINT may ask for up to this (a target that must start) */

/* Timing, enforced by capd per connection: a request must arrive whole,
 * and its reply be taken, within CAPD_REQ_TIMEOUT_MS of its first byte;
 * a connection with nothing pending is closed after CAPD_IDLE_TIMEOUT_MS. */
#define CAPD_REQ_TIMEOUT_MS   2000u
#define CAPD_IDLE_TIMEOUT_MS  30000u

/* AUDIT verdicts. */
#define CAPD_VERDICT_DENY        0u
#define CAPD_VERDICT_ALLOW       1u
#define CAPD_VERDICT_ASK         2u   /* the policy said ask; the prompt runs */
#define CAPD_VERDICT_USER_ALLOW  3u   /* the user allowed at the prompt */
#define CAPD_VERDICT_USER_DENY   4u   /* the user denied (or the prompt timed out) */
#define CAPD_VERDICT_MAX         CAPD_VERDICT_USER_DENY

/* Reply statuses: 0, or why capd refused. */
#define CAPD_OK               0u
#define CAPD_R_WRONG_CALLER   1u   /* this uid may not send this request */
#define CAPD_R_WRONG_TARGET   2u   /* a daemon redeeming a call whose target is not its qube */
#define CAPD_R_FORGED         3u   /* MAC mismatch: not minted by capd for this exact call */
#define CAPD_R_STALE          4u   /* minted before capd last started */
#define CAPD_R_EXPIRED        5u
#define CAPD_R_REPLAYED       6u   /* already redeemed */
#define CAPD_R_REVOKED        7u   /* its grant was revoked or has ended */
#define CAPD_R_NO_GRANT       8u   /* MINT_FROM_GRANT: no live grant covers the call */
#define CAPD_R_FULL           9u   /* a table is at its maximum: refused, nothing forgotten */
#define CAPD_R_NOT_FOUND      10u  /* REVOKE: no such grant */
#define CAPD_R_STORE          11u  /* the grants file could not be written */
#define CAPD_R_MAX            CAPD_R_STORE

#endif
