/* A qube asking for a service and dom0's answer: MSG_TRIGGER_SERVICE3
 * (v3) and MSG_TRIGGER_SERVICE (v2), agent -> dom0 daemon, and
 * MSG_SERVICE_CONNECT / MSG_SERVICE_REFUSED, daemon -> the caller's
 * agent.  SPEC/qrexec.md, "Wire format" and "Validation".
 *
 * Decoders read the payload only (the header went through
 * qrexec_hdr_check) and write *out only on success.  Encoders write a
 * whole message, header first, into buf[0..cap) and set *outlen; what
 * they write passes the decoder (QREXEC_EINVAL otherwise); on error
 * buf's contents are unspecified and *outlen is untouched. */
#ifndef BH_QREXEC_TRIGGER_PARSE_H
#define BH_QREXEC_TRIGGER_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qrexec/field_parse.h"

/* A service request, as dom0 acts on it.  All strings NUL-terminated and
 * NUL-padded to their size. */
struct qrexec_trigger {
	char target[TARGET_DOMAIN_SIZE_V3];      /* as sent; see target_kind */
	enum qrexec_target_kind target_kind;
	uint32_t target_arg_off;                 /* NAME or TAG of @dispvm:...; else strlen(target) */
	char request_id[REQUEST_ID_SIZE];
	struct qrexec_service service;           /* "name[+arg]" */
};

/*@ predicate len3_ok(integer len) =
      QREXEC_TRIGGER3_FIXED < len && len - QREXEC_TRIGGER3_FIXED <= MAX_SERVICE_NAME_LEN;
    predicate field_ok(uint8_t *f, integer size) = !no_nul(f, size) && nul_padded(f, size);
    // The service name of a v3 request: NUL at the last byte and only there.
    predicate name3_nul_ok(uint8_t *p, integer len) =
      p[len - 1] == 0 && no_nul(p + QREXEC_TRIGGER3_FIXED, len - QREXEC_TRIGGER3_FIXED - 1);
    // The request id in a request-id field: not empty, and every byte
    // before the first NUL in the charset.
    predicate reqid_field_ok(uint8_t *f) =
      f[0] != 0 && \forall integer i; 0 <= i < REQUEST_ID_SIZE ==>
          no_nul(f, i + 1) ==> cs_char(CS_REQID, f[i]);
    lemma reqid_field: \forall uint8_t *f, integer k;
      padded(f, REQUEST_ID_SIZE, k) ==> (reqid_field_ok(f) <==> reqid_ok(f, k));
*/

/* MSG_TRIGGER_SERVICE3 payload: target_domain[64], request_id[32], then
 * "service[+arg]" whose only NUL is its last byte; len - 96 in
 * 1 .. MAX_SERVICE_NAME_LEN.  Checked in this order: length, target
 * field, request-id field, the name's NUL, the name, the request id, the
 * target. */
