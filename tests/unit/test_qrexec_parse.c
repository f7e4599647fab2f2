/* qrexec message parsers and encoders: every accept path, every reject
 * class, output untouched on reject, encode -> decode round trips.
 * Messages are assembled by hand here (not with the encoders) so that
 * the decoders are tested against the layouts of SPEC/qrexec.md. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qrexec/msg_parse.h"
#include "tests/lib/check.h"

#define SENTINEL 0xa5

/* Big outputs (struct qrexec_service holds 65000 bytes): static. */
static struct qrexec_trigger trig, trig_sentinel;
static struct qrexec_exec ex, ex_sentinel;
static struct qrexec_rpc_cmd rpc, rpc_sentinel;
static uint8_t msg[8 + 8 + MAX_QREXEC_CMD_LEN + 16];

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A NUL-padded field of `size` bytes holding s (which may be longer than
 * the field: the test then writes no NUL at all). */
static void field(uint8_t *f, size_t size, const char *s)
{
	size_t n = strlen(s);

	memset(f, 0, size);
	memcpy(f, s, n < size ? n : size);
}

/* ---- v3 trigger payload ---- */
static size_t t3(uint8_t *p, const char *target, const char *reqid, const char *svc)
{
	size_t n = strlen(svc);

	field(p, 64, target);
	field(p + 64, 32, reqid);
	memcpy(p + 96, svc, n);
	p[96 + n] = 0;
	return 96 + n + 1;
}

static int dec3(const uint8_t *p, size_t len)
{
	int rc;

	memset(&trig, SENTINEL, sizeof(trig));
	rc = qrexec_trigger3_decode(p, len, &trig);
	if (rc != 0) {
		memset(&trig_sentinel, SENTINEL, sizeof(trig_sentinel));
		CHECK(memcmp(&trig, &trig_sentinel, sizeof(trig)) == 0);
	}
	return rc;
}

static int dec3s(const char *target, const char *reqid, const char *svc)
{
	uint8_t p[96 + 512];

	return dec3(p, t3(p, target, reqid, svc));
}

static int dec2(const uint8_t *p, size_t len)
{
	int rc;

	memset(&trig, SENTINEL, sizeof(trig));
	rc = qrexec_trigger2_decode(p, len, &trig);
	if (rc != 0) {
		memset(&trig_sentinel, SENTINEL, sizeof(trig_sentinel));
		CHECK(memcmp(&trig, &trig_sentinel, sizeof(trig)) == 0);
	}
	return rc;
}

static int dec2s(const char *svc, const char *target, const char *reqid)
{
	uint8_t p[128];

	field(p, 64, svc);
	field(p + 64, 32, target);
	field(p + 96, 32, reqid);
	return dec2(p, sizeof(p));
}

static int hcheck(uint32_t type, uint32_t len, enum qrexec_chan chan, enum qrexec_peer from, uint32_t v)
{
	struct msg_header h = { type, len };
	uint32_t max = 0xdeadbeef;
	int rc = qrexec_hdr_check(&h, chan, from, v, &max);

	if (rc == 0)
		CHECK(len <= max && max <= QREXEC_MAX_PAYLOAD);
	else
		CHECK(max == 0xdeadbeef);
	return rc;
}

static void test_header(void)
{
	uint8_t b[9] = { 0x12, 0x02, 0, 0, 0x61, 0, 0, 0, 0xff };
	struct msg_header h = { 7, 7 };

	CHECK(qrexec_hdr_decode(b, 7, &h) == QREXEC_ELENGTH);
	CHECK(qrexec_hdr_decode(b, 9, &h) == QREXEC_ELENGTH);
	CHECK(qrexec_hdr_decode(b, 0, &h) == QREXEC_ELENGTH);
	CHECK(h.type == 7 && h.len == 7);
	CHECK(qrexec_hdr_decode(b, 8, &h) == 0);
	CHECK(h.type == MSG_TRIGGER_SERVICE3 && h.len == 0x61);
	memset(b, 0xff, 8);
	CHECK(qrexec_hdr_decode(b, 8, &h) == 0);
	CHECK(h.type == 0xffffffffu && h.len == 0xffffffffu);
}

