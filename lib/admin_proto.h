/* The Admin API wire format on $BULKHEAD_ROOT/run/bulkhead/admin.sock.
 * Normative text: SPEC/core.md, "Admin interface".
 *
 * Request: source NUL method NUL dest NUL arg NUL payload, then the client
 * shuts down its write side.  Reply: 0x30 0x00 content (ok), or
 * 0x32 0x00 type NUL traceback NUL message NUL (exception), then close. */
#ifndef BH_ADMIN_PROTO_H
#define BH_ADMIN_PROTO_H

#define ADMIN_MAX_REQUEST     65536u   /* whole request, all fields */
#define ADMIN_MAX_REPLY       (1u << 20)
#define ADMIN_METHOD_MAX      63u      /* [A-Za-z0-9._], starts "admin." */
#define ADMIN_ARG_MAX         255u
#define ADMIN_REQ_TIMEOUT_MS  5000u    /* to receive a whole request */
#define ADMIN_CALL_TIMEOUT_MS 120000u  /* client: whole call incl. qube start */
#define ADMIN_MAX_CLIENTS     16u      /* connections bulkheadd serves at once */

#define ADMIN_REPLY_OK        0x30
#define ADMIN_REPLY_EVENT     0x31
#define ADMIN_REPLY_EXCEPTION 0x32

#endif