/*@ requires \valid_read(untrusted_buf + (0 .. len - 1));
    requires \valid(out);
    requires \separated(out, untrusted_buf + (0 .. len - 1));
    assigns *out;
    behavior bad_length:
      assumes !len3_ok(len);
      assigns \nothing;
      ensures \result == QREXEC_ELENGTH;
    behavior bad_target_field:
      assumes len3_ok(len) && !field_ok(untrusted_buf, TARGET_DOMAIN_SIZE_V3);
      assigns \nothing;
      ensures \result == QREXEC_ENUL || \result == QREXEC_EPADDING;
    behavior bad_reqid_field:
      assumes len3_ok(len) && field_ok(untrusted_buf, TARGET_DOMAIN_SIZE_V3);
      assumes !field_ok(untrusted_buf + TARGET_DOMAIN_SIZE_V3, REQUEST_ID_SIZE);
      assigns \nothing;
      ensures \result == QREXEC_ENUL || \result == QREXEC_EPADDING;
    behavior bad_name_nul:
      assumes len3_ok(len) && field_ok(untrusted_buf, TARGET_DOMAIN_SIZE_V3);
      assumes field_ok(untrusted_buf + TARGET_DOMAIN_SIZE_V3, REQUEST_ID_SIZE);
      assumes !name3_nul_ok(untrusted_buf, len);
      assigns \nothing;
      ensures \result == QREXEC_ENUL;
    behavior bad_service:
      assumes len3_ok(len) && field_ok(untrusted_buf, TARGET_DOMAIN_SIZE_V3);
      assumes field_ok(untrusted_buf + TARGET_DOMAIN_SIZE_V3, REQUEST_ID_SIZE);
      assumes name3_nul_ok(untrusted_buf, len);
      assumes !service_ok(untrusted_buf + QREXEC_TRIGGER3_FIXED, len - QREXEC_TRIGGER3_FIXED - 1);
      assigns \nothing;
      ensures \result == QREXEC_ESERVICE;
    behavior bad_reqid:
      assumes len3_ok(len) && field_ok(untrusted_buf, TARGET_DOMAIN_SIZE_V3);
      assumes field_ok(untrusted_buf + TARGET_DOMAIN_SIZE_V3, REQUEST_ID_SIZE);
      assumes name3_nul_ok(untrusted_buf, len);
      assumes service_ok(untrusted_buf + QREXEC_TRIGGER3_FIXED, len - QREXEC_TRIGGER3_FIXED - 1);
      assumes !reqid_field_ok(untrusted_buf + TARGET_DOMAIN_SIZE_V3);
      assigns \nothing;
      ensures \result == QREXEC_EREQID;
    behavior well_formed:
      assumes len3_ok(len) && field_ok(untrusted_buf, TARGET_DOMAIN_SIZE_V3);
      assumes field_ok(untrusted_buf + TARGET_DOMAIN_SIZE_V3, REQUEST_ID_SIZE);
      assumes name3_nul_ok(untrusted_buf, len);
      assumes service_ok(untrusted_buf + QREXEC_TRIGGER3_FIXED, len - QREXEC_TRIGGER3_FIXED - 1);
      assumes reqid_field_ok(untrusted_buf + TARGET_DOMAIN_SIZE_V3);
      assigns *out;
      ensures \result == QREXEC_OK || \result == QREXEC_ETARGET;
      ensures \result == QREXEC_ETARGET ==> *out == \old(*out);
      ensures \result == QREXEC_OK ==>
          service_stored(&out->service, untrusted_buf + QREXEC_TRIGGER3_FIXED,
                         len - QREXEC_TRIGGER3_FIXED - 1);
      ensures \result == QREXEC_OK ==> out->target[TARGET_DOMAIN_SIZE_V3 - 1] == 0 &&
          out->request_id[REQUEST_ID_SIZE - 1] == 0;
    complete behaviors;
    disjoint behaviors; */
int qrexec_trigger3_decode(const uint8_t *untrusted_buf, size_t len, struct qrexec_trigger *out)
	__attribute__((warn_unused_result));

/* MSG_TRIGGER_SERVICE payload (v2): exactly 128 bytes, service_name[64],
 * target_domain[32], request_id[32], each NUL-terminated and NUL-padded;
 * the same grammars as v3. */
/*@ requires \valid_read(untrusted_buf + (0 .. len - 1));
    requires \valid(out);
    requires \separated(out, untrusted_buf + (0 .. len - 1));
    assigns *out;
    behavior bad_length:
      assumes len != 128;
      assigns \nothing;
      ensures \result == QREXEC_ELENGTH;
    behavior bad_field:
      assumes len == 128;
      assumes !field_ok(untrusted_buf, SERVICE_NAME_SIZE_V2) ||
              !field_ok(untrusted_buf + SERVICE_NAME_SIZE_V2, TARGET_DOMAIN_SIZE_V2) ||
              !field_ok(untrusted_buf + SERVICE_NAME_SIZE_V2 + TARGET_DOMAIN_SIZE_V2, REQUEST_ID_SIZE);
      assigns \nothing;
      ensures \result == QREXEC_ENUL || \result == QREXEC_EPADDING;
    behavior checked_fields:
      assumes len == 128;
      assumes field_ok(untrusted_buf, SERVICE_NAME_SIZE_V2) &&
              field_ok(untrusted_buf + SERVICE_NAME_SIZE_V2, TARGET_DOMAIN_SIZE_V2) &&
              field_ok(untrusted_buf + SERVICE_NAME_SIZE_V2 + TARGET_DOMAIN_SIZE_V2, REQUEST_ID_SIZE);
      assigns *out;
      ensures \result == QREXEC_OK || \result == QREXEC_ESERVICE || \result == QREXEC_EREQID ||
              \result == QREXEC_ETARGET;
      ensures \result != QREXEC_OK ==> *out == \old(*out);
      ensures \result == QREXEC_OK ==> padded(untrusted_buf, SERVICE_NAME_SIZE_V2, out->service.len) &&
          service_stored(&out->service, untrusted_buf, out->service.len);
    complete behaviors;
    disjoint behaviors; */
