/* What dom0 asks an agent to run: MSG_EXEC_CMDLINE and MSG_JUST_EXEC
 * (daemon -> agent; this is the agent's parser), and the
 * "QUBESRPC svc+arg source" command inside a service call.
 * SPEC/qrexec.md, "Wire format" and "Validation".
 *
 * Decoders write *out only on success.  Encoders write a whole message,
 * header first, into buf[0..cap) and set *outlen; what they write passes
 * the decoder (QREXEC_EINVAL otherwise); on error buf's contents are
 * unspecified and *outlen is untouched. */
#ifndef BH_QREXEC_EXEC_PARSE_H
#define BH_QREXEC_EXEC_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qrexec/field_parse.h"

/* An exec_params payload: where to connect the data channel, and the
 * cmdline "user:[nogui:]command". */
struct qrexec_exec {
	uint32_t connect_domain;
	uint32_t connect_port;
	char user[USER_NAME_MAX + 1];        /* [a-z_][a-z0-9_-]{0,31} */
	bool nogui;                          /* "nogui:" led the command */
	char command[MAX_QREXEC_CMD_LEN];    /* non-empty, no NUL inside; NUL-padded */
	uint32_t command_len;                /* strlen(command) */
};

/*@ predicate exec_len_ok(integer len) = 9 <= len <= 8 + MAX_QREXEC_CMD_LEN;
    // The cmdline's NUL is its last byte, and only there.
    predicate cmdline_nul_ok(uint8_t *p, integer len) = p[len - 1] == 0 && no_nul(p + 8, len - 9);
*/

/* exec_params payload: len in 9 .. 8 + MAX_QREXEC_CMD_LEN, the endpoint
 * passes qrexec_endpoint_check(), the cmdline's only NUL is its last
 * byte, "user:" leads it with a valid user name, an optional "nogui:"
 * follows, and the command after that is not empty. */
/*@ requires \valid_read(untrusted_buf + (0 .. len - 1));
    requires \valid(out);
    requires \separated(out, untrusted_buf + (0 .. len - 1));
    assigns *out;
    behavior bad_length:
      assumes !exec_len_ok(len);
      assigns \nothing;
      ensures \result == QREXEC_ELENGTH;
    behavior bad_endpoint:
      assumes exec_len_ok(len);
      assumes u32_le(untrusted_buf) > QREXEC_DOMID_MAX ||
              u32_le(untrusted_buf + 4) < QREXEC_DATA_PORT_MIN ||
              u32_le(untrusted_buf + 4) > QREXEC_DATA_PORT_MAX;
      assigns \nothing;
      ensures \result == QREXEC_EDOMAIN || \result == QREXEC_EPORT;
    behavior bad_nul:
      assumes exec_len_ok(len);
      assumes u32_le(untrusted_buf) <= QREXEC_DOMID_MAX;
      assumes QREXEC_DATA_PORT_MIN <= u32_le(untrusted_buf + 4) <= QREXEC_DATA_PORT_MAX;
      assumes !cmdline_nul_ok(untrusted_buf, len);
      assigns \nothing;
      ensures \result == QREXEC_ENUL;
    behavior cmdline:
      assumes exec_len_ok(len);
      assumes u32_le(untrusted_buf) <= QREXEC_DOMID_MAX;
      assumes QREXEC_DATA_PORT_MIN <= u32_le(untrusted_buf + 4) <= QREXEC_DATA_PORT_MAX;
      assumes cmdline_nul_ok(untrusted_buf, len);
      assigns *out;
      ensures \result == QREXEC_OK || \result == QREXEC_EUSER || \result == QREXEC_ECOMMAND;
      ensures \result != QREXEC_OK ==> *out == \old(*out);
      ensures \result == QREXEC_OK ==> out->connect_domain == u32_le(untrusted_buf) &&
          out->connect_port == u32_le(untrusted_buf + 4) &&
          1 <= out->command_len <= MAX_QREXEC_CMD_LEN - 1 &&
          out->command[out->command_len] == 0 && out->user[USER_NAME_MAX] == 0;
    complete behaviors;
    disjoint behaviors; */
