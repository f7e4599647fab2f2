/* libFuzzer target: VMM monitor request decoder. */
#include <assert.h>
#include <string.h>

#include "core/vmm_proto_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmm_request r;

	if (vmm_request_decode(data, size, &r) != 0)
		return 0;
	assert(size == sizeof(struct vmm_wire_req));
	assert(r.op >= VMM_OP_VOLUME_CREATE && r.op <= VMM_OP_MAX);
	assert(r.present & 1u);
	for (unsigned i = 0; i < VMM_WIRE_QUBES; i++) {
		if (!(r.present & (1u << i)))
			continue;
		assert(names_check(NAME_QUBE, (const uint8_t *)r.q[i].name, strlen(r.q[i].name)) == 0);
		if (r.op < VMM_OP_PAUSE) {
			assert(r.q[i].qid >= 1 && r.q[i].qid <= QID_MAX);
			assert(r.q[i].klass != CLASS_ADMINVM && r.q[i].klass < CLASS_COUNT);
			assert(r.q[i].memory_mb >= 32 && r.q[i].memory_mb <= r.q[i].maxmem_mb &&
			       r.q[i].maxmem_mb <= 65536);
			assert(r.q[i].qrexec_timeout_s >= 1 && r.q[i].qrexec_timeout_s <= 3600);
		} else {
			assert(r.q[i].qid == 0 && r.q[i].maxmem_mb == 0 && r.q[i].qrexec_timeout_s == 0);
		}
	}
	return 0;
}
