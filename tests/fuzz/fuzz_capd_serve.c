/* libFuzzer target: capd's request handling, the real capd/capd_serve.c
 * (serve_add, serve_poll_fill, serve_poll_done) and capd_state.c, with a
 * fresh in-memory state per input, the real audit log (capd_audit.c) in
 * a temporary directory, and one connection: a socketpair whose far end
 * the harness writes the requests into, one at a time.
 *
 * Input: byte 0 chooses the caller (% 4: policyd's uid, qube 5's
 * qrexec-daemon's uid, root, a uid capd does not know); the rest is the
 * request stream, then the caller closes its side.
 *
 * The harness reads each request with the proved decoders (the model) and
 * asserts, request by request:
 *  - a malformed one (header, payload, cut short) closes the connection
 *    with no reply and changes no state: live capabilities, grants and
 *    the serialized grants are as before;
 *  - a well-formed one is answered in one well-framed reply (the reply
 *    decoders of capd_parse.c accept it for this type), and the
 *    connection stays open;
 *  - the permission table of SPEC/capabilities.md, restated: a caller
 *    not allowed the type gets WRONG_CALLER, so a qrexec-daemon never
 *    gets a mint answered, and root gets one only for dom0's own calls;
 *  - a refusal changes no state, and only a MINT or GRANT_CREATE
 *    answered OK adds a capability or a grant;
 *  - an unknown uid's connection is closed at once, unanswered;
 *  - no descriptor or memory is left behind. */
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "capd/capd_audit.h"
#include "capd/capd_int.h"
#include "capd/capd_state.h"
#include "lib/dom0_uids.h"
#include "lib/io.h"
#include "lib/log.h"
#include "tests/lib/lowest_fd.h"

#define DAEMON_QID 5u
#define AUDIT_ROTATE 2048u   /* inputs per audit log: the log grows with every request */

static char audit_dir[] = "/dev/shm/fuzz-capd-serve.XXXXXX";
static unsigned audit_runs;

static int commit_ok(void *ctx, const struct capd_state *s)
{
	struct strbuf sb;
	int rc;

	(void)ctx;
	sb_init(&sb, CAPD_GRANTS_FILE_MAX);
	rc = capd_state_grants_serialize(s, &sb);
	sb_free(&sb);
	return rc;
}

static const struct capd_hooks hooks = { NULL, commit_ok, NULL, NULL };

