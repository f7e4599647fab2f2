/* capd's daemon internals: capd.c (setup, privilege drop, event loop)
 * and capd_serve.c (connections, the permission table, handlers). */
#ifndef BH_CAPD_INT_H
#define BH_CAPD_INT_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "capd/capd_state.h"

/* Connections: a total, and shares no class can exceed, so that a flood
 * of qrexec-daemons (each a qube's, possibly hostile) never takes the
 * slots policyd and the administrator need. */
#define CAPD_CONN_MAX         512u
#define CAPD_CONN_POLICYD     256u    /* policyd's request children (its MAX_CHILDREN) and root, together */
#define CAPD_CONN_DAEMONS     (CAPD_CONN_MAX - CAPD_CONN_POLICYD)
#define CAPD_CONN_PER_DAEMON  4u
#define CAPD_TICK_MS          1000u   /* expiry sweep */
#define CAPD_REFUSAL_AUDIT_MS 1000u   /* at most one record a second for unknown callers */

/* Who a peer uid is (lib/dom0_uids.h). */
enum capd_caller {
	CALLER_NONE = 0,
	CALLER_ADMIN = 1,      /* uid 0 */
	CALLER_POLICYD = 2,    /* BH_UID_POLICYD */
	CALLER_DAEMON = 4,     /* BH_UID_QREXEC_DAEMON(qid) */
};

/* The caller class of uid; *qid is a daemon's qube (0 otherwise). */
enum capd_caller capd_caller_of(uid_t uid, uint32_t *qid);

/* capd_serve.c.  state: capd's; the serve functions use it for every
 * decision. */
void serve_init(struct capd_state *state);
/* Takes the accepted fd of a peer with uid (closes it if refused). */
void serve_add(int fd, uid_t uid, uint64_t now_ms);
/* The pollfds of every connection into p[0 .. max); returns how many. */
size_t serve_poll_fill(struct pollfd *p, size_t max);
/* Handles the revents of what serve_poll_fill() filled. */
void serve_poll_done(const struct pollfd *p, size_t n, uint64_t now_ms);
/* Closes connections past their deadline; returns the earliest deadline
 * left (UINT64_MAX: none). */
uint64_t serve_expire(uint64_t now_ms);
size_t serve_count(void);
void serve_close_all(void);

/* The clocks capd passes to capd_state. */
void capd_now(struct capd_clock *c);

#endif
