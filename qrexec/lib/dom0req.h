/* Requests dom0 programs (qrexec-client, qrexec-policyd) make to a qube's
 * qrexec-daemon over $BULKHEAD_ROOT/run/bulkhead/qrexec/qrexec.NAME.sock.
 * The socket's directory is 0700 root and the daemon checks SO_PEERCRED
 * uid 0, but requests are still decoded field by field: one fixed-size
 * record, then for EXEC exactly cmdline_len bytes of "user:command\0".
 * SPEC/qrexec-daemons.md. */
#ifndef BH_QREXEC_DOM0REQ_H
#define BH_QREXEC_DOM0REQ_H

#include <stddef.h>
#include <stdint.h>

#include "capd/capd_proto.h"
#include "qrexec/protocol.h"

enum dom0req_op {
	DREQ_EXEC = 1,            /* send EXEC_CMDLINE (or JUST_EXEC); answer the data port */
	DREQ_SERVICE_CONNECT,     /* send SERVICE_CONNECT(domain, port, request id) */
	DREQ_SERVICE_REFUSED,     /* send SERVICE_REFUSED(request id) */
	DREQ_WAIT_PORT,           /* answer when the channel (domain, port) has ended */
	DREQ_PING,                /* answer (rc 0, the domid): the daemon serves, its agent is there */
	DREQ_OP_MAX = DREQ_PING
};

struct dom0req {
	uint32_t op;
	uint32_t domain;          /* EXEC: the agent connects to it; CONNECT: the target;
				   * WAIT_PORT: the channel's other end */
	uint32_t port;            /* CONNECT, WAIT_PORT: the data port */
	uint32_t just_exec;       /* EXEC: 1 = MSG_JUST_EXEC, no data channel */
	uint32_t cmdline_len;     /* EXEC: bytes that follow, NUL included */
	char request_id[REQUEST_ID_SIZE];   /* EXEC: the call's (capd binds it); CONNECT, REFUSED */
	uint32_t source_qid;      /* EXEC: the calling qube's qid (0: dom0) */
	uint8_t token[CAPD_TOKEN_SIZE];     /* EXEC: the capability for the call (capd_token_encode) */
};
_Static_assert(sizeof(struct dom0req) == 144, "dom0req layout");

struct dom0rep {
	int32_t rc;               /* 0 or -errno */
	uint32_t port;            /* EXEC: the allocated data port */
	uint32_t domid;           /* the qube's domain id */
};
_Static_assert(sizeof(struct dom0rep) == 12, "dom0rep layout");

#define DOM0REQ_TIMEOUT_MS 10000u
/* The longest a call waits for its target's daemon to serve (DREQ_PING):
 * a qube whose agent is still booting (SPEC/qrexec-daemons.md, "Start
 * and readiness"). */
#define DOM0REQ_READY_MAX_MS 240000u

/* Checks a received record (copied from the socket); the cmdline, if
 * any, is checked by the caller with the EXEC_CMDLINE parser.  Every
 * field an op does not use must be 0 (a PING is op and zeros).  0 or -1. */
int dom0req_check(const struct dom0req *untrusted_req) __attribute__((warn_unused_result));

/* A daemon's rc: 0, its refusal (an -errno), or -EPROTO for anything
 * else (the daemon runs under its qube's control). */
int dom0rep_errno(const struct dom0rep *untrusted_rep) __attribute__((warn_unused_result));

/* A daemon's answer to DREQ_EXEC, copied to *out only if it is one: rc 0,
 * the domain id bulkheadd gave the qube (domid, not 0), a data port.  The
 * daemon runs under its qube's control, so nothing else of it is used.
 * 0 or -1. */
int dom0rep_exec_check(const struct dom0rep *untrusted_rep, uint32_t domid, struct dom0rep *out)
	__attribute__((warn_unused_result));

/* A daemon's answer to DREQ_PING, if it is one: rc 0, port 0, the
 * domain id bulkheadd gave the qube (domid, not 0).  0 or -1. */
int dom0rep_ping_check(const struct dom0rep *untrusted_rep, uint32_t domid) __attribute__((warn_unused_result));

/* Client side: one request on a new connection to NAME's daemon, one
 * reply, within DOM0REQ_TIMEOUT_MS (the connect included).  cmdline may be NULL for non-EXEC
 * ops.  The reply is the daemon's word (its qube may control it): check
 * it (dom0rep_exec_check) before using any of it. */
int dom0req_call(const char *qube, const struct dom0req *req, const char *cmdline,
		 struct dom0rep *untrusted_rep) __attribute__((warn_unused_result));

/* DREQ_WAIT_PORT: returns 0 once the channel (domain, port) of qube's
 * agent has ended (the agent reported it, or the qube's daemon went away:
 * the qube is gone), -ETIMEDOUT at the deadline, or -errno. */
int dom0req_wait_port(const char *qube, uint32_t domain, uint32_t port, uint64_t deadline_ms)
	__attribute__((warn_unused_result));

/* DREQ_PING: waits until qube's daemon serves dom0 requests, which it
 * does only once its agent has connected and said HELLO (until then the
 * request waits in the socket's backlog), by deadline_ms.  0 once it
 * answered as domain domid; -ETIMEDOUT at the deadline; -ENOENT or
 * -ECONNREFUSED: no daemon; -EPIPE or -ECONNRESET: the daemon exited
 * before serving (its agent never came: qrexec_timeout); -EPROTO: an
 * answer that is not a ping's (dom0rep_ping_check). */
int dom0req_ping(const char *qube, uint32_t domid, uint64_t deadline_ms) __attribute__((warn_unused_result));

/* $BULKHEAD_ROOT/run/bulkhead/qrexec/qrexec.NAME.sock into out. */
int dom0req_socket_path(const char *qube, char *out, size_t outlen) __attribute__((warn_unused_result));

#endif
