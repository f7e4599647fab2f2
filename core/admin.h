/* Admin API dispatch: one table row per call (SPEC/core.md) saying where
 * it may be addressed, whether it takes an argument or payload, and
 * whether it changes the registry (then it is saved before the reply). */
#ifndef BH_ADMIN_H
#define BH_ADMIN_H

#include <stddef.h>
#include <stdint.h>

#include "core/registry.h"
#include "lib/strbuf.h"

struct admin_server {
	struct registry *reg;       /* replaced on rollback */
	char store_path[4096];
	struct strbuf saved;        /* the registry as last committed to disk */
};

/* Who is calling, from the connection's SO_PEERCRED (never from the
 * request): root has the whole API; qrexec-policyd (BH_UID_POLICYD) the
 * few calls it makes: SystemInfo, starting a call's target, creating,
 * starting, killing and removing disposables. */
enum admin_caller {
	ADMIN_ROOT,
	ADMIN_POLICYD,
};

/* Handles one raw request (untrusted bytes) from caller and writes the
 * complete reply (0x30/0x32 framing) into reply. */
void admin_handle(struct admin_server *srv, enum admin_caller caller, const uint8_t *untrusted_req,
		  size_t len, struct strbuf *reply);

/* Commits srv->reg to disk; on failure restores the last committed state.
 * Returns 0 or -1 (err set). */
int admin_commit(struct admin_server *srv, struct bh_error *err) __attribute__((warn_unused_result));

/* Starts every qube with autostart=True (at bulkheadd start). */
void admin_autostart(struct admin_server *srv);

#endif
