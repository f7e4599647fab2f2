/* fake-agent: a hostile qube's qrexec agent, for tests only.
 *
 * It connects to a qrexec-daemon's control channel as the qube's agent
 * (VCHAN_DOMAIN and VCHAN_SOCKET_DIR name the qube), speaks or breaks the
 * HELLO exchange, sends one attack, and checks what the daemon did: for
 * a protocol violation the daemon must close the channel (vchan_read
 * returns -EPIPE) before a deadline without answering.  It also plays a
 * well-behaved agent (`serve`) and a dom0 client of a daemon (`dom0-*`)
 * so that a test can check that the daemons it did not attack still
 * work.  tests/integration/qrexec_hostile.sh drives it.
 *
 * Exit status: 0 the daemon behaved as the mode expects, 1 it did not
 * (one line on stderr says how), 2 usage, 3 setup failure (no daemon). */
#ifndef BH_TESTS_FAKE_AGENT_H
#define BH_TESTS_FAKE_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/vchan.h"
#include "qrexec/msg_parse.h"

enum { FA_OK = 0, FA_BAD = 1, FA_USAGE = 2, FA_SETUP = 3 };

#define FA_CONNECT_MS  10000u   /* the daemon's socket must be there by then */
#define FA_REPLY_MS     5000u   /* an answer to a well-formed request */
#define FA_QUIET_MS      300u   /* a channel that must stay open is watched this long */
#define FA_CLOSE_MS     3000u   /* default time the daemon has to close after an attack */

/* A message as built for sending: the largest is a TRIGGER_SERVICE3 one
 * byte over its limit, plus room for a few bytes sent after it. */
#define FA_MSG_MAX (QREXEC_HDR_SIZE + QREXEC_TRIGGER3_FIXED + MAX_SERVICE_NAME_LEN + 64u)

struct fa {
	struct vchan *v;
	uint32_t version;       /* negotiated; QREXEC_VERSION_NONE before HELLO */
	uint64_t close_ms;      /* --deadline: how long the daemon has to close */
	bool daemon_closed;     /* a send already saw -EPIPE */
};

/* A message from the daemon, checked as an agent checks it. */
struct fa_msg {
	struct msg_header h;
	uint8_t untrusted_payload[QREXEC_MAX_PAYLOAD];
};

struct fa_buf {
	uint8_t b[FA_MSG_MAX];
	size_t len;
};

/* Prints "fake-agent: MODE: ..." on stderr; fa_fail returns FA_BAD. */
void fa_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int fa_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fa_set_mode(const char *mode);

/* Connects to dom0's daemon as the agent of VCHAN_DOMAIN: 0 or FA_SETUP. */
int fa_connect(struct fa *fa);
/* Reads the daemon's HELLO (must be exactly version 3): 0 or FA_BAD. */
int fa_recv_hello(struct fa *fa);
/* Sends a HELLO with `version` and records the version both now speak
 * (the lower one, as the daemon must compute it). */
int fa_send_hello(struct fa *fa, uint32_t version);
/* The normal exchange: fa_recv_hello, then our HELLO(3). */
int fa_handshake(struct fa *fa);

/* Sends bytes; -EPIPE (the daemon closed while we sent: fine for an
 * attack) sets daemon_closed and returns 0.  Other errors: FA_BAD. */
int fa_send(struct fa *fa, const void *buf, size_t len);
/* One whole message from the daemon before the deadline: 0, -EPIPE,
 * -ETIMEDOUT, or FA_BAD when the daemon sent something malformed. */
int fa_read_msg(struct fa *fa, uint64_t deadline, struct fa_msg *m);

/* The daemon must close the channel within fa->close_ms, having sent
 * exactly `refusals` SERVICE_REFUSED messages (for requests that were
 * valid) and nothing else. */
int fa_expect_close(struct fa *fa, unsigned refusals);
/* The next message is SERVICE_REFUSED for `id`. */
int fa_expect_refused(struct fa *fa, const char *id);
/* Nothing arrives and the channel stays open for FA_QUIET_MS. */
int fa_expect_open(struct fa *fa);
/* Sends a well-formed TRIGGER_SERVICE3 and expects its refusal. */
int fa_valid_roundtrip(struct fa *fa, const char *id);

/* Builders.  fa_t3 writes a well-formed TRIGGER_SERVICE3 (the encoder's
 * output); fa_t3_raw writes one from raw fields without any check: the
 * 64-byte target and 32-byte request-id fields are copied as given
 * (tlen/ilen bytes, the rest NUL) and the name is name[0..nlen) exactly,
 * with len = 96 + nlen. */
void fa_t3(struct fa_buf *m, const char *target, const char *id, const char *service);
void fa_t3_raw(struct fa_buf *m, const void *target, size_t tlen, const void *id, size_t ilen,
	       const void *name, size_t nlen);
/* A bare header (type, len) followed by `paylen` bytes of 'A'. */
void fa_raw(struct fa_buf *m, uint32_t type, uint32_t len, size_t paylen);
/* Appends bytes to m. */
void fa_append(struct fa_buf *m, const void *p, size_t n);

/* Modes, in attacks.c and serve.c.  argv[0] is the mode name. */
int fa_run_attack(struct fa *fa, const char *mode, int argc, char **argv, bool *found);
void fa_list_attacks(void);
int fa_serve(struct fa *fa);
int fa_dom0(const char *mode, int argc, char **argv, bool *found);

#endif
