/* dom0's own calls into a qube (qrexec-client, qvm-run): a capability
 * minted by capd for exactly this command line into this qube
 * (qrexec/lib/capcall.h), then the EXEC request to the qube's daemon,
 * which redeems it before anything reaches the qube.  The same path as a
 * qube's calls, with dom0 as the caller (SPEC/capabilities.md). */
#ifndef BH_QREXEC_DOM0EXEC_H
#define BH_QREXEC_DOM0EXEC_H

#include <stdbool.h>

#include "qrexec/lib/dom0req.h"

/* cmdline: "USER:COMMAND".  Waits first (DREQ_PING, at most
 * DOM0REQ_READY_MAX_MS) for a running qube's daemon to serve.  0 with
 * *rep (rep->rc: the daemon's answer), or -errno: -EACCES when capd gave
 * no capability, -ENOENT for no such qube, others for unreachable or
 * never-ready daemons. */
int dom0_exec(const char *qube, bool just_exec, const char *cmdline, struct dom0rep *rep)
	__attribute__((warn_unused_result));

#endif
