/* Eva driver: a qrexec message header, checked against every channel,
 * peer and version, and the small fixed-size messages.
 * eva-files: qrexec/hdr_parse.c qrexec/field_parse.c lib/names_parse.c */
#include "eva_input.h"
#include "qrexec/hdr_parse.h"

int main(void)
{
	struct msg_header h;
	struct qrexec_conn_terminated ct;
	uint32_t version, max_len, code;
	size_t len;
	const uint8_t *buf = eva_untrusted(64, &len);
	enum qrexec_chan chan = (enum qrexec_chan)Frama_C_interval(CHAN_CONTROL, CHAN_DATA);
	enum qrexec_peer from = (enum qrexec_peer)Frama_C_interval(PEER_AGENT, PEER_DATA_SERVICE);
	uint32_t ver = Frama_C_unsigned_int_interval(0, 0xffffffffu);

	if (qrexec_hdr_decode(buf, len, &h) == QREXEC_OK) {
		(void)qrexec_hdr_check(&h, chan, from, ver, &max_len);
		(void)qrexec_data_msg_check(&h, from, ver);
	}
	(void)qrexec_hello_decode(buf, len, &version);
	(void)qrexec_conn_terminated_decode(buf, len, &ct);
	(void)qrexec_exit_code_decode(buf, len, &code);
	return 0;
}
