/* libFuzzer target: the measurement event log parser
 * (measured-boot/eventlog_parse.c), walked as evlog_parse() walks it.
 * An accepted log is canonical: its header and every accepted record
 * encode back to exactly the input bytes, and every record names its
 * kind's PCR with a printable, NUL-padded name. */
#include <assert.h>
#include <string.h>

#include "measured-boot/eventlog_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_record(const uint8_t *p)
{
	uint8_t back[EVLOG_RECORD_SIZE];
	struct evlog_record r;
	size_t n;

	if (evlog_record_parse(p, EVLOG_RECORD_SIZE, &r) != 0)
		return;
	assert(r.kind >= 1 && r.kind <= EVLOG_KIND_MAX && (int)r.pcr == evlog_kind_pcr(r.kind));
	n = strnlen(r.name, EVLOG_NAME_SIZE);
	assert(n >= 1 && n < EVLOG_NAME_SIZE);
	for (size_t i = 0; i < n; i++)
		assert(r.name[i] >= 0x20 && r.name[i] <= 0x7e);
	evlog_record_encode(&r, back);
	assert(memcmp(back, p, EVLOG_RECORD_SIZE) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t hdr[EVLOG_HEADER_SIZE];
	uint32_t count = 0xffffffffu;

	if (evlog_header_parse(data, size, &count) == 0) {
		assert(count <= EVLOG_RECORDS_MAX && size == EVLOG_HEADER_SIZE + (size_t)count * EVLOG_RECORD_SIZE);
		evlog_header_encode(hdr);
		assert(memcmp(hdr, data, EVLOG_HEADER_SIZE) == 0);
		for (uint32_t i = 0; i < count; i++)
			check_record(data + EVLOG_HEADER_SIZE + (size_t)i * EVLOG_RECORD_SIZE);
	} else {
		assert(count == 0xffffffffu);
	}
	if (size == EVLOG_RECORD_SIZE)
		check_record(data);
	else {
		struct evlog_record r;
		assert(evlog_record_parse(data, size, &r) == EVLOG_ELENGTH);
	}
	return 0;
}
