/* fake-agent: the attacks.  Most are one malformed message after a
 * normal HELLO exchange, built from a well-formed one (the encoders'
 * output) and then broken in exactly one way; the daemon must close the
 * channel without answering.  The rest (HELLO, stalls, EOF, floods)
 * have their own functions.  SPEC/qrexec.md, "Validation". */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/io.h"
#include "tests/hostile/fake_agent.h"

#define T3_HDR   QREXEC_HDR_SIZE
#define T3_ID    (T3_HDR + TARGET_DOMAIN_SIZE_V3)
#define T3_NAME  (T3_HDR + QREXEC_TRIGGER3_FIXED)
#define S(lit)   lit, sizeof(lit) - 1      /* bytes of a literal, without its NUL */

/* ---- one malformed message after HELLO ---- */

static void b_data_stdin(struct fa_buf *m) { fa_raw(m, MSG_DATA_STDIN, 5, 5); }
static void b_data_eof(struct fa_buf *m) { fa_raw(m, MSG_DATA_STDIN, 0, 0); }
static void b_data_exit(struct fa_buf *m) { fa_raw(m, MSG_DATA_EXIT_CODE, 4, 4); }
static void b_type_unknown(struct fa_buf *m) { fa_raw(m, 0x999, 0, 0); }
static void b_type_zero(struct fa_buf *m) { fa_raw(m, 0, 0, 0); }
static void b_type_max(struct fa_buf *m) { fa_raw(m, 0xffffffffu, 4, 4); }
static void b_trigger4(struct fa_buf *m) { fa_raw(m, MSG_TRIGGER_SERVICE4, 200, 200); }
static void b_huge_len(struct fa_buf *m) { fa_raw(m, MSG_TRIGGER_SERVICE3, 0xffffffffu, 64); }
static void b_huge_len_unknown(struct fa_buf *m) { fa_raw(m, 0x999, 0xffffffffu, 64); }
static void b_huge_len_ct(struct fa_buf *m) { fa_raw(m, MSG_CONNECTION_TERMINATED, 0xffffffffu, 64); }
static void b_half_len(struct fa_buf *m) { fa_raw(m, MSG_TRIGGER_SERVICE3, 0x80000000u, 64); }

static void b_t3_len0(struct fa_buf *m) { fa_raw(m, MSG_TRIGGER_SERVICE3, 0, 0); }
static void b_t3_len1(struct fa_buf *m) { fa_raw(m, MSG_TRIGGER_SERVICE3, 1, 1); }
static void b_t3_len96(struct fa_buf *m)
{
	fa_t3(m, "dom0", "r1", "test.Service");
	qrexec_put_u32(m->b + 4, QREXEC_TRIGGER3_FIXED);
	m->len = T3_NAME;
}

/* len - 96 = 65001: a name of 65000 bytes and its NUL. */
static void b_t3_too_long(struct fa_buf *m)
{
	static uint8_t name[MAX_SERVICE_NAME_LEN + 1];

	memset(name, 'a', MAX_SERVICE_NAME_LEN);
	name[MAX_SERVICE_NAME_LEN] = 0;
	fa_t3_raw(m, S("dom0"), S("r1"), name, sizeof(name));
}

static void b_t3_no_nul(struct fa_buf *m) { fa_t3_raw(m, S("dom0"), S("r1"), S("test.Service")); }
/* QSB-089: the NUL one byte early (and the last byte a NUL too). */
static void b_t3_nul_early(struct fa_buf *m) { fa_t3_raw(m, S("dom0"), S("r1"), S("test.Service\0\0")); }
/* The NUL one byte early and something after it. */
static void b_t3_nul_early_x(struct fa_buf *m) { fa_t3_raw(m, S("dom0"), S("r1"), S("test.Service\0x")); }
static void b_t3_nul_middle(struct fa_buf *m) { fa_t3_raw(m, S("dom0"), S("r1"), S("test\0Service\0")); }
static void b_t3_target_trail(struct fa_buf *m) { fa_t3_raw(m, S("dom0\0X"), S("r1"), S("test.Service\0")); }
static void b_t3_reqid_trail(struct fa_buf *m) { fa_t3_raw(m, S("dom0"), S("r1\0X"), S("test.Service\0")); }

