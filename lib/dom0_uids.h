/* The dedicated host uids of dom0's daemons (SPEC/capabilities.md,
 * "Identities").
 *
 * capd authenticates its callers only by these uids, read from the
 * connected socket with SO_PEERCRED: never by anything a request says.
 * They sit far above the uid ranges the local backend maps into qubes
 * (SPEC/local-backend.md) and above the usual 32-bit "nobody" region's
 * neighbours, in one block 0x3E000000-0x3E01FFFF that nothing else
 * allocates:
 *
 *   BH_UID_POLICYD           qrexec-policyd: mints, creates grants,
 *                            submits audit records, redeems capabilities
 *                            for calls into dom0 (its runner serves them)
 *   BH_UID_CAPD              capd itself, after its setup as root
 *   BH_UID_QREXEC_DAEMON(q)  the qrexec-daemon of the qube whose qid is q
 *                            (1 .. QREXEC_DOMID_MAX): redeems capabilities
 *                            whose target is q, nothing else
 *
 * uid 0 is the administrator's tools (qvm-cap, qvm-run's qrexec-client).
 * Each uid's group has the same number; BH_GID_POLICYD is the group of
 * the sockets policyd must reach besides root (bulkheadd's admin.sock,
 * each qrexec-daemon's dom0 socket: mode 0660), each of which checks
 * its peer's uid all the same. */
#ifndef BH_DOM0_UIDS_H
#define BH_DOM0_UIDS_H

#include <stdint.h>

#define BH_UID_POLICYD          0x3E000001u
#define BH_GID_POLICYD          BH_UID_POLICYD
#define BH_UID_CAPD             0x3E000002u
#define BH_UID_QREXEC_DAEMON_BASE 0x3E010000u
#define BH_UID_QREXEC_DAEMON(qid) (BH_UID_QREXEC_DAEMON_BASE + (uint32_t)(qid))
/* QREXEC_DOMID_MAX (qrexec/protocol.h) is 0x7fef: the block ends below
 * BH_UID_QREXEC_DAEMON_BASE + 0x10000. */
#define BH_UID_QREXEC_DAEMON_SPAN 0x10000u

#endif
