/* Eva driver: TRIGGER_SERVICE3/TRIGGER_SERVICE and SERVICE_CONNECT/REFUSED
 * payloads from a qube.
 * eva-files: qrexec/trigger_parse.c qrexec/field_parse.c lib/names_parse.c */
#include "eva_input.h"
#include "qrexec/trigger_parse.h"

int main(void)
{
	struct qrexec_trigger t;
	struct qrexec_service_connect sc;
	struct qrexec_service_refused sr;
	size_t len;
	const uint8_t *buf = eva_untrusted(QREXEC_MAX_PAYLOAD + 8, &len);

	(void)qrexec_trigger3_decode(buf, len, &t);
	(void)qrexec_trigger2_decode(buf, len, &t);
	(void)qrexec_service_connect_decode(buf, len, &sc);
	(void)qrexec_service_refused_decode(buf, len, &sr);
	return 0;
}