static void test_table(void)
{
	const enum qrexec_chan C = CHAN_CONTROL, D = CHAN_DATA;
	const enum qrexec_peer A = PEER_AGENT, M = PEER_DAEMON, CL = PEER_DATA_CLIENT, SV = PEER_DATA_SERVICE;

	/* HELLO: first, len 4, any peer of the channel. */
	CHECK(hcheck(MSG_HELLO, 4, C, A, 0) == 0);
	CHECK(hcheck(MSG_HELLO, 4, C, M, 0) == 0);
	CHECK(hcheck(MSG_HELLO, 4, D, CL, 0) == 0);
	CHECK(hcheck(MSG_HELLO, 4, D, SV, 0) == 0);
	CHECK(hcheck(MSG_HELLO, 3, C, A, 0) == QREXEC_ELENGTH);
	CHECK(hcheck(MSG_HELLO, 5, C, A, 0) == QREXEC_ELENGTH);
	CHECK(hcheck(MSG_HELLO, 4, C, A, 3) == QREXEC_EVERSION);
	CHECK(hcheck(MSG_HELLO, 4, D, SV, 2) == QREXEC_EVERSION);
	CHECK(hcheck(MSG_HELLO, 4, D, A, 0) == QREXEC_EPEER);
	CHECK(hcheck(MSG_HELLO, 4, C, CL, 0) == QREXEC_EPEER);
	/* Nothing else before HELLO. */
	CHECK(hcheck(MSG_TRIGGER_SERVICE3, 100, C, A, 0) == QREXEC_EVERSION);
	CHECK(hcheck(MSG_EXEC_CMDLINE, 20, C, M, 0) == QREXEC_EVERSION);
	CHECK(hcheck(MSG_DATA_STDOUT, 20, D, SV, 0) == QREXEC_EVERSION);

	/* Triggers: version-gated, agent only, control only. */
	CHECK(hcheck(MSG_TRIGGER_SERVICE3, 97, C, A, 3) == 0);
	CHECK(hcheck(MSG_TRIGGER_SERVICE3, 96, C, A, 3) == QREXEC_ELENGTH);
	CHECK(hcheck(MSG_TRIGGER_SERVICE3, 96 + MAX_SERVICE_NAME_LEN, C, A, 3) == 0);
	CHECK(hcheck(MSG_TRIGGER_SERVICE3, 96 + MAX_SERVICE_NAME_LEN + 1, C, A, 3) == QREXEC_ELENGTH);
	CHECK(hcheck(MSG_TRIGGER_SERVICE3, 0xffffffffu, C, A, 3) == QREXEC_ELENGTH);
	CHECK(hcheck(MSG_TRIGGER_SERVICE3, 100, C, A, 2) == QREXEC_EVERSION);
	CHECK(hcheck(MSG_TRIGGER_SERVICE3, 100, C, M, 3) == QREXEC_EPEER);
	CHECK(hcheck(MSG_TRIGGER_SERVICE3, 100, D, CL, 3) == QREXEC_ECHANNEL);
	CHECK(hcheck(MSG_TRIGGER_SERVICE, 128, C, A, 2) == 0);
	CHECK(hcheck(MSG_TRIGGER_SERVICE, 127, C, A, 2) == QREXEC_ELENGTH);
	CHECK(hcheck(MSG_TRIGGER_SERVICE, 129, C, A, 2) == QREXEC_ELENGTH);
	CHECK(hcheck(MSG_TRIGGER_SERVICE, 128, C, A, 3) == QREXEC_EVERSION);
	CHECK(hcheck(MSG_TRIGGER_SERVICE4, 160, C, A, 3) == QREXEC_ETYPE);

	CHECK(hcheck(MSG_CONNECTION_TERMINATED, 8, C, A, 3) == 0);
	CHECK(hcheck(MSG_CONNECTION_TERMINATED, 8, C, A, 2) == 0);
	CHECK(hcheck(MSG_CONNECTION_TERMINATED, 7, C, A, 3) == QREXEC_ELENGTH);
	CHECK(hcheck(MSG_CONNECTION_TERMINATED, 9, C, A, 3) == QREXEC_ELENGTH);
	CHECK(hcheck(MSG_CONNECTION_TERMINATED, 8, C, M, 3) == QREXEC_EPEER);

	/* Daemon -> agent. */
	CHECK(hcheck(MSG_EXEC_CMDLINE, 9, C, M, 3) == 0);
	CHECK(hcheck(MSG_EXEC_CMDLINE, 8, C, M, 3) == QREXEC_ELENGTH);
	CHECK(hcheck(MSG_EXEC_CMDLINE, 8 + MAX_QREXEC_CMD_LEN, C, M, 3) == 0);
	CHECK(hcheck(MSG_EXEC_CMDLINE, 8 + MAX_QREXEC_CMD_LEN + 1, C, M, 3) == QREXEC_ELENGTH);
	CHECK(hcheck(MSG_EXEC_CMDLINE, 20, C, A, 3) == QREXEC_EPEER);
	CHECK(hcheck(MSG_JUST_EXEC, 20, C, M, 2) == 0);
	CHECK(hcheck(MSG_JUST_EXEC, 20, D, SV, 3) == QREXEC_ECHANNEL);
	CHECK(hcheck(MSG_SERVICE_CONNECT, 40, C, M, 3) == 0);
	CHECK(hcheck(MSG_SERVICE_CONNECT, 39, C, M, 3) == QREXEC_ELENGTH);
	CHECK(hcheck(MSG_SERVICE_CONNECT, 41, C, M, 3) == QREXEC_ELENGTH);
	CHECK(hcheck(MSG_SERVICE_CONNECT, 40, C, A, 3) == QREXEC_EPEER);
	CHECK(hcheck(MSG_SERVICE_REFUSED, 32, C, M, 3) == 0);
	CHECK(hcheck(MSG_SERVICE_REFUSED, 31, C, M, 3) == QREXEC_ELENGTH);
	CHECK(hcheck(MSG_SERVICE_REFUSED, 33, C, M, 3) == QREXEC_ELENGTH);

	/* Data: data channels only, right direction, chunk by version. */
	CHECK(hcheck(MSG_DATA_STDIN, 0, D, CL, 3) == 0);
	CHECK(hcheck(MSG_DATA_STDIN, MAX_DATA_CHUNK, D, CL, 3) == 0);
	CHECK(hcheck(MSG_DATA_STDIN, MAX_DATA_CHUNK + 1, D, CL, 3) == QREXEC_ELENGTH);
	CHECK(hcheck(MSG_DATA_STDIN, MAX_DATA_CHUNK_V2, D, CL, 2) == 0);
	CHECK(hcheck(MSG_DATA_STDIN, MAX_DATA_CHUNK_V2 + 1, D, CL, 2) == QREXEC_ELENGTH);
	CHECK(hcheck(MSG_DATA_STDIN, 10, D, SV, 3) == QREXEC_EPEER);
	CHECK(hcheck(MSG_DATA_STDIN, 10, C, A, 3) == QREXEC_ECHANNEL);
	CHECK(hcheck(MSG_DATA_STDOUT, 0, D, SV, 3) == 0);
	CHECK(hcheck(MSG_DATA_STDOUT, MAX_DATA_CHUNK, D, SV, 3) == 0);
	CHECK(hcheck(MSG_DATA_STDOUT, MAX_DATA_CHUNK_V2 + 1, D, SV, 2) == QREXEC_ELENGTH);
	CHECK(hcheck(MSG_DATA_STDOUT, 10, D, CL, 3) == QREXEC_EPEER);
	CHECK(hcheck(MSG_DATA_STDOUT, 10, C, M, 3) == QREXEC_ECHANNEL);
	CHECK(hcheck(MSG_DATA_STDERR, 65536, D, SV, 3) == 0);
	CHECK(hcheck(MSG_DATA_STDERR, 0xffffffffu, D, SV, 3) == QREXEC_ELENGTH);
	CHECK(hcheck(MSG_DATA_STDERR, 1, D, CL, 3) == QREXEC_EPEER);
	CHECK(hcheck(MSG_DATA_EXIT_CODE, 4, D, SV, 3) == 0);
	CHECK(hcheck(MSG_DATA_EXIT_CODE, 4, D, SV, 2) == 0);
	CHECK(hcheck(MSG_DATA_EXIT_CODE, 3, D, SV, 3) == QREXEC_ELENGTH);
	CHECK(hcheck(MSG_DATA_EXIT_CODE, 5, D, SV, 3) == QREXEC_ELENGTH);
	CHECK(hcheck(MSG_DATA_EXIT_CODE, 4, D, CL, 3) == QREXEC_EPEER);
	CHECK(hcheck(MSG_DATA_EXIT_CODE, 4, C, A, 3) == QREXEC_ECHANNEL);

	/* Unknown types. */
	CHECK(hcheck(0, 0, C, A, 3) == QREXEC_ETYPE);
	CHECK(hcheck(0x999, 4, D, SV, 3) == QREXEC_ETYPE);
	CHECK(hcheck(0xffffffffu, 4, C, M, 3) == QREXEC_ETYPE);
	CHECK(hcheck(MSG_HELLO + 1, 4, C, M, 0) == QREXEC_ETYPE);

	/* The caller's own arguments. */
	CHECK(hcheck(MSG_HELLO, 4, C, A, 1) == QREXEC_EINVAL);
	CHECK(hcheck(MSG_HELLO, 4, C, A, 4) == QREXEC_EINVAL);
	CHECK(hcheck(MSG_HELLO, 4, (enum qrexec_chan)2, A, 0) == QREXEC_EINVAL);
	CHECK(hcheck(MSG_HELLO, 4, C, (enum qrexec_peer)4, 0) == QREXEC_EINVAL);

	{
		struct msg_header h = { MSG_DATA_STDOUT, 100 };
		CHECK(qrexec_data_msg_check(&h, SV, 3) == 0);
		CHECK(qrexec_data_msg_check(&h, CL, 3) == QREXEC_EPEER);
		h.type = MSG_TRIGGER_SERVICE3;
		CHECK(qrexec_data_msg_check(&h, CL, 3) == QREXEC_ECHANNEL);
	}
}

