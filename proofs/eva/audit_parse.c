/* Eva driver: audit log lines, head slots and key files (files a
 * compromised writer could have filled).
 * eva-files: capd/audit/audit_parse.c */
#include "eva_input.h"
#include "capd/audit/audit_parse.h"

int main(void)
{
	static struct audit_record rec;
	static struct audit_head head;
	static uint8_t out[AUDIT_ESCAPED_MAX];
	uint8_t key[32];
	size_t len, n, outlen;
	const uint8_t *buf = eva_untrusted(AUDIT_RECORD_MAX + 2, &len);
	enum audit_name_kind kind = (enum audit_name_kind)Frama_C_interval(AUDIT_NAME_EVENT, AUDIT_NAME_KEY);

	(void)audit_parse_record(buf, len, &rec);
	(void)audit_parse_head(buf, len, &head);
	(void)audit_parse_keyfile(buf, len, "bulkhead-audit-key ", 19, key);
	n = Frama_C_unsigned_long_interval(0, len < 128 ? len : 128);
	(void)audit_name_check(kind, buf, n);
	(void)audit_unescape(buf, n, out, sizeof(out), &outlen);
	(void)audit_hex_decode(buf, n / 2, out);
	return 0;
}
