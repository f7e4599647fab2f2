/* What every benchmark needs: a monotonic clock, percentiles of samples,
 * and the `name value unit baseline` lines bench/run reads. */
#ifndef BH_BENCH_STATS_H
#define BH_BENCH_STATS_H

#include <stddef.h>
#include <stdint.h>

uint64_t bench_now_ns(void);

/* Sorts samples in place (ascending). */
void bench_sort(uint64_t *v, size_t n);

/* Nearest-rank percentile of sorted samples, p in 1..100, n >= 1. */
uint64_t bench_percentile(const uint64_t *sorted, size_t n, unsigned p);

/* Sorts ns and prints NAME.median and NAME.p90 in microseconds against
 * BASE.median and BASE.p90. */
void bench_report_us(const char *name, uint64_t *ns, size_t n, const char *base);

#endif
