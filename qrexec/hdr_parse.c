/* Message headers and the small fixed-size messages.  Every message type
 * has one row per (channel, version range) below; a header is acted upon
 * only when a row admits its type, channel, sender, version and length. */
#include "qrexec/hdr_parse.h"

/* Senders: a row names one or two peers that may send its type. */
#define BY(p)       p, p
#define BY2(p, q)   p, q

struct rule {
	uint32_t type;
	uint32_t chan;           /* enum qrexec_chan */
	uint32_t from1, from2;   /* enum qrexec_peer */
	uint32_t vmin, vmax;     /* negotiated versions; QREXEC_VERSION_NONE: before HELLO */
	uint32_t min_len, max_len;  /* payload bytes; equal when the size is exact */
};

#define NRULES 16u

/* SPEC/qrexec.md, "Validation": keep the two in step. */
static const struct rule rules[NRULES] = {
	/* The handshake: the first message on every channel, and only then. */
	{ MSG_HELLO, CHAN_CONTROL, BY2(PEER_AGENT, PEER_DAEMON), 0, 0, 4, 4 },
	{ MSG_HELLO, CHAN_DATA, BY2(PEER_DATA_CLIENT, PEER_DATA_SERVICE), 0, 0, 4, 4 },
	/* Control channel, agent -> dom0 daemon. */
	{ MSG_TRIGGER_SERVICE, CHAN_CONTROL, BY(PEER_AGENT), 2, 2, 128, 128 },
	{ MSG_TRIGGER_SERVICE3, CHAN_CONTROL, BY(PEER_AGENT), 3, 3,
	  QREXEC_TRIGGER3_FIXED + 1, QREXEC_TRIGGER3_FIXED + MAX_SERVICE_NAME_LEN },
	{ MSG_CONNECTION_TERMINATED, CHAN_CONTROL, BY(PEER_AGENT), 2, 3, 8, 8 },
	/* Control channel, dom0 daemon -> agent. */
	{ MSG_EXEC_CMDLINE, CHAN_CONTROL, BY(PEER_DAEMON), 2, 3, 9, 8 + MAX_QREXEC_CMD_LEN },
	{ MSG_JUST_EXEC, CHAN_CONTROL, BY(PEER_DAEMON), 2, 3, 9, 8 + MAX_QREXEC_CMD_LEN },
	{ MSG_SERVICE_CONNECT, CHAN_CONTROL, BY(PEER_DAEMON), 2, 3,
	  QREXEC_SERVICE_CONNECT_SIZE, QREXEC_SERVICE_CONNECT_SIZE },
	{ MSG_SERVICE_REFUSED, CHAN_CONTROL, BY(PEER_DAEMON), 2, 3, REQUEST_ID_SIZE, REQUEST_ID_SIZE },
	/* Data channel: the caller sends stdin, the service the rest. */
	{ MSG_DATA_STDIN, CHAN_DATA, BY(PEER_DATA_CLIENT), 2, 2, 0, MAX_DATA_CHUNK_V2 },
	{ MSG_DATA_STDIN, CHAN_DATA, BY(PEER_DATA_CLIENT), 3, 3, 0, MAX_DATA_CHUNK },
	{ MSG_DATA_STDOUT, CHAN_DATA, BY(PEER_DATA_SERVICE), 2, 2, 0, MAX_DATA_CHUNK_V2 },
	{ MSG_DATA_STDOUT, CHAN_DATA, BY(PEER_DATA_SERVICE), 3, 3, 0, MAX_DATA_CHUNK },
	{ MSG_DATA_STDERR, CHAN_DATA, BY(PEER_DATA_SERVICE), 2, 2, 0, MAX_DATA_CHUNK_V2 },
	{ MSG_DATA_STDERR, CHAN_DATA, BY(PEER_DATA_SERVICE), 3, 3, 0, MAX_DATA_CHUNK },
	{ MSG_DATA_EXIT_CODE, CHAN_DATA, BY(PEER_DATA_SERVICE), 2, 3, 4, 4 },
	/* MSG_TRIGGER_SERVICE4 (v4) is not spoken: unknown, like any other. */
};

/* What every row guarantees; qrexec_hdr_check's contract follows from it
 * for whichever row matched.  Proved once against the table. */
