/* Which request qrexec-policyd hands to a child next: a fair share of its
 * children for every sender (SPEC/qrexec-daemons.md, "Fairness").
 *
 * A request's child lives while the call is decided and set up: a
 * prompt (up to five minutes), a target that boots first (up to 240 s).
 * Each qube's requests come from its own qrexec-daemon uid, and the
 * daemon lets a qube have POLICY_PENDING_MAX of them in flight, so two
 * qubes could otherwise hold every child and leave the other qubes'
 * calls unanswered.  Here a sender (a peer uid) has at most
 * ADMIT_PER_SOURCE_MAX children; its further requests wait, accepted,
 * and a child that ends goes to the waiting request of the sender with
 * the fewest children (the oldest among equals).  A request is refused
 * only when the queue, or its sender's part of it, is full.  Pure
 * bookkeeping: no I/O (tests/unit/test_policyd_admission.c). */
#ifndef BH_POLICYD_ADMISSION_H
#define BH_POLICYD_ADMISSION_H

#include <stdbool.h>
#include <sys/types.h>

#define ADMIT_CHILDREN_MAX   256u   /* requests being decided or set up */
#define ADMIT_PER_SOURCE_MAX 64u    /* of those, from one sender */
#define ADMIT_WAITING_MAX    512u   /* accepted, waiting for a child */
#define ADMIT_WAITING_PER_SOURCE_MAX 64u

struct admission {
	struct { pid_t pid; uid_t uid; } active[ADMIT_CHILDREN_MAX];
	unsigned nactive;
	struct { int fd; uid_t uid; } waiting[ADMIT_WAITING_MAX];   /* oldest first */
	unsigned nwaiting;
};

enum admit {
	ADMIT_NOW,      /* start its child now, then admission_started */
	ADMIT_QUEUED,   /* kept: admission_next gives it back later */
	ADMIT_FULL,     /* the queue or its sender's part is full: refuse it (close) */
};

void admission_init(struct admission *a);

/* A new connection fd from uid. */
enum admit admission_offer(struct admission *a, int fd, uid_t uid);

/* A child started for uid's request (after ADMIT_NOW or admission_next). */
void admission_started(struct admission *a, pid_t pid, uid_t uid);

/* A child ended: false if pid was not one of them. */
bool admission_ended(struct admission *a, pid_t pid);

/* The waiting connection to start now (a child free, its sender under
 * its share; of those, the sender with the fewest children, then the
 * oldest), taken off the queue: its fd (*uid its sender), or -1 if none
 * may start. */
int admission_next(struct admission *a, uid_t *uid);

/* Whether a new connection can be taken (the queue has room). */
bool admission_has_room(const struct admission *a);

#endif
