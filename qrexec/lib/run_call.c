/* Serving one call on the service side of its data channel: used by the
 * agent (every call into a qube) and by qrexec-policyd (calls into dom0). */
#include "qrexec/lib/run_call.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "lib/io.h"
#include "lib/log.h"
#include "qrexec/lib/pump.h"
#include "qrexec/lib/service.h"
#include "qrexec/msg_parse.h"

#define DATA_CONNECT_TIMEOUT_MS 60000u

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

/* Starts what command asks for (the service side's program or socket),
 * before the channel is connected: its start then overlaps the source's
 * side of the setup.  SERVICE_NOT_FOUND: no such service. */
static int start_program(const char *user, const char *command, struct spawned *sp, bool *is_socket)
{
	static struct qrexec_rpc_cmd rpc;
	static char name[MAX_SERVICE_NAME_LEN], path[4096];
	const char *arg;
	int rc;

	*is_socket = false;
	if (strncmp(command, "QUBESRPC ", 9) != 0)
		return command_spawn(user, command, sp);
	if ((rc = qrexec_rpc_cmd_parse((const uint8_t *)command, strlen(command), &rpc)) != QREXEC_OK) {
		log_warnx("malformed service call: %s", qrexec_strerror(rc));
		return SERVICE_FAILED;
	}
	memcpy(name, rpc.service.full, rpc.service.name_len);
	name[rpc.service.name_len] = '\0';
	arg = rpc.service.full + rpc.service.arg_off;
	if (service_lookup(name, arg, path, sizeof(path), is_socket) != SERVICE_OK)
		return SERVICE_NOT_FOUND;
	return service_spawn(path, *is_socket, name, arg, rpc.source, user, sp);
}

static void abandon(struct spawned *sp)
{
	/* It never saw a byte of the call: stop it rather than leave it to
	 * block on a pipe nobody serves. */
	if (sp->pid > 0)
		kill(sp->pid, SIGKILL);
	if (sp->in_fd >= 0)
		close(sp->in_fd);
	if (sp->out_fd >= 0)
		close(sp->out_fd);
	if (sp->err_fd >= 0)
		close(sp->err_fd);
}

int run_call(uint32_t domain, uint32_t port, const char *user, const char *command)
{
	struct pump_config cfg = { .role = PUMP_SERVICE, .child = -1 };
	struct spawned sp = { -1, -1, -1, -1 };
	uint64_t deadline = now_ms() + DATA_CONNECT_TIMEOUT_MS;
	int err = 0, code, rc, started;
	bool is_socket = false;

	started = start_program(user, command, &sp, &is_socket);
	cfg.v = vchan_client_init(domain, port, deadline, &err);
	if (cfg.v == NULL) {
		log_warnx("data channel (%u, %u): %s", domain, port, strerror(-err));
		abandon(&sp);
		return -EIO;
	}
	if ((rc = pump_handshake(cfg.v, 0, &cfg.version, deadline)) < 0) {
		log_warnx("data channel handshake: %s", strerror(-rc));
		abandon(&sp);
		vchan_close(cfg.v);
		return -EIO;
	}
	if (started == SERVICE_NOT_FOUND) {
		rc = send_not_found(cfg.v, cfg.version);
		vchan_close(cfg.v);
		return rc < 0 ? rc : 0;
	}
	if (started != SERVICE_OK) {
		log_warnx("cannot start the requested program");
		vchan_close(cfg.v);
		return -EIO;
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
	return rc;
}