int qrexec_trigger2_decode(const uint8_t *untrusted_buf, size_t len, struct qrexec_trigger *out)
	__attribute__((warn_unused_result));

/* MSG_TRIGGER_SERVICE3 from C strings: 8 + 96 + strlen(service) + 1
 * bytes.  QREXEC_EINVAL when a string is too long for its field or does
 * not pass the decoder, QREXEC_ENOSPACE when cap is too small. */
/*@ requires valid_read_string(target) && valid_read_string(request_id) && valid_read_string(service);
    requires \valid(buf + (0 .. cap - 1));
    requires \valid(outlen);
    requires \separated(outlen, buf + (0 .. cap - 1));
    requires \separated(buf + (0 .. cap - 1), target + (0 .. strlen(target)),
                        request_id + (0 .. strlen(request_id)), service + (0 .. strlen(service)));
    assigns buf[0 .. cap - 1], *outlen;
    ensures \result == QREXEC_OK ==> *outlen <= cap &&
        *outlen == QREXEC_HDR_SIZE + QREXEC_TRIGGER3_FIXED + strlen(service) + 1;
    ensures \result != QREXEC_OK ==> *outlen == \old(*outlen); */
int qrexec_trigger3_encode(const char *target, const char *request_id, const char *service,
			   uint8_t *buf, size_t cap, size_t *outlen) __attribute__((warn_unused_result));

/* MSG_TRIGGER_SERVICE (v2) from C strings: 8 + 128 bytes. */
/*@ requires valid_read_string(target) && valid_read_string(request_id) && valid_read_string(service);
    requires \valid(buf + (0 .. cap - 1));
    requires \valid(outlen);
    requires \separated(outlen, buf + (0 .. cap - 1));
    requires \separated(buf + (0 .. cap - 1), target + (0 .. strlen(target)),
                        request_id + (0 .. strlen(request_id)), service + (0 .. strlen(service)));
    assigns buf[0 .. cap - 1], *outlen;
    ensures \result == QREXEC_OK ==> *outlen == QREXEC_HDR_SIZE + 128 && *outlen <= cap;
    ensures \result != QREXEC_OK ==> *outlen == \old(*outlen); */
int qrexec_trigger2_encode(const char *target, const char *request_id, const char *service,
			   uint8_t *buf, size_t cap, size_t *outlen) __attribute__((warn_unused_result));

/* MSG_SERVICE_CONNECT (daemon -> the caller's agent): the data channel's
 * far end and the request it answers.  Payload: struct exec_params
 * {connect_domain, connect_port} then struct service_params {ident[32]}:
 * exactly 40 bytes, no cmdline. */
struct qrexec_service_connect {
	uint32_t connect_domain;
	uint32_t connect_port;
	char request_id[REQUEST_ID_SIZE];
};

/*@ requires \valid_read(untrusted_buf + (0 .. len - 1));
    requires \valid(out);
    requires \separated(out, untrusted_buf + (0 .. len - 1));
    assigns *out;
    behavior bad_length:
      assumes len != QREXEC_SERVICE_CONNECT_SIZE;
      assigns \nothing;
      ensures \result == QREXEC_ELENGTH;
    behavior bad_endpoint:
      assumes len == QREXEC_SERVICE_CONNECT_SIZE;
      assumes u32_le(untrusted_buf) > QREXEC_DOMID_MAX ||
              u32_le(untrusted_buf + 4) < QREXEC_DATA_PORT_MIN ||
              u32_le(untrusted_buf + 4) > QREXEC_DATA_PORT_MAX;
      assigns \nothing;
      ensures \result == QREXEC_EDOMAIN || \result == QREXEC_EPORT;
    behavior endpoint_ok:
      assumes len == QREXEC_SERVICE_CONNECT_SIZE;
      assumes u32_le(untrusted_buf) <= QREXEC_DOMID_MAX;
      assumes QREXEC_DATA_PORT_MIN <= u32_le(untrusted_buf + 4) <= QREXEC_DATA_PORT_MAX;
      assigns *out;
      ensures \result == QREXEC_OK || \result == QREXEC_ENUL || \result == QREXEC_EPADDING ||
              \result == QREXEC_EREQID;
      ensures \result != QREXEC_OK ==> *out == \old(*out);
      ensures \result == QREXEC_OK ==> out->connect_domain == u32_le(untrusted_buf) &&
          out->connect_port == u32_le(untrusted_buf + 4) &&
          field_ok(untrusted_buf + 8, REQUEST_ID_SIZE) && reqid_field_ok(untrusted_buf + 8) &&
          out->request_id[REQUEST_ID_SIZE - 1] == 0;
    complete behaviors;
    disjoint behaviors; */
