#include "bench/stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

void bench_sort(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
}

uint64_t bench_percentile(const uint64_t *sorted, size_t n, unsigned p)
{
	size_t rank = (n * p + 99) / 100;   /* ceil(n * p / 100), >= 1 */

	return sorted[rank - 1];
}

void bench_report_us(const char *name, uint64_t *ns, size_t n, const char *base)
{
	bench_sort(ns, n);
	printf("%s.median %.3f us %s.median\n", name, (double)bench_percentile(ns, n, 50) / 1000.0, base);
	printf("%s.p90 %.3f us %s.p90\n", name, (double)bench_percentile(ns, n, 90) / 1000.0, base);
}