static void b_t3_target_nonul(struct fa_buf *m)
{
	uint8_t t[TARGET_DOMAIN_SIZE_V3];

	memset(t, 'a', sizeof(t));
	fa_t3_raw(m, t, sizeof(t), S("r1"), S("test.Service\0"));
}

static void b_t3_reqid_nonul(struct fa_buf *m)
{
	uint8_t id[REQUEST_ID_SIZE];

	memset(id, '1', sizeof(id));
	fa_t3_raw(m, S("dom0"), id, sizeof(id), S("test.Service\0"));
}

static void b_svc_slash(struct fa_buf *m) { fa_t3_raw(m, S("dom0"), S("r1"), S("test/Service\0")); }
static void b_svc_dotdot(struct fa_buf *m) { fa_t3_raw(m, S("dom0"), S("r1"), S("test+../../x\0")); }
static void b_svc_space(struct fa_buf *m) { fa_t3_raw(m, S("dom0"), S("r1"), S("test Service\0")); }
static void b_svc_newline(struct fa_buf *m) { fa_t3_raw(m, S("dom0"), S("r1"), S("test\nService\0")); }
static void b_svc_highbit(struct fa_buf *m) { fa_t3_raw(m, S("dom0"), S("r1"), S("t\xc3\xa9st\0")); }
static void b_svc_empty(struct fa_buf *m) { fa_t3_raw(m, S("dom0"), S("r1"), S("\0")); }
static void b_svc_plus(struct fa_buf *m) { fa_t3_raw(m, S("dom0"), S("r1"), S("+test.Service\0")); }
static void b_svc_plus_only(struct fa_buf *m) { fa_t3_raw(m, S("dom0"), S("r1"), S("+\0")); }

static void b_target_slash(struct fa_buf *m) { fa_t3_raw(m, S("../dom0"), S("r1"), S("test.Service\0")); }
static void b_target_semicolon(struct fa_buf *m) { fa_t3_raw(m, S("dom0;x"), S("r1"), S("test.Service\0")); }
static void b_target_empty(struct fa_buf *m) { fa_t3_raw(m, S(""), S("r1"), S("test.Service\0")); }
static void b_target_anyvm(struct fa_buf *m) { fa_t3_raw(m, S("@anyvm"), S("r1"), S("test.Service\0")); }
static void b_target_dollar(struct fa_buf *m) { fa_t3_raw(m, S("$dispvm"), S("r1"), S("test.Service\0")); }
static void b_target_reserved(struct fa_buf *m) { fa_t3_raw(m, S("Domain-0"), S("r1"), S("test.Service\0")); }
static void b_target_dm(struct fa_buf *m) { fa_t3_raw(m, S("work-dm"), S("r1"), S("test.Service\0")); }
static void b_target_highbit(struct fa_buf *m) { fa_t3_raw(m, S("w\xc3\xb6rk"), S("r1"), S("test.Service\0")); }

static void b_reqid_slash(struct fa_buf *m) { fa_t3_raw(m, S("dom0"), S("a/b"), S("test.Service\0")); }
static void b_reqid_newline(struct fa_buf *m) { fa_t3_raw(m, S("dom0"), S("a\nb"), S("test.Service\0")); }
static void b_reqid_percent(struct fa_buf *m) { fa_t3_raw(m, S("dom0"), S("%s%n"), S("test.Service\0")); }
static void b_reqid_empty(struct fa_buf *m) { fa_t3_raw(m, S("dom0"), S(""), S("test.Service\0")); }

static void b_t2_at_v3(struct fa_buf *m)
{
	if (qrexec_trigger2_encode("dom0", "r1", "test.Service", m->b, sizeof(m->b), &m->len) != QREXEC_OK)
		m->len = 0;
}

static void conn_term(struct fa_buf *m, uint32_t len, uint32_t domid, uint32_t port)
{
	uint8_t p[16] = { 0 };

	qrexec_put_u32(p, domid);
	qrexec_put_u32(p + 4, port);
	qrexec_put_hdr(m->b, MSG_CONNECTION_TERMINATED, len);
	m->len = T3_HDR;
	fa_append(m, p, len < sizeof(p) ? len : sizeof(p));
}

