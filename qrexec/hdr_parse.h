/* qrexec message headers: decoding, the table of which message may
 * arrive on which channel from which peer at which version with which
 * length, the HELLO exchange, and the small fixed-size messages
 * (CONNECTION_TERMINATED, DATA_EXIT_CODE).  SPEC/qrexec.md.
 *
 * Decoders take the untrusted bytes and write their output only on
 * success.  Encoders write a whole message (header and payload) into the
 * caller's buffer, bounded by its capacity, and set *outlen; on error
 * they write nothing.  Nothing here allocates. */
#ifndef BH_QREXEC_HDR_PARSE_H
#define BH_QREXEC_HDR_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qrexec/field_parse.h"

enum qrexec_chan {
	CHAN_CONTROL,   /* one per qube: dom0 daemon <-> the qube's agent, port 512 */
	CHAN_DATA,      /* one per call, ports from 513 */
};

/* Who sent the message being checked. */
enum qrexec_peer {
	PEER_AGENT,         /* control channel: a qube's agent (the dom0 daemon reads) */
	PEER_DAEMON,        /* control channel: the dom0 daemon (an agent reads) */
	PEER_DATA_CLIENT,   /* data channel: the caller's side, which sends DATA_STDIN */
	PEER_DATA_SERVICE,  /* data channel: the side running the service (STDOUT, STDERR, EXIT_CODE) */
};

/* Header of 8 bytes (len must be exactly QREXEC_HDR_SIZE). */
/*@ requires \valid_read(untrusted_buf + (0 .. len - 1));
    requires \valid(out);
    requires \separated(out, untrusted_buf + (0 .. len - 1));
    assigns *out;
    behavior bad_length:
      assumes len != QREXEC_HDR_SIZE;
      assigns \nothing;
      ensures \result == QREXEC_ELENGTH;
    behavior accept:
      assumes len == QREXEC_HDR_SIZE;
      assigns *out;
      ensures \result == QREXEC_OK;
      ensures out->type == u32_le(untrusted_buf);
      ensures out->len == u32_le(untrusted_buf + 4);
    complete behaviors;
    disjoint behaviors; */
int qrexec_hdr_decode(const uint8_t *untrusted_buf, size_t len, struct msg_header *out)
	__attribute__((warn_unused_result));

/*@ predicate known_version(integer v) =
      v == QREXEC_VERSION_NONE || v == QREXEC_PROTOCOL_V2 || v == QREXEC_PROTOCOL_V3;
    predicate good_args(integer chan, integer from, integer version) =
      (chan == CHAN_CONTROL || chan == CHAN_DATA) &&
      PEER_AGENT <= from <= PEER_DATA_SERVICE && known_version(version);
    predicate data_type(integer t) =
      t == MSG_DATA_STDIN || t == MSG_DATA_STDOUT || t == MSG_DATA_STDERR || t == MSG_DATA_EXIT_CODE;
*/

/* Whether a header may be acted upon: its type is known, carried by
 * `chan`, sent by `from`, valid at `version` (QREXEC_VERSION_NONE before
 * the HELLO exchange, when HELLO is the only valid message, and never
 * after it), and its len is exactly the type's size or within its bounds.
 * On success *max_len is the largest payload the type allows (h->len <=
 * *max_len <= QREXEC_MAX_PAYLOAD).  The checks are one table
 * (SPEC/qrexec.md, "Validation"); the error says how far the best
 * matching row got: ETYPE, ECHANNEL, EPEER, EVERSION, ELENGTH. */
