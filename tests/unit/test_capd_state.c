/* Standing grants (capd/capd_state.c): each scope (once = a plain mint,
 * N calls, T minutes, until revoked), derived capabilities never wider
 * than their grant, revocation including a capability derived and not
 * yet redeemed, the live table's bound, and what happens when a commit
 * of the grants file fails. */
#include <errno.h>

#include "tests/unit/test_capd_fixture.h"

static struct capd_call call;

static uint64_t grant(struct capd_state *s, const struct capd_binding *b, uint32_t scope, uint32_t value)
{
	struct capd_grant_req g = { .b = *b, .scope = scope, .value = value };
	uint64_t id = 0;

	CHECK(capd_state_grant_create(s, &g, &clk, &id) == CAPD_OK);
	CHECK(id != 0);
	return id;
}

static void test_once(void)
{
	struct capd_state *s = fx_state(1, 1);
	struct capd_token t;
	uint64_t gid = 0;

	/* "This call only": a plain mint, no grant; nothing derives later. */
	CHECK(capd_state_mint(s, &call, 0, &clk, &t) == CAPD_OK && t.grant_id == 0);
	CHECK(capd_state_mint_from_grant(s, &call, &clk, &t, &gid) == CAPD_R_NO_GRANT);
	CHECK(capd_state_redeem(s, 3, &t, &call, &clk) == CAPD_OK);
	CHECK(capd_state_redeem(s, 3, &t, &call, &clk) == CAPD_R_REPLAYED);
	capd_state_free(s);
}

static void test_calls(void)
{
	struct capd_state *s = fx_state(1, 1);
	struct capd_token t[4];
	uint64_t id, gid = 0;
	unsigned commits;

	id = grant(s, &call.b, CAPD_SCOPE_CALLS, 3);
	commits = fx.commits;
	for (int i = 0; i < 3; i++) {
		CHECK(capd_state_mint_from_grant(s, &call, &clk, &t[i], &gid) == CAPD_OK);
		CHECK(gid == id && t[i].grant_id == id && t[i].uses == 1);
		CHECK(t[i].expiry_ms == clk.mono_ms + CAPD_TTL_DEFAULT_MS);
	}
	/* Each counted call was made durable before it was handed out. */
	CHECK(fx.commits == commits + 3);
	CHECK(capd_state_mint_from_grant(s, &call, &clk, &t[3], &gid) == CAPD_R_NO_GRANT);
	/* The last one is still good although the grant has no call left. */
	CHECK(capd_state_redeem(s, 3, &t[2], &call, &clk) == CAPD_OK);
	CHECK(capd_state_redeem(s, 3, &t[0], &call, &clk) == CAPD_OK);
	/* It stays listed (0 remaining) until its last capability expired. */
	capd_state_tick(s, &clk);
	CHECK(capd_state_grant_count(s) == 1 && fx.grants_ended == 0);
	fx_advance_ms(CAPD_TTL_DEFAULT_MS);
	capd_state_tick(s, &clk);
	CHECK(capd_state_grant_count(s) == 0 && fx.grants_ended == 1 && strcmp(fx.last_end_why, "calls") == 0);
	CHECK(capd_state_redeem(s, 3, &t[1], &call, &clk) == CAPD_R_EXPIRED);
	capd_state_free(s);
}

