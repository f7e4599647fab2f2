/* bulkheadd's privileged VMM monitor process: runs the backend, serves
 * requests from the registry process over `fd`, never returns.  It is
 * not under seccomp (its children are the qubes, and a seccomp filter
 * would be inherited by every program in every qube); it reads nothing
 * but fixed-size requests it validates (core/vmm_proto_parse.c). */
#ifndef BH_VMM_MONITOR_H
#define BH_VMM_MONITOR_H

#include "core/vmm.h"

_Noreturn void vmm_monitor_run(int fd, const struct vmm_backend *be, const char *root);

/* core/monitor_grants.c (linked into bulkheadd): revokes, through capd,
 * the standing grants that name the removed qube name/qid. */
void monitor_forget_grants(const char *name, uint32_t qid);

#endif
