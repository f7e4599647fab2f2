/* The data phase of a qrexec call: MSG_DATA_* messages over one vchan,
 * between local fds and the peer, full-duplex, with EOF as an empty
 * message and the exit code last.
 *
 * Flow control: at most one chunk (MAX_DATA_CHUNK) is held in each
 * direction.  A slow local reader stops us reading the channel, so the
 * peer's writes block in the channel; a full channel stops us reading the
 * local fd.  Nothing is buffered without bound, in dom0 or in a qube.
 *
 * Two roles, as in Qubes:
 *  - PUMP_SERVICE (the side running the service): local_in is the
 *    service's stdout, local_err its stderr, sent as DATA_STDOUT /
 *    DATA_STDERR; DATA_STDIN from the peer goes to local_out (the
 *    service's stdin).  When the process has exited and its output is
 *    drained, DATA_EXIT_CODE is sent.
 *  - PUMP_CLIENT (the caller): local_in is our stdin, sent as DATA_STDIN;
 *    DATA_STDOUT goes to local_out, DATA_STDERR to local_err_out; the
 *    call ends with the peer's DATA_EXIT_CODE. */
#ifndef BH_QREXEC_PUMP_H
#define BH_QREXEC_PUMP_H

#include <stdint.h>
#include <sys/types.h>

#include "lib/vchan.h"

enum pump_role { PUMP_SERVICE, PUMP_CLIENT };

struct pump_config {
	struct vchan *v;
	uint32_t version;       /* negotiated on this data channel */
	enum pump_role role;
	int local_in;           /* read and send; -1: send EOF at once */
	int local_err;          /* service: stderr to send; -1 if none */
	int local_out;          /* received stdin/stdout goes here; -1: discard */
	int local_err_out;      /* client: received stderr goes here; -1: discard */
	pid_t child;            /* service: process whose status is the exit code; -1: none (exit 0) */
	int in_is_socket;       /* local_out is a socket: EOF is shutdown(SHUT_WR), not close */
};

/* Runs the data phase to its end.  Returns 0 with *exit_code set (the
 * service's status, or the peer's DATA_EXIT_CODE), or -errno: -EPROTO on
 * a message the data channel may not carry (the channel is dropped),
 * -EPIPE if the peer vanished before the exit code.  Closes the local fds
 * it was given; does not close the vchan. */
int pump_run(const struct pump_config *cfg, int *exit_code) __attribute__((warn_unused_result));

/* The HELLO exchange that opens every data channel: the server sends
 * first.  Returns 0 with the negotiated version, or -errno. */
int pump_handshake(struct vchan *v, int is_server, uint32_t *version, uint64_t deadline_ms)
	__attribute__((warn_unused_result));

#endif
