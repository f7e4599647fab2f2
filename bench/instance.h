/* A scratch Bulkhead instance for the benchmarks that start a daemon of
 * their own (bench-core, bench-capd): a fresh BULKHEAD_ROOT, the daemon
 * from this build's bin/, and its removal afterwards. */
#ifndef BH_BENCH_INSTANCE_H
#define BH_BENCH_INSTANCE_H

#include <sys/types.h>

#define BENCH_PATH_MAX 4096

struct bench_instance {
	char root[BENCH_PATH_MAX];     /* the scratch BULKHEAD_ROOT */
	char bindir[BENCH_PATH_MAX];   /* this build's bin/ */
	pid_t daemon;                  /* -1 until started */
};

/* Makes a fresh root under $TMPDIR (default /tmp; it picks the file
 * system the daemon syncs to), exports it as BULKHEAD_ROOT and finds
 * bin/ next to this program's bench/.  0 or -1 (with a message). */
int bench_instance_init(struct bench_instance *in, const char *prog);

/* Starts bin/NAME with stderr to /dev/null.  0 or -1. */
int bench_instance_start(struct bench_instance *in, const char *name);

/* Stops the daemon (SIGTERM, reaped) and removes the root. */
void bench_instance_end(struct bench_instance *in);

/* An Admin API call through bulkheadd that must succeed: 0, or -1 with
 * the refusal printed under PROG's name. */
int bench_admin_ok(const char *prog, const char *method, const char *dest,
		   const char *arg, const char *payload);

#endif
