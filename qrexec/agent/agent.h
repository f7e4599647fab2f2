/* qrexec-agent internals. */
#ifndef BH_QREXEC_AGENT_H
#define BH_QREXEC_AGENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/spare.h"
#include "lib/vchan.h"
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

struct agent {
	struct vchan *ctrl;
	uint32_t version;
	uint32_t next_id;
	struct pending pending[AGENT_MAX_PENDING];
	struct handler handlers[AGENT_MAX_HANDLERS];
	struct spare spare;         /* the next call's handler, already forked */
};

void agent_init(struct agent *a);
int agent_send_ctrl(const uint8_t *msg, size_t len);

/* exec.c: MSG_EXEC_CMDLINE / MSG_JUST_EXEC, and reaping handlers. */
void agent_exec(struct agent *a, const struct msg_header *h, const uint8_t *untrusted_payload);
void agent_reap(struct agent *a);
/* Forks the spare handler if there is none (lib/spare.h). */
void agent_refill_spare(struct agent *a);

/* vm.c: qrexec-client-vm requests and dom0's answers to them. */
void agent_vm_accept(struct agent *a, int lfd);
void agent_vm_readable(struct agent *a, struct pending *p);
void agent_vm_answer(struct agent *a, const struct msg_header *h, const uint8_t *untrusted_payload);

#endif