static void test_minutes(void)
{
	struct capd_state *s = fx_state(1, 1);
	struct capd_token t;
	struct capd_grant_entry e[4];
	uint64_t id, gid = 0;
	bool more = true;

	fx.grants_ended = 0;
	id = grant(s, &call.b, CAPD_SCOPE_MINUTES, 1);
	CHECK(capd_state_grant_list(s, 0, e, 4, &more) == 1 && !more);
	CHECK(e[0].id == id && e[0].expires == clk.real_s + 60 && e[0].remaining == 0);
	for (int i = 0; i < 5; i++)
		CHECK(capd_state_mint_from_grant(s, &call, &clk, &t, &gid) == CAPD_OK);
	/* 5 s before the end: the derived capability ends with the grant. */
	fx_advance_ms(55000);
	CHECK(capd_state_mint_from_grant(s, &call, &clk, &t, &gid) == CAPD_OK);
	CHECK(t.expiry_ms == clk.mono_ms + 5000);
	fx_advance_ms(4999);
	CHECK(capd_state_redeem(s, 3, &t, &call, &clk) == CAPD_OK);
	fx_advance_ms(1001);   /* past the end */
	CHECK(capd_state_mint_from_grant(s, &call, &clk, &t, &gid) == CAPD_R_NO_GRANT);
	capd_state_tick(s, &clk);
	CHECK(capd_state_grant_count(s) == 0 && strcmp(fx.last_end_why, "minutes") == 0);
	capd_state_free(s);
}

static void test_always_and_exactness(void)
{
	struct capd_state *s = fx_state(1, 1);
	struct capd_call other;
	struct capd_token t;
	uint64_t id, gid = 0;

	id = grant(s, &call.b, CAPD_SCOPE_ALWAYS, 0);
	for (int i = 0; i < 1000; i++) {
		CHECK(capd_state_mint_from_grant(s, &call, &clk, &t, &gid) == CAPD_OK && gid == id);
		CHECK(capd_state_redeem(s, 3, &t, &call, &clk) == CAPD_OK);
	}
	/* Exactly the binding: any other field matches no grant.  The
	 * request id is not part of a grant (each call has its own). */
	other = fx_call("work", 2, "personal", 3, "my.Service", "arg", "another-request");
	CHECK(capd_state_mint_from_grant(s, &other, &clk, &t, &gid) == CAPD_OK);
	other = fx_call("work", 2, "personal", 3, "my.Service", "arg2", "r");
	CHECK(capd_state_mint_from_grant(s, &other, &clk, &t, &gid) == CAPD_R_NO_GRANT);
	other = fx_call("work", 2, "personal", 3, "my.Service", "", "r");
	CHECK(capd_state_mint_from_grant(s, &other, &clk, &t, &gid) == CAPD_R_NO_GRANT);
	other = fx_call("work", 2, "personal", 3, "my.Service2", "arg", "r");
	CHECK(capd_state_mint_from_grant(s, &other, &clk, &t, &gid) == CAPD_R_NO_GRANT);
	other = fx_call("work", 9, "personal", 3, "my.Service", "arg", "r");   /* same name, another qube */
	CHECK(capd_state_mint_from_grant(s, &other, &clk, &t, &gid) == CAPD_R_NO_GRANT);
	other = fx_call("personal", 3, "work", 2, "my.Service", "arg", "r");   /* reversed */
	CHECK(capd_state_mint_from_grant(s, &other, &clk, &t, &gid) == CAPD_R_NO_GRANT);
	other = fx_call("work", 2, "dom0", 0, "my.Service", "arg", "r");
	CHECK(capd_state_mint_from_grant(s, &other, &clk, &t, &gid) == CAPD_R_NO_GRANT);
	capd_state_free(s);
}

static void test_revoke(void)
{
	struct capd_state *s = fx_state(1, 1);
	struct capd_grant_entry gone;
	struct capd_token in_flight, t;
	uint64_t id, id2, gid = 0;

	id = grant(s, &call.b, CAPD_SCOPE_ALWAYS, 0);
	CHECK(capd_state_mint_from_grant(s, &call, &clk, &in_flight, &gid) == CAPD_OK);
	CHECK(capd_state_grant_revoke(s, id, &gone) == CAPD_OK && gone.id == id);
	/* Minted, not yet redeemed: refused from the moment of revocation. */
	CHECK(capd_state_redeem(s, 3, &in_flight, &call, &clk) == CAPD_R_REVOKED);
	CHECK(capd_state_mint_from_grant(s, &call, &clk, &t, &gid) == CAPD_R_NO_GRANT);
	CHECK(capd_state_grant_revoke(s, id, &gone) == CAPD_R_NOT_FOUND);
	/* Ids are never reused, so a new grant does not revive it. */
	id2 = grant(s, &call.b, CAPD_SCOPE_ALWAYS, 0);
	CHECK(id2 > id);
	CHECK(capd_state_redeem(s, 3, &in_flight, &call, &clk) == CAPD_R_REVOKED);
	/* Two grants for one call: the oldest is used; revoking it leaves
	 * the other. */
	CHECK(capd_state_mint_from_grant(s, &call, &clk, &t, &gid) == CAPD_OK && gid == id2);
	capd_state_free(s);
}

