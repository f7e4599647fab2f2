/* Service requests (TRIGGER_SERVICE3, TRIGGER_SERVICE) and dom0's
 * answers (SERVICE_CONNECT, SERVICE_REFUSED).  Every field is checked
 * before anything is written to *out. */
#include "qrexec/trigger_parse.h"

/* Copies checked fields into *out. */
/*@ requires tlen < TARGET_DOMAIN_SIZE_V3 && off <= tlen;
    requires rlen < REQUEST_ID_SIZE;
    requires 1 <= slen < MAX_SERVICE_NAME_LEN && service_ok(svc, slen);
    requires \valid_read(tgt + (0 .. tlen - 1));
    requires \valid_read(rid + (0 .. rlen - 1));
    requires \valid_read(svc + (0 .. slen - 1));
    requires \valid(out);
    requires \separated(out, tgt + (0 .. tlen - 1), rid + (0 .. rlen - 1), svc + (0 .. slen - 1));
    assigns *out;
    ensures service_stored(&out->service, svc, slen);
    ensures out->target[TARGET_DOMAIN_SIZE_V3 - 1] == 0 && out->request_id[REQUEST_ID_SIZE - 1] == 0;
    ensures out->target_kind == kind && out->target_arg_off == off; */
static void store_trigger(struct qrexec_trigger *out, const uint8_t *tgt, size_t tlen,
			  enum qrexec_target_kind kind, size_t off, const uint8_t *rid, size_t rlen,
			  const uint8_t *svc, size_t slen)
{
	qrexec_store_str(out->target, TARGET_DOMAIN_SIZE_V3, tgt, tlen);
	out->target_kind = kind;
	out->target_arg_off = (uint32_t)off;
	qrexec_store_str(out->request_id, REQUEST_ID_SIZE, rid, rlen);
	qrexec_service_store(svc, slen, &out->service);
}

int qrexec_trigger3_decode(const uint8_t *untrusted_buf, size_t len, struct qrexec_trigger *out)
{
	const uint8_t *untrusted_rid = untrusted_buf + TARGET_DOMAIN_SIZE_V3;
	const uint8_t *untrusted_svc = untrusted_buf + QREXEC_TRIGGER3_FIXED;
	enum qrexec_target_kind kind = TARGET_QUBE;
	size_t tlen = 0, rlen = 0, slen, off = 0;
	int rc;

	if (len <= QREXEC_TRIGGER3_FIXED || len - QREXEC_TRIGGER3_FIXED > MAX_SERVICE_NAME_LEN)
		return QREXEC_ELENGTH;
	rc = qrexec_field_check(untrusted_buf, TARGET_DOMAIN_SIZE_V3, &tlen);
	if (rc != QREXEC_OK)
		return rc;
	rc = qrexec_field_check(untrusted_rid, REQUEST_ID_SIZE, &rlen);
	if (rc != QREXEC_OK)
		return rc;
	/* The name's NUL is its last byte, and no byte before it is NUL
	 * (QSB-089 was an off-by-one here). */
	slen = len - QREXEC_TRIGGER3_FIXED - 1;
	if (untrusted_svc[slen] != 0 || qrexec_nul_index(untrusted_svc, slen) != slen)
		return QREXEC_ENUL;
	/*@ assert name_nul: name3_nul_ok(untrusted_buf, len); */
	rc = qrexec_service_check(untrusted_svc, slen);
	if (rc != QREXEC_OK)
		return rc;
	/*@ assert name: service_ok(untrusted_buf + QREXEC_TRIGGER3_FIXED, len - QREXEC_TRIGGER3_FIXED - 1); */
	/*@ assert reqid_len: padded(untrusted_rid, REQUEST_ID_SIZE, rlen); */
	rc = qrexec_reqid_check(untrusted_rid, rlen);
	if (rc != QREXEC_OK)
		return rc;
	/*@ assert reqid: reqid_field_ok(untrusted_buf + TARGET_DOMAIN_SIZE_V3); */
	rc = qrexec_target_check(untrusted_buf, tlen, &kind, &off);
	if (rc != QREXEC_OK)
		return rc;
	store_trigger(out, untrusted_buf, tlen, kind, off, untrusted_rid, rlen, untrusted_svc, slen);
	return QREXEC_OK;
}