/*@ requires \valid_read(h);
    requires \valid(max_len);
    requires \separated(h, max_len);
    assigns *max_len;
    behavior bad_args:
      assumes !good_args(chan, from, version);
      assigns \nothing;
      ensures \result == QREXEC_EINVAL;
    behavior checked:
      assumes good_args(chan, from, version);
      assigns *max_len;
      ensures \result == QREXEC_OK || \result == QREXEC_ETYPE || \result == QREXEC_ECHANNEL ||
              \result == QREXEC_EPEER || \result == QREXEC_EVERSION || \result == QREXEC_ELENGTH;
      ensures \result != QREXEC_OK ==> *max_len == \old(*max_len);
      ensures \result == QREXEC_OK ==> h->len <= *max_len <= QREXEC_MAX_PAYLOAD;
      ensures hello_first: \result == QREXEC_OK ==>
          (version == QREXEC_VERSION_NONE <==> h->type == MSG_HELLO);
      ensures hello_len: \result == QREXEC_OK && h->type == MSG_HELLO ==> h->len == 4;
      ensures data_only_on_data: \result == QREXEC_OK && data_type(h->type) ==> chan == CHAN_DATA;
      ensures data_chunk: \result == QREXEC_OK && data_type(h->type) ==>
          h->len <= (version == QREXEC_PROTOCOL_V2 ? MAX_DATA_CHUNK_V2 : MAX_DATA_CHUNK);
      ensures trigger3: \result == QREXEC_OK && h->type == MSG_TRIGGER_SERVICE3 ==>
          version == QREXEC_PROTOCOL_V3 && from == PEER_AGENT &&
          QREXEC_TRIGGER3_FIXED < h->len <= QREXEC_TRIGGER3_FIXED + MAX_SERVICE_NAME_LEN;
      ensures trigger2: \result == QREXEC_OK && h->type == MSG_TRIGGER_SERVICE ==>
          version == QREXEC_PROTOCOL_V2 && from == PEER_AGENT && h->len == 128;
      ensures terminated: \result == QREXEC_OK && h->type == MSG_CONNECTION_TERMINATED ==>
          from == PEER_AGENT && h->len == 8;
      ensures exit_code: \result == QREXEC_OK && h->type == MSG_DATA_EXIT_CODE ==>
          from == PEER_DATA_SERVICE && h->len == 4;
    complete behaviors;
    disjoint behaviors; */
int qrexec_hdr_check(const struct msg_header *h, enum qrexec_chan chan, enum qrexec_peer from,
		     uint32_t version, uint32_t *max_len) __attribute__((warn_unused_result));

/* qrexec_hdr_check() on a data channel, for code that needs no bound. */
/*@ requires \valid_read(h);
    assigns \nothing; */
int qrexec_data_msg_check(const struct msg_header *h, enum qrexec_peer from, uint32_t version)
	__attribute__((warn_unused_result));

/* Writes the 8-byte header of a message that qrexec_hdr_check() accepts
 * from `from` on `chan` at `version` (its error otherwise), for senders
 * that write the payload themselves (data messages). */
/*@ requires \valid_read(h);
    requires \valid(buf + (0 .. cap - 1));
    requires \separated(h, buf + (0 .. cap - 1));
    assigns buf[0 .. cap - 1];
    ensures \result == QREXEC_OK ==> cap >= QREXEC_HDR_SIZE &&
        u32_le(buf) == h->type && u32_le(buf + 4) == h->len; */
int qrexec_hdr_encode(const struct msg_header *h, enum qrexec_chan chan, enum qrexec_peer from,
		      uint32_t version, uint8_t *buf, size_t cap) __attribute__((warn_unused_result));

/* HELLO payload: exactly 4 bytes, the peer's version (any value: see
 * qrexec_negotiate). */
/*@ requires \valid_read(untrusted_buf + (0 .. len - 1));
    requires \valid(version);
    requires \separated(version, untrusted_buf + (0 .. len - 1));
    assigns *version;
    behavior bad_length:
      assumes len != 4;
      assigns \nothing;
      ensures \result == QREXEC_ELENGTH;
    behavior accept:
      assumes len == 4;
      assigns *version;
      ensures \result == QREXEC_OK && *version == u32_le(untrusted_buf);
    complete behaviors;
    disjoint behaviors; */
int qrexec_hello_decode(const uint8_t *untrusted_buf, size_t len, uint32_t *version)
	__attribute__((warn_unused_result));

/* The version both sides speak: the lower of the two; QREXEC_EVERSION
 * when that is below 2 or above what Bulkhead speaks (ours > 3). */
/*@ requires \valid(out);
    assigns *out;
    behavior unsupported:
      assumes (ours < theirs ? ours : theirs) < QREXEC_PROTOCOL_V2 ||
              (ours < theirs ? ours : theirs) > QREXEC_PROTOCOL_VERSION;
      assigns \nothing;
      ensures \result == QREXEC_EVERSION;
    behavior accept:
      assumes QREXEC_PROTOCOL_V2 <= (ours < theirs ? ours : theirs) <= QREXEC_PROTOCOL_VERSION;
      assigns *out;
      ensures \result == QREXEC_OK && *out == (ours < theirs ? ours : theirs);
    complete behaviors;
    disjoint behaviors; */
int qrexec_negotiate(uint32_t ours, uint32_t theirs, uint32_t *out) __attribute__((warn_unused_result));

/* MSG_HELLO with `version` (2 or 3): 12 bytes. */
/*@ requires \valid(buf + (0 .. cap - 1));
    requires \valid(outlen);
    requires \separated(outlen, buf + (0 .. cap - 1));
    assigns buf[0 .. cap - 1], *outlen;
    ensures \result == QREXEC_OK ==> *outlen == 12 && *outlen <= cap;
    ensures \result != QREXEC_OK ==> *outlen == \old(*outlen); */
