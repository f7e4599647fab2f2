/* Decoders and encoders of capd's messages (capd/capd_proto.h,
 * SPEC/capabilities.md "Wire format").  Pure: no I/O, no allocation, no
 * globals; written for Frama-C WP (make proofs), with contracts here and
 * loop annotations in capd_parse.c.
 *
 * Decoders take (untrusted_buf, len, out), check every byte before
 * writing anything, and on any error leave *out untouched.  A decoded
 * struct holds its strings NUL-terminated and NUL-padded exactly as on
 * the wire, so encoding it gives back the same bytes: the wire form of a
 * call, which the capability MAC covers, is canonical.  Encoders write a
 * whole fixed-size payload from a struct the caller vouches for (one that
 * a decoder or capd_binding_set() produced). */
#ifndef BH_CAPD_PARSE_H
#define BH_CAPD_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "capd/capd_proto.h"
#include "qrexec/field_parse.h"

/* 0 or one of these. */
enum capd_err {
	CAPD_PARSE_OK = 0,
	CAPD_ELENGTH  = -1,   /* payload or message length wrong for its type */
	CAPD_ETYPE    = -2,   /* unknown message type */
	CAPD_ENUL     = -3,   /* a string field without its NUL */
	CAPD_EPADDING = -4,   /* a byte after a field's NUL is not NUL */
	CAPD_ENAME    = -5,   /* a qube name: charset, reserved, or dom0 with a qid */
	CAPD_EQID     = -6,   /* qid over QREXEC_DOMID_MAX, 0 for a qube, or source == target */
	CAPD_ESERVICE = -7,   /* service name: empty, too long, or charset */
	CAPD_EARG     = -8,   /* argument: too long or charset */
	CAPD_EREQID   = -9,   /* request id: empty or charset */
	CAPD_EVERSION = -10,  /* token version or use count */
	CAPD_ESCOPE   = -11,  /* grant scope unknown or its value out of range */
	CAPD_EVALUE   = -12,  /* a number out of its range (ttl, id, count, verdict) */
	CAPD_EZERO    = -13,  /* a reserved field or unused entry not all zero */
	CAPD_ETARGET  = -14,  /* AUDIT's requested target */
	CAPD_EREASON  = -15,  /* AUDIT's reason */
	CAPD_EFILE    = -16,  /* AUDIT's file or line */
	CAPD_ESTATUS  = -17,  /* reply: status unknown, or length wrong for it */
};

struct capd_hdr {
	uint32_t type;
	uint32_t len;
};

/* What a capability or a grant is bound to: who calls whom for what.
 * Source and target are qube names with their qids, or "dom0" with qid
 * 0, never equal; the service is a name without '+'; the argument may be
 * empty ("svc" and "svc+" are the same call, as in the policy). */
struct capd_binding {
	uint32_t source_qid;
	uint32_t target_qid;
	char source[CAPD_NAME_FIELD];
	char target[CAPD_NAME_FIELD];
	char service[CAPD_SERVICE_FIELD];
	char argument[CAPD_ARG_FIELD];
};

/* One call: the binding and the qrexec request id it is for. */
struct capd_call {
	struct capd_binding b;
	char request_id[CAPD_REQID_FIELD];
};

struct capd_token {
	uint32_t version;              /* CAPD_TOKEN_VERSION */
	uint32_t uses;                 /* CAPD_TOKEN_USES */
	uint8_t id[CAPD_ID_SIZE];
	uint8_t epoch[CAPD_EPOCH_SIZE];
	uint64_t grant_id;             /* 0: none */
	uint64_t expiry_ms;            /* capd's CLOCK_MONOTONIC, in its epoch */
	uint8_t mac[CAPD_MAC_SIZE];
};

struct capd_mint_req {
	struct capd_call call;
	uint32_t ttl_ms;               /* 0 (default) or 1 .. CAPD_TTL_MAX_MS */
};

struct capd_redeem_req {
	struct capd_token token;
	struct capd_call call;
};

struct capd_grant_req {
	struct capd_binding b;
	uint32_t scope;                /* CAPD_SCOPE_* */
	uint32_t value;                /* calls, minutes, or 0 */
};

struct capd_audit_rec {
	char source[CAPD_NAME_FIELD];
	char target[CAPD_TARGET_FIELD];   /* as requested: name, dom0, @default, @dispvm... */
	char service[CAPD_SERVICE_FIELD];
	char argument[CAPD_ARG_FIELD];
	char request_id[CAPD_REQID_FIELD];
	uint32_t verdict;                 /* CAPD_VERDICT_* */
	char reason[CAPD_REASON_FIELD];
	char file[CAPD_FILE_FIELD];       /* "" when no rule decided */
	uint32_t line;                    /* 0 exactly when file is "" */
};

