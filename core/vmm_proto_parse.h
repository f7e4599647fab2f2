/* Validation of VMM monitor requests (pure; see core/vmm_proto.h). */
#ifndef BH_VMM_PROTO_PARSE_H
#define BH_VMM_PROTO_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "core/vmm_proto.h"

/* 0 and *out filled, or -1 with *out untouched. */
int vmm_request_decode(const uint8_t *untrusted_buf, size_t len, struct vmm_request *out)
	__attribute__((warn_unused_result));

#endif