static void test_hello(void)
{
	uint8_t b[16];
	uint32_t v = 77;
	size_t n = 99;
	struct msg_header h;

	CHECK(qrexec_negotiate(3, 3, &v) == 0 && v == 3);
	CHECK(qrexec_negotiate(3, 2, &v) == 0 && v == 2);
	CHECK(qrexec_negotiate(2, 3, &v) == 0 && v == 2);
	CHECK(qrexec_negotiate(3, 0xffffffffu, &v) == 0 && v == 3);
	v = 77;
	CHECK(qrexec_negotiate(3, 1, &v) == QREXEC_EVERSION && v == 77);
	CHECK(qrexec_negotiate(3, 0, &v) == QREXEC_EVERSION && v == 77);
	CHECK(qrexec_negotiate(4, 4, &v) == QREXEC_EVERSION && v == 77);

	put32(b, 3);
	CHECK(qrexec_hello_decode(b, 3, &v) == QREXEC_ELENGTH && v == 77);
	CHECK(qrexec_hello_decode(b, 5, &v) == QREXEC_ELENGTH && v == 77);
	CHECK(qrexec_hello_decode(b, 4, &v) == 0 && v == 3);

	CHECK(qrexec_hello_encode(1, b, sizeof(b), &n) == QREXEC_EINVAL && n == 99);
	CHECK(qrexec_hello_encode(3, b, 11, &n) == QREXEC_ENOSPACE && n == 99);
	CHECK(qrexec_hello_encode(2, b, 12, &n) == 0 && n == 12);
	CHECK(qrexec_hdr_decode(b, 8, &h) == 0 && h.type == MSG_HELLO && h.len == 4);
	CHECK(hcheck(h.type, h.len, CHAN_DATA, PEER_DATA_CLIENT, 0) == 0);
	CHECK(qrexec_hello_decode(b + 8, h.len, &v) == 0 && v == 2);
}

static void test_small(void)
{
	uint8_t b[16];
	struct qrexec_conn_terminated ct = { 1, 2 }, in;
	uint32_t code = 77;
	size_t n = 99;
	struct msg_header h;

	put32(b, 5);
	put32(b + 4, 513);
	CHECK(qrexec_conn_terminated_decode(b, 7, &ct) == QREXEC_ELENGTH);
	CHECK(qrexec_conn_terminated_decode(b, 9, &ct) == QREXEC_ELENGTH);
	CHECK(ct.domid == 1 && ct.port == 2);
	CHECK(qrexec_conn_terminated_decode(b, 8, &ct) == 0 && ct.domid == 5 && ct.port == 513);
	ct.domid = 1;
	ct.port = 2;
	put32(b + 4, 512);
	CHECK(qrexec_conn_terminated_decode(b, 8, &ct) == QREXEC_EPORT);
	put32(b + 4, 65536);
	CHECK(qrexec_conn_terminated_decode(b, 8, &ct) == QREXEC_EPORT);
	put32(b + 4, 65535);
	put32(b, QREXEC_DOMID_MAX + 1);
	CHECK(qrexec_conn_terminated_decode(b, 8, &ct) == QREXEC_EDOMAIN);
	CHECK(ct.domid == 1 && ct.port == 2);
	put32(b, 0);
	CHECK(qrexec_conn_terminated_decode(b, 8, &ct) == 0 && ct.domid == 0 && ct.port == 65535);

	in.domid = 9;
	in.port = 600;
	CHECK(qrexec_conn_terminated_encode(&in, b, 15, &n) == QREXEC_ENOSPACE && n == 99);
	CHECK(qrexec_conn_terminated_encode(&in, b, 16, &n) == 0 && n == 16);
	CHECK(qrexec_hdr_decode(b, 8, &h) == 0 && h.type == MSG_CONNECTION_TERMINATED && h.len == 8);
	CHECK(qrexec_conn_terminated_decode(b + 8, h.len, &ct) == 0 && ct.domid == 9 && ct.port == 600);
	in.port = 512;
	n = 99;
	CHECK(qrexec_conn_terminated_encode(&in, b, 16, &n) == QREXEC_EINVAL && n == 99);

	put32(b, 255);
	CHECK(qrexec_exit_code_decode(b, 3, &code) == QREXEC_ELENGTH && code == 77);
	CHECK(qrexec_exit_code_decode(b, 5, &code) == QREXEC_ELENGTH && code == 77);
	CHECK(qrexec_exit_code_decode(b, 4, &code) == 0 && code == 255);
	code = 77;
	put32(b, 256);
	CHECK(qrexec_exit_code_decode(b, 4, &code) == QREXEC_EVALUE && code == 77);
	put32(b, 0xffffffffu);
	CHECK(qrexec_exit_code_decode(b, 4, &code) == QREXEC_EVALUE && code == 77);
	CHECK(qrexec_exit_code_encode(256, b, 16, &n) == QREXEC_EINVAL);
	CHECK(qrexec_exit_code_encode(126, b, 11, &n) == QREXEC_ENOSPACE);
	CHECK(qrexec_exit_code_encode(126, b, 12, &n) == 0 && n == 12);
	CHECK(qrexec_hdr_decode(b, 8, &h) == 0 && h.type == MSG_DATA_EXIT_CODE && h.len == 4);
	CHECK(hcheck(h.type, h.len, CHAN_DATA, PEER_DATA_SERVICE, 3) == 0);
	CHECK(qrexec_exit_code_decode(b + 8, 4, &code) == 0 && code == 126);

	/* Data headers: only what the peer would accept. */
	h.type = MSG_DATA_STDOUT;
	h.len = 4096;
	memset(b, 0, sizeof(b));
	CHECK(qrexec_hdr_encode(&h, CHAN_DATA, PEER_DATA_SERVICE, 2, b, 7) == QREXEC_ENOSPACE);
	CHECK(qrexec_hdr_encode(&h, CHAN_DATA, PEER_DATA_SERVICE, 2, b, 8) == 0);
	CHECK(get32(b) == MSG_DATA_STDOUT && get32(b + 4) == 4096);
	h.len = 4097;
	CHECK(qrexec_hdr_encode(&h, CHAN_DATA, PEER_DATA_SERVICE, 2, b, 8) == QREXEC_ELENGTH);
	CHECK(qrexec_hdr_encode(&h, CHAN_DATA, PEER_DATA_CLIENT, 3, b, 8) == QREXEC_EPEER);
}