struct capd_grant_entry {
	uint64_t id;                   /* >= 1 */
	struct capd_binding b;
	uint32_t scope, value;
	uint32_t remaining;            /* calls left (CALLS); 0 otherwise */
	uint64_t expires;              /* unix seconds (MINUTES); 0 otherwise */
	uint64_t created;              /* unix seconds */
};

/*@ predicate capd_msg_known(integer t) = CAPD_MSG_MIN <= t <= CAPD_MSG_MAX;
    logic integer capd_req_len(integer t) =
      t == CAPD_MINT ? CAPD_MINT_SIZE :
      t == CAPD_MINT_FROM_GRANT ? CAPD_MINT_GRANT_SIZE :
      t == CAPD_REDEEM ? CAPD_REDEEM_SIZE :
      t == CAPD_GRANT_CREATE ? CAPD_GRANT_SIZE :
      t == CAPD_GRANT_LIST ? CAPD_LIST_SIZE :
      t == CAPD_GRANT_REVOKE ? CAPD_REVOKE_SIZE :
      t == CAPD_AUDIT ? CAPD_AUDIT_SIZE : 0;
    logic integer capd_answer_len(integer t) =
      t == CAPD_MINT || t == CAPD_MINT_FROM_GRANT ? CAPD_TOKEN_SIZE :
      t == CAPD_GRANT_CREATE ? 8 :
      t == CAPD_GRANT_LIST ? CAPD_LIST_ANSWER : 0;
    logic integer capd_u64_le(uint8_t *p) = u32_le(p) + 4294967296 * u32_le(p + 4);
    predicate capd_field_ok(uint8_t *f, integer size) = !no_nul(f, size) && nul_padded(f, size);
*/

/* Exact payload size of request type t, or 0 for an unknown type. */
/*@ assigns \nothing;
    ensures \result == capd_req_len(t); */
uint32_t capd_req_size(uint32_t t);

/* Size of the answer that follows a CAPD_OK status in the reply to t. */
/*@ assigns \nothing;
    ensures \result == capd_answer_len(t); */
uint32_t capd_answer_size(uint32_t t);

/*@ requires \valid_read(p + (0 .. 7));
    assigns \nothing;
    ensures \result == capd_u64_le(p); */
uint64_t capd_get_u64(const uint8_t *p);

/*@ requires \valid(p + (0 .. 7));
    assigns p[0 .. 7];
    ensures capd_u64_le(p) == v; */
void capd_put_u64(uint8_t *p, uint64_t v);

/* A request header: 8 bytes, a known type, the type's exact length. */
/*@ requires \valid_read(untrusted_buf + (0 .. len - 1));
    requires \valid(out);
    requires \separated(out, untrusted_buf + (0 .. len - 1));
    assigns *out;
    behavior bad_length:
      assumes len != CAPD_HDR_SIZE;
      assigns \nothing;
      ensures \result == CAPD_ELENGTH;
    behavior bad_type:
      assumes len == CAPD_HDR_SIZE && !capd_msg_known(u32_le(untrusted_buf));
      assigns \nothing;
      ensures \result == CAPD_ETYPE;
    behavior bad_size:
      assumes len == CAPD_HDR_SIZE && capd_msg_known(u32_le(untrusted_buf));
      assumes u32_le(untrusted_buf + 4) != capd_req_len(u32_le(untrusted_buf));
      assigns \nothing;
      ensures \result == CAPD_ELENGTH;
    behavior accept:
      assumes len == CAPD_HDR_SIZE && capd_msg_known(u32_le(untrusted_buf));
      assumes u32_le(untrusted_buf + 4) == capd_req_len(u32_le(untrusted_buf));
      assigns *out;
      ensures \result == CAPD_PARSE_OK;
      ensures out->type == u32_le(untrusted_buf) && out->len == capd_req_len(out->type);
      ensures 0 < out->len <= CAPD_REQ_MAX;
    complete behaviors;
    disjoint behaviors; */
int capd_req_hdr_decode(const uint8_t *untrusted_buf, size_t len, struct capd_hdr *out)
	__attribute__((warn_unused_result));

/* The binding (400 bytes).  Checked in wire order: qids range, the name
 * fields' NUL and padding, the names (a qube name, or "dom0" exactly
 * when the qid is 0), source != target, service, argument. */