/*@ predicate only_from(struct rule *r, integer p) = r->from1 == p && r->from2 == p;
    predicate row_ok(struct rule *r) =
      r->max_len <= QREXEC_MAX_PAYLOAD &&
      (r->type == MSG_HELLO ==> r->vmax == QREXEC_VERSION_NONE && r->min_len == 4 && r->max_len == 4) &&
      (r->type != MSG_HELLO ==> r->vmin >= QREXEC_PROTOCOL_V2) &&
      (data_type(r->type) ==> r->chan == CHAN_DATA && r->max_len <= MAX_DATA_CHUNK &&
          (r->max_len <= MAX_DATA_CHUNK_V2 || r->vmin >= QREXEC_PROTOCOL_V3)) &&
      (r->type == MSG_TRIGGER_SERVICE3 ==> r->vmin == 3 && r->vmax == 3 && only_from(r, PEER_AGENT) &&
          r->min_len == QREXEC_TRIGGER3_FIXED + 1 &&
          r->max_len == QREXEC_TRIGGER3_FIXED + MAX_SERVICE_NAME_LEN) &&
      (r->type == MSG_TRIGGER_SERVICE ==> r->vmin == 2 && r->vmax == 2 && only_from(r, PEER_AGENT) &&
          r->min_len == 128 && r->max_len == 128) &&
      (r->type == MSG_CONNECTION_TERMINATED ==> only_from(r, PEER_AGENT) &&
          r->min_len == 8 && r->max_len == 8) &&
      (r->type == MSG_DATA_EXIT_CODE ==> only_from(r, PEER_DATA_SERVICE) &&
          r->min_len == 4 && r->max_len == 4);
*/

/* Row i, with what it guarantees: the only function that reads the
 * table, so that the proof of the check does not carry it. */
/*@ requires i < NRULES;
    assigns \result \from i;
    ensures \valid_read(\result) && row_ok(\result); */
static const struct rule *rule_at(size_t i)
{
	/* One row at a time, then which row: the provers never have to
	 * split a quantifier over the table. */
	/*@ assert row0: row_ok(&rules[0]); */
	/*@ assert row1: row_ok(&rules[1]); */
	/*@ assert row2: row_ok(&rules[2]); */
	/*@ assert row3: row_ok(&rules[3]); */
	/*@ assert row4: row_ok(&rules[4]); */
	/*@ assert row5: row_ok(&rules[5]); */
	/*@ assert row6: row_ok(&rules[6]); */
	/*@ assert row7: row_ok(&rules[7]); */
	/*@ assert row8: row_ok(&rules[8]); */
	/*@ assert row9: row_ok(&rules[9]); */
	/*@ assert row10: row_ok(&rules[10]); */
	/*@ assert row11: row_ok(&rules[11]); */
	/*@ assert row12: row_ok(&rules[12]); */
	/*@ assert row13: row_ok(&rules[13]); */
	/*@ assert row14: row_ok(&rules[14]); */
	/*@ assert row15: row_ok(&rules[15]); */
	/*@ assert which: i == 0 || i == 1 || i == 2 || i == 3 || i == 4 || i == 5 || i == 6 || i == 7 || i == 8 || i == 9 || i == 10 || i == 11 || i == 12 || i == 13 || i == 14 || i == 15; */
	return &rules[i];
}

int qrexec_hdr_decode(const uint8_t *untrusted_buf, size_t len, struct msg_header *out)
{
	if (len != QREXEC_HDR_SIZE)
		return QREXEC_ELENGTH;
	out->type = qrexec_get_u32(untrusted_buf);
	out->len = qrexec_get_u32(untrusted_buf + 4);
	return QREXEC_OK;
}

int qrexec_hdr_check(const struct msg_header *h, enum qrexec_chan chan, enum qrexec_peer from,
		     uint32_t version, uint32_t *max_len)
{
	/* How far the best row got: 0 none had the type, 1 type, 2 channel,
	 * 3 sender, 4 version (so the length was wrong). */
	uint32_t stage = 0;

	if ((chan != CHAN_CONTROL && chan != CHAN_DATA) || from < PEER_AGENT || from > PEER_DATA_SERVICE ||
	    (version != QREXEC_VERSION_NONE && version != QREXEC_PROTOCOL_V2 && version != QREXEC_PROTOCOL_V3))
		return QREXEC_EINVAL;
	/*@ loop invariant bound: 0 <= i <= NRULES;
	    loop invariant stage_range: 0 <= stage <= 4;
	    loop assigns i, stage;
	    loop variant NRULES - i; */
	for (size_t i = 0; i < NRULES; i++) {
		const struct rule *r = rule_at(i);

		if (r->type != h->type)
			continue;
		stage = stage < 1 ? 1 : stage;
		if (r->chan != (uint32_t)chan)
			continue;
		stage = stage < 2 ? 2 : stage;
		if (r->from1 != (uint32_t)from && r->from2 != (uint32_t)from)
			continue;
		stage = stage < 3 ? 3 : stage;
		if (version < r->vmin || version > r->vmax)
			continue;
		stage = 4;
		if (h->len < r->min_len || h->len > r->max_len)
			continue;
		*max_len = r->max_len;
		return QREXEC_OK;
	}
	switch (stage) {
	case 0:
		return QREXEC_ETYPE;
	case 1:
		return QREXEC_ECHANNEL;
	case 2:
		return QREXEC_EPEER;
	case 3:
		return QREXEC_EVERSION;
	default:
		return QREXEC_ELENGTH;
	}
}