static void test_trigger3(void)
{
	uint8_t p[96 + 600];
	size_t len;
	static uint8_t big[96 + MAX_SERVICE_NAME_LEN + 1];

	/* Accepted shapes. */
	CHECK(dec3s("work", "13", "qubes.Filecopy") == 0);
	CHECK_STR(trig.target, "work");
	CHECK(trig.target_kind == TARGET_QUBE);
	CHECK_STR(trig.request_id, "13");
	CHECK_STR(trig.service.full, "qubes.Filecopy");
	CHECK(trig.service.len == 14 && trig.service.name_len == 14 && !trig.service.has_arg &&
	      trig.service.arg_off == 14);
	CHECK(trig.target[63] == 0 && trig.request_id[31] == 0 && trig.service.full[14] == 0 &&
	      trig.service.full[MAX_SERVICE_NAME_LEN - 1] == 0);

	CHECK(dec3s("dom0", "SOCKET 7.x_y-z", "qubes.StartApp+firefox") == 0);
	CHECK(trig.target_kind == TARGET_DOM0);
	CHECK_STR(trig.request_id, "SOCKET 7.x_y-z");
	CHECK(trig.service.has_arg && trig.service.name_len == 14 && trig.service.arg_off == 15 &&
	      trig.service.len == 22);
	CHECK(memcmp(trig.service.full + trig.service.arg_off, "firefox", 7) == 0);

	CHECK(dec3s("@default", "1", "a+") == 0);
	CHECK(trig.target_kind == TARGET_DEFAULT && trig.service.has_arg && trig.service.arg_off == 2 &&
	      trig.service.len == 2);
	CHECK(dec3s("@adminvm", "1", "admin.vm.List") == 0 && trig.target_kind == TARGET_ADMINVM);
	CHECK(dec3s("@dispvm", "1", "s") == 0 && trig.target_kind == TARGET_DISPVM);
	CHECK(dec3s("@dispvm:fedora-dvm", "1", "s") == 0 && trig.target_kind == TARGET_DISPVM_QUBE &&
	      trig.target_arg_off == 8);
	CHECK(dec3s("@dispvm:@tag:my_tag-1", "1", "s") == 0 && trig.target_kind == TARGET_DISPVM_TAG &&
	      trig.target_arg_off == 13);
	CHECK(dec3s("work", "1", "a+b+c") == 0 && trig.service.name_len == 1 && trig.service.arg_off == 2);
	CHECK(dec3s("work", "1", "A-z.0_9+x.Y-_") == 0);
	/* A 31-byte request id, a 31-byte qube name, a 63-byte target. */
	CHECK(dec3s("abcdefghijklmnopqrstuvwxyz01234", "abcdefghijklmnopqrstuvwxyz01234", "s") == 0);
	CHECK(dec3s("@dispvm:@tag:abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmn", "1", "s") == 0);

	/* Length. */
	len = t3(p, "work", "1", "s");
	CHECK(dec3(p, 96) == QREXEC_ELENGTH);
	CHECK(dec3(p, 0) == QREXEC_ELENGTH);
	CHECK(dec3(p, 97) == QREXEC_ENUL);      /* "s" without its NUL */
	CHECK(dec3(p, len) == 0);
	p[96] = 0;
	CHECK(dec3(p, 97) == QREXEC_ESERVICE);  /* only the NUL: empty name */
	memset(big, 'a', sizeof(big));
	field(big, 64, "work");
	field(big + 64, 32, "1");
	big[96 + MAX_SERVICE_NAME_LEN - 1] = 0;
	CHECK(dec3(big, 96 + MAX_SERVICE_NAME_LEN) == 0);
	CHECK(trig.service.len == MAX_SERVICE_NAME_LEN - 1);
	big[96 + MAX_SERVICE_NAME_LEN - 1] = 'a';
	big[96 + MAX_SERVICE_NAME_LEN] = 0;
	CHECK(dec3(big, 96 + MAX_SERVICE_NAME_LEN + 1) == QREXEC_ELENGTH);
	CHECK(dec3(big, SIZE_MAX) == QREXEC_ELENGTH);

	/* The name's NUL: missing, one byte early (QSB-089), two NULs. */
	len = t3(p, "work", "1", "qubes.Filecopy");
	CHECK(dec3(p, len - 1) == QREXEC_ENUL);            /* ends in 'y' */
	p[len - 2] = 0;                                     /* "qubes.Filecop\0\0" */
	CHECK(dec3(p, len) == QREXEC_ENUL);
	len = t3(p, "work", "1", "qubes.Filecopy");
	p[96 + 3] = 0;
	CHECK(dec3(p, len) == QREXEC_ENUL);
	len = t3(p, "work", "1", "qubes.Filecopy");
	p[len] = 'x';                                       /* a byte past the NUL */
	CHECK(dec3(p, len + 1) == QREXEC_ENUL);

	/* Service grammar. */
	CHECK(dec3s("work", "1", "+arg") == QREXEC_ESERVICE);
	CHECK(dec3s("work", "1", "+") == QREXEC_ESERVICE);
	CHECK(dec3s("work", "1", "qubes Filecopy") == QREXEC_ESERVICE);
	CHECK(dec3s("work", "1", "qubes/Filecopy") == QREXEC_ESERVICE);
	CHECK(dec3s("work", "1", "svc+a/b") == QREXEC_ESERVICE);
	CHECK(dec3s("work", "1", "svc+a b") == QREXEC_ESERVICE);
	CHECK(dec3s("work", "1", "svc:x") == QREXEC_ESERVICE);
	CHECK(dec3s("work", "1", "svc\x80") == QREXEC_ESERVICE);
	CHECK(dec3s("work", "1", "svc\n") == QREXEC_ESERVICE);
	CHECK(dec3s("work", "1", "svc@") == QREXEC_ESERVICE);

	/* Request id. */
	CHECK(dec3s("work", "", "s") == QREXEC_EREQID);
	CHECK(dec3s("work", "a/b", "s") == QREXEC_EREQID);
	CHECK(dec3s("work", "a:b", "s") == QREXEC_EREQID);
	CHECK(dec3s("work", "a\tb", "s") == QREXEC_EREQID);
	CHECK(dec3s("work", "a+b", "s") == QREXEC_EREQID);
	CHECK(dec3s("work", "abcdefghijklmnopqrstuvwxyz012345", "s") == QREXEC_ENUL); /* 32, no NUL */
	len = t3(p, "work", "1", "s");
	p[64 + 5] = 'x';                                    /* after the NUL */
	CHECK(dec3(p, len) == QREXEC_EPADDING);
	len = t3(p, "work", "1", "s");
	p[64 + 31] = 1;
	CHECK(dec3(p, len) == QREXEC_EPADDING);

	/* Target field and grammar. */
	len = t3(p, "work", "1", "s");
	p[10] = 'x';
	CHECK(dec3(p, len) == QREXEC_EPADDING);
	len = t3(p, "work", "1", "s");
	p[63] = 'x';
	CHECK(dec3(p, len) == QREXEC_EPADDING);
	len = t3(p, "work", "1", "s");
	memset(p, 'a', 64);
	CHECK(dec3(p, len) == QREXEC_ENUL);
	CHECK(dec3s("", "1", "s") == QREXEC_ETARGET);
	CHECK(dec3s("1work", "1", "s") == QREXEC_ETARGET);
	CHECK(dec3s("work!", "1", "s") == QREXEC_ETARGET);
	CHECK(dec3s("work vm", "1", "s") == QREXEC_ETARGET);
	CHECK(dec3s("sys-net-dm", "1", "s") == QREXEC_ETARGET);
	CHECK(dec3s("abcdefghijklmnopqrstuvwxyz012345", "1", "s") == QREXEC_ETARGET); /* 32 bytes */
	CHECK(dec3s("@", "1", "s") == QREXEC_ETARGET);
	CHECK(dec3s("@anyvm", "1", "s") == QREXEC_ETARGET);
	CHECK(dec3s("@tag:work", "1", "s") == QREXEC_ETARGET);
	CHECK(dec3s("@defaults", "1", "s") == QREXEC_ETARGET);
	CHECK(dec3s("@Default", "1", "s") == QREXEC_ETARGET);
	CHECK(dec3s("@dispvm:", "1", "s") == QREXEC_ETARGET);
	CHECK(dec3s("@dispvm:1x", "1", "s") == QREXEC_ETARGET);
	CHECK(dec3s("@dispvm:@tag:", "1", "s") == QREXEC_ETARGET);
	CHECK(dec3s("@dispvm:@tag:a.b", "1", "s") == QREXEC_ETARGET);
	CHECK(dec3s("@dispvm:@tag:a:b", "1", "s") == QREXEC_ETARGET);
	CHECK(dec3s("@dispvm:@anyvm", "1", "s") == QREXEC_ETARGET);
	CHECK(dec3s("@dispvmx", "1", "s") == QREXEC_ETARGET);
	CHECK(dec3s("$dispvm", "1", "s") == QREXEC_ETARGET);
	CHECK(dec3s("dom0 ", "1", "s") == QREXEC_ETARGET);
}

