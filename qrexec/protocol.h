/* qrexec wire protocol, compatible with Qubes OS qrexec protocol version 3
 * (accepting version-2 peers).  Normative text: SPEC/qrexec.md.
 *
 * Every message is a header followed by exactly hdr.len payload bytes.
 * Integers are little-endian (x86 host order), as in Qubes.  Structures
 * here describe the wire layout; decoding is done only by the parsers in
 * the qrexec/ *_parse.c files, never by casting untrusted bytes to these types. */
#ifndef BH_QREXEC_PROTOCOL_H
#define BH_QREXEC_PROTOCOL_H

#include <stdint.h>

#define QREXEC_PROTOCOL_V2        2u
#define QREXEC_PROTOCOL_V3        3u
#define QREXEC_PROTOCOL_VERSION   QREXEC_PROTOCOL_V3

/* Control messages (control channel, port 512). */
#define MSG_EXEC_CMDLINE          0x200u
#define MSG_JUST_EXEC             0x201u
#define MSG_SERVICE_CONNECT       0x202u
#define MSG_SERVICE_REFUSED       0x203u
#define MSG_TRIGGER_SERVICE       0x210u   /* v2 only */
#define MSG_CONNECTION_TERMINATED 0x211u
#define MSG_TRIGGER_SERVICE3      0x212u   /* v3 */
#define MSG_TRIGGER_SERVICE4      0x213u   /* v4: not spoken by Bulkhead */
#define MSG_HELLO                 0x300u

/* Data messages (one data channel per call, ports 513 and up). */
#define MSG_DATA_STDIN            0x190u
#define MSG_DATA_STDOUT           0x191u
#define MSG_DATA_STDERR           0x192u
#define MSG_DATA_EXIT_CODE        0x193u

/* Limits. */
#define MAX_DATA_CHUNK_V2         4096u
#define MAX_DATA_CHUNK            65536u    /* v3 */
#define MAX_SERVICE_NAME_LEN      65000u    /* service+arg with its NUL, TRIGGER_SERVICE3 */
#define MAX_QREXEC_CMD_LEN        65535u    /* exec_params cmdline with its NUL */
#define VCHAN_BASE_PORT           512u      /* control channel; data ports start at 513 */

#define REQUEST_ID_SIZE           32u
#define TARGET_DOMAIN_SIZE_V3     64u
#define SERVICE_NAME_SIZE_V2      64u
#define TARGET_DOMAIN_SIZE_V2     32u

/* Exit codes callers see. */
#define QREXEC_EXIT_PROBLEM       125       /* qrexec failure */
#define QREXEC_EXIT_REFUSED       126       /* denied by policy */
#define QREXEC_EXIT_NOT_FOUND     127       /* service not found */

/* Added with the parsers (qrexec/hdr_parse.c and its siblings); SPEC/qrexec.md, "Wire format". */
#define QREXEC_HDR_SIZE           8u        /* sizeof(struct msg_header) */
#define QREXEC_VERSION_NONE       0u        /* before the HELLO exchange */
#define QREXEC_SERVICE_CONNECT_SIZE 40u     /* struct exec_params + struct service_params */
#define QREXEC_TRIGGER3_FIXED     96u       /* sizeof(struct trigger_service_params3) */
#define QREXEC_EXIT_CODE_MAX      255u      /* DATA_EXIT_CODE carries a wait status 0..255 */
#define QREXEC_DOMID_MAX          0x7fefu   /* below Xen's DOMID_FIRST_RESERVED */
#define QREXEC_DATA_PORT_MIN      (VCHAN_BASE_PORT + 1u)
#define QREXEC_DATA_PORT_MAX      65535u
/* Largest payload of any message (EXEC_CMDLINE with the longest cmdline):
 * a receive buffer of this size holds every message hdr_check accepts. */
#define QREXEC_MAX_PAYLOAD        (8u + MAX_QREXEC_CMD_LEN)

struct msg_header {
	uint32_t type;
	uint32_t len;
};
_Static_assert(sizeof(struct msg_header) == 8, "msg_header");

/* MSG_HELLO payload. */
struct peer_info {
	uint32_t version;
};
_Static_assert(sizeof(struct peer_info) == 4, "peer_info");

/* MSG_EXEC_CMDLINE / MSG_JUST_EXEC payload: fixed part, then the
 * NUL-terminated cmdline "user:command" (optionally "nogui:" first). */
struct exec_params {
	uint32_t connect_domain;
	uint32_t connect_port;
	/* char cmdline[]; */
};
_Static_assert(sizeof(struct exec_params) == 8, "exec_params");

/* MSG_SERVICE_CONNECT (to the caller's agent) and MSG_SERVICE_REFUSED. */
struct service_params {
	char ident[REQUEST_ID_SIZE];
};
_Static_assert(sizeof(struct service_params) == 32, "service_params");

/* MSG_TRIGGER_SERVICE (v2): fixed 128 bytes. */
struct trigger_service_params {
	char service_name[SERVICE_NAME_SIZE_V2];
	char target_domain[TARGET_DOMAIN_SIZE_V2];
	struct service_params request_id;
};
_Static_assert(sizeof(struct trigger_service_params) == 128, "trigger_service_params");

/* MSG_TRIGGER_SERVICE3: 96 fixed bytes, then "service+arg" NUL-terminated
 * at exactly the end of the message. */
struct trigger_service_params3 {
	char target_domain[TARGET_DOMAIN_SIZE_V3];
	struct service_params request_id;
	/* char service_name[]; */
};
_Static_assert(sizeof(struct trigger_service_params3) == 96, "trigger_service_params3");

/* MSG_CONNECTION_TERMINATED: the data channel of (domid, port) is gone. */
struct exec_params_terminated {
	uint32_t domid;
	uint32_t port;
};
_Static_assert(sizeof(struct exec_params_terminated) == 8, "connection_terminated");

#endif
