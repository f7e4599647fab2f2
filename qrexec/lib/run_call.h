/* The service side of one qrexec call. */
#ifndef BH_QREXEC_RUN_CALL_H
#define BH_QREXEC_RUN_CALL_H

#include <stdint.h>

/* Connects as the client of the data channel (domain, port), does the
 * HELLO exchange, runs command for user ("QUBESRPC SVC+ARG SOURCE": the
 * service, looked up and run without a shell; anything else: a command
 * line for the user's shell), pumps until the exit code is sent.  A
 * missing service is answered with exit code 127.  Returns 0 or -errno. */
int run_call(uint32_t domain, uint32_t port, const char *user, const char *command)
	__attribute__((warn_unused_result));

#endif
