/* The caller's side of a qrexec call's data phase, shared by
 * qrexec-client (dom0) and qrexec-client-vm (qubes). */
#ifndef BH_QREXEC_CALL_CLIENT_H
#define BH_QREXEC_CALL_CLIENT_H

#include <stdint.h>

/* Serves the data channel (domain, port), waits for the service side to
 * connect, exchanges HELLO and passes our stdin, stdout and stderr until
 * the service's exit code.  Returns 0 with *exit_code, or -errno with
 * *step naming what failed. */
int call_with_stdio(uint32_t domain, uint32_t port, int *exit_code, const char **step)
	__attribute__((warn_unused_result));

#endif