int qrexec_exec_decode(const uint8_t *untrusted_buf, size_t len, struct qrexec_exec *out)
	__attribute__((warn_unused_result));

/* MSG_EXEC_CMDLINE or MSG_JUST_EXEC (type) with the cmdline
 * "user:[nogui:]command".  QREXEC_EINVAL for another type, a bad
 * endpoint or user, an empty command, a command starting with "nogui:"
 * when !nogui (it would read back as nogui), or a cmdline over
 * MAX_QREXEC_CMD_LEN. */
/*@ requires valid_read_string(user) && valid_read_string(command);
    requires \valid(buf + (0 .. cap - 1));
    requires \valid(outlen);
    requires \separated(outlen, buf + (0 .. cap - 1));
    requires \separated(buf + (0 .. cap - 1), user + (0 .. strlen(user)), command + (0 .. strlen(command)));
    assigns buf[0 .. cap - 1], *outlen;
    ensures \result == QREXEC_OK ==> QREXEC_HDR_SIZE + 9 <= *outlen <= cap;
    ensures \result != QREXEC_OK ==> *outlen == \old(*outlen); */
int qrexec_exec_encode(uint32_t type, uint32_t connect_domain, uint32_t connect_port, const char *user,
		       bool nogui, const char *command, uint8_t *buf, size_t cap, size_t *outlen)
	__attribute__((warn_unused_result));

/* The command of a service call: "QUBESRPC svc[+arg] source". */
struct qrexec_rpc_cmd {
	struct qrexec_service service;
	char source[QUBE_NAME_MAX + 1];      /* a qube name or "dom0" */
};

/* untrusted_buf[0..len) is a command (no NUL): exactly "QUBESRPC ", a
 * service request (qrexec_service_check), one space, and the caller's
 * name (a qube name or dom0), nothing after it.  QREXEC_ECOMMAND when the
 * shape is wrong, QREXEC_ESERVICE / QREXEC_ESOURCE for the parts. */
/*@ requires \valid_read(untrusted_buf + (0 .. len - 1));
    requires \valid(out);
    requires \separated(out, untrusted_buf + (0 .. len - 1));
    assigns *out;
    ensures \result == QREXEC_OK || \result == QREXEC_ECOMMAND || \result == QREXEC_ESERVICE ||
            \result == QREXEC_ESOURCE;
    ensures \result != QREXEC_OK ==> *out == \old(*out);
    ensures \result == QREXEC_OK ==> 1 <= out->service.len < MAX_SERVICE_NAME_LEN &&
        service_stored(&out->service, untrusted_buf + 9, out->service.len) &&
        out->source[QUBE_NAME_MAX] == 0; */
int qrexec_rpc_cmd_parse(const uint8_t *untrusted_buf, size_t len, struct qrexec_rpc_cmd *out)
	__attribute__((warn_unused_result));

/* MSG_EXEC_CMDLINE "user:QUBESRPC service source" for the agent of the
 * service's target; the same errors as qrexec_exec_encode, and
 * QREXEC_EINVAL when service or source would not parse back. */
/*@ requires valid_read_string(user) && valid_read_string(service) && valid_read_string(source);
    requires \valid(buf + (0 .. cap - 1));
    requires \valid(outlen);
    requires \separated(outlen, buf + (0 .. cap - 1));
    requires \separated(buf + (0 .. cap - 1), user + (0 .. strlen(user)),
                        service + (0 .. strlen(service)), source + (0 .. strlen(source)));
    assigns buf[0 .. cap - 1], *outlen;
    ensures \result == QREXEC_OK ==> QREXEC_HDR_SIZE + 9 <= *outlen <= cap;
    ensures \result != QREXEC_OK ==> *outlen == \old(*outlen); */
int qrexec_exec_rpc_encode(uint32_t connect_domain, uint32_t connect_port, const char *user,
			   const char *service, const char *source, uint8_t *buf, size_t cap, size_t *outlen)
	__attribute__((warn_unused_result));

#endif
