/* Dropping root for a dedicated uid, for good (capd; the other dom0
 * daemons as they move to lib/dom0_uids.h's uids). */
#ifndef BH_PRIVDROP_H
#define BH_PRIVDROP_H

#include <stddef.h>
#include <sys/types.h>

/* Becomes uid:gid with no capability and no way back: empties the
 * capability bounding and ambient sets while still privileged, sets the
 * supplementary groups to none, then the real, effective and saved gid
 * and uid (the kernel clears the permitted and effective sets as the
 * last uid 0 goes), and checks the result: every uid and gid as asked,
 * no capability in any set, setuid(0) refused.  A parent-death signal
 * (PR_SET_PDEATHSIG), which the kernel clears on the uid change, is set
 * again; -ESRCH if the parent died meanwhile.  Must be called as root;
 * uid and gid must not be 0.  0 or -errno (-EPERM when a check fails:
 * the caller must not go on). */
int privdrop_to(uid_t uid, gid_t gid) __attribute__((warn_unused_result));

/* privdrop_to, keeping caps[0..n): they stay in the bounding, permitted
 * and effective sets (nothing inheritable or ambient), and the check is
 * that the sets hold exactly them.  CAP_SETUID, CAP_SETGID, CAP_SETPCAP
 * and CAP_SYS_ADMIN (ways back to root) are refused with -EINVAL.
 * (qrexec-policyd keeps CAP_FOWNER.) */
int privdrop_keep(uid_t uid, gid_t gid, const int *caps, size_t n) __attribute__((warn_unused_result));

#endif