/*@ requires \valid_read(untrusted_buf + (0 .. len - 1));
    requires \valid(out);
    requires \separated(out, untrusted_buf + (0 .. len - 1));
    assigns *out;
    behavior bad_length:
      assumes len != CAPD_BINDING_SIZE;
      assigns \nothing;
      ensures \result == CAPD_ELENGTH;
    behavior right_length:
      assumes len == CAPD_BINDING_SIZE;
      assigns *out;
      ensures \result <= 0;
      ensures \result != CAPD_PARSE_OK ==> *out == \old(*out);
      ensures qids: \result == CAPD_PARSE_OK ==>
          out->source_qid <= QREXEC_DOMID_MAX && out->target_qid <= QREXEC_DOMID_MAX &&
          out->source_qid != out->target_qid;
      ensures terminated: \result == CAPD_PARSE_OK ==>
          out->source[CAPD_NAME_FIELD - 1] == 0 && out->target[CAPD_NAME_FIELD - 1] == 0 &&
          out->service[CAPD_SERVICE_FIELD - 1] == 0 && out->argument[CAPD_ARG_FIELD - 1] == 0;
    complete behaviors;
    disjoint behaviors; */
int capd_binding_decode(const uint8_t *untrusted_buf, size_t len, struct capd_binding *out)
	__attribute__((warn_unused_result));

/* A call (432 bytes): the binding, then the request id field. */
/*@ requires \valid_read(untrusted_buf + (0 .. len - 1));
    requires \valid(out);
    requires \separated(out, untrusted_buf + (0 .. len - 1));
    assigns *out;
    behavior bad_length:
      assumes len != CAPD_CALL_SIZE;
      assigns \nothing;
      ensures \result == CAPD_ELENGTH;
    behavior right_length:
      assumes len == CAPD_CALL_SIZE;
      assigns *out;
      ensures \result <= 0;
      ensures \result != CAPD_PARSE_OK ==> *out == \old(*out);
      ensures \result == CAPD_PARSE_OK ==> out->request_id[CAPD_REQID_FIELD - 1] == 0 &&
          out->b.source_qid != out->b.target_qid;
    complete behaviors;
    disjoint behaviors; */
int capd_call_decode(const uint8_t *untrusted_buf, size_t len, struct capd_call *out)
	__attribute__((warn_unused_result));

/* A token (88 bytes): version and uses must be exactly 1; the id, epoch,
 * grant, expiry and MAC are opaque here (capd checks them). */
/*@ requires \valid_read(untrusted_buf + (0 .. len - 1));
    requires \valid(out);
    requires \separated(out, untrusted_buf + (0 .. len - 1));
    assigns *out;
    behavior bad_length:
      assumes len != CAPD_TOKEN_SIZE;
      assigns \nothing;
      ensures \result == CAPD_ELENGTH;
    behavior bad_version:
      assumes len == CAPD_TOKEN_SIZE;
      assumes u32_le(untrusted_buf) != CAPD_TOKEN_VERSION || u32_le(untrusted_buf + 4) != CAPD_TOKEN_USES;
      assigns \nothing;
      ensures \result == CAPD_EVERSION;
    behavior accept:
      assumes len == CAPD_TOKEN_SIZE;
      assumes u32_le(untrusted_buf) == CAPD_TOKEN_VERSION && u32_le(untrusted_buf + 4) == CAPD_TOKEN_USES;
      assigns *out;
      ensures \result == CAPD_PARSE_OK;
      ensures out->version == CAPD_TOKEN_VERSION && out->uses == CAPD_TOKEN_USES;
      ensures out->grant_id == capd_u64_le(untrusted_buf + 40) && out->expiry_ms == capd_u64_le(untrusted_buf + 48);
      ensures \forall integer i; 0 <= i < CAPD_ID_SIZE ==> out->id[i] == untrusted_buf[8 + i];
      ensures \forall integer i; 0 <= i < CAPD_EPOCH_SIZE ==> out->epoch[i] == untrusted_buf[24 + i];
      ensures \forall integer i; 0 <= i < CAPD_MAC_SIZE ==> out->mac[i] == untrusted_buf[56 + i];
    complete behaviors;
    disjoint behaviors; */
int capd_token_decode(const uint8_t *untrusted_buf, size_t len, struct capd_token *out)
	__attribute__((warn_unused_result));

/* MINT (440 bytes): a call, ttl_ms 0 or 1 .. CAPD_TTL_MAX_MS, then a
 * zero word. */
