/* A token bucket for log lines a peer can cause: a qube that floods
 * requests must not be able to grow dom0's logs without bound.  Lines over
 * the rate are counted, and the count is reported at most once a second
 * (by the caller, with ratelimit_report). */
#ifndef BH_RATELIMIT_H
#define BH_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct ratelimit {
	uint32_t per_s, burst;
	uint64_t tokens_ms;       /* tokens, in thousandths */
	uint64_t last_ms, reported_ms;
	uint64_t suppressed;
};

void ratelimit_init(struct ratelimit *r, uint32_t per_s, uint32_t burst, uint64_t now_ms);

/* true: log this line; false: it is over the rate (counted). */
bool ratelimit_take(struct ratelimit *r, uint64_t now_ms);

/* The number of lines suppressed since the last report, if there were any
 * and a second has passed since that report; else 0.  Resets the count. */
uint64_t ratelimit_report(struct ratelimit *r, uint64_t now_ms);

#endif
