/* qrexec-policyd's fair share of children per sender (admission.h). */
#include "qrexec/policyd/admission.h"

#include <string.h>

void admission_init(struct admission *a)
{
	memset(a, 0, sizeof(*a));
}

static unsigned active_of(const struct admission *a, uid_t uid)
{
	unsigned n = 0;

	for (unsigned i = 0; i < a->nactive; i++)
		n += a->active[i].uid == uid;
	return n;
}

static bool may_start(const struct admission *a, uid_t uid)
{
	return a->nactive < ADMIT_CHILDREN_MAX && active_of(a, uid) < ADMIT_PER_SOURCE_MAX;
}

enum admit admission_offer(struct admission *a, int fd, uid_t uid)
{
	unsigned own_waiting = 0;

	for (unsigned i = 0; i < a->nwaiting; i++)
		own_waiting += a->waiting[i].uid == uid;
	/* Behind its own sender's waiting requests, never ahead of them. */
	if (own_waiting == 0 && may_start(a, uid))
		return ADMIT_NOW;
	if (a->nwaiting == ADMIT_WAITING_MAX || own_waiting == ADMIT_WAITING_PER_SOURCE_MAX)
		return ADMIT_FULL;
	a->waiting[a->nwaiting].fd = fd;
	a->waiting[a->nwaiting].uid = uid;
	a->nwaiting++;
	return ADMIT_QUEUED;
}

void admission_started(struct admission *a, pid_t pid, uid_t uid)
{
	/* The callers start a child only when may_start said so. */
	if (a->nactive == ADMIT_CHILDREN_MAX)
		return;
	a->active[a->nactive].pid = pid;
	a->active[a->nactive].uid = uid;
	a->nactive++;
}

bool admission_ended(struct admission *a, pid_t pid)
{
	for (unsigned i = 0; i < a->nactive; i++)
		if (a->active[i].pid == pid) {
			a->active[i] = a->active[--a->nactive];
			return true;
		}
	return false;
}

int admission_next(struct admission *a, uid_t *uid)
{
	unsigned best = a->nwaiting, best_active = ADMIT_PER_SOURCE_MAX;
	int fd;

	if (a->nactive == ADMIT_CHILDREN_MAX)
		return -1;
	for (unsigned i = 0; i < a->nwaiting; i++) {
		unsigned n = active_of(a, a->waiting[i].uid);

		if (n < best_active) {          /* strictly: the oldest among equals */
			best = i;
			best_active = n;
		}
	}
	if (best == a->nwaiting)
		return -1;
	fd = a->waiting[best].fd;
	*uid = a->waiting[best].uid;
	memmove(&a->waiting[best], &a->waiting[best + 1], (a->nwaiting - best - 1) * sizeof(a->waiting[0]));
	a->nwaiting--;
	return fd;
}

bool admission_has_room(const struct admission *a)
{
	return a->nwaiting < ADMIT_WAITING_MAX;
}