/*@ requires \valid_read(untrusted_buf + (0 .. len - 1));
    requires \valid(out);
    requires \separated(out, untrusted_buf + (0 .. len - 1));
    assigns *out;
    behavior bad_length:
      assumes len != CAPD_MINT_SIZE;
      assigns \nothing;
      ensures \result == CAPD_ELENGTH;
    behavior right_length:
      assumes len == CAPD_MINT_SIZE;
      assigns *out;
      ensures \result <= 0;
      ensures \result != CAPD_PARSE_OK ==> *out == \old(*out);
      ensures \result == CAPD_PARSE_OK ==> out->ttl_ms <= CAPD_TTL_MAX_MS &&
          out->ttl_ms == u32_le(untrusted_buf + CAPD_CALL_SIZE) && u32_le(untrusted_buf + CAPD_CALL_SIZE + 4) == 0;
    complete behaviors;
    disjoint behaviors; */
int capd_mint_decode(const uint8_t *untrusted_buf, size_t len, struct capd_mint_req *out)
	__attribute__((warn_unused_result));

/* REDEEM (520 bytes): a token, then the call as the redeemer knows it. */
/*@ requires \valid_read(untrusted_buf + (0 .. len - 1));
    requires \valid(out);
    requires \separated(out, untrusted_buf + (0 .. len - 1));
    assigns *out;
    behavior bad_length:
      assumes len != CAPD_REDEEM_SIZE;
      assigns \nothing;
      ensures \result == CAPD_ELENGTH;
    behavior right_length:
      assumes len == CAPD_REDEEM_SIZE;
      assigns *out;
      ensures \result <= 0;
      ensures \result != CAPD_PARSE_OK ==> *out == \old(*out);
      ensures \result == CAPD_PARSE_OK ==> out->token.version == CAPD_TOKEN_VERSION &&
          out->token.uses == CAPD_TOKEN_USES;
    complete behaviors;
    disjoint behaviors; */
int capd_redeem_decode(const uint8_t *untrusted_buf, size_t len, struct capd_redeem_req *out)
	__attribute__((warn_unused_result));

/*@ predicate capd_scope_ok(integer s, integer v) =
      (s == CAPD_SCOPE_CALLS && 1 <= v <= CAPD_GRANT_CALLS_MAX) ||
      (s == CAPD_SCOPE_MINUTES && 1 <= v <= CAPD_GRANT_MINUTES_MAX) ||
      (s == CAPD_SCOPE_ALWAYS && v == 0);
*/

/* GRANT_CREATE (408 bytes): a binding, then scope and value in range. */
/*@ requires \valid_read(untrusted_buf + (0 .. len - 1));
    requires \valid(out);
    requires \separated(out, untrusted_buf + (0 .. len - 1));
    assigns *out;
    behavior bad_length:
      assumes len != CAPD_GRANT_SIZE;
      assigns \nothing;
      ensures \result == CAPD_ELENGTH;
    behavior right_length:
      assumes len == CAPD_GRANT_SIZE;
      assigns *out;
      ensures \result <= 0;
      ensures \result != CAPD_PARSE_OK ==> *out == \old(*out);
      ensures \result == CAPD_PARSE_OK ==> capd_scope_ok(out->scope, out->value);
    complete behaviors;
    disjoint behaviors; */
int capd_grant_decode(const uint8_t *untrusted_buf, size_t len, struct capd_grant_req *out)
	__attribute__((warn_unused_result));

/* GRANT_LIST and GRANT_REVOKE (8 bytes): one u64.  REVOKE's id must be
 * at least 1 (min_id 1); LIST's cursor may be 0 (min_id 0). */
/*@ requires \valid_read(untrusted_buf + (0 .. len - 1));
    requires \valid(out);
    requires \separated(out, untrusted_buf + (0 .. len - 1));
    assigns *out;
    behavior bad_length:
      assumes len != 8;
      assigns \nothing;
      ensures \result == CAPD_ELENGTH;
    behavior too_small:
      assumes len == 8 && capd_u64_le(untrusted_buf) < min_id;
      assigns \nothing;
      ensures \result == CAPD_EVALUE;
    behavior accept:
      assumes len == 8 && capd_u64_le(untrusted_buf) >= min_id;
      assigns *out;
      ensures \result == CAPD_PARSE_OK && *out == capd_u64_le(untrusted_buf);
    complete behaviors;
    disjoint behaviors; */
int capd_u64_decode(const uint8_t *untrusted_buf, size_t len, uint64_t min_id, uint64_t *out)
	__attribute__((warn_unused_result));

