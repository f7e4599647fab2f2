/* Running dom0's requests: one handler process per data connection. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/io.h"
#include "lib/log.h"
#include "lib/spare.h"
#include "qrexec/agent/agent.h"
#include "qrexec/msg_parse.h"
#include "qrexec/lib/run_call.h"
#include "qrexec/lib/service.h"

void agent_init(struct agent *a)
{
	memset(a, 0, sizeof(*a));
	a->spare = (struct spare)SPARE_NONE;
	a->start_handler = agent_start_handler;
	for (size_t i = 0; i < AGENT_MAX_PENDING; i++)
		a->pending[i].fd = -1;
}

/* A handler's job: the message type, then dom0's payload as it came
 * (the handler decodes it again with the same parser). */
struct job {
	uint32_t type;
	uint8_t payload[MAX_QREXEC_CMD_LEN + 64];
};

/* In the handler process: serve the call; the exit status says nothing
 * to anyone (the agent reports the port free either way). */
static int handle(uint32_t type, const struct qrexec_exec *x)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (type == MSG_JUST_EXEC) {
		struct spawned sp;
		/* Started and left alone: no data channel. */
		if (command_spawn(x->user, x->command, &sp) == SERVICE_OK) {
			close(sp.in_fd);
			close(sp.out_fd);
			close(sp.err_fd);
		}
		return 0;
	}
	return run_call(x->connect_domain, x->connect_port, x->user, x->command) < 0;
}

static int handle_job(void *ctx, const void *buf, size_t len, int fd)
{
	static struct job j;
	static struct qrexec_exec x;

	(void)ctx;
	if (fd >= 0)
		close(fd);
	if (len < sizeof(j.type) || len > sizeof(j))
		return 1;
	memcpy(&j, buf, len);
	if (qrexec_exec_decode(j.payload, len - sizeof(j.type), &x) != QREXEC_OK)
		return 1;
	return handle(j.type, &x);
}

void agent_refill_spare(struct agent *a)
{
	int rc;

	if (a->spare.pid == 0 && (rc = spare_start(&a->spare, handle_job, NULL, NULL, 0)) < 0)
		log_warnx("cannot fork a spare handler: %s", strerror(-rc));
}

static void report_terminated(struct agent *a, uint32_t domain, uint32_t port)
{
	struct qrexec_conn_terminated ct = { domain, port };
	uint8_t msg[16];
	size_t n;

	if (qrexec_conn_terminated_encode(&ct, msg, sizeof(msg), &n) == QREXEC_OK)
		agent_send_ctrl(a, msg, n);
}

pid_t agent_start_handler(struct agent *a, uint32_t type, const uint8_t *untrusted_payload, uint32_t len,
			  const struct qrexec_exec *x)
{
	static struct job j;
	pid_t pid;

	/* The spare takes the job; without one (or if it died), a fork. */
	j.type = type;
	memcpy(j.payload, untrusted_payload, len);
	if (a->spare.pid == 0 || (pid = spare_hand(&a->spare, &j, sizeof(j.type) + len, -1)) < 0)
		pid = fork();
	if (pid < 0)
		log_warn("fork");
	if (pid == 0)
		_exit(handle(type, x));
	return pid;
}

int agent_exec(struct agent *a, const struct msg_header *h, const uint8_t *untrusted_payload)
{
	static struct qrexec_exec x;        /* ~65 KiB: not on the stack */
	struct handler *slot = NULL;
	pid_t pid;
	int rc = qrexec_exec_decode(untrusted_payload, h->len, &x);

	if (rc != QREXEC_OK) {
		log_warnx("malformed EXEC from dom0 (%d)", rc);
		return -1;
	}
	for (size_t i = 0; i < AGENT_MAX_HANDLERS && slot == NULL; i++)
		if (a->handlers[i].pid == 0)
			slot = &a->handlers[i];
	if (slot == NULL) {
		log_warnx("too many connections; refusing one");
		report_terminated(a, x.connect_domain, x.connect_port);
		return 0;
	}
	if ((pid = a->start_handler(a, h->type, untrusted_payload, h->len, &x)) < 0) {
		report_terminated(a, x.connect_domain, x.connect_port);
		return 0;
	}
	slot->pid = pid;
	slot->domain = x.connect_domain;
	slot->port = x.connect_port;
	return 0;
}

void agent_reap(struct agent *a)
{
	for (size_t i = 0; i < AGENT_MAX_HANDLERS; i++) {
		struct handler *hd = &a->handlers[i];
		if (hd->pid == 0 || waitpid(hd->pid, NULL, WNOHANG) != hd->pid)
			continue;
		hd->pid = 0;
		report_terminated(a, hd->domain, hd->port);
	}
	/* Only our own pids: a handler reaped elsewhere would never be
	 * reported, and its port never freed.  Programs started by
	 * MSG_JUST_EXEC are orphaned to qube-init, which reaps them. */
}