int qrexec_trigger2_decode(const uint8_t *untrusted_buf, size_t len, struct qrexec_trigger *out)
{
	const uint8_t *untrusted_tgt = untrusted_buf + SERVICE_NAME_SIZE_V2;
	const uint8_t *untrusted_rid = untrusted_tgt + TARGET_DOMAIN_SIZE_V2;
	enum qrexec_target_kind kind = TARGET_QUBE;
	size_t slen = 0, tlen = 0, rlen = 0, off = 0;
	int rc;

	if (len != SERVICE_NAME_SIZE_V2 + TARGET_DOMAIN_SIZE_V2 + REQUEST_ID_SIZE)
		return QREXEC_ELENGTH;
	rc = qrexec_field_check(untrusted_buf, SERVICE_NAME_SIZE_V2, &slen);
	if (rc != QREXEC_OK)
		return rc;
	rc = qrexec_field_check(untrusted_tgt, TARGET_DOMAIN_SIZE_V2, &tlen);
	if (rc != QREXEC_OK)
		return rc;
	rc = qrexec_field_check(untrusted_rid, REQUEST_ID_SIZE, &rlen);
	if (rc != QREXEC_OK)
		return rc;
	rc = qrexec_service_check(untrusted_buf, slen);
	if (rc != QREXEC_OK)
		return rc;
	rc = qrexec_reqid_check(untrusted_rid, rlen);
	if (rc != QREXEC_OK)
		return rc;
	rc = qrexec_target_check(untrusted_tgt, tlen, &kind, &off);
	if (rc != QREXEC_OK)
		return rc;
	store_trigger(out, untrusted_tgt, tlen, kind, off, untrusted_rid, rlen, untrusted_buf, slen);
	return QREXEC_OK;
}

/* The checks the decoders apply to the strings, on the bytes an encoder
 * has written: an encoder never produces what its peer would refuse. */
/*@ requires \valid_read(tgt + (0 .. tlen - 1));
    requires \valid_read(rid + (0 .. rlen - 1));
    requires \valid_read(svc + (0 .. slen - 1));
    assigns \nothing; */
static bool strings_ok(const uint8_t *tgt, size_t tlen, const uint8_t *rid, size_t rlen,
		       const uint8_t *svc, size_t slen)
{
	enum qrexec_target_kind kind = TARGET_QUBE;
	size_t off = 0;

	return qrexec_service_check(svc, slen) == QREXEC_OK && qrexec_reqid_check(rid, rlen) == QREXEC_OK &&
	       qrexec_target_check(tgt, tlen, &kind, &off) == QREXEC_OK;
}

int qrexec_trigger3_encode(const char *target, const char *request_id, const char *service,
			   uint8_t *buf, size_t cap, size_t *outlen)
{
	size_t tl = qrexec_cstr_len(target, TARGET_DOMAIN_SIZE_V3);
	size_t rl = qrexec_cstr_len(request_id, REQUEST_ID_SIZE);
	size_t sl = qrexec_cstr_len(service, MAX_SERVICE_NAME_LEN);
	size_t total;
	uint8_t *p;

	if (tl == TARGET_DOMAIN_SIZE_V3 || rl == REQUEST_ID_SIZE || sl == MAX_SERVICE_NAME_LEN)
		return QREXEC_EINVAL;
	total = QREXEC_HDR_SIZE + QREXEC_TRIGGER3_FIXED + sl + 1;
	if (cap < total)
		return QREXEC_ENOSPACE;
	p = buf + QREXEC_HDR_SIZE;
	qrexec_put_str(p, TARGET_DOMAIN_SIZE_V3, target, tl);
	qrexec_put_str(p + TARGET_DOMAIN_SIZE_V3, REQUEST_ID_SIZE, request_id, rl);
	qrexec_put_str(p + QREXEC_TRIGGER3_FIXED, sl + 1, service, sl);
	if (!strings_ok(p, tl, p + TARGET_DOMAIN_SIZE_V3, rl, p + QREXEC_TRIGGER3_FIXED, sl))
		return QREXEC_EINVAL;
	qrexec_put_hdr(buf, MSG_TRIGGER_SERVICE3, (uint32_t)(total - QREXEC_HDR_SIZE));
	*outlen = total;
	return QREXEC_OK;
}

int qrexec_trigger2_encode(const char *target, const char *request_id, const char *service,
			   uint8_t *buf, size_t cap, size_t *outlen)
{
	size_t tl = qrexec_cstr_len(target, TARGET_DOMAIN_SIZE_V2);
	size_t rl = qrexec_cstr_len(request_id, REQUEST_ID_SIZE);
	size_t sl = qrexec_cstr_len(service, SERVICE_NAME_SIZE_V2);
	const size_t total = QREXEC_HDR_SIZE + SERVICE_NAME_SIZE_V2 + TARGET_DOMAIN_SIZE_V2 + REQUEST_ID_SIZE;
	uint8_t *p, *t, *r;

	if (tl == TARGET_DOMAIN_SIZE_V2 || rl == REQUEST_ID_SIZE || sl == SERVICE_NAME_SIZE_V2)
		return QREXEC_EINVAL;
	if (cap < total)
		return QREXEC_ENOSPACE;
	p = buf + QREXEC_HDR_SIZE;
	t = p + SERVICE_NAME_SIZE_V2;
	r = t + TARGET_DOMAIN_SIZE_V2;
	qrexec_put_str(p, SERVICE_NAME_SIZE_V2, service, sl);
	qrexec_put_str(t, TARGET_DOMAIN_SIZE_V2, target, tl);
	qrexec_put_str(r, REQUEST_ID_SIZE, request_id, rl);
	if (!strings_ok(t, tl, r, rl, p, sl))
		return QREXEC_EINVAL;
	qrexec_put_hdr(buf, MSG_TRIGGER_SERVICE, (uint32_t)(total - QREXEC_HDR_SIZE));
	*outlen = total;
	return QREXEC_OK;
}

