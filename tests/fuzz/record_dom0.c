/* record-dom0: seeds for fuzz_qrexec_agent, what dom0's qrexec-daemon
 * sends an agent in the qrexec tests (tests/integration/qrexec_calls.sh,
 * qrexec_dom0.sh): its HELLO, EXEC_CMDLINE for the calls those tests
 * make (encoded as the daemon encodes them, qrexec_exec_rpc_encode),
 * JUST_EXEC, and SERVICE_CONNECT / SERVICE_REFUSED for a qube's own
 * requests; and the ways such a stream ends early (dom0 gone after the
 * HELLO, a message cut short, a v2 peer).  Each is written to DIR/NAME
 * behind the target's two option bytes.
 *
 *   record-dom0 DIR      (tests/fuzz/record-seeds.sh) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qrexec/msg_parse.h"

#define SEED_MAX 4096u

struct seed {
	uint8_t b[SEED_MAX];
	size_t len;
};

static void add(struct seed *s, int rc, const uint8_t *msg, size_t n)
{
	if (rc != QREXEC_OK || s->len + n > sizeof(s->b)) {
		fprintf(stderr, "record-dom0: cannot encode a message\n");
		exit(1);
	}
	memcpy(s->b + s->len, msg, n);
	s->len += n;
}

static void begin(struct seed *s, uint8_t opt0, uint8_t opt1, uint32_t version)
{
	uint8_t m[12];
	size_t n;
	int rc = qrexec_hello_encode(version, m, sizeof(m), &n);

	s->b[0] = opt0;
	s->b[1] = opt1;
	s->len = 2;
	add(s, rc, m, n);
}

/* A call the tests make into this qube (its daemon's EXEC_CMDLINE). */
static void call(struct seed *s, uint32_t port, const char *service, const char *source)
{
	static uint8_t m[SEED_MAX];
	size_t n;

	int rc = qrexec_exec_rpc_encode(2, port, "user", service, source, m, sizeof(m), &n);

	add(s, rc, m, n);
}

static void just_exec(struct seed *s, const char *user, bool nogui, const char *command)
{
	static uint8_t m[SEED_MAX];
	size_t n;

	int rc = qrexec_exec_encode(MSG_JUST_EXEC, 0, QREXEC_DATA_PORT_MIN, user, nogui, command, m, sizeof(m), &n);

	add(s, rc, m, n);
}

static void connect_to(struct seed *s, uint32_t domain, uint32_t port, const char *request_id)
{
	uint8_t m[64];
	size_t n;

	int rc = qrexec_service_connect_encode(domain, port, request_id, m, sizeof(m), &n);

	add(s, rc, m, n);
}

static void refused(struct seed *s, const char *request_id)
{
	uint8_t m[64];
	size_t n;

	int rc = qrexec_service_refused_encode(request_id, m, sizeof(m), &n);

	add(s, rc, m, n);
}

static void save(const char *dir, const char *name, const struct seed *s)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL || fwrite(s->b, 1, s->len, f) != s->len || fclose(f) != 0) {
		fprintf(stderr, "record-dom0: cannot write %s\n", path);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	static struct seed s;
	size_t cut;

	if (argc != 2) {
		fprintf(stderr, "usage: record-dom0 DIR\n");
		return 2;
	}
	/* qrexec_calls.sh's calls into personal, one message a round. */
	begin(&s, 0x00, 0x00, QREXEC_PROTOCOL_V3);
	call(&s, 513, "test.Echo+some.arg", "work");
	call(&s, 514, "test.Echo", "work");
	call(&s, 515, "test.Sock+x", "work");
	save(argv[1], "calls", &s);
	s.b[0] = 0x08;          /* all at once */
	save(argv[1], "calls-batch", &s);
	s.b[0] = 0x03;          /* every handler slot taken */
	save(argv[1], "calls-full", &s);
	s.b[0] = 0x06;          /* all but one taken, starts fail */
	save(argv[1], "calls-fail", &s);
	cut = s.len - 5;        /* the last call cut short */
	s.len = cut;
	s.b[0] = 0x00;
	save(argv[1], "calls-cut", &s);

	/* qrexec_dom0.sh: a call from dom0, and JUST_EXEC. */
	begin(&s, 0x00, 0x00, QREXEC_PROTOCOL_V3);
	call(&s, 516, "no.Such.Service+arg", "dom0");
	just_exec(&s, "root", false, "true");
	just_exec(&s, "user", true, "xterm");
	save(argv[1], "dom0", &s);

	/* The qube's own requests answered: callers "1".."3" waiting. */
	begin(&s, 0x00, 0x03, QREXEC_PROTOCOL_V3);
	connect_to(&s, 5, 517, "1");
	refused(&s, "2");
	refused(&s, "9");       /* a caller that gave up */
	connect_to(&s, 6, 518, "3");
	save(argv[1], "answers", &s);
	s.b[0] = 0x08;
	s.b[1] = 0x07;          /* the first not forwarded yet */
	save(argv[1], "answers-batch", &s);

	/* Calls and answers interleaved, at protocol version 2. */
	begin(&s, 0x00, 0x02, QREXEC_PROTOCOL_V2);
	call(&s, 519, "test.Echo", "work");
	connect_to(&s, 5, 520, "2");
	refused(&s, "1");
	save(argv[1], "v2", &s);

	/* dom0 gone after its HELLO; a HELLO cut short. */
	begin(&s, 0x00, 0x00, QREXEC_PROTOCOL_V3);
	save(argv[1], "hello-only", &s);
	s.len = 2 + 7;
	save(argv[1], "hello-cut", &s);
	return 0;
}