static void b_ct_len0(struct fa_buf *m) { conn_term(m, 0, 0, 513); }
static void b_ct_len7(struct fa_buf *m) { conn_term(m, 7, 0, 513); }
static void b_ct_len9(struct fa_buf *m) { conn_term(m, 9, 0, 513); }
static void b_ct_port0(struct fa_buf *m) { conn_term(m, 8, 0, 0); }
static void b_ct_port512(struct fa_buf *m) { conn_term(m, 8, 0, VCHAN_BASE_PORT); }
static void b_ct_port_huge(struct fa_buf *m) { conn_term(m, 8, 0, 0x10000); }
static void b_ct_domid(struct fa_buf *m) { conn_term(m, 8, QREXEC_DOMID_MAX + 1, 513); }

/* Messages only dom0 sends, sent by the qube. */
static void b_exec_cmdline(struct fa_buf *m)
{
	if (qrexec_exec_encode(MSG_EXEC_CMDLINE, 0, 513, "root", false, "id", m->b, sizeof(m->b), &m->len) !=
	    QREXEC_OK)
		m->len = 0;
}

static void b_just_exec(struct fa_buf *m)
{
	if (qrexec_exec_encode(MSG_JUST_EXEC, 0, 513, "root", false, "id", m->b, sizeof(m->b), &m->len) !=
	    QREXEC_OK)
		m->len = 0;
}

static void b_service_connect(struct fa_buf *m)
{
	if (qrexec_service_connect_encode(0, 513, "r1", m->b, sizeof(m->b), &m->len) != QREXEC_OK)
		m->len = 0;
}

static void b_service_refused(struct fa_buf *m)
{
	if (qrexec_service_refused_encode("r1", m->b, sizeof(m->b), &m->len) != QREXEC_OK)
		m->len = 0;
}

static void b_hello_again(struct fa_buf *m)
{
	if (qrexec_hello_encode(QREXEC_PROTOCOL_V3, m->b, sizeof(m->b), &m->len) != QREXEC_OK)
		m->len = 0;
}

/* A valid request, then garbage in the same write: answered, then closed. */
static void b_valid_then_garbage(struct fa_buf *m)
{
	static const uint8_t garbage[] = { 0x99, 0x09, 0, 0, 0, 0, 0, 0, 'j', 'u', 'n', 'k' };

	fa_t3(m, "dom0", "v1", "test.Service+arg");
	fa_append(m, garbage, sizeof(garbage));
}

/* A valid request, then a request with a bad service name. */
static void b_valid_then_bad(struct fa_buf *m)
{
	static struct fa_buf bad;

	fa_t3(m, "dom0", "v1", "test.Service+arg");
	b_svc_slash(&bad);
	fa_append(m, bad.b, bad.len);
}

/* ---- attacks with their own sequence ---- */

/* Well-formed requests are answered and the channel stays open: the
 * control for every negative case, including the length limits. */
static int a_valid(struct fa *fa)
{
	static const char *const targets[] = { "dom0", "@default", "@adminvm", "@dispvm", "@dispvm:work",
					       "@dispvm:@tag:t-1", "work", "a.b_c-d" };
	static uint8_t name[MAX_SERVICE_NAME_LEN];
	static struct fa_buf m;
	int rc;

	if ((rc = fa_handshake(fa)) != 0 || (rc = fa_valid_roundtrip(fa, "valid1")) != 0 ||
	    (rc = fa_expect_open(fa)) != 0)
		return rc;
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		fa_t3(&m, targets[i], "id with space.-_", "a+b+c");
		if ((rc = fa_send(fa, m.b, m.len)) != 0 || (rc = fa_expect_refused(fa, "id with space.-_")) != 0)
			return rc;
	}
	/* The longest name: len - 96 = 65000 exactly. */
	memset(name, 'b', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	fa_t3_raw(&m, S("dom0"), S("longest"), name, sizeof(name));
	if ((rc = fa_send(fa, m.b, m.len)) != 0 || (rc = fa_expect_refused(fa, "longest")) != 0)
		return rc;
	/* The shortest: one byte and its NUL; a 31-byte request id. */
	fa_t3_raw(&m, S("dom0"), S("0123456789012345678901234567890"), S("x\0"));
	if ((rc = fa_send(fa, m.b, m.len)) != 0 ||
	    (rc = fa_expect_refused(fa, "0123456789012345678901234567890")) != 0)
		return rc;
	/* A report for a channel the qube does not have: ignored, not fatal. */
	conn_term(&m, 8, 0, 600);
	if ((rc = fa_send(fa, m.b, m.len)) != 0 || (rc = fa_valid_roundtrip(fa, "valid2")) != 0)
		return rc;
	return fa_expect_open(fa);
}

