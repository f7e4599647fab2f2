/* The qube description the Xen backend's unit tests
 * (tests/unit/test_xen_*.c) build their starts and volumes from: valid
 * for xen_check_qube() as it stands, so that a test changes only the
 * field it is about. */
#ifndef BH_TESTS_XEN_FIXTURE_H
#define BH_TESTS_XEN_FIXTURE_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/xen/xen.h"

/* 400 MB, 2 vcpus, blue, 4096 pids, 60 s to shut down; everything
 * else zero (no netvm, no default user). */
static inline struct vmm_qube xen_test_qube(const char *name, uint32_t qid, enum qube_class c)
{
	struct vmm_qube q;

	memset(&q, 0, sizeof(q));
	snprintf(q.name, sizeof(q.name), "%s", name);
	q.qid = qid;
	q.klass = c;
	q.label = LABEL_BLUE;
	q.memory_mb = 400;
	q.maxmem_mb = 400;
	q.vcpus = 2;
	q.pids_max = 4096;
	q.shutdown_timeout_s = 60;
	q.qrexec_timeout_s = 60;
	return q;
}

#endif
