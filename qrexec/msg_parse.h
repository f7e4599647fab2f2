/* The qrexec message parsers and encoders, one header for users:
 *   qrexec/field_parse.h    error codes, field grammars (service, request id, target)
 *   qrexec/hdr_parse.h      headers and the message table, HELLO, CONNECTION_TERMINATED,
 *                           DATA_EXIT_CODE
 *   qrexec/trigger_parse.h  TRIGGER_SERVICE3/TRIGGER_SERVICE, SERVICE_CONNECT/REFUSED
 *   qrexec/exec_parse.h     EXEC_CMDLINE/JUST_EXEC, QUBESRPC commands
 * Reading a message: qrexec_hdr_decode, qrexec_hdr_check against the
 * channel, the sender and the negotiated version, read exactly h.len
 * payload bytes, then the type's decoder.  Normative: SPEC/qrexec.md. */
#ifndef BH_QREXEC_MSG_PARSE_H
#define BH_QREXEC_MSG_PARSE_H

#include "qrexec/exec_parse.h"
#include "qrexec/field_parse.h"
#include "qrexec/hdr_parse.h"
#include "qrexec/trigger_parse.h"

/* A static string naming an error code (for logs). */
/*@ assigns \nothing;
    ensures \valid_read(\result); */
const char *qrexec_strerror(int code);

#endif