/* A HELLO of the wrong length: the daemon reads 12 bytes whatever the
 * header says, so send 12. */
static int a_hello_len(struct fa *fa, uint32_t len)
{
	uint8_t msg[16] = { 0 };
	int rc;

	qrexec_put_hdr(msg, MSG_HELLO, len);
	qrexec_put_u32(msg + 8, QREXEC_PROTOCOL_V3);
	if ((rc = fa_recv_hello(fa)) != 0 || (rc = fa_send(fa, msg, 8 + (len > 8 ? 8 : 4))) != 0)
		return rc;
	return fa_expect_close(fa, 0);
}

static int a_hello_len0(struct fa *fa) { return a_hello_len(fa, 0); }
static int a_hello_len8(struct fa *fa) { return a_hello_len(fa, 8); }

/* Something else where HELLO belongs. */
static int a_hello_type(struct fa *fa, void (*build)(struct fa_buf *))
{
	static struct fa_buf m;
	int rc;

	build(&m);
	if ((rc = fa_recv_hello(fa)) != 0 || (rc = fa_send(fa, m.b, m.len)) != 0)
		return rc;
	return fa_expect_close(fa, 0);
}

static void b_valid(struct fa_buf *m) { fa_t3(m, "dom0", "r1", "test.Service"); }
static int a_hello_trigger(struct fa *fa) { return a_hello_type(fa, b_valid); }
static int a_hello_data(struct fa *fa) { return a_hello_type(fa, b_data_stdin); }

static int a_hello_version(struct fa *fa, uint32_t v)
{
	int rc;

	if ((rc = fa_recv_hello(fa)) != 0 || (rc = fa_send_hello(fa, v)) != 0)
		return rc;
	return fa_expect_close(fa, 0);
}

static int a_hello_v0(struct fa *fa) { return a_hello_version(fa, 0); }
static int a_hello_v1(struct fa *fa) { return a_hello_version(fa, 1); }

/* A huge version negotiates down to 3 (both use the lower one); the
 * channel then works, and a data message on it is still fatal. */
static int a_hello_huge(struct fa *fa)
{
	static struct fa_buf m;
	int rc;

	if ((rc = fa_recv_hello(fa)) != 0 || (rc = fa_send_hello(fa, 0xffffffffu)) != 0 ||
	    (rc = fa_valid_roundtrip(fa, "huge1")) != 0)
		return rc;
	b_data_stdin(&m);
	if ((rc = fa_send(fa, m.b, m.len)) != 0)
		return rc;
	return fa_expect_close(fa, 0);
}

/* A version-2 peer: TRIGGER_SERVICE works, TRIGGER_SERVICE3 is fatal. */
static int a_hello_v2(struct fa *fa)
{
	static struct fa_buf m;
	int rc;

	if ((rc = fa_recv_hello(fa)) != 0 || (rc = fa_send_hello(fa, QREXEC_PROTOCOL_V2)) != 0)
		return rc;
	b_t2_at_v3(&m);
	if ((rc = fa_send(fa, m.b, m.len)) != 0 || (rc = fa_expect_refused(fa, "r1")) != 0)
		return rc;
	b_valid(&m);
	if ((rc = fa_send(fa, m.b, m.len)) != 0)
		return rc;
	return fa_expect_close(fa, 0);
}

/* Part of a HELLO, or nothing, then silence: the daemon gives up at its
 * --timeout (the script sets --deadline above it). */
static int a_hello_stall(struct fa *fa)
{
	uint8_t msg[12];
	int rc;

	qrexec_put_hdr(msg, MSG_HELLO, 4);
	if ((rc = fa_recv_hello(fa)) != 0 || (rc = fa_send(fa, msg, 5)) != 0)
		return rc;
	return fa_expect_close(fa, 0);
}