static void test_trigger2(void)
{
	uint8_t p[129];

	CHECK(dec2s("qubes.Filecopy+x", "work", "42") == 0);
	CHECK_STR(trig.service.full, "qubes.Filecopy+x");
	CHECK(trig.service.has_arg && trig.service.name_len == 14 && trig.service.arg_off == 15);
	CHECK_STR(trig.target, "work");
	CHECK_STR(trig.request_id, "42");
	CHECK(dec2s("s", "@dispvm:@tag:t", "1") == 0 && trig.target_kind == TARGET_DISPVM_TAG);
	CHECK(dec2s("s", "abcdefghijklmnopqrstuvwxyz01234", "1") == 0);
	/* 63-byte service name. */
	CHECK(dec2s("abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0", "w", "1") == 0);
	CHECK(trig.service.len == 63);

	field(p, 64, "s");
	field(p + 64, 32, "work");
	field(p + 96, 32, "1");
	CHECK(dec2(p, 127) == QREXEC_ELENGTH);
	CHECK(dec2(p, 129) == QREXEC_ELENGTH);
	CHECK(dec2(p, 128) == 0);
	p[10] = 'x';
	CHECK(dec2(p, 128) == QREXEC_EPADDING);
	memset(p, 'a', 64);
	CHECK(dec2(p, 128) == QREXEC_ENUL);
	field(p, 64, "s");
	p[64 + 31] = 'x';
	CHECK(dec2(p, 128) == QREXEC_EPADDING);
	memset(p + 64, 'a', 32);
	CHECK(dec2(p, 128) == QREXEC_ENUL);
	field(p + 64, 32, "work");
	memset(p + 96, 'a', 32);
	CHECK(dec2(p, 128) == QREXEC_ENUL);
	p[96 + 1] = 0;
	CHECK(dec2(p, 128) == QREXEC_EPADDING);

	CHECK(dec2s("", "work", "1") == QREXEC_ESERVICE);
	CHECK(dec2s("+x", "work", "1") == QREXEC_ESERVICE);
	CHECK(dec2s("a b", "work", "1") == QREXEC_ESERVICE);
	CHECK(dec2s("s", "work", "") == QREXEC_EREQID);
	CHECK(dec2s("s", "work", "a/b") == QREXEC_EREQID);
	CHECK(dec2s("s", "", "1") == QREXEC_ETARGET);
	CHECK(dec2s("s", "@dispvm:@tag:", "1") == QREXEC_ETARGET);
	CHECK(dec2s("s", "x-dm", "1") == QREXEC_ETARGET);
}

