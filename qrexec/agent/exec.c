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
#include "qrexec/agent/agent.h"
#include "qrexec/agent/service.h"
#include "qrexec/msg_parse.h"
#include "qrexec/lib/pump.h"

#define DATA_CONNECT_TIMEOUT_MS 60000u

void agent_init(struct agent *a)
{
	memset(a, 0, sizeof(*a));
	for (size_t i = 0; i < AGENT_MAX_PENDING; i++)
		a->pending[i].fd = -1;
}

/* No such service: both streams end at once and the exit code is 127. */
static int send_not_found(struct vchan *v, uint32_t version)
{
	uint8_t msg[3 * 8 + 4];
	size_t n = 0, k;
	const uint32_t types[2] = { MSG_DATA_STDOUT, MSG_DATA_STDERR };

	for (int i = 0; i < 2; i++) {
		struct msg_header h = { types[i], 0 };
		if (qrexec_hdr_encode(&h, CHAN_DATA, PEER_DATA_SERVICE, version, msg + n, sizeof(msg) - n) != QREXEC_OK)
			return -EINVAL;
		n += 8;
	}
	if (qrexec_exit_code_encode(QREXEC_EXIT_NOT_FOUND, msg + n, sizeof(msg) - n, &k) != QREXEC_OK)
		return -EINVAL;
	return vchan_send(v, msg, n + k, now_ms() + DATA_CONNECT_TIMEOUT_MS);
}

/* In the handler process: connect, run, pump, exit with nothing to say. */
static _Noreturn void handle(const struct qrexec_exec *x)
{
	struct pump_config cfg = { .role = PUMP_SERVICE, .child = -1 };
	struct spawned sp = { -1, -1, -1, -1 };
	uint64_t deadline = now_ms() + DATA_CONNECT_TIMEOUT_MS;
	int err = 0, code, rc;
	bool is_socket = false;
	char path[4096];

	cfg.v = vchan_client_init(x->connect_domain, x->connect_port, deadline, &err);
	if (cfg.v == NULL) {
		log_warnx("data channel (%u, %u): %s", x->connect_domain, x->connect_port, strerror(-err));
		_exit(1);
	}
	if ((rc = pump_handshake(cfg.v, 0, &cfg.version, deadline)) < 0) {
		log_warnx("data channel handshake: %s", strerror(-rc));
		_exit(1);
	}
	if (strncmp(x->command, "QUBESRPC ", 9) == 0) {
		static struct qrexec_rpc_cmd rpc;
		static char name[MAX_SERVICE_NAME_LEN];
		const char *arg;

		if ((rc = qrexec_rpc_cmd_parse((const uint8_t *)x->command, x->command_len, &rpc)) != QREXEC_OK) {
			log_warnx("malformed service call from dom0: %s", qrexec_strerror(rc));
			_exit(1);
		}
		memcpy(name, rpc.service.full, rpc.service.name_len);
		name[rpc.service.name_len] = '\0';
		arg = rpc.service.full + rpc.service.arg_off;
		if (service_lookup(name, arg, path, sizeof(path), &is_socket) != SERVICE_OK) {
			rc = send_not_found(cfg.v, cfg.version);
			vchan_close(cfg.v);
			_exit(rc < 0);
		}
		rc = service_spawn(path, is_socket, name, arg, rpc.source, x->user, &sp);
	} else {
		rc = command_spawn(x->user, x->command, &sp);
	}
	if (rc != SERVICE_OK) {
		log_warnx("cannot start the requested program");
		vchan_close(cfg.v);
		_exit(1);
	}
	cfg.local_in = sp.out_fd;
	cfg.local_err = sp.err_fd;
	cfg.local_out = sp.in_fd;
	cfg.local_err_out = -1;
	cfg.child = sp.pid;
	cfg.in_is_socket = is_socket;
	rc = pump_run(&cfg, &code);
	if (rc < 0)
		log_warnx("data channel: %s", strerror(-rc));
	vchan_close(cfg.v);
	_exit(rc < 0);
}

static void report_terminated(uint32_t domain, uint32_t port)
{
	struct qrexec_conn_terminated ct = { domain, port };
	uint8_t msg[16];
	size_t n;

	if (qrexec_conn_terminated_encode(&ct, msg, sizeof(msg), &n) == QREXEC_OK)
		agent_send_ctrl(msg, n);
}

void agent_exec(struct agent *a, const struct msg_header *h, const uint8_t *untrusted_payload)
{
	static struct qrexec_exec x;        /* ~65 KiB: not on the stack */
	struct handler *slot = NULL;
	pid_t pid;
	int rc = qrexec_exec_decode(untrusted_payload, h->len, &x);

	if (rc != QREXEC_OK)
		fatalx("malformed EXEC from dom0 (%d)", rc);
	for (size_t i = 0; i < AGENT_MAX_HANDLERS && slot == NULL; i++)
		if (a->handlers[i].pid == 0)
			slot = &a->handlers[i];
	if (slot == NULL) {
		log_warnx("too many connections; refusing one");
		report_terminated(x.connect_domain, x.connect_port);
		return;
	}
	pid = fork();
	if (pid < 0) {
		log_warn("fork");
		report_terminated(x.connect_domain, x.connect_port);
		return;
	}
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (h->type == MSG_JUST_EXEC) {
			struct spawned sp;
			/* Started and left alone: no data channel. */
			if (command_spawn(x.user, x.command, &sp) == SERVICE_OK) {
				close(sp.in_fd);
				close(sp.out_fd);
				close(sp.err_fd);
			}
			_exit(0);
		}
		handle(&x);
	}
	slot->pid = pid;
	slot->domain = x.connect_domain;
	slot->port = x.connect_port;
}

void agent_reap(struct agent *a)
{
	for (size_t i = 0; i < AGENT_MAX_HANDLERS; i++) {
		struct handler *hd = &a->handlers[i];
		if (hd->pid == 0 || waitpid(hd->pid, NULL, WNOHANG) != hd->pid)
			continue;
		hd->pid = 0;
		report_terminated(hd->domain, hd->port);
	}
	/* Only our own pids: a handler reaped elsewhere would never be
	 * reported, and its port never freed.  Programs started by
	 * MSG_JUST_EXEC are orphaned to qube-init, which reaps them. */
}