static int a_hello_none(struct fa *fa)
{
	int rc = fa_recv_hello(fa);

	return rc != 0 ? rc : fa_expect_close(fa, 0);
}

/* Part of a message, then silence or EOF. */
static int partial(struct fa *fa, size_t hdr_bytes, bool eof)
{
	static struct fa_buf m;
	int rc;

	fa_t3(&m, "dom0", "r1", "test.Service");
	if (hdr_bytes == 0) {            /* the whole header, half the payload */
		qrexec_put_u32(m.b + 4, 200);
		hdr_bytes = T3_HDR + 50;
	}
	if ((rc = fa_handshake(fa)) != 0 || (rc = fa_send(fa, m.b, hdr_bytes)) != 0)
		return rc;
	if (!eof)
		return fa_expect_close(fa, 0);
	/* The daemon's reaction is in its log and exit status (the script). */
	vchan_close(fa->v);
	fa->v = NULL;
	return FA_OK;
}

static int a_trunc_header(struct fa *fa) { return partial(fa, 5, false); }
static int a_trunc_header_eof(struct fa *fa) { return partial(fa, 5, true); }
static int a_payload_stall(struct fa *fa) { return partial(fa, 0, false); }
static int a_payload_eof(struct fa *fa) { return partial(fa, 0, true); }

/* A well-formed request one byte per interval (FA_SLOW_MS in the
 * environment, default 1000): the daemon must cut it off long before
 * the message is complete. */
static int a_slowloris(struct fa *fa)
{
	const char *env = getenv("FA_SLOW_MS");
	unsigned long interval = env != NULL ? strtoul(env, NULL, 10) : 1000;
	static struct fa_buf m;
	uint64_t start;
	int rc;

	b_valid(&m);
	if ((rc = fa_handshake(fa)) != 0)
		return rc;
	start = now_ms();
	for (size_t i = 0; i < m.len && !fa->daemon_closed; i++) {
		uint8_t untrusted_b;
		ssize_t n;

		if ((rc = fa_send(fa, m.b + i, 1)) != 0)
			return rc;
		/* Sleep on the channel: its close ends the wait. */
		if (vchan_wait(fa->v, now_ms() + interval) < 0)
			continue;
		if ((n = vchan_read(fa->v, &untrusted_b, 1)) == -EPIPE)
			fa->daemon_closed = true;
		else if (n != 0)
			return fa_fail("the daemon answered a partial message");
	}
	fa_note("%llu ms into the message", (unsigned long long)(now_ms() - start));
	return fa_expect_close(fa, 0);
}

/* ---- floods ---- */

struct flood {
	unsigned n;            /* requests to send */
	size_t name_len;       /* service name length (>= 12) */
	bool read;             /* reading answers (from the start, or after noread_ms) */
	bool read_all_along;
	uint64_t noread_ms;    /* without reading: send for this long, then read */
	unsigned sent, answered, gaps;
	size_t off;            /* bytes of the current request already sent */
	struct fa_buf m;
};

static void flood_build(struct flood *f)
{
	static uint8_t name[MAX_SERVICE_NAME_LEN];
	char id[REQUEST_ID_SIZE];
	int n = snprintf(id, sizeof(id), "f%u", f->sent);

	memset(name, 'n', f->name_len);
	memcpy(name, "test.Flood+", 11);
	name[f->name_len] = 0;
	fa_t3_raw(&f->m, S("dom0"), id, (size_t)n, name, f->name_len + 1);
	f->off = 0;
}

/* Writes as much as the channel takes now: 1 if something went, 0 if
 * not, -1 on error. */
static int flood_write(struct fa *fa, struct flood *f)
{
	int progress = 0;

	while (f->sent < f->n && !fa->daemon_closed) {
		ssize_t w = vchan_write(fa->v, f->m.b + f->off, f->m.len - f->off);

		if (w == -EPIPE)
			fa->daemon_closed = true;
		if (w == -EPIPE || w == 0)
			break;
		if (w < 0) {
			fa_note("write: %s", strerror((int)-w));
			return -1;
		}
		progress = 1;
		f->off += (size_t)w;
		if (f->off == f->m.len && ++f->sent < f->n)
			flood_build(f);
	}
	return progress;
}

