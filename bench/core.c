/* Benchmarks of the dom0 core, each next to a raw baseline measured in
 * the same run:
 *   core.admin.call.*  an Admin API round trip (property.Get) through
 *                      bulkheadd   vs  socketpair.rtt.* (bench-socketpair)
 *   core.qube.start.*  admin.vm.Start of an AppVM until its init runs
 *                      vs  ns.clone.*: a bare clone() into the same seven
 *                      namespaces, child exiting at once, reaped.
 * Starts its own bulkheadd (needs root) in a scratch BULKHEAD_ROOT
 * (bench/instance.h). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/sched.h>

#include "bench/instance.h"
#include "bench/stats.h"
#include "lib/admin_client.h"
#include "lib/io.h"

#define CALLS  2000
#define STARTS 30

static int call_ok(const char *method, const char *dest, const char *arg, const char *payload)
{
	return bench_admin_ok("bench-core", method, dest, arg, payload);
}

static void bench_ns_clone(void)
{
	uint64_t v[STARTS];
	const unsigned long flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET |
				    CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP;

	for (int i = 0; i < STARTS; i++) {
		uint64_t t0 = bench_now_ns();
		pid_t pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
		if (pid == 0)
			_exit(0);
		if (pid < 0) {
			perror("bench-core: clone");
			exit(1);
		}
		waitpid(pid, NULL, 0);
		v[i] = bench_now_ns() - t0;
	}
	bench_report_us("ns.clone", v, STARTS, "ns.clone");
}

int main(void)
{
	static uint64_t calls[CALLS], starts[STARTS];
	struct bench_instance in;
	int up = 0, rc = 1;

	if (geteuid() != 0) {
		fprintf(stderr, "bench-core: needs root (it starts bulkheadd)\n");
		return 1;
	}
	if (bench_instance_init(&in, "bench-core") < 0 || bench_instance_start(&in, "bulkheadd") < 0)
		goto out;
	for (int i = 0; i < 200 && !up; i++) {
		usleep(20000);
		up = call_ok("admin.vm.List", "dom0", "", NULL) == 0;
	}
	if (!up || call_ok("admin.vm.Create.AppVM", "dom0", "", "name=bench label=red") < 0)
		goto out;
	for (int i = 0; i < CALLS; i++) {
		uint64_t t0 = bench_now_ns();
		if (call_ok("admin.vm.property.Get", "bench", "memory", NULL) < 0)
			goto out;
		calls[i] = bench_now_ns() - t0;
	}
	bench_report_us("core.admin.call", calls, CALLS, "socketpair.rtt");

	for (int i = 0; i < STARTS; i++) {
		uint64_t t0 = bench_now_ns();
		if (call_ok("admin.vm.Start", "bench", "", NULL) < 0)
			goto out;
		starts[i] = bench_now_ns() - t0;
		if (call_ok("admin.vm.Kill", "bench", "", NULL) < 0)
			goto out;
	}
	bench_report_us("core.qube.start", starts, STARTS, "ns.clone");
	bench_ns_clone();
	rc = 0;
out:
	bench_instance_end(&in);
	return rc;
}
