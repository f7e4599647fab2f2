/* The capability binding of one qrexec call, built the same way by the
 * three programs that handle it (SPEC/capabilities.md, "Wiring it in"):
 * qrexec-policyd and qrexec-client mint for it, the target's
 * qrexec-daemon redeems for it.  Each builds it from the EXEC command line
 * it sends or is about to send, so the binding is exactly what reaches
 * the target's agent:
 *   "USER:QUBESRPC SVC+ARG SOURCE"  service SVC, argument ARG
 *   "USER:COMMAND" (dom0's command lines, qvm-run)
 *                                   service bulkhead.Command, argument the
 *                                   first 16 bytes of BLAKE2b-256 of the
 *                                   whole "USER:COMMAND", in hex
 * ("nogui:" before USER is part of what is hashed, and ignored for
 * services). */
#ifndef BH_QREXEC_CAPCALL_H
#define BH_QREXEC_CAPCALL_H

#include <stdint.h>

#include "capd/capd_parse.h"

#define CAPCALL_COMMAND_SERVICE "bulkhead.Command"

/* The source is the caller the command names (QUBESRPC), or dom0 for a
 * command line; source_qid is its qid.  0, or -EINVAL (cmdline not one
 * of the two forms; a name or id capd would refuse) with *call
 * untouched. */
int capcall_build(struct capd_call *call, const char *cmdline, uint32_t source_qid, const char *target,
		  uint32_t target_qid, const char *request_id) __attribute__((warn_unused_result));

#endif