/* Reads the answers that are there (all when `all`): each must be a
 * whole SERVICE_REFUSED for a later request than the last, in order; a
 * request may go unanswered (a gap) when the daemon could not send, but
 * no message may be torn or out of order.  0, -EPIPE, -ETIMEDOUT, or
 * FA_BAD. */
static int flood_read(struct fa *fa, struct flood *f, bool all)
{
	struct qrexec_service_refused r;
	static struct fa_msg msg;

	while (f->answered < f->sent && (all || vchan_data_ready(fa->v) >= QREXEC_HDR_SIZE)) {
		unsigned long k;
		char *end;
		int rc = fa_read_msg(fa, now_ms() + FA_REPLY_MS, &msg);

		if (rc != 0)
			return rc;
		if (msg.h.type != MSG_SERVICE_REFUSED ||
		    qrexec_service_refused_decode(msg.untrusted_payload, msg.h.len, &r) != QREXEC_OK || r.request_id[0] != 'f')
			return fa_fail("unexpected answer of type 0x%x", msg.h.type);
		k = strtoul(r.request_id + 1, &end, 10);
		if (*end != '\0' || k < f->answered || k >= f->sent)
			return fa_fail("answer for request %s out of order (expected f%u)", r.request_id,
				       f->answered);
		f->gaps += (unsigned)(k - f->answered);
		f->answered = (unsigned)k + 1;
	}
	return 0;
}

static int flood(struct fa *fa, struct flood *f)
{
	uint64_t start = now_ms(), last = start;
	int rc = 0;

	if ((rc = fa_handshake(fa)) != 0)
		return rc;
	f->read_all_along = f->read;
	flood_build(f);
	while (!fa->daemon_closed && (f->sent < f->n || f->answered < f->sent)) {
		struct pollfd p = { .fd = vchan_fd(fa->v),
				    .events = vchan_poll_events(fa->v, f->sent < f->n) };
		unsigned before = f->answered;

		/* Not reading: the unread answers keep POLLIN set, so wait
		 * only for ring space (POLLOUT, where the transport signals
		 * it so) or for the 100 ms below, not spin beside the daemon
		 * whose CPU use the test measures. */
		if (!f->read)
			p.events = f->sent < f->n && (p.events & POLLOUT) ? POLLOUT : f->sent < f->n ? p.events : 0;

		if ((rc = flood_write(fa, f)) < 0)
			return FA_BAD;
		if (rc > 0)
			last = now_ms();
		if (!f->read && now_ms() - start > f->noread_ms) {
			/* Finish the request in flight, send no more, read. */
			fa_note("%u requests taken without reading in %llu ms", f->sent,
				(unsigned long long)(now_ms() - start));
			f->n = f->sent + (f->off > 0);
			f->read = true;
			last = now_ms();
		}
		if (f->read) {
			rc = flood_read(fa, f, false);
			if (rc == -EPIPE)
				fa->daemon_closed = true;
			else if (rc != 0)
				return rc == -ETIMEDOUT ? fa_fail("an answer stopped halfway") : rc;
			if (f->answered != before)
				last = now_ms();
			if (now_ms() - last > FA_REPLY_MS + 1000u)
				break;      /* the rest went unanswered (or worse: see below) */
		}
		if (poll(&p, 1, 100) > 0)
			(void)vchan_wait(fa->v, 0);
	}
	fa_note("%u requests sent in %llu ms%s", f->sent, (unsigned long long)(now_ms() - start),
		fa->daemon_closed ? "; the daemon closed the channel" : "");
	/* Whatever the daemon still sends must be whole answers in order. */
	rc = flood_read(fa, f, true);
	if (rc > 0)
		return rc;
	fa_note("%u answered, %u unanswered in between, %u at the end (%s) after %llu ms", f->answered - f->gaps,
		f->gaps, f->sent - f->answered, rc == 0 ? "all read" : strerror(-rc),
		(unsigned long long)(now_ms() - start));
	if (f->read_all_along && !fa->daemon_closed && rc != -EPIPE && (f->gaps > 0 || f->answered != f->sent))
		return fa_fail("requests went unanswered although the agent read everything");
	printf("%s %u %u %u\n", fa->daemon_closed || rc == -EPIPE ? "dropped" : "kept-up", f->sent,
	       f->answered - f->gaps, f->sent - (f->answered - f->gaps));
	return FA_OK;
}

