/* qrexec-agent internals. */
#ifndef BH_QREXEC_AGENT_H
#define BH_QREXEC_AGENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/spare.h"
#include "lib/vchan.h"
#include "qrexec/msg_parse.h"
#include "qrexec/protocol.h"
#include "qrexec/lib/vmreq.h"

#define AGENT_MAX_PENDING  128u   /* qrexec-client-vm requests awaiting dom0 */
#define AGENT_MAX_HANDLERS 256u   /* data connections being served */

struct pending {
	int fd;                       /* qrexec-client-vm's connection; -1: free */
	char request_id[REQUEST_ID_SIZE];
	uint64_t deadline;            /* to send its request */
	int sent;                     /* forwarded to dom0, awaiting the answer */
};

struct handler {
	pid_t pid;                    /* 0: free */
	uint32_t domain, port;        /* the channel, reported when it ends */
};

struct agent;

/* Starts the handler of one EXEC_CMDLINE / JUST_EXEC that dom0 sent and
 * the agent decoded into *x (type and payload as they came: the handler
 * decodes them again).  The pid of the handler, or -1.  qrexec-agent's
 * is agent_start_handler (exec.c); tests/fuzz/fuzz_qrexec_agent.c puts
 * one there that only records what it is asked to run. */
typedef pid_t agent_start_fn(struct agent *a, uint32_t type, const uint8_t *untrusted_payload, uint32_t len,
			     const struct qrexec_exec *x);

struct agent {
	struct vchan *ctrl;
	agent_start_fn *start_handler;    /* agent_init: agent_start_handler */
	uint32_t version;
	uint32_t next_id;
	struct pending pending[AGENT_MAX_PENDING];
	struct handler handlers[AGENT_MAX_HANDLERS];
	struct spare spare;         /* the next call's handler, already forked */
};

void agent_init(struct agent *a);

/* control.c: the control channel to dom0's qrexec-daemon.  The HELLO
 * exchange: 0, or -1 (logged) when dom0's is missing or bad. */
int agent_handshake(struct agent *a, uint64_t deadline_ms) __attribute__((warn_unused_result));
/* Sends one message; a channel that fails ends the agent (fatal). */
int agent_send_ctrl(struct agent *a, const uint8_t *msg, size_t len);
/* The control channel was readable: reads and serves the message there,
 * and every further complete one.  AGENT_DOM0_LEFT when dom0 closed the
 * channel between messages; AGENT_VIOLATION (logged) for a message the
 * protocol forbids or a truncated one, whose payload changed nothing:
 * either ends the agent. */
enum agent_round { AGENT_GO_ON, AGENT_DOM0_LEFT, AGENT_VIOLATION };
enum agent_round agent_control_round(struct agent *a) __attribute__((warn_unused_result));

/* loop.c: one round of the agent's event loop (a poll, then whatever is
 * ready) over dom0's channel, sfd (a signalfd for SIGCHLD) and lfd
 * (qrexec-client-vm's listening socket); -1 for either: not polled.
 * Anything but AGENT_GO_ON ends the agent. */
enum agent_round agent_round(struct agent *a, int sfd, int lfd) __attribute__((warn_unused_result));

/* exec.c: MSG_EXEC_CMDLINE / MSG_JUST_EXEC, and reaping handlers.
 * agent_exec: 0, or -1 (logged) for a payload that does not decode. */
int agent_exec(struct agent *a, const struct msg_header *h, const uint8_t *untrusted_payload)
	__attribute__((warn_unused_result));
agent_start_fn agent_start_handler;
void agent_reap(struct agent *a);
/* Forks the spare handler if there is none (lib/spare.h). */
void agent_refill_spare(struct agent *a);

/* vm.c: qrexec-client-vm requests and dom0's answers to them. */
void agent_vm_accept(struct agent *a, int lfd);
void agent_vm_readable(struct agent *a, struct pending *p);
/* 0, or -1 (logged) for a payload that does not decode. */
int agent_vm_answer(struct agent *a, const struct msg_header *h, const uint8_t *untrusted_payload)
	__attribute__((warn_unused_result));

#endif
