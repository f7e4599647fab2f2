/* Eva driver: the measurement event log (a file on a boot medium an
 * attacker may have rewritten).
 * eva-files: measured-boot/eventlog_parse.c */
#include "eva_input.h"
#include "measured-boot/eventlog_parse.h"

int main(void)
{
	static uint8_t out[EVLOG_RECORD_SIZE];
	static struct evlog_record rec;   /* static: zeroed, as the tools' are */
	uint32_t count = 0;
	size_t len, off;
	const uint8_t *buf = eva_untrusted(EVLOG_SIZE_MAX + EVLOG_RECORD_SIZE, &len);

	(void)evlog_kind_pcr((uint32_t)Frama_C_unsigned_int_interval(0, 0xffffffffu));
	/* As evlog_parse() in eventlog.c walks the records: any one of them. */
	if (evlog_header_parse(buf, len, &count) == 0 && count > 0) {
		off = EVLOG_HEADER_SIZE + EVLOG_RECORD_SIZE * Frama_C_unsigned_long_interval(0, count - 1);
		if (evlog_record_parse(buf + off, EVLOG_RECORD_SIZE, &rec) == 0)
			evlog_record_encode(&rec, out);
	}
	if (evlog_record_parse(buf, len, &rec) == 0)
		evlog_record_encode(&rec, out);
	evlog_header_encode(out);
	return 0;
}
