/* A spare worker: a child forked ahead of need, waiting for one job.
 *
 * Daemons that serve each request in a child of their own (the qrexec
 * agent, qrexec-policyd) keep one spare so a request does not wait for a
 * fork: the job goes to the spare at once, and the next spare is forked
 * once the daemon has been idle for SPARE_IDLE_MS.  The spare's memory is the parent's
 * at the time it was forked: a parent whose state changes (policyd's
 * policy after a reload) discards it and forks another.
 *
 * A job is one message of at most SPARE_JOB_MAX bytes and at most one
 * file descriptor, on a SOCK_SEQPACKET pair (message boundaries kept).
 * If the parent goes away, the idle spare sees EOF and exits. */
#ifndef BH_SPARE_H
#define BH_SPARE_H

#include <stddef.h>
#include <sys/types.h>

#define SPARE_JOB_MAX (80u * 1024u)    /* the agent's EXEC: ~65 KiB */
/* A daemon forks its next spare after this long without events: a fork
 * during a burst of requests takes CPU from them (measured: 15% slower
 * back-to-back calls on two cores), while a lone request still finds a
 * spare waiting. */
#define SPARE_IDLE_MS 20

/* Runs in the child with the job (buf, len, fd or -1); its return value
 * is the child's exit status.  Never called in the parent. */
typedef int (*spare_fn)(void *ctx, const void *job, size_t len, int fd);

struct spare {
	pid_t pid;      /* 0: none */
	int fd;         /* the parent's end; -1: none */
};

#define SPARE_NONE { 0, -1 }

#define SPARE_KEEP_MAX 8u

/* Forks a spare that will run fn(ctx, job) once it has a job.  In the
 * child, before waiting, every fd above 2 is closed but its own and the
 * nkeep <= SPARE_KEEP_MAX fds in keep[] (so a job never holds the
 * parent's listening sockets, or connections the parent has since
 * closed).  Returns 0 or -errno. */
int spare_start(struct spare *s, spare_fn fn, void *ctx, const int *keep, size_t nkeep)
	__attribute__((warn_unused_result));

/* Gives the job (and fd, or -1: the spare gets its own copy; the caller
 * keeps and closes its own) to the spare, which leaves *s empty.
 * Returns the pid now serving the job (the caller reaps it), or -errno:
 * then the spare is gone (ended and reaped) and the caller should serve
 * the job another way. */
pid_t spare_hand(struct spare *s, const void *job, size_t len, int fd) __attribute__((warn_unused_result));

/* Ends and reaps an idle spare (state changed, or shutting down): it
 * sees EOF and exits. */
void spare_discard(struct spare *s);

/* In a freshly forked helper (a job's child without a spare, a runner):
 * closes every fd above 2 but the n in keep[] (sorted here).  0 or -1. */
int spare_close_all_but(int *keep, size_t n) __attribute__((warn_unused_result));

#endif