int qrexec_service_connect_decode(const uint8_t *untrusted_buf, size_t len,
				  struct qrexec_service_connect *out)
{
	const uint8_t *untrusted_rid = untrusted_buf + 8;
	uint32_t domid, port;
	size_t rlen = 0;
	int rc;

	if (len != QREXEC_SERVICE_CONNECT_SIZE)
		return QREXEC_ELENGTH;
	domid = qrexec_get_u32(untrusted_buf);
	port = qrexec_get_u32(untrusted_buf + 4);
	rc = qrexec_endpoint_check(domid, port);
	if (rc != QREXEC_OK)
		return rc;
	rc = qrexec_field_check(untrusted_rid, REQUEST_ID_SIZE, &rlen);
	if (rc != QREXEC_OK)
		return rc;
	rc = qrexec_reqid_check(untrusted_rid, rlen);
	if (rc != QREXEC_OK)
		return rc;
	out->connect_domain = domid;
	out->connect_port = port;
	qrexec_store_str(out->request_id, REQUEST_ID_SIZE, untrusted_rid, rlen);
	return QREXEC_OK;
}

int qrexec_service_connect_encode(uint32_t connect_domain, uint32_t connect_port, const char *request_id,
				  uint8_t *buf, size_t cap, size_t *outlen)
{
	size_t rl = qrexec_cstr_len(request_id, REQUEST_ID_SIZE);
	const size_t total = QREXEC_HDR_SIZE + QREXEC_SERVICE_CONNECT_SIZE;
	uint8_t *p;

	if (rl == REQUEST_ID_SIZE || qrexec_endpoint_check(connect_domain, connect_port) != QREXEC_OK)
		return QREXEC_EINVAL;
	if (cap < total)
		return QREXEC_ENOSPACE;
	p = buf + QREXEC_HDR_SIZE;
	qrexec_put_str(p + 8, REQUEST_ID_SIZE, request_id, rl);
	if (qrexec_reqid_check(p + 8, rl) != QREXEC_OK)
		return QREXEC_EINVAL;
	qrexec_put_u32(p, connect_domain);
	qrexec_put_u32(p + 4, connect_port);
	qrexec_put_hdr(buf, MSG_SERVICE_CONNECT, QREXEC_SERVICE_CONNECT_SIZE);
	*outlen = total;
	return QREXEC_OK;
}

int qrexec_service_refused_decode(const uint8_t *untrusted_buf, size_t len,
				  struct qrexec_service_refused *out)
{
	size_t rlen = 0;
	int rc;

	if (len != REQUEST_ID_SIZE)
		return QREXEC_ELENGTH;
	rc = qrexec_field_check(untrusted_buf, REQUEST_ID_SIZE, &rlen);
	if (rc != QREXEC_OK)
		return rc;
	rc = qrexec_reqid_check(untrusted_buf, rlen);
	if (rc != QREXEC_OK)
		return rc;
	qrexec_store_str(out->request_id, REQUEST_ID_SIZE, untrusted_buf, rlen);
	return QREXEC_OK;
}

int qrexec_service_refused_encode(const char *request_id, uint8_t *buf, size_t cap, size_t *outlen)
{
	size_t rl = qrexec_cstr_len(request_id, REQUEST_ID_SIZE);
	const size_t total = QREXEC_HDR_SIZE + REQUEST_ID_SIZE;

	if (rl == REQUEST_ID_SIZE)
		return QREXEC_EINVAL;
	if (cap < total)
		return QREXEC_ENOSPACE;
	qrexec_put_str(buf + QREXEC_HDR_SIZE, REQUEST_ID_SIZE, request_id, rl);
	if (qrexec_reqid_check(buf + QREXEC_HDR_SIZE, rl) != QREXEC_OK)
		return QREXEC_EINVAL;
	qrexec_put_hdr(buf, MSG_SERVICE_REFUSED, REQUEST_ID_SIZE);
	*outlen = total;
	return QREXEC_OK;
}