static void audit_fresh(void)
{
	DIR *dir;
	struct dirent *de;

	capd_audit_close();
	dir = opendir(audit_dir);
	assert(dir != NULL);
	while ((de = readdir(dir)) != NULL)
		if (de->d_name[0] != '.') {
			char p[sizeof(audit_dir) + 256];
			snprintf(p, sizeof(p), "%s/%s", audit_dir, de->d_name);
			assert(unlink(p) == 0);
		}
	closedir(dir);
	assert(capd_audit_open(audit_dir) == 0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_init("capd");
	/* Memory-backed when there is /dev/shm: the log syncs every record. */
	if (mkdtemp(audit_dir) == NULL) {
		snprintf(audit_dir, sizeof(audit_dir), "/tmp/fuzz-capd-serve.XXXXXX");
		assert(mkdtemp(audit_dir) != NULL);
	}
	assert(capd_audit_open(audit_dir) == 0);
	return 0;
}

/* SPEC/capabilities.md, "Identities", written out. */
static bool permitted(uint32_t type, int caller)
{
	switch (type) {
	case CAPD_MINT:
		return caller == 0 || caller == 2;
	case CAPD_REDEEM:
		return caller == 0 || caller == 1;
	case CAPD_GRANT_LIST:
	case CAPD_GRANT_REVOKE:
		return caller == 2;
	default:     /* MINT_FROM_GRANT, GRANT_CREATE, AUDIT */
		return caller == 0;
	}
}

/* Whether the payload of a request of this type decodes, and for a MINT
 * its call's source qube. */
static bool payload_ok(uint32_t type, const uint8_t *p, size_t len, uint32_t *mint_source_qid)
{
	static struct capd_mint_req mint;
	static struct capd_call call;
	static struct capd_redeem_req redeem;
	static struct capd_grant_req grant;
	static struct capd_audit_rec audit;
	uint64_t v;

	switch (type) {
	case CAPD_MINT:
		if (capd_mint_decode(p, len, &mint) != CAPD_PARSE_OK)
			return false;
		*mint_source_qid = mint.call.b.source_qid;
		return true;
	case CAPD_MINT_FROM_GRANT:
		return capd_call_decode(p, len, &call) == CAPD_PARSE_OK;
	case CAPD_REDEEM:
		return capd_redeem_decode(p, len, &redeem) == CAPD_PARSE_OK;
	case CAPD_GRANT_CREATE:
		return capd_grant_decode(p, len, &grant) == CAPD_PARSE_OK;
	case CAPD_GRANT_LIST:
		return capd_u64_decode(p, len, 0, &v) == CAPD_PARSE_OK;
	case CAPD_GRANT_REVOKE:
		return capd_u64_decode(p, len, 1, &v) == CAPD_PARSE_OK;
	default:
		return capd_audit_decode(p, len, &audit) == CAPD_PARSE_OK;
	}
}

struct snapshot {
	size_t live, grants;
	struct strbuf ser;
};

static void snap(const struct capd_state *s, struct snapshot *out)
{
	out->live = capd_state_live_count(s);
	out->grants = capd_state_grant_count(s);
	sb_init(&out->ser, CAPD_GRANTS_FILE_MAX);
	assert(capd_state_grants_serialize(s, &out->ser) == 0);
}

static bool same_state(const struct snapshot *a, const struct snapshot *b)
{
	return a->live == b->live && a->grants == b->grants && a->ser.len == b->ser.len &&
	       (a->ser.len == 0 || memcmp(a->ser.buf, b->ser.buf, a->ser.len) == 0);
}

/* Runs capd's poll rounds until it answered (a whole reply read into
 * reply) or closed the connection.  Returns the reply's length, 0 when
 * closed without one. */
static size_t pump(int peer, uint8_t *reply, size_t cap)
{
	size_t got = 0, want = CAPD_HDR_SIZE;

	for (unsigned spins = 0; spins < 10000; spins++) {
		struct pollfd p[1];
		size_t n = serve_poll_fill(p, 1);
		ssize_t r;

		if (n == 0)
			return 0;   /* closed: any reply would have been read below first */
		assert(poll(p, n, 1000) == 1);
		serve_poll_done(p, n, now_ms());
		while (got < want && (r = read(peer, reply + got, want - got)) > 0) {
			got += (size_t)r;
			if (got == CAPD_HDR_SIZE) {
				want = CAPD_HDR_SIZE + (reply[4] | reply[5] << 8 | (size_t)reply[6] << 16 |
							(size_t)reply[7] << 24);
				assert(want <= cap);
			}
		}
		if (got == want)
			return got;
	}
	assert(!"capd neither answered nor closed");
	return 0;
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uid_t uids[4] = { BH_UID_POLICYD, BH_UID_QREXEC_DAEMON(DAEMON_QID), 0, 12345 };
	static const uint8_t key[CAPD_KEY_SIZE] = { 1, 2, 3 }, epoch[CAPD_EPOCH_SIZE] = { 4, 5, 6 };
	static uint8_t reply[CAPD_HDR_SIZE + CAPD_REPLY_MAX];
	const uint8_t *s = data + 1;
	size_t n, pos = 0;
	struct capd_state *st;
	int caller, sp[2], fd_floor;

	if (size < 1)
		return 0;
	if (++audit_runs % AUDIT_ROTATE == 0)
		audit_fresh();
	fd_floor = lowest_free_fd();
	caller = data[0] % 4;
	n = size - 1;
	st = capd_state_new(key, epoch, &hooks);
	assert(st != NULL);
	serve_init(st);
	assert(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sp) == 0);
	serve_add(sp[0], uids[caller], now_ms());
	if (caller == 3) {
		assert(serve_count() == 0);
		goto out;
	}
	assert(serve_count() == 1);

	for (;;) {
		struct capd_hdr h;
		struct snapshot before, after;
		bool whole, well_formed;
		uint32_t mint_qid = UINT32_MAX, status, paylen;
		size_t rlen, end;

		/* The model: this request's extent and whether capd must take it. */
		whole = n - pos >= CAPD_HDR_SIZE && capd_req_hdr_decode(s + pos, CAPD_HDR_SIZE, &h) == CAPD_PARSE_OK &&
			n - pos - CAPD_HDR_SIZE >= h.len;
		end = whole ? pos + CAPD_HDR_SIZE + h.len : n;
		well_formed = whole && (!permitted(h.type, caller) ||
					payload_ok(h.type, s + pos + CAPD_HDR_SIZE, h.len, &mint_qid));
		snap(st, &before);
		if (end > pos)
			assert(write(sp[1], s + pos, end - pos) == (ssize_t)(end - pos));
		if (!well_formed || end == n)
			shutdown(sp[1], SHUT_WR);
		rlen = pump(sp[1], reply, sizeof(reply));
		snap(st, &after);
		if (!well_formed || pos == n) {
			/* A violation (or the close between requests): closed,
			 * unanswered, nothing changed. */
			assert(rlen == 0 && serve_count() == 0 && same_state(&before, &after));
			sb_free(&before.ser);
			sb_free(&after.ser);
			break;
		}
		assert(rlen >= CAPD_HDR_SIZE + CAPD_STATUS_SIZE && serve_count() == 1);
		assert(capd_reply_hdr_decode(reply, CAPD_HDR_SIZE, h.type, &paylen) == CAPD_PARSE_OK);
		assert(rlen == CAPD_HDR_SIZE + paylen);
		assert(capd_status_decode(reply + CAPD_HDR_SIZE, paylen, h.type, &status) == CAPD_PARSE_OK);
		if (!permitted(h.type, caller) || (h.type == CAPD_MINT && caller == 2 && mint_qid != 0))
			assert(status == CAPD_R_WRONG_CALLER);
		if (status != CAPD_OK)
			assert(same_state(&before, &after));
		assert(after.live <= before.live + (h.type == CAPD_MINT || h.type == CAPD_MINT_FROM_GRANT));
		assert(after.grants <= before.grants + (h.type == CAPD_GRANT_CREATE));
		sb_free(&before.ser);
		sb_free(&after.ser);
		pos = end;
	}
out:
	serve_close_all();
	close(sp[1]);
	capd_state_free(st);
	assert(lowest_free_fd() == fd_floor);
	return 0;
}
