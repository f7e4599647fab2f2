/* Eva driver: every capd request and reply decoder.
 * eva-files: capd/capd_parse.c qrexec/field_parse.c lib/names_parse.c */
#include "eva_input.h"
#include "capd/capd_parse.h"

int main(void)
{
	static struct capd_hdr h;
	static struct capd_binding b;
	static struct capd_call c;
	static struct capd_token t;
	static struct capd_mint_req m;
	static struct capd_redeem_req r;
	static struct capd_grant_req g;
	static struct capd_audit_rec a;
	static struct capd_grant_entry e;
	uint64_t id;
	uint32_t u, v;
	uint32_t type = Frama_C_unsigned_int_interval(0, 0xffffffffu);
	size_t len;
	const uint8_t *buf = eva_untrusted(CAPD_AUDIT_SIZE + 16, &len);

	(void)capd_req_hdr_decode(buf, len, &h);
	(void)capd_binding_decode(buf, len, &b);
	(void)capd_call_decode(buf, len, &c);
	(void)capd_token_decode(buf, len, &t);
	(void)capd_mint_decode(buf, len, &m);
	(void)capd_redeem_decode(buf, len, &r);
	(void)capd_grant_decode(buf, len, &g);
	(void)capd_u64_decode(buf, len, Frama_C_unsigned_long_interval(0, 1000), &id);
	(void)capd_audit_decode(buf, len, &a);
	(void)capd_reply_hdr_decode(buf, len, type, &u);
	(void)capd_status_decode(buf, len, type, &u);
	(void)capd_grant_entry_decode(buf, len, &e);
	(void)capd_list_head_decode(buf, len, &u, &v);
	return 0;
}
