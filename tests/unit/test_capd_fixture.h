/* Shared by the capd unit tests: a state with a fixed key and epoch, a
 * clock the test moves, and hooks that record what capd_state reports. */
#ifndef BH_TEST_CAPD_FIXTURE_H
#define BH_TEST_CAPD_FIXTURE_H

#include <string.h>

#include "capd/capd_state.h"
#include "tests/lib/check.h"

struct fixture {
	int commit_rc;            /* what the commit hook answers */
	unsigned commits;
	unsigned caps_expired;
	unsigned grants_ended;
	char last_end_why[16];
	struct strbuf file;       /* the last committed grants file */
};

static struct fixture fx;

static int fx_commit(void *ctx, const struct capd_state *s)
{
	(void)ctx;
	fx.commits++;
	if (fx.commit_rc != 0)
		return fx.commit_rc;
	sb_reset(&fx.file);
	return capd_state_grants_serialize(s, &fx.file);
}

static void fx_cap_expired(void *ctx, const uint8_t id[CAPD_ID_SIZE], uint64_t grant_id)
{
	(void)ctx;
	(void)id;
	(void)grant_id;
	fx.caps_expired++;
}

static void fx_grant_ended(void *ctx, const struct capd_grant_entry *g, const char *why)
{
	(void)ctx;
	(void)g;
	fx.grants_ended++;
	snprintf(fx.last_end_why, sizeof(fx.last_end_why), "%s", why);
}

static const struct capd_hooks fx_hooks = { NULL, fx_commit, fx_cap_expired, fx_grant_ended };

/* A state keyed by key_byte repeated, epoch by epoch_byte repeated. */
static struct capd_state *fx_state(uint8_t key_byte, uint8_t epoch_byte)
{
	uint8_t key[CAPD_KEY_SIZE], epoch[CAPD_EPOCH_SIZE];
	struct capd_state *s;

	memset(key, key_byte, sizeof(key));
	memset(epoch, epoch_byte, sizeof(epoch));
	if (fx.file.max == 0)
		sb_init(&fx.file, CAPD_GRANTS_FILE_MAX);
	s = capd_state_new(key, epoch, &fx_hooks);
	CHECK(s != NULL);
	return s;
}

static struct capd_clock clk = { 1000000, 1700000000 };

/* Moves both clocks forward. */
static void fx_advance_ms(uint64_t ms)
{
	clk.mono_ms += ms;
	clk.real_s += ms / 1000u;
}

static struct capd_call fx_call(const char *src, uint32_t sq, const char *tgt, uint32_t tq, const char *svc,
				const char *arg, const char *reqid)
{
	struct capd_call c;

	memset(&c, 0, sizeof(c));
	CHECK(capd_binding_set(&c.b, src, sq, tgt, tq, svc, arg) == 0);
	CHECK(capd_call_set_reqid(&c, reqid) == 0);
	return c;
}

#endif