static void test_connect_refused(void)
{
	uint8_t p[48];
	struct qrexec_service_connect sc, sc_s;
	struct qrexec_service_refused sr, sr_s;
	size_t n = 99;
	struct msg_header h;

	put32(p, 7);
	put32(p + 4, 514);
	field(p + 8, 32, "req 1");
	memset(&sc, SENTINEL, sizeof(sc));
	memset(&sc_s, SENTINEL, sizeof(sc_s));
	CHECK(qrexec_service_connect_decode(p, 39, &sc) == QREXEC_ELENGTH);
	CHECK(qrexec_service_connect_decode(p, 41, &sc) == QREXEC_ELENGTH);
	CHECK(qrexec_service_connect_decode(p, 32, &sc) == QREXEC_ELENGTH);
	CHECK(memcmp(&sc, &sc_s, sizeof(sc)) == 0);
	CHECK(qrexec_service_connect_decode(p, 40, &sc) == 0);
	CHECK(sc.connect_domain == 7 && sc.connect_port == 514);
	CHECK_STR(sc.request_id, "req 1");
	memset(&sc, SENTINEL, sizeof(sc));
	put32(p + 4, 0);
	CHECK(qrexec_service_connect_decode(p, 40, &sc) == QREXEC_EPORT);
	put32(p + 4, 514);
	put32(p, 0x8000);
	CHECK(qrexec_service_connect_decode(p, 40, &sc) == QREXEC_EDOMAIN);
	put32(p, 0);
	p[8 + 20] = 'x';
	CHECK(qrexec_service_connect_decode(p, 40, &sc) == QREXEC_EPADDING);
	memset(p + 8, 'a', 32);
	CHECK(qrexec_service_connect_decode(p, 40, &sc) == QREXEC_ENUL);
	field(p + 8, 32, "a/b");
	CHECK(qrexec_service_connect_decode(p, 40, &sc) == QREXEC_EREQID);
	field(p + 8, 32, "");
	CHECK(qrexec_service_connect_decode(p, 40, &sc) == QREXEC_EREQID);
	CHECK(memcmp(&sc, &sc_s, sizeof(sc)) == 0);

	memset(&sr, SENTINEL, sizeof(sr));
	memset(&sr_s, SENTINEL, sizeof(sr_s));
	field(p, 32, "77");
	CHECK(qrexec_service_refused_decode(p, 31, &sr) == QREXEC_ELENGTH);
	CHECK(qrexec_service_refused_decode(p, 33, &sr) == QREXEC_ELENGTH);
	p[31] = 'x';
	CHECK(qrexec_service_refused_decode(p, 32, &sr) == QREXEC_EPADDING);
	memset(p, 'x', 32);
	CHECK(qrexec_service_refused_decode(p, 32, &sr) == QREXEC_ENUL);
	field(p, 32, "7\x01");
	CHECK(qrexec_service_refused_decode(p, 32, &sr) == QREXEC_EREQID);
	CHECK(memcmp(&sr, &sr_s, sizeof(sr)) == 0);
	field(p, 32, "77");
	CHECK(qrexec_service_refused_decode(p, 32, &sr) == 0);
	CHECK_STR(sr.request_id, "77");

	/* Encoders. */
	CHECK(qrexec_service_connect_encode(3, 600, "r-1", p, 47, &n) == QREXEC_ENOSPACE && n == 99);
	CHECK(qrexec_service_connect_encode(3, 600, "r/1", p, 48, &n) == QREXEC_EINVAL && n == 99);
	CHECK(qrexec_service_connect_encode(3, 600, "", p, 48, &n) == QREXEC_EINVAL);
	CHECK(qrexec_service_connect_encode(3, 600, "abcdefghijklmnopqrstuvwxyz012345", p, 48, &n) ==
	      QREXEC_EINVAL);
	CHECK(qrexec_service_connect_encode(3, 512, "r", p, 48, &n) == QREXEC_EINVAL);
	CHECK(qrexec_service_connect_encode(0x7ff0, 600, "r", p, 48, &n) == QREXEC_EINVAL && n == 99);
	CHECK(qrexec_service_connect_encode(3, 600, "r-1", p, 48, &n) == 0 && n == 48);
	CHECK(qrexec_hdr_decode(p, 8, &h) == 0 && h.type == MSG_SERVICE_CONNECT && h.len == 40);
	CHECK(hcheck(h.type, h.len, CHAN_CONTROL, PEER_DAEMON, 3) == 0);
	CHECK(qrexec_service_connect_decode(p + 8, h.len, &sc) == 0);
	CHECK(sc.connect_domain == 3 && sc.connect_port == 600);
	CHECK_STR(sc.request_id, "r-1");

	n = 99;
	CHECK(qrexec_service_refused_encode("r 2", p, 39, &n) == QREXEC_ENOSPACE && n == 99);
	CHECK(qrexec_service_refused_encode("r\n", p, 40, &n) == QREXEC_EINVAL && n == 99);
	CHECK(qrexec_service_refused_encode("r 2", p, 40, &n) == 0 && n == 40);
	CHECK(qrexec_hdr_decode(p, 8, &h) == 0 && h.type == MSG_SERVICE_REFUSED && h.len == 32);
	CHECK(qrexec_service_refused_decode(p + 8, h.len, &sr) == 0);
	CHECK_STR(sr.request_id, "r 2");
}

/* exec_params payload with cmdline s (its NUL added). */
static size_t ep(uint8_t *p, uint32_t dom, uint32_t port, const char *s)
{
	size_t n = strlen(s);

	put32(p, dom);
	put32(p + 4, port);
	memcpy(p + 8, s, n);
	p[8 + n] = 0;
	return 8 + n + 1;
}

static int decx(const uint8_t *p, size_t len)
{
	int rc;

	memset(&ex, SENTINEL, sizeof(ex));
	rc = qrexec_exec_decode(p, len, &ex);
	if (rc != 0) {
		memset(&ex_sentinel, SENTINEL, sizeof(ex_sentinel));
		CHECK(memcmp(&ex, &ex_sentinel, sizeof(ex)) == 0);
	}
	return rc;
}

static int decxs(const char *s)
{
	uint8_t p[8 + 256];

	return decx(p, ep(p, 0, 513, s));
}

static int decr(const char *s)
{
	int rc;

	memset(&rpc, SENTINEL, sizeof(rpc));
	rc = qrexec_rpc_cmd_parse((const uint8_t *)s, strlen(s), &rpc);
	if (rc != 0) {
		memset(&rpc_sentinel, SENTINEL, sizeof(rpc_sentinel));
		CHECK(memcmp(&rpc, &rpc_sentinel, sizeof(rpc)) == 0);
	}
	return rc;
}