static unsigned arg_uint(int argc, char **argv, int i, unsigned dflt)
{
	return argc > i ? (unsigned)strtoul(argv[i], NULL, 10) : dflt;
}

/* flood [N [NAME_LEN]]: requests while reading every answer.  Prints
 * "kept-up|dropped SENT ANSWERED UNANSWERED". */
static int a_flood(struct fa *fa, int argc, char **argv)
{
	static struct flood f;

	f.n = arg_uint(argc, argv, 1, 20000);
	f.name_len = arg_uint(argc, argv, 2, 16);
	f.read = true;
	return flood(fa, &f);
}

/* flood-noread [N [NAME_LEN [MS]]]: requests without reading any answer
 * for MS (default 8000, longer than the daemon's send timeout), then
 * every answer the daemon sends. */
static int a_flood_noread(struct fa *fa, int argc, char **argv)
{
	static struct flood f;

	f.n = arg_uint(argc, argv, 1, 1000000);
	f.name_len = arg_uint(argc, argv, 2, 16);
	f.noread_ms = arg_uint(argc, argv, 3, 8000);
	f.read = false;
	return flood(fa, &f);
}

/* ---- the table ---- */

struct attack {
	const char *name;
	void (*build)(struct fa_buf *m);   /* send after HELLO, expect the close */
	unsigned refusals;                 /* valid requests in what build() makes */
	int (*run)(struct fa *fa);         /* or a sequence of its own */
	int (*run_args)(struct fa *fa, int argc, char **argv);
};

