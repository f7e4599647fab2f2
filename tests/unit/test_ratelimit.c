/* lib/ratelimit: burst, refill rate, cap, and the once-a-second report. */
#include "lib/ratelimit.h"
#include "tests/lib/check.h"

int main(void)
{
	struct ratelimit r;
	unsigned ok = 0;

	ratelimit_init(&r, 10, 5, 1000);
	for (int i = 0; i < 8; i++)
		ok += ratelimit_take(&r, 1000);
	CHECK(ok == 5);                          /* the burst, then nothing */
	CHECK(ratelimit_report(&r, 1500) == 0);  /* not before a second */
	CHECK(ratelimit_report(&r, 2000) == 3);
	CHECK(ratelimit_report(&r, 3500) == 0);  /* nothing new */
	/* 10 a second: 100 ms makes one line, 50 ms does not. */
	ratelimit_init(&r, 10, 5, 0);
	for (int i = 0; i < 5; i++)
		CHECK(ratelimit_take(&r, 0));
	CHECK(!ratelimit_take(&r, 50));
	CHECK(ratelimit_take(&r, 100));
	CHECK(!ratelimit_take(&r, 100));
	/* A long silence refills to the burst, no further. */
	ok = 0;
	for (int i = 0; i < 20; i++)
		ok += ratelimit_take(&r, 1000000000);
	CHECK(ok == 5);
	/* A clock that does not move adds nothing. */
	CHECK(!ratelimit_take(&r, 1000000000));
	return check_exit();
}