int qrexec_hello_encode(uint32_t version, uint8_t *buf, size_t cap, size_t *outlen)
	__attribute__((warn_unused_result));

/* MSG_CONNECTION_TERMINATED (agent -> daemon): the data channel to
 * (domid, port) is closed. */
struct qrexec_conn_terminated {
	uint32_t domid;
	uint32_t port;
};

/* Exactly 8 bytes; the endpoint passes qrexec_endpoint_check(). */
/*@ requires \valid_read(untrusted_buf + (0 .. len - 1));
    requires \valid(out);
    requires \separated(out, untrusted_buf + (0 .. len - 1));
    assigns *out;
    behavior bad_length:
      assumes len != 8;
      assigns \nothing;
      ensures \result == QREXEC_ELENGTH;
    behavior bad_endpoint:
      assumes len == 8;
      assumes u32_le(untrusted_buf) > QREXEC_DOMID_MAX ||
              u32_le(untrusted_buf + 4) < QREXEC_DATA_PORT_MIN ||
              u32_le(untrusted_buf + 4) > QREXEC_DATA_PORT_MAX;
      assigns \nothing;
      ensures \result == QREXEC_EDOMAIN || \result == QREXEC_EPORT;
    behavior accept:
      assumes len == 8;
      assumes u32_le(untrusted_buf) <= QREXEC_DOMID_MAX;
      assumes QREXEC_DATA_PORT_MIN <= u32_le(untrusted_buf + 4) <= QREXEC_DATA_PORT_MAX;
      assigns *out;
      ensures \result == QREXEC_OK;
      ensures out->domid == u32_le(untrusted_buf) && out->port == u32_le(untrusted_buf + 4);
    complete behaviors;
    disjoint behaviors; */
int qrexec_conn_terminated_decode(const uint8_t *untrusted_buf, size_t len,
				  struct qrexec_conn_terminated *out) __attribute__((warn_unused_result));

/* Header and payload: 16 bytes. */
/*@ requires \valid_read(in);
    requires \valid(buf + (0 .. cap - 1));
    requires \valid(outlen);
    requires \separated(outlen, buf + (0 .. cap - 1), in);
    requires \separated(in, buf + (0 .. cap - 1));
    assigns buf[0 .. cap - 1], *outlen;
    ensures \result == QREXEC_OK ==> *outlen == 16 && *outlen <= cap;
    ensures \result != QREXEC_OK ==> *outlen == \old(*outlen); */
int qrexec_conn_terminated_encode(const struct qrexec_conn_terminated *in, uint8_t *buf, size_t cap,
				  size_t *outlen) __attribute__((warn_unused_result));

/* MSG_DATA_EXIT_CODE payload: exactly 4 bytes, 0 .. QREXEC_EXIT_CODE_MAX. */
/*@ requires \valid_read(untrusted_buf + (0 .. len - 1));
    requires \valid(code);
    requires \separated(code, untrusted_buf + (0 .. len - 1));
    assigns *code;
    behavior bad_length:
      assumes len != 4;
      assigns \nothing;
      ensures \result == QREXEC_ELENGTH;
    behavior bad_value:
      assumes len == 4 && u32_le(untrusted_buf) > QREXEC_EXIT_CODE_MAX;
      assigns \nothing;
      ensures \result == QREXEC_EVALUE;
    behavior accept:
      assumes len == 4 && u32_le(untrusted_buf) <= QREXEC_EXIT_CODE_MAX;
      assigns *code;
      ensures \result == QREXEC_OK && *code == u32_le(untrusted_buf);
    complete behaviors;
    disjoint behaviors; */
int qrexec_exit_code_decode(const uint8_t *untrusted_buf, size_t len, uint32_t *code)
	__attribute__((warn_unused_result));

/* Header and payload: 12 bytes. */
/*@ requires \valid(buf + (0 .. cap - 1));
    requires \valid(outlen);
    requires \separated(outlen, buf + (0 .. cap - 1));
    assigns buf[0 .. cap - 1], *outlen;
    ensures \result == QREXEC_OK ==> *outlen == 12 && *outlen <= cap;
    ensures \result != QREXEC_OK ==> *outlen == \old(*outlen); */
int qrexec_exit_code_encode(uint32_t code, uint8_t *buf, size_t cap, size_t *outlen)
	__attribute__((warn_unused_result));

#endif
