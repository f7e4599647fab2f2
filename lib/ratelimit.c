#include "lib/ratelimit.h"

void ratelimit_init(struct ratelimit *r, uint32_t per_s, uint32_t burst, uint64_t now_ms)
{
	r->per_s = per_s;
	r->burst = burst;
	r->tokens_ms = (uint64_t)burst * 1000u;
	r->last_ms = r->reported_ms = now_ms;
	r->suppressed = 0;
}

bool ratelimit_take(struct ratelimit *r, uint64_t now_ms)
{
	uint64_t cap = (uint64_t)r->burst * 1000u;

	/* per_s tokens a second = per_s thousandths a millisecond; a clock
	 * that goes backwards (it does not: CLOCK_MONOTONIC) adds nothing. */
	if (now_ms > r->last_ms) {
		uint64_t add = (now_ms - r->last_ms) * r->per_s;
		r->tokens_ms = add >= cap - r->tokens_ms ? cap : r->tokens_ms + add;
		r->last_ms = now_ms;
	}
	if (r->tokens_ms >= 1000u) {
		r->tokens_ms -= 1000u;
		return true;
	}
	r->suppressed++;
	return false;
}

uint64_t ratelimit_report(struct ratelimit *r, uint64_t now_ms)
{
	uint64_t n = r->suppressed;

	if (n == 0 || now_ms - r->reported_ms < 1000u)
		return 0;
	r->suppressed = 0;
	r->reported_ms = now_ms;
	return n;
}