static const struct attack attacks[] = {
	{ "valid", NULL, 0, a_valid, NULL },
	{ "hello-len0", NULL, 0, a_hello_len0, NULL },
	{ "hello-len8", NULL, 0, a_hello_len8, NULL },
	{ "hello-trigger", NULL, 0, a_hello_trigger, NULL },
	{ "hello-data", NULL, 0, a_hello_data, NULL },
	{ "hello-v0", NULL, 0, a_hello_v0, NULL },
	{ "hello-v1", NULL, 0, a_hello_v1, NULL },
	{ "hello-huge", NULL, 0, a_hello_huge, NULL },
	{ "hello-v2", NULL, 0, a_hello_v2, NULL },
	{ "hello-stall", NULL, 0, a_hello_stall, NULL },
	{ "hello-none", NULL, 0, a_hello_none, NULL },
	{ "hello-again", b_hello_again, 0, NULL, NULL },
	{ "data-stdin", b_data_stdin, 0, NULL, NULL },
	{ "data-eof", b_data_eof, 0, NULL, NULL },
	{ "data-exit", b_data_exit, 0, NULL, NULL },
	{ "type-unknown", b_type_unknown, 0, NULL, NULL },
	{ "type-zero", b_type_zero, 0, NULL, NULL },
	{ "type-max", b_type_max, 0, NULL, NULL },
	{ "trigger4", b_trigger4, 0, NULL, NULL },
	{ "trunc-header", NULL, 0, a_trunc_header, NULL },
	{ "trunc-header-eof", NULL, 0, a_trunc_header_eof, NULL },
	{ "payload-stall", NULL, 0, a_payload_stall, NULL },
	{ "payload-eof", NULL, 0, a_payload_eof, NULL },
	{ "huge-len", b_huge_len, 0, NULL, NULL },
	{ "huge-len-unknown", b_huge_len_unknown, 0, NULL, NULL },
	{ "huge-len-ct", b_huge_len_ct, 0, NULL, NULL },
	{ "half-len", b_half_len, 0, NULL, NULL },
	{ "t3-len0", b_t3_len0, 0, NULL, NULL },
	{ "t3-len1", b_t3_len1, 0, NULL, NULL },
	{ "t3-len96", b_t3_len96, 0, NULL, NULL },
	{ "t3-too-long", b_t3_too_long, 0, NULL, NULL },
	{ "t3-no-nul", b_t3_no_nul, 0, NULL, NULL },
	{ "t3-nul-early", b_t3_nul_early, 0, NULL, NULL },
	{ "t3-nul-early-x", b_t3_nul_early_x, 0, NULL, NULL },
	{ "t3-nul-middle", b_t3_nul_middle, 0, NULL, NULL },
	{ "t3-target-trailing", b_t3_target_trail, 0, NULL, NULL },
	{ "t3-reqid-trailing", b_t3_reqid_trail, 0, NULL, NULL },
	{ "t3-target-no-nul", b_t3_target_nonul, 0, NULL, NULL },
	{ "t3-reqid-no-nul", b_t3_reqid_nonul, 0, NULL, NULL },
	{ "svc-slash", b_svc_slash, 0, NULL, NULL },
	{ "svc-dotdot", b_svc_dotdot, 0, NULL, NULL },
	{ "svc-space", b_svc_space, 0, NULL, NULL },
	{ "svc-newline", b_svc_newline, 0, NULL, NULL },
	{ "svc-highbit", b_svc_highbit, 0, NULL, NULL },
	{ "svc-empty", b_svc_empty, 0, NULL, NULL },
	{ "svc-plus", b_svc_plus, 0, NULL, NULL },
	{ "svc-plus-only", b_svc_plus_only, 0, NULL, NULL },
	{ "target-slash", b_target_slash, 0, NULL, NULL },
	{ "target-semicolon", b_target_semicolon, 0, NULL, NULL },
	{ "target-empty", b_target_empty, 0, NULL, NULL },
	{ "target-anyvm", b_target_anyvm, 0, NULL, NULL },
	{ "target-dollar", b_target_dollar, 0, NULL, NULL },
	{ "target-reserved", b_target_reserved, 0, NULL, NULL },
	{ "target-dm", b_target_dm, 0, NULL, NULL },
	{ "target-highbit", b_target_highbit, 0, NULL, NULL },
	{ "reqid-slash", b_reqid_slash, 0, NULL, NULL },
	{ "reqid-newline", b_reqid_newline, 0, NULL, NULL },
	{ "reqid-percent", b_reqid_percent, 0, NULL, NULL },
	{ "reqid-empty", b_reqid_empty, 0, NULL, NULL },
	{ "t2-at-v3", b_t2_at_v3, 0, NULL, NULL },
	{ "ct-len0", b_ct_len0, 0, NULL, NULL },
	{ "ct-len7", b_ct_len7, 0, NULL, NULL },
	{ "ct-len9", b_ct_len9, 0, NULL, NULL },
	{ "ct-port0", b_ct_port0, 0, NULL, NULL },
	{ "ct-port512", b_ct_port512, 0, NULL, NULL },
	{ "ct-port-huge", b_ct_port_huge, 0, NULL, NULL },
	{ "ct-domid", b_ct_domid, 0, NULL, NULL },
	{ "exec-cmdline", b_exec_cmdline, 0, NULL, NULL },
	{ "just-exec", b_just_exec, 0, NULL, NULL },
	{ "service-connect", b_service_connect, 0, NULL, NULL },
	{ "service-refused", b_service_refused, 0, NULL, NULL },
	{ "valid-then-garbage", b_valid_then_garbage, 1, NULL, NULL },
	{ "valid-then-bad", b_valid_then_bad, 1, NULL, NULL },
	{ "slowloris", NULL, 0, a_slowloris, NULL },
	{ "flood", NULL, 0, NULL, a_flood },
	{ "flood-noread", NULL, 0, NULL, a_flood_noread },
};

void fa_list_attacks(void)
{
	for (size_t i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++)
		printf("%s\n", attacks[i].name);
}

int fa_run_attack(struct fa *fa, const char *mode, int argc, char **argv, bool *found)
{
	static struct fa_buf m;
	int rc;

	for (size_t i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++) {
		const struct attack *a = &attacks[i];

		if (strcmp(a->name, mode) != 0)
			continue;
		*found = true;
		if ((rc = fa_connect(fa)) != 0)
			return rc;
		if (a->run != NULL)
			return a->run(fa);
		if (a->run_args != NULL)
			return a->run_args(fa, argc, argv);
		a->build(&m);
		if (m.len == 0)
			return fa_fail("cannot build the message");
		if ((rc = fa_handshake(fa)) != 0 || (rc = fa_send(fa, m.b, m.len)) != 0)
			return rc;
		return fa_expect_close(fa, a->refusals);
	}
	*found = false;
	return FA_USAGE;
}