static void test_exec(void)
{
	uint8_t p[8 + 256];
	size_t len;
	static uint8_t big[8 + MAX_QREXEC_CMD_LEN + 1];

	CHECK(decxs("user:ls -l /") == 0);
	CHECK(ex.connect_domain == 0 && ex.connect_port == 513);
	CHECK_STR(ex.user, "user");
	CHECK(!ex.nogui);
	CHECK_STR(ex.command, "ls -l /");
	CHECK(ex.command_len == 7 && ex.command[MAX_QREXEC_CMD_LEN - 1] == 0);
	CHECK(decxs("root:nogui:echo a:b") == 0);
	CHECK(ex.nogui);
	CHECK_STR(ex.user, "root");
	CHECK_STR(ex.command, "echo a:b");
	CHECK(decxs("u:nogui:nogui:x") == 0 && ex.nogui);
	CHECK_STR(ex.command, "nogui:x");
	CHECK(decxs("_a-1:x") == 0);
	CHECK(decxs("u:\x01\xff\t\n") == 0 && ex.command_len == 4);
	CHECK(decxs("abcdefghijklmnopqrstuvwxyz012345:x") == 0);   /* 32-byte user */
	CHECK(decxs("u:nogui") == 0 && !ex.nogui);                 /* too short to be the prefix */
	CHECK_STR(ex.command, "nogui");

	/* Lengths. */
	len = ep(p, 0, 513, "u:x");
	CHECK(decx(p, 8) == QREXEC_ELENGTH);
	CHECK(decx(p, 0) == QREXEC_ELENGTH);
	CHECK(decx(p, len) == 0);
	put32(p, 0);
	put32(p + 4, 513);
	p[8] = 0;
	CHECK(decx(p, 9) == QREXEC_EUSER);                         /* empty cmdline */
	memset(big, 'x', sizeof(big));
	put32(big, 1);
	put32(big + 4, 600);
	memcpy(big + 8, "u:", 2);
	big[8 + MAX_QREXEC_CMD_LEN - 1] = 0;
	CHECK(decx(big, 8 + MAX_QREXEC_CMD_LEN) == 0);
	CHECK(ex.command_len == MAX_QREXEC_CMD_LEN - 3);
	big[8 + MAX_QREXEC_CMD_LEN - 1] = 'x';
	big[8 + MAX_QREXEC_CMD_LEN] = 0;
	CHECK(decx(big, 8 + MAX_QREXEC_CMD_LEN + 1) == QREXEC_ELENGTH);
	CHECK(decx(big, SIZE_MAX) == QREXEC_ELENGTH);

	/* Endpoint. */
	len = ep(p, 0, 512, "u:x");
	CHECK(decx(p, len) == QREXEC_EPORT);
	len = ep(p, 0, 70000, "u:x");
	CHECK(decx(p, len) == QREXEC_EPORT);
	len = ep(p, 0x7ff0, 513, "u:x");
	CHECK(decx(p, len) == QREXEC_EDOMAIN);

	/* NUL: missing, early, doubled. */
	len = ep(p, 0, 513, "user:ls");
	CHECK(decx(p, len - 1) == QREXEC_ENUL);
	p[len - 2] = 0;
	CHECK(decx(p, len) == QREXEC_ENUL);
	len = ep(p, 0, 513, "user:ls");
	p[8 + 2] = 0;
	CHECK(decx(p, len) == QREXEC_ENUL);

	/* User and command. */
	CHECK(decxs("ls") == QREXEC_EUSER);
	CHECK(decxs(":ls") == QREXEC_EUSER);
	CHECK(decxs("User:ls") == QREXEC_EUSER);
	CHECK(decxs("DEFAULT:ls") == QREXEC_EUSER);
	CHECK(decxs("1user:ls") == QREXEC_EUSER);
	CHECK(decxs("us er:ls") == QREXEC_EUSER);
	CHECK(decxs("abcdefghijklmnopqrstuvwxyz0123456:x") == QREXEC_EUSER);   /* 33 */
	CHECK(decxs("user:") == QREXEC_ECOMMAND);
	CHECK(decxs("user:nogui:") == QREXEC_ECOMMAND);
}

static void test_rpc(void)
{
	CHECK(decr("QUBESRPC qubes.Filecopy work") == 0);
	CHECK_STR(rpc.service.full, "qubes.Filecopy");
	CHECK(!rpc.service.has_arg);
	CHECK_STR(rpc.source, "work");
	CHECK(decr("QUBESRPC qubes.StartApp+firefox dom0") == 0);
	CHECK(rpc.service.has_arg && rpc.service.name_len == 14 && rpc.service.arg_off == 15);
	CHECK_STR(rpc.source, "dom0");
	CHECK(decr("QUBESRPC s+ abcdefghijklmnopqrstuvwxyz01234") == 0);

	CHECK(decr("") == QREXEC_ECOMMAND);
	CHECK(decr("QUBESRPC") == QREXEC_ECOMMAND);
	CHECK(decr("QUBESRPC ") == QREXEC_ECOMMAND);
	CHECK(decr("qubesrpc s work") == QREXEC_ECOMMAND);
	CHECK(decr("QUBESRPC  s work") == QREXEC_ESERVICE);
	CHECK(decr("QUBESRPC qubes.Filecopy") == QREXEC_ECOMMAND);
	CHECK(decr("QUBESRPC +x work") == QREXEC_ESERVICE);
	CHECK(decr("QUBESRPC a/b work") == QREXEC_ESERVICE);
	CHECK(decr("QUBESRPC s ") == QREXEC_ESOURCE);
	CHECK(decr("QUBESRPC s work extra") == QREXEC_ESOURCE);
	CHECK(decr("QUBESRPC s work ") == QREXEC_ESOURCE);
	CHECK(decr("QUBESRPC s @adminvm") == QREXEC_ESOURCE);
	CHECK(decr("QUBESRPC s abcdefghijklmnopqrstuvwxyz012345") == QREXEC_ESOURCE);
	CHECK(decr("QUBESRPC s x-dm") == QREXEC_ESOURCE);
}