int qrexec_service_connect_decode(const uint8_t *untrusted_buf, size_t len,
				  struct qrexec_service_connect *out) __attribute__((warn_unused_result));

/* 8 + 40 bytes. */
/*@ requires valid_read_string(request_id);
    requires \valid(buf + (0 .. cap - 1));
    requires \valid(outlen);
    requires \separated(outlen, buf + (0 .. cap - 1));
    requires \separated(buf + (0 .. cap - 1), request_id + (0 .. strlen(request_id)));
    assigns buf[0 .. cap - 1], *outlen;
    ensures \result == QREXEC_OK ==> *outlen == QREXEC_HDR_SIZE + QREXEC_SERVICE_CONNECT_SIZE &&
        *outlen <= cap;
    ensures \result != QREXEC_OK ==> *outlen == \old(*outlen); */
int qrexec_service_connect_encode(uint32_t connect_domain, uint32_t connect_port, const char *request_id,
				  uint8_t *buf, size_t cap, size_t *outlen) __attribute__((warn_unused_result));

/* MSG_SERVICE_REFUSED (daemon -> the caller's agent): struct
 * service_params, exactly 32 bytes. */
struct qrexec_service_refused {
	char request_id[REQUEST_ID_SIZE];
};

/*@ requires \valid_read(untrusted_buf + (0 .. len - 1));
    requires \valid(out);
    requires \separated(out, untrusted_buf + (0 .. len - 1));
    assigns *out;
    behavior bad_length:
      assumes len != REQUEST_ID_SIZE;
      assigns \nothing;
      ensures \result == QREXEC_ELENGTH;
    behavior bad_field:
      assumes len == REQUEST_ID_SIZE && !field_ok(untrusted_buf, REQUEST_ID_SIZE);
      assigns \nothing;
      ensures \result == QREXEC_ENUL || \result == QREXEC_EPADDING;
    behavior bad_reqid:
      assumes len == REQUEST_ID_SIZE && field_ok(untrusted_buf, REQUEST_ID_SIZE);
      assumes !reqid_field_ok(untrusted_buf);
      assigns \nothing;
      ensures \result == QREXEC_EREQID;
    behavior accept:
      assumes len == REQUEST_ID_SIZE && field_ok(untrusted_buf, REQUEST_ID_SIZE);
      assumes reqid_field_ok(untrusted_buf);
      assigns *out;
      ensures \result == QREXEC_OK;
      ensures \forall integer i; 0 <= i < REQUEST_ID_SIZE ==>
          out->request_id[i] == (char)untrusted_buf[i];
    complete behaviors;
    disjoint behaviors; */
int qrexec_service_refused_decode(const uint8_t *untrusted_buf, size_t len,
				  struct qrexec_service_refused *out) __attribute__((warn_unused_result));

/* 8 + 32 bytes. */
/*@ requires valid_read_string(request_id);
    requires \valid(buf + (0 .. cap - 1));
    requires \valid(outlen);
    requires \separated(outlen, buf + (0 .. cap - 1));
    requires \separated(buf + (0 .. cap - 1), request_id + (0 .. strlen(request_id)));
    assigns buf[0 .. cap - 1], *outlen;
    ensures \result == QREXEC_OK ==> *outlen == QREXEC_HDR_SIZE + REQUEST_ID_SIZE && *outlen <= cap;
    ensures \result != QREXEC_OK ==> *outlen == \old(*outlen); */
int qrexec_service_refused_encode(const char *request_id, uint8_t *buf, size_t cap, size_t *outlen)
	__attribute__((warn_unused_result));

#endif
