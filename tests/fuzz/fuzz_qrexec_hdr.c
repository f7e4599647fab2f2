/* libFuzzer target: qrexec headers and the message table, HELLO,
 * CONNECTION_TERMINATED, DATA_EXIT_CODE.  Input: one byte choosing the
 * channel, sender and version, 8 header bytes, then the payload.  The
 * table's verdict is compared with a second, independent statement of
 * SPEC/qrexec.md's rules; accepted payloads must re-encode to the same
 * bytes. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "qrexec/msg_parse.h"

static const uint32_t versions[4] = { QREXEC_VERSION_NONE, 2, 3, 1 };

/* SPEC/qrexec.md, "Validation", written out as scattered ifs: whether
 * (type, len) is valid on chan from `from` at version v. */
static bool spec_allows(uint32_t type, uint32_t len, enum qrexec_chan chan, enum qrexec_peer from, uint32_t v)
{
	bool ctl = chan == CHAN_CONTROL, data = chan == CHAN_DATA;
	uint32_t chunk = v == 2 ? 4096 : 65536;

	if (type == MSG_HELLO)
		return v == 0 && len == 4 &&
		       ((ctl && (from == PEER_AGENT || from == PEER_DAEMON)) ||
			(data && (from == PEER_DATA_CLIENT || from == PEER_DATA_SERVICE)));
	if (v == 0)
		return false;
	switch (type) {
	case MSG_TRIGGER_SERVICE3:
		return ctl && from == PEER_AGENT && v == 3 && len > 96 && len - 96 <= 65000;
	case MSG_TRIGGER_SERVICE:
		return ctl && from == PEER_AGENT && v == 2 && len == 128;
	case MSG_CONNECTION_TERMINATED:
		return ctl && from == PEER_AGENT && len == 8;
	case MSG_EXEC_CMDLINE:
	case MSG_JUST_EXEC:
		return ctl && from == PEER_DAEMON && len >= 9 && len <= 8 + 65535;
	case MSG_SERVICE_CONNECT:
		return ctl && from == PEER_DAEMON && len == 40;
	case MSG_SERVICE_REFUSED:
		return ctl && from == PEER_DAEMON && len == 32;
	case MSG_DATA_STDIN:
		return data && from == PEER_DATA_CLIENT && len <= chunk;
	case MSG_DATA_STDOUT:
	case MSG_DATA_STDERR:
		return data && from == PEER_DATA_SERVICE && len <= chunk;
	case MSG_DATA_EXIT_CODE:
		return data && from == PEER_DATA_SERVICE && len == 4;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msg_header h;
	enum qrexec_chan chan;
	enum qrexec_peer from;
	uint32_t v, max = 0x5a5a5a5a, val = 0x5a5a5a5a, val2;
	const uint8_t *pl;
	size_t plen, n;
	uint8_t out[16];
	int rc;

	if (size < 9)
		return 0;
	chan = (enum qrexec_chan)(data[0] & 1);
	from = (enum qrexec_peer)((data[0] >> 1) & 3);
	v = versions[(data[0] >> 3) & 3];
	if (qrexec_hdr_decode(data + 1, 8, &h) != 0)
		abort();
	pl = data + 9;
	plen = size - 9;

	rc = qrexec_hdr_check(&h, chan, from, v, &max);
	if (v == 1) {
		assert(rc == QREXEC_EINVAL && max == 0x5a5a5a5a);
		return 0;
	}
	assert((rc == 0) == spec_allows(h.type, h.len, chan, from, v));
	if (rc != 0) {
		assert(max == 0x5a5a5a5a);
		assert(rc >= QREXEC_EVERSION && rc <= QREXEC_ELENGTH);
		assert(qrexec_hdr_encode(&h, chan, from, v, out, sizeof(out)) == rc);
		return 0;
	}
	assert(h.len <= max && max <= QREXEC_MAX_PAYLOAD);
	assert(qrexec_hdr_encode(&h, chan, from, v, out, sizeof(out)) == 0);
	assert(memcmp(out, data + 1, 8) == 0);

	/* The payload decoders of this family, on whatever bytes follow. */
	if (h.type == MSG_HELLO) {
		rc = qrexec_hello_decode(pl, plen, &val);
		assert((rc == 0) == (plen == 4));
		if (rc == 0) {
			uint32_t nv = 0x5a5a5a5a;
			rc = qrexec_negotiate(QREXEC_PROTOCOL_VERSION, val, &nv);
			assert((rc == 0) == (val >= 2));
			assert(rc == 0 ? (nv == (val < 3 ? val : 3)) : nv == 0x5a5a5a5a);
			if (rc == 0) {
				assert(qrexec_hello_encode(nv, out, sizeof(out), &n) == 0 && n == 12);
				assert(qrexec_hello_decode(out + 8, 4, &val2) == 0 && val2 == nv);
			}
		} else {
			assert(val == 0x5a5a5a5a);
		}
	} else if (h.type == MSG_CONNECTION_TERMINATED) {
		struct qrexec_conn_terminated ct = { 0x5a5a5a5a, 0x5a5a5a5a }, ct2;
		rc = qrexec_conn_terminated_decode(pl, plen, &ct);
		if (rc == 0) {
			assert(plen == 8 && ct.domid <= QREXEC_DOMID_MAX);
			assert(ct.port >= QREXEC_DATA_PORT_MIN && ct.port <= QREXEC_DATA_PORT_MAX);
			assert(qrexec_conn_terminated_encode(&ct, out, sizeof(out), &n) == 0 && n == 16);
			assert(memcmp(out + 8, pl, 8) == 0);
			assert(qrexec_conn_terminated_decode(out + 8, 8, &ct2) == 0);
		} else {
			assert(ct.domid == 0x5a5a5a5a && ct.port == 0x5a5a5a5a);
		}
	} else if (h.type == MSG_DATA_EXIT_CODE) {
		rc = qrexec_exit_code_decode(pl, plen, &val);
		if (rc == 0) {
			assert(plen == 4 && val <= QREXEC_EXIT_CODE_MAX);
			assert(qrexec_exit_code_encode(val, out, sizeof(out), &n) == 0 && n == 12);
			assert(memcmp(out + 8, pl, 4) == 0);
		} else {
			assert(val == 0x5a5a5a5a);
		}
	}
	return 0;
}
