/* qrexec-policyd's fair share of children per sender
 * (qrexec/policyd/admission.c): a sender over its share waits, others
 * start; freed children go to the sender with the fewest; each sender's
 * requests keep their order; only a full queue refuses. */
#include "qrexec/policyd/admission.c"

#include "tests/lib/check.h"

#define HOSTILE 1001u
#define HONEST  1002u
#define OTHER   1003u

static struct admission a;
static pid_t next_pid = 100;

/* Offers fd from uid and starts it if admitted now: the offer's answer. */
static enum admit offer_start(int fd, uid_t uid)
{
	enum admit r = admission_offer(&a, fd, uid);

	if (r == ADMIT_NOW)
		admission_started(&a, next_pid++, uid);
	return r;
}

static void test_share(void)
{
	uid_t uid = 0;
	int queued = 0;

	admission_init(&a);
	next_pid = 100;
	/* One sender: its share starts at once, the rest waits. */
	for (unsigned i = 0; i < ADMIT_PER_SOURCE_MAX; i++)
		CHECK(offer_start((int)i, HOSTILE) == ADMIT_NOW);
	for (unsigned i = 0; i < ADMIT_WAITING_PER_SOURCE_MAX; i++)
		queued += offer_start(1000 + (int)i, HOSTILE) == ADMIT_QUEUED;
	CHECK(queued == (int)ADMIT_WAITING_PER_SOURCE_MAX);
	/* Its part of the queue is full: refused; others are not. */
	CHECK(offer_start(2000, HOSTILE) == ADMIT_FULL);
	CHECK(offer_start(3000, HONEST) == ADMIT_NOW);
	CHECK(admission_next(&a, &uid) == -1);      /* nobody may start */
	/* One of its children ends: its oldest waiting request starts. */
	CHECK(admission_ended(&a, 100));
	CHECK(!admission_ended(&a, 100));           /* not twice */
	CHECK(!admission_ended(&a, 99999));
	CHECK(admission_next(&a, &uid) == 1000 && uid == HOSTILE);
	admission_started(&a, next_pid++, uid);
	CHECK(admission_next(&a, &uid) == -1);
}

/* All children taken: a freed one goes to the sender with the fewest,
 * not to the oldest request. */
static void test_fewest_first(void)
{
	uid_t uid = 0;
	unsigned started = 0;

	admission_init(&a);
	next_pid = 100;
	/* Four senders take every child. */
	for (uid_t s = 0; s < ADMIT_CHILDREN_MAX / ADMIT_PER_SOURCE_MAX; s++)
		for (unsigned i = 0; i < ADMIT_PER_SOURCE_MAX; i++)
			started += offer_start(0, 5000 + s) == ADMIT_NOW;
	CHECK(started == ADMIT_CHILDREN_MAX);
	/* Requests wait: first theirs, then an honest sender's. */
	CHECK(offer_start(10, 5000) == ADMIT_QUEUED);
	CHECK(offer_start(11, 5001) == ADMIT_QUEUED);
	CHECK(offer_start(12, HONEST) == ADMIT_QUEUED);
	CHECK(offer_start(13, OTHER) == ADMIT_QUEUED);
	/* Sender 5000 frees a child: the honest sender, with none, gets it. */
	CHECK(admission_ended(&a, 100));
	CHECK(admission_next(&a, &uid) == 12 && uid == HONEST);
	admission_started(&a, next_pid++, uid);
	CHECK(admission_next(&a, &uid) == -1);      /* every child taken again */
	CHECK(admission_ended(&a, 101));
	CHECK(admission_next(&a, &uid) == 13 && uid == OTHER);
	admission_started(&a, next_pid++, uid);
	/* Now 5000 (63 children) before 5001 (64: at its share). */
	CHECK(admission_ended(&a, 102));
	CHECK(admission_next(&a, &uid) == 10 && uid == 5000);
}

/* A sender's requests never overtake each other: with some of its own
 * waiting, a new one waits too, even when a child is free. */
static void test_order(void)
{
	uid_t uid = 0;

	admission_init(&a);
	next_pid = 100;
	for (unsigned i = 0; i < ADMIT_PER_SOURCE_MAX; i++)
		CHECK(offer_start(0, HOSTILE) == ADMIT_NOW);
	CHECK(offer_start(20, HOSTILE) == ADMIT_QUEUED);
	CHECK(admission_ended(&a, 100));            /* not yet handed on */
	CHECK(offer_start(21, HOSTILE) == ADMIT_QUEUED);
	CHECK(admission_next(&a, &uid) == 20);
	admission_started(&a, next_pid++, uid);
	CHECK(admission_next(&a, &uid) == -1);
}

/* The whole queue full: every sender is refused. */
static void test_queue_full(void)
{
	unsigned senders = ADMIT_WAITING_MAX / ADMIT_WAITING_PER_SOURCE_MAX, queued = 0;

	admission_init(&a);
	next_pid = 100;
	for (uid_t s = 0; s < ADMIT_CHILDREN_MAX / ADMIT_PER_SOURCE_MAX; s++)
		for (unsigned i = 0; i < ADMIT_PER_SOURCE_MAX; i++)
			CHECK(offer_start(0, 5000 + s) == ADMIT_NOW);
	for (uid_t s = 0; s < senders; s++)
		for (unsigned i = 0; i < ADMIT_WAITING_PER_SOURCE_MAX; i++)
			queued += offer_start(30, 6000 + s) == ADMIT_QUEUED;
	CHECK(queued == ADMIT_WAITING_MAX);
	CHECK(!admission_has_room(&a));
	CHECK(offer_start(31, HONEST) == ADMIT_FULL);
}

int main(void)
{
	test_share();
	test_fewest_first();
	test_order();
	test_queue_full();
	return check_exit();
}
