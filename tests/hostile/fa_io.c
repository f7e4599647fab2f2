/* fake-agent: the control channel, the daemon's messages, message builders. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/io.h"
#include "tests/hostile/fake_agent.h"

static const char *mode_name = "?";

void fa_set_mode(const char *mode)
{
	mode_name = mode;
}

static void __attribute__((format(printf, 1, 0))) vnote(const char *fmt, va_list ap)
{
	fprintf(stderr, "fake-agent: %s: ", mode_name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void fa_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vnote(fmt, ap);
	va_end(ap);
}

int fa_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vnote(fmt, ap);
	va_end(ap);
	return FA_BAD;
}

int fa_connect(struct fa *fa)
{
	int err = 0;

	fa->v = vchan_client_init(0, VCHAN_BASE_PORT, now_ms() + FA_CONNECT_MS, &err);
	if (fa->v == NULL) {
		fa_note("cannot connect to the daemon: %s", strerror(-err));
		return FA_SETUP;
	}
	fa->version = QREXEC_VERSION_NONE;
	return 0;
}

int fa_send(struct fa *fa, const void *buf, size_t len)
{
	int rc;

	if (fa->daemon_closed)
		return 0;
	rc = vchan_send(fa->v, buf, len, now_ms() + FA_REPLY_MS);
	if (rc == -EPIPE) {
		fa->daemon_closed = true;
		return 0;
	}
	if (rc < 0)
		return fa_fail("send of %zu bytes: %s", len, strerror(-rc));
	return 0;
}

int fa_recv_hello(struct fa *fa)
{
	uint8_t untrusted[12];
	struct msg_header h;
	uint32_t max, v;
	int rc = vchan_recv(fa->v, untrusted, sizeof(untrusted), now_ms() + FA_REPLY_MS);

	if (rc < 0)
		return fa_fail("no HELLO from the daemon: %s", strerror(-rc));
	if (qrexec_hdr_decode(untrusted, 8, &h) != QREXEC_OK ||
	    qrexec_hdr_check(&h, CHAN_CONTROL, PEER_DAEMON, QREXEC_VERSION_NONE, &max) != QREXEC_OK ||
	    qrexec_hello_decode(untrusted + 8, h.len, &v) != QREXEC_OK || v != QREXEC_PROTOCOL_V3)
		return fa_fail("the daemon's HELLO is not version 3");
	return 0;
}

int fa_send_hello(struct fa *fa, uint32_t version)
{
	uint8_t msg[12];

	qrexec_put_hdr(msg, MSG_HELLO, 4);
	qrexec_put_u32(msg + 8, version);
	fa->version = version < QREXEC_PROTOCOL_V3 ? version : QREXEC_PROTOCOL_V3;
	return fa_send(fa, msg, sizeof(msg));
}

int fa_handshake(struct fa *fa)
{
	int rc = fa_recv_hello(fa);

	return rc != 0 ? rc : fa_send_hello(fa, QREXEC_PROTOCOL_V3);
}

int fa_read_msg(struct fa *fa, uint64_t deadline, struct fa_msg *m)
{
	uint8_t untrusted_hdr[8];
	uint32_t max;
	int rc = vchan_recv(fa->v, untrusted_hdr, sizeof(untrusted_hdr), deadline);

	if (rc < 0)
		return rc;
	if (qrexec_hdr_decode(untrusted_hdr, sizeof(untrusted_hdr), &m->h) != QREXEC_OK ||
	    (rc = qrexec_hdr_check(&m->h, CHAN_CONTROL, PEER_DAEMON, fa->version, &max)) != QREXEC_OK)
		return fa_fail("the daemon sent a bad header (type 0x%x len %u): %s", m->h.type, m->h.len,
			       qrexec_strerror(rc));
	rc = m->h.len > 0 ? vchan_recv(fa->v, m->untrusted_payload, m->h.len, deadline) : 0;
	if (rc < 0)
		return fa_fail("the daemon sent a torn message (type 0x%x, %u bytes promised): %s",
			       m->h.type, m->h.len, strerror(-rc));
	return 0;
}

int fa_expect_close(struct fa *fa, unsigned refusals)
{
	uint64_t start = now_ms(), deadline = start + fa->close_ms;
	struct qrexec_service_refused r;
	static struct fa_msg m;
	unsigned got = 0;

	for (;;) {
		int rc = fa_read_msg(fa, deadline, &m);

		if (rc == -EPIPE)
			break;
		if (rc == -ETIMEDOUT)
			return fa_fail("the daemon did not close the channel within %llu ms",
				       (unsigned long long)fa->close_ms);
		if (rc < 0)
			return fa_fail("reading: %s", strerror(-rc));
		if (rc > 0)
			return rc;
		if (m.h.type != MSG_SERVICE_REFUSED || ++got > refusals)
			return fa_fail("the daemon answered (type 0x%x) instead of closing", m.h.type);
		if (qrexec_service_refused_decode(m.untrusted_payload, m.h.len, &r) != QREXEC_OK)
			return fa_fail("malformed SERVICE_REFUSED");
	}
	if (got != refusals)
		return fa_fail("%u refusals before the close, expected %u", got, refusals);
	fa_note("the daemon closed the channel after %llu ms", (unsigned long long)(now_ms() - start));
	return FA_OK;
}

int fa_expect_refused(struct fa *fa, const char *id)
{
	struct qrexec_service_refused r;
	static struct fa_msg m;
	int rc = fa_read_msg(fa, now_ms() + FA_REPLY_MS, &m);

	if (rc < 0)
		return fa_fail("no answer to request %s: %s", id, strerror(-rc));
	if (rc > 0)
		return rc;
	if (m.h.type != MSG_SERVICE_REFUSED)
		return fa_fail("request %s: answer of type 0x%x, expected SERVICE_REFUSED", id, m.h.type);
	if (qrexec_service_refused_decode(m.untrusted_payload, m.h.len, &r) != QREXEC_OK ||
	    strncmp(r.request_id, id, sizeof(r.request_id)) != 0)
		return fa_fail("request %s: refusal names another request", id);
	return 0;
}

int fa_expect_open(struct fa *fa)
{
	uint8_t untrusted_b;
	uint64_t deadline = now_ms() + FA_QUIET_MS;

	for (;;) {
		ssize_t n = vchan_read(fa->v, &untrusted_b, 1);

		if (n == -EPIPE)
			return fa_fail("the daemon closed a channel that should stay open");
		if (n < 0)
			return fa_fail("read: %s", strerror((int)-n));
		if (n > 0)
			return fa_fail("unexpected byte 0x%02x from the daemon", untrusted_b);
		if (vchan_wait(fa->v, deadline) == -ETIMEDOUT)
			return 0;
	}
}

int fa_valid_roundtrip(struct fa *fa, const char *id)
{
	static struct fa_buf m;
	int rc;

	fa_t3(&m, "dom0", id, "test.Service+arg");
	if ((rc = fa_send(fa, m.b, m.len)) != 0)
		return rc;
	if (fa->daemon_closed)
		return fa_fail("the daemon closed the channel on a valid request");
	return fa_expect_refused(fa, id);
}

void fa_t3(struct fa_buf *m, const char *target, const char *id, const char *service)
{
	if (qrexec_trigger3_encode(target, id, service, m->b, sizeof(m->b), &m->len) != QREXEC_OK) {
		fa_note("cannot encode a valid request (%s, %s)", target, id);
		m->len = 0;
	}
}

void fa_t3_raw(struct fa_buf *m, const void *target, size_t tlen, const void *id, size_t ilen,
	       const void *name, size_t nlen)
{
	uint8_t *p = m->b + QREXEC_HDR_SIZE;

	if (tlen > TARGET_DOMAIN_SIZE_V3 || ilen > REQUEST_ID_SIZE ||
	    nlen > sizeof(m->b) - QREXEC_HDR_SIZE - QREXEC_TRIGGER3_FIXED) {
		m->len = 0;
		return;
	}
	memset(p, 0, QREXEC_TRIGGER3_FIXED);
	memcpy(p, target, tlen);
	memcpy(p + TARGET_DOMAIN_SIZE_V3, id, ilen);
	memcpy(p + QREXEC_TRIGGER3_FIXED, name, nlen);
	qrexec_put_hdr(m->b, MSG_TRIGGER_SERVICE3, (uint32_t)(QREXEC_TRIGGER3_FIXED + nlen));
	m->len = QREXEC_HDR_SIZE + QREXEC_TRIGGER3_FIXED + nlen;
}

void fa_raw(struct fa_buf *m, uint32_t type, uint32_t len, size_t paylen)
{
	if (paylen > sizeof(m->b) - QREXEC_HDR_SIZE)
		paylen = sizeof(m->b) - QREXEC_HDR_SIZE;
	qrexec_put_hdr(m->b, type, len);
	memset(m->b + QREXEC_HDR_SIZE, 'A', paylen);
	m->len = QREXEC_HDR_SIZE + paylen;
}

void fa_append(struct fa_buf *m, const void *p, size_t n)
{
	if (n > sizeof(m->b) - m->len)
		n = sizeof(m->b) - m->len;
	memcpy(m->b + m->len, p, n);
	m->len += n;
}
