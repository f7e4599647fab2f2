/* Eva driver: the qrexec field checks (NUL-padded fields, service names,
 * request ids, targets) on attacker bytes.
 * eva-files: qrexec/field_parse.c lib/names_parse.c */
#include "eva_input.h"
#include "qrexec/field_parse.h"

int main(void)
{
	enum qrexec_target_kind kind;
	size_t len, slen, arg_off;
	const uint8_t *buf = eva_untrusted(MAX_SERVICE_NAME_LEN + 2, &len);

	(void)qrexec_field_check(buf, len, &slen);
	(void)qrexec_service_check(buf, len);
	(void)qrexec_reqid_check(buf, len);
	(void)qrexec_target_check(buf, len, &kind, &arg_off);
	(void)qrexec_nul_index(buf, len);
	(void)qrexec_endpoint_check(Frama_C_unsigned_int_interval(0, 0xffffffffu),
				    Frama_C_unsigned_int_interval(0, 0xffffffffu));
	return 0;
}
