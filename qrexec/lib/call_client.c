#include "qrexec/lib/call_client.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "lib/io.h"
#include "lib/vchan.h"
#include "qrexec/lib/pump.h"

#define CONNECT_TIMEOUT_MS 60000u

/* The pump makes its copies of our stdio non-blocking, and O_NONBLOCK
 * belongs to the open file description, which the copies share with
 * whoever gave us the descriptors (a shell, a terminal, a pipe's other
 * users).  Their flags are put back when the call ends: left set, the
 * caller's next program would get EAGAIN from a full pipe.  (While the
 * call runs, they are non-blocking for everyone who shares them.) */
static void stdio_flags_save(int saved[3])
{
	for (int fd = 0; fd < 3; fd++)
		saved[fd] = fcntl(fd, F_GETFL);
}

static void stdio_flags_restore(const int saved[3])
{
	for (int fd = 0; fd < 3; fd++)
		if (saved[fd] >= 0)
			(void)fcntl(fd, F_SETFL, saved[fd]);
}

int call_with_stdio(uint32_t domain, uint32_t port, int *exit_code, const char **step)
{
	struct pump_config cfg = { .role = PUMP_CLIENT, .child = -1, .local_err = -1 };
	uint64_t deadline = now_ms() + CONNECT_TIMEOUT_MS;
	int err = 0, rc, saved[3];

	*step = "data channel";
	cfg.v = vchan_server_init(domain, port, 0, 0, &err);
	if (cfg.v == NULL)
		return err < 0 ? err : -EIO;
	if ((rc = vchan_wait_connected(cfg.v, deadline)) < 0 ||
	    (rc = pump_handshake(cfg.v, 1, &cfg.version, deadline)) < 0) {
		vchan_close(cfg.v);
		return rc;
	}
	/* The pump closes what it is given: copies of our stdio.  All
	 * three flags are read before it changes any (stdout and stderr
	 * are often one description). */
	stdio_flags_save(saved);
	cfg.local_in = dup(0);
	cfg.local_out = dup(1);
	cfg.local_err_out = dup(2);
	*step = "the call broke off";
	rc = pump_run(&cfg, exit_code);
	stdio_flags_restore(saved);
	vchan_close(cfg.v);
	return rc;
}