/* AUDIT (688 bytes): the strings by their grammars (the source a qube
 * name or dom0, the target as qrexec_target_check says, the request id
 * may be empty for calls from dom0), a known verdict, a reason of
 * [a-z0-9-], a file of [A-Za-z0-9._/-] with line > 0, or "" with 0. */
/*@ requires \valid_read(untrusted_buf + (0 .. len - 1));
    requires \valid(out);
    requires \separated(out, untrusted_buf + (0 .. len - 1));
    assigns *out;
    behavior bad_length:
      assumes len != CAPD_AUDIT_SIZE;
      assigns \nothing;
      ensures \result == CAPD_ELENGTH;
    behavior right_length:
      assumes len == CAPD_AUDIT_SIZE;
      assigns *out;
      ensures \result <= 0;
      ensures \result != CAPD_PARSE_OK ==> *out == \old(*out);
      ensures \result == CAPD_PARSE_OK ==> out->verdict <= CAPD_VERDICT_MAX &&
          out->file[CAPD_FILE_FIELD - 1] == 0 && out->reason[CAPD_REASON_FIELD - 1] == 0 &&
          out->target[CAPD_TARGET_FIELD - 1] == 0 && out->source[CAPD_NAME_FIELD - 1] == 0;
    complete behaviors;
    disjoint behaviors; */
int capd_audit_decode(const uint8_t *untrusted_buf, size_t len, struct capd_audit_rec *out)
	__attribute__((warn_unused_result));

/* Reply header for a request of type req_type: 8 bytes, type CAPD_REPLY |
 * req_type, and a length of either a bare status or a status with the
 * type's answer.  *paylen is that length. */
/*@ requires \valid_read(untrusted_buf + (0 .. len - 1));
    requires \valid(paylen);
    requires \separated(paylen, untrusted_buf + (0 .. len - 1));
    assigns *paylen;
    ensures \result <= 0;
    ensures \result != CAPD_PARSE_OK ==> *paylen == \old(*paylen);
    ensures \result == CAPD_PARSE_OK ==> len == CAPD_HDR_SIZE && capd_msg_known(req_type) &&
        (*paylen == CAPD_STATUS_SIZE || *paylen == CAPD_STATUS_SIZE + capd_answer_len(req_type)) &&
        *paylen <= CAPD_REPLY_MAX; */
int capd_reply_hdr_decode(const uint8_t *untrusted_buf, size_t len, uint32_t req_type, uint32_t *paylen)
	__attribute__((warn_unused_result));

/* A reply's status word, given the payload length: CAPD_OK exactly when
 * the answer follows, a refusal 1 .. CAPD_R_MAX exactly when it does not. */
/*@ requires \valid_read(untrusted_buf + (0 .. len - 1));
    requires \valid(status);
    requires \separated(status, untrusted_buf + (0 .. len - 1));
    assigns *status;
    ensures \result <= 0;
    ensures \result != CAPD_PARSE_OK ==> *status == \old(*status);
    ensures \result == CAPD_PARSE_OK ==> *status <= CAPD_R_MAX;
    ensures \result == CAPD_PARSE_OK && *status == CAPD_OK ==> len == CAPD_STATUS_SIZE + capd_answer_len(req_type);
    ensures \result == CAPD_PARSE_OK && *status != CAPD_OK ==> len == CAPD_STATUS_SIZE; */
int capd_status_decode(const uint8_t *untrusted_buf, size_t len, uint32_t req_type, uint32_t *status)
	__attribute__((warn_unused_result));

/* One entry of a GRANT_LIST answer (440 bytes). */
/*@ requires \valid_read(untrusted_buf + (0 .. len - 1));
    requires \valid(out);
    requires \separated(out, untrusted_buf + (0 .. len - 1));
    assigns *out;
    behavior bad_length:
      assumes len != CAPD_GRANT_ENTRY_SIZE;
      assigns \nothing;
      ensures \result == CAPD_ELENGTH;
    behavior right_length:
      assumes len == CAPD_GRANT_ENTRY_SIZE;
      assigns *out;
      ensures \result <= 0;
      ensures \result != CAPD_PARSE_OK ==> *out == \old(*out);
      ensures \result == CAPD_PARSE_OK ==> out->id >= 1 && capd_scope_ok(out->scope, out->value) &&
          out->remaining <= out->value;
    complete behaviors;
    disjoint behaviors; */