int qrexec_data_msg_check(const struct msg_header *h, enum qrexec_peer from, uint32_t version)
{
	uint32_t max_len;

	return qrexec_hdr_check(h, CHAN_DATA, from, version, &max_len);
}

int qrexec_hdr_encode(const struct msg_header *h, enum qrexec_chan chan, enum qrexec_peer from,
		      uint32_t version, uint8_t *buf, size_t cap)
{
	uint32_t max_len;
	int rc = qrexec_hdr_check(h, chan, from, version, &max_len);

	if (rc != QREXEC_OK)
		return rc;
	if (cap < QREXEC_HDR_SIZE)
		return QREXEC_ENOSPACE;
	qrexec_put_hdr(buf, h->type, h->len);
	return QREXEC_OK;
}

int qrexec_hello_decode(const uint8_t *untrusted_buf, size_t len, uint32_t *version)
{
	if (len != 4)
		return QREXEC_ELENGTH;
	*version = qrexec_get_u32(untrusted_buf);
	return QREXEC_OK;
}

int qrexec_negotiate(uint32_t ours, uint32_t theirs, uint32_t *out)
{
	uint32_t v = ours < theirs ? ours : theirs;

	if (v < QREXEC_PROTOCOL_V2 || v > QREXEC_PROTOCOL_VERSION)
		return QREXEC_EVERSION;
	*out = v;
	return QREXEC_OK;
}

int qrexec_hello_encode(uint32_t version, uint8_t *buf, size_t cap, size_t *outlen)
{
	if (version < QREXEC_PROTOCOL_V2 || version > QREXEC_PROTOCOL_VERSION)
		return QREXEC_EINVAL;
	if (cap < QREXEC_HDR_SIZE + 4)
		return QREXEC_ENOSPACE;
	qrexec_put_hdr(buf, MSG_HELLO, 4);
	qrexec_put_u32(buf + QREXEC_HDR_SIZE, version);
	*outlen = QREXEC_HDR_SIZE + 4;
	return QREXEC_OK;
}

int qrexec_conn_terminated_decode(const uint8_t *untrusted_buf, size_t len,
				  struct qrexec_conn_terminated *out)
{
	uint32_t domid, port;
	int rc;

	if (len != 8)
		return QREXEC_ELENGTH;
	domid = qrexec_get_u32(untrusted_buf);
	port = qrexec_get_u32(untrusted_buf + 4);
	rc = qrexec_endpoint_check(domid, port);
	if (rc != QREXEC_OK)
		return rc;
	out->domid = domid;
	out->port = port;
	return QREXEC_OK;
}

int qrexec_conn_terminated_encode(const struct qrexec_conn_terminated *in, uint8_t *buf, size_t cap,
				  size_t *outlen)
{
	int rc = qrexec_endpoint_check(in->domid, in->port);

	if (rc != QREXEC_OK)
		return QREXEC_EINVAL;
	if (cap < QREXEC_HDR_SIZE + 8)
		return QREXEC_ENOSPACE;
	qrexec_put_hdr(buf, MSG_CONNECTION_TERMINATED, 8);
	qrexec_put_u32(buf + QREXEC_HDR_SIZE, in->domid);
	qrexec_put_u32(buf + QREXEC_HDR_SIZE + 4, in->port);
	*outlen = QREXEC_HDR_SIZE + 8;
	return QREXEC_OK;
}

int qrexec_exit_code_decode(const uint8_t *untrusted_buf, size_t len, uint32_t *code)
{
	uint32_t v;

	if (len != 4)
		return QREXEC_ELENGTH;
	v = qrexec_get_u32(untrusted_buf);
	if (v > QREXEC_EXIT_CODE_MAX)
		return QREXEC_EVALUE;
	*code = v;
	return QREXEC_OK;
}

int qrexec_exit_code_encode(uint32_t code, uint8_t *buf, size_t cap, size_t *outlen)
{
	if (code > QREXEC_EXIT_CODE_MAX)
		return QREXEC_EINVAL;
	if (cap < QREXEC_HDR_SIZE + 4)
		return QREXEC_ENOSPACE;
	qrexec_put_hdr(buf, MSG_DATA_EXIT_CODE, 4);
	qrexec_put_u32(buf + QREXEC_HDR_SIZE, code);
	*outlen = QREXEC_HDR_SIZE + 4;
	return QREXEC_OK;
}