static void test_commit_failures(void)
{
	struct capd_state *s = fx_state(1, 1);
	struct capd_grant_req g = { .b = call.b, .scope = CAPD_SCOPE_CALLS, .value = 2 };
	struct capd_grant_entry e[2], gone;
	struct capd_token t;
	uint64_t id = 0, gid = 0;
	bool more;

	fx.commit_rc = -EIO;
	CHECK(capd_state_grant_create(s, &g, &clk, &id) == CAPD_R_STORE && capd_state_grant_count(s) == 0);
	CHECK(!capd_state_dirty(s));
	fx.commit_rc = 0;
	id = grant(s, &call.b, CAPD_SCOPE_CALLS, 2);
	/* A counted call that cannot be made durable is not handed out, and
	 * not counted. */
	fx.commit_rc = -EIO;
	CHECK(capd_state_mint_from_grant(s, &call, &clk, &t, &gid) == CAPD_R_STORE);
	CHECK(capd_state_live_count(s) == 0);
	CHECK(capd_state_grant_list(s, 0, e, 2, &more) == 1 && e[0].remaining == 2);
	/* A revocation holds in memory even when the file cannot follow;
	 * the next tick writes it. */
	CHECK(capd_state_grant_revoke(s, id, &gone) == CAPD_R_STORE);
	CHECK(capd_state_grant_count(s) == 0 && capd_state_dirty(s));
	fx.commit_rc = 0;
	capd_state_tick(s, &clk);
	CHECK(!capd_state_dirty(s));
	capd_state_free(s);
}

static void test_live_bound(void)
{
	struct capd_state *s = fx_state(1, 1);
	struct capd_token t, first;
	unsigned caps0 = fx.caps_expired;

	CHECK(capd_state_mint(s, &call, 1000, &clk, &first) == CAPD_OK);
	for (uint32_t i = 1; i < CAPD_LIVE_MAX; i++)
		if (capd_state_mint(s, &call, 1000, &clk, &t) != CAPD_OK) {
			CHECK(0);
			break;
		}
	CHECK(capd_state_live_count(s) == CAPD_LIVE_MAX);
	/* Full: refused, and nothing was forgotten to make room. */
	CHECK(capd_state_mint(s, &call, 1000, &clk, &t) == CAPD_R_FULL);
	CHECK(capd_state_redeem(s, 3, &first, &call, &clk) == CAPD_OK);
	CHECK(capd_state_mint(s, &call, 1000, &clk, &t) == CAPD_OK);
	CHECK(capd_state_mint(s, &call, 1000, &clk, &t) == CAPD_R_FULL);
	/* Once they expire, minting sweeps them. */
	fx_advance_ms(1000);
	CHECK(capd_state_mint(s, &call, 0, &clk, &t) == CAPD_OK);
	CHECK(capd_state_live_count(s) == 1 && fx.caps_expired == caps0 + CAPD_LIVE_MAX);
	CHECK(capd_state_redeem(s, 3, &t, &call, &clk) == CAPD_OK);
	capd_state_free(s);
}

int main(void)
{
	call = fx_call("work", 2, "personal", 3, "my.Service", "arg", "req-1");
	test_once();
	test_calls();
	test_minutes();
	test_always_and_exactness();
	test_revoke();
	test_commit_failures();
	test_live_bound();
	sb_free(&fx.file);
	return check_exit();
}