int capd_grant_entry_decode(const uint8_t *untrusted_buf, size_t len, struct capd_grant_entry *out)
	__attribute__((warn_unused_result));

/* A GRANT_LIST answer's head: count <= CAPD_LIST_BATCH, more 0 or 1, and
 * every byte of the entries past count zero.  The entries themselves go
 * through capd_grant_entry_decode. */
/*@ requires \valid_read(untrusted_buf + (0 .. len - 1));
    requires \valid(count) && \valid(more);
    requires \separated(count, more, untrusted_buf + (0 .. len - 1));
    assigns *count, *more;
    ensures \result <= 0;
    ensures \result != CAPD_PARSE_OK ==> *count == \old(*count) && *more == \old(*more);
    ensures \result == CAPD_PARSE_OK ==> len == CAPD_LIST_ANSWER && *count <= CAPD_LIST_BATCH &&
        (*more == 0 || *more == 1); */
int capd_list_head_decode(const uint8_t *untrusted_buf, size_t len, uint32_t *count, uint32_t *more)
	__attribute__((warn_unused_result));

/* ---- Encoders ---- */

/* The whole payload out[0 .. CAPD_BINDING_SIZE) from b. */
/*@ requires \valid_read(b);
    requires \valid(out + (0 .. CAPD_BINDING_SIZE - 1));
    requires \separated(b, out + (0 .. CAPD_BINDING_SIZE - 1));
    assigns out[0 .. CAPD_BINDING_SIZE - 1]; */
void capd_binding_encode(const struct capd_binding *b, uint8_t *out);

/*@ requires \valid_read(c);
    requires \valid(out + (0 .. CAPD_CALL_SIZE - 1));
    requires \separated(c, out + (0 .. CAPD_CALL_SIZE - 1));
    assigns out[0 .. CAPD_CALL_SIZE - 1]; */
void capd_call_encode(const struct capd_call *c, uint8_t *out);

/*@ requires \valid_read(t);
    requires \valid(out + (0 .. CAPD_TOKEN_SIZE - 1));
    requires \separated(t, out + (0 .. CAPD_TOKEN_SIZE - 1));
    assigns out[0 .. CAPD_TOKEN_SIZE - 1]; */
void capd_token_encode(const struct capd_token *t, uint8_t *out);

/*@ requires \valid_read(e);
    requires \valid(out + (0 .. CAPD_GRANT_ENTRY_SIZE - 1));
    requires \separated(e, out + (0 .. CAPD_GRANT_ENTRY_SIZE - 1));
    assigns out[0 .. CAPD_GRANT_ENTRY_SIZE - 1]; */
void capd_grant_entry_encode(const struct capd_grant_entry *e, uint8_t *out);

/*@ requires \valid_read(a);
    requires \valid(out + (0 .. CAPD_AUDIT_SIZE - 1));
    requires \separated(a, out + (0 .. CAPD_AUDIT_SIZE - 1));
    assigns out[0 .. CAPD_AUDIT_SIZE - 1]; */
void capd_audit_encode(const struct capd_audit_rec *a, uint8_t *out);

/* A header {type, len} into out[0 .. 8). */
/*@ requires \valid(out + (0 .. 7));
    assigns out[0 .. 7]; */
void capd_hdr_encode(uint32_t type, uint32_t len, uint8_t *out);

/* Fills *out from C strings, checked exactly as capd_binding_decode
 * checks the wire: 0, or a CAPD_E* code with *out untouched. */
/*@ requires valid_read_string(source) && valid_read_string(target);
    requires valid_read_string(service) && valid_read_string(argument);
    requires \valid(out);
    requires \separated(out, source + (0 .. strlen(source)), target + (0 .. strlen(target)),
                        service + (0 .. strlen(service)), argument + (0 .. strlen(argument)));
    assigns *out;
    ensures \result <= 0;
    ensures \result != CAPD_PARSE_OK ==> *out == \old(*out); */
int capd_binding_set(struct capd_binding *out, const char *source, uint32_t source_qid,
		     const char *target, uint32_t target_qid, const char *service, const char *argument)
	__attribute__((warn_unused_result));

/* Sets call->request_id from a C string checked as the wire's. */
/*@ requires valid_read_string(request_id);
    requires \valid(call);
    requires \separated(call, request_id + (0 .. strlen(request_id)));
    assigns call->request_id[0 .. CAPD_REQID_FIELD - 1];
    ensures \result <= 0; */
int capd_call_set_reqid(struct capd_call *call, const char *request_id)
	__attribute__((warn_unused_result));

#endif