static void test_encode_roundtrip(void)
{
	static uint8_t small[200];
	size_t n = 99;
	struct msg_header h;
	uint32_t max;

	/* TRIGGER_SERVICE3. */
	CHECK(qrexec_trigger3_encode("@dispvm:@tag:t", "9", "qubes.Open+x", msg, sizeof(msg), &n) == 0);
	CHECK(n == 8 + 96 + 13);
	CHECK(qrexec_hdr_decode(msg, 8, &h) == 0 && h.type == MSG_TRIGGER_SERVICE3 && h.len == n - 8);
	CHECK(qrexec_hdr_check(&h, CHAN_CONTROL, PEER_AGENT, 3, &max) == 0);
	CHECK(dec3(msg + 8, h.len) == 0);
	CHECK_STR(trig.target, "@dispvm:@tag:t");
	CHECK_STR(trig.request_id, "9");
	CHECK_STR(trig.service.full, "qubes.Open+x");
	n = 99;
	CHECK(qrexec_trigger3_encode("work", "9", "s", small, 8 + 96 + 1, &n) == QREXEC_ENOSPACE && n == 99);
	CHECK(qrexec_trigger3_encode("work", "9", "s", small, 8 + 96 + 2, &n) == 0 && n == 106);
	n = 99;
	CHECK(qrexec_trigger3_encode("work", "9", "+s", small, sizeof(small), &n) == QREXEC_EINVAL);
	CHECK(qrexec_trigger3_encode("work", "9", "", small, sizeof(small), &n) == QREXEC_EINVAL);
	CHECK(qrexec_trigger3_encode("work", "", "s", small, sizeof(small), &n) == QREXEC_EINVAL);
	CHECK(qrexec_trigger3_encode("@bad", "9", "s", small, sizeof(small), &n) == QREXEC_EINVAL);
	CHECK(qrexec_trigger3_encode("work", "abcdefghijklmnopqrstuvwxyz012345", "s", small, sizeof(small),
				     &n) == QREXEC_EINVAL);
	CHECK(qrexec_trigger3_encode("@dispvm:@tag:abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmno", "9",
				     "s", small, sizeof(small), &n) == QREXEC_EINVAL);  /* 64 bytes */
	CHECK(n == 99);

	/* TRIGGER_SERVICE (v2). */
	CHECK(qrexec_trigger2_encode("work", "9", "svc+a", small, 135, &n) == QREXEC_ENOSPACE);
	CHECK(qrexec_trigger2_encode("work", "9", "svc+a", small, 136, &n) == 0 && n == 136);
	CHECK(qrexec_hdr_decode(small, 8, &h) == 0 && h.type == MSG_TRIGGER_SERVICE && h.len == 128);
	CHECK(qrexec_hdr_check(&h, CHAN_CONTROL, PEER_AGENT, 2, &max) == 0);
	CHECK(dec2(small + 8, h.len) == 0);
	CHECK_STR(trig.service.full, "svc+a");
	CHECK_STR(trig.target, "work");
	n = 99;
	CHECK(qrexec_trigger2_encode("abcdefghijklmnopqrstuvwxyz012345", "9", "s", small, 136, &n) ==
	      QREXEC_EINVAL && n == 99);

	/* EXEC_CMDLINE / JUST_EXEC. */
	CHECK(qrexec_exec_encode(MSG_EXEC_CMDLINE, 0, 513, "user", true, "xterm -e 'a b'", msg, sizeof(msg),
				 &n) == 0);
	CHECK(qrexec_hdr_decode(msg, 8, &h) == 0 && h.type == MSG_EXEC_CMDLINE && h.len == n - 8);
	CHECK(qrexec_hdr_check(&h, CHAN_CONTROL, PEER_DAEMON, 3, &max) == 0);
	CHECK(decx(msg + 8, h.len) == 0);
	CHECK_STR(ex.user, "user");
	CHECK(ex.nogui);
	CHECK_STR(ex.command, "xterm -e 'a b'");
	CHECK(ex.connect_port == 513);
	CHECK(qrexec_exec_encode(MSG_JUST_EXEC, 4, 999, "u", false, "nogui:x", msg, sizeof(msg), &n) ==
	      QREXEC_EINVAL);
	CHECK(qrexec_exec_encode(MSG_JUST_EXEC, 4, 999, "u", true, "nogui:x", msg, sizeof(msg), &n) == 0);
	CHECK(decx(msg + 8, n - 8) == 0 && ex.nogui);
	CHECK_STR(ex.command, "nogui:x");
	CHECK(qrexec_exec_encode(MSG_HELLO, 4, 999, "u", false, "x", msg, sizeof(msg), &n) == QREXEC_EINVAL);
	CHECK(qrexec_exec_encode(MSG_EXEC_CMDLINE, 4, 999, "U", false, "x", msg, sizeof(msg), &n) ==
	      QREXEC_EINVAL);
	CHECK(qrexec_exec_encode(MSG_EXEC_CMDLINE, 4, 999, "", false, "x", msg, sizeof(msg), &n) ==
	      QREXEC_EINVAL);
	CHECK(qrexec_exec_encode(MSG_EXEC_CMDLINE, 4, 999, "u", false, "", msg, sizeof(msg), &n) ==
	      QREXEC_EINVAL);
	CHECK(qrexec_exec_encode(MSG_EXEC_CMDLINE, 4, 1, "u", false, "x", msg, sizeof(msg), &n) ==
	      QREXEC_EINVAL);
	CHECK(qrexec_exec_encode(MSG_EXEC_CMDLINE, 4, 999, "u", false, "x", msg, 8 + 8 + 3, &n) ==
	      QREXEC_ENOSPACE);
	CHECK(qrexec_exec_encode(MSG_EXEC_CMDLINE, 4, 999, "u", false, "x", msg, 8 + 8 + 4, &n) == 0 &&
	      n == 20);
	{
		/* A command of the longest length that fits, and one byte more. */
		static char cmd[MAX_QREXEC_CMD_LEN + 1];
		memset(cmd, 'c', sizeof(cmd));
		cmd[MAX_QREXEC_CMD_LEN - 3] = 0;            /* "u:" + cmd + NUL == MAX */
		CHECK(qrexec_exec_encode(MSG_EXEC_CMDLINE, 4, 999, "u", false, cmd, msg, sizeof(msg), &n) == 0);
		CHECK(n == 8 + 8 + MAX_QREXEC_CMD_LEN);
		CHECK(decx(msg + 8, n - 8) == 0 && ex.command_len == MAX_QREXEC_CMD_LEN - 3);
		cmd[MAX_QREXEC_CMD_LEN - 3] = 'c';
		cmd[MAX_QREXEC_CMD_LEN - 2] = 0;
		CHECK(qrexec_exec_encode(MSG_EXEC_CMDLINE, 4, 999, "u", false, cmd, msg, sizeof(msg), &n) ==
		      QREXEC_EINVAL);
	}

	/* The QUBESRPC command, through both parsers. */
	CHECK(qrexec_exec_rpc_encode(7, 600, "user", "qubes.Filecopy+a.b", "work", msg, sizeof(msg), &n) == 0);
	CHECK(qrexec_hdr_decode(msg, 8, &h) == 0 && h.type == MSG_EXEC_CMDLINE);
	CHECK(decx(msg + 8, h.len) == 0);
	CHECK_STR(ex.command, "QUBESRPC qubes.Filecopy+a.b work");
	CHECK(!ex.nogui);
	CHECK(decr(ex.command) == 0);
	CHECK_STR(rpc.service.full, "qubes.Filecopy+a.b");
	CHECK_STR(rpc.source, "work");
	CHECK(qrexec_exec_rpc_encode(7, 600, "user", "s", "dom0", msg, sizeof(msg), &n) == 0);
	n = 99;
	CHECK(qrexec_exec_rpc_encode(7, 600, "user", "+s", "work", msg, sizeof(msg), &n) == QREXEC_EINVAL);
	CHECK(qrexec_exec_rpc_encode(7, 600, "user", "s", "@adminvm", msg, sizeof(msg), &n) == QREXEC_EINVAL);
	CHECK(qrexec_exec_rpc_encode(7, 600, "user", "s t", "work", msg, sizeof(msg), &n) == QREXEC_EINVAL);
	CHECK(qrexec_exec_rpc_encode(7, 600, "User", "s", "work", msg, sizeof(msg), &n) == QREXEC_EINVAL);
	CHECK(qrexec_exec_rpc_encode(7, 600, "user", "s", "work", msg, 8 + 8 + 20, &n) == QREXEC_ENOSPACE);
	CHECK(n == 99);
	CHECK(qrexec_exec_rpc_encode(7, 600, "user", "s", "work", msg, 8 + 8 + 21, &n) == 0 && n == 37);
}

static void test_strerror(void)
{
	for (int c = 0; c >= -18; c--)
		CHECK(strcmp(qrexec_strerror(c), "unknown error") != 0);
	CHECK_STR(qrexec_strerror(-19), "unknown error");
	CHECK_STR(qrexec_strerror(1), "unknown error");
}

int main(void)
{
	test_header();
	test_table();
	test_hello();
	test_small();
	test_trigger3();
	test_trigger2();
	test_connect_refused();
	test_exec();
	test_rpc();
	test_encode_roundtrip();
	test_strerror();
	return check_exit();
}
