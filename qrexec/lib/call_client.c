#include "qrexec/lib/call_client.h"

#include <errno.h>
#include <unistd.h>

#include "lib/io.h"
#include "lib/vchan.h"
#include "qrexec/lib/pump.h"

#define CONNECT_TIMEOUT_MS 60000u

int call_with_stdio(uint32_t domain, uint32_t port, int *exit_code, const char **step)
{
	struct pump_config cfg = { .role = PUMP_CLIENT, .child = -1, .local_err = -1 };
	uint64_t deadline = now_ms() + CONNECT_TIMEOUT_MS;
	int err = 0, rc;

	*step = "data channel";
	cfg.v = vchan_server_init(domain, port, 0, 0, &err);
	if (cfg.v == NULL)
		return err < 0 ? err : -EIO;
	if ((rc = vchan_wait_connected(cfg.v, deadline)) < 0 ||
	    (rc = pump_handshake(cfg.v, 1, &cfg.version, deadline)) < 0) {
		vchan_close(cfg.v);
		return rc;
	}
	/* The pump closes what it is given: copies of our stdio. */
	cfg.local_in = dup(0);
	cfg.local_out = dup(1);
	cfg.local_err_out = dup(2);
	*step = "the call broke off";
	rc = pump_run(&cfg, exit_code);
	vchan_close(cfg.v);
	return rc;
}
