/* Forged and misused capabilities (issue #4's list): random bytes, every
 * single-bit flip of a valid token and of the call presented with it, a
 * valid token for another source, target, service, argument or request
 * id, replay, expiry, another epoch (capd restarted), another key, the
 * wrong redeemer.  A valid token must still redeem after all of that:
 * none of the refusals consumed it. */
#include <sodium.h>

#include "tests/unit/test_capd_fixture.h"

static struct capd_state *s;
static struct capd_call call;

/* The status of redeeming the wire bytes t (88) with call c by the
 * redeemer of qid, going through the decoders like capd does; -1 when
 * the decoder refuses the token itself. */
static int redeem_wire(const uint8_t *t, const struct capd_call *c, uint32_t qid)
{
	struct capd_token tok;

	if (capd_token_decode(t, CAPD_TOKEN_SIZE, &tok) != 0)
		return -1;
	return (int)capd_state_redeem(s, qid, &tok, c, &clk);
}

static void test_bit_flips(const struct capd_token *tok)
{
	uint8_t w[CAPD_TOKEN_SIZE], cw[CAPD_CALL_SIZE];
	unsigned decoder = 0, forged = 0, call_decoded = 0;

	capd_token_encode(tok, w);
	for (size_t bit = 0; bit < CAPD_TOKEN_SIZE * 8; bit++) {
		int rc;
		w[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		rc = redeem_wire(w, &call, call.b.target_qid);
		w[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		CHECK(rc != CAPD_OK);
		if (rc == -1)
			decoder++;
		else if (rc == CAPD_R_FORGED)
			forged++;
	}
	/* version and uses (64 bits) fail decoding; every other bit, the MAC. */
	CHECK(decoder == 64);
	CHECK(forged == CAPD_TOKEN_SIZE * 8 - 64);

	capd_call_encode(&call, cw);
	for (size_t bit = 0; bit < CAPD_CALL_SIZE * 8; bit++) {
		struct capd_call c2;
		cw[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		if (capd_call_decode(cw, sizeof(cw), &c2) == 0) {
			uint32_t rc = capd_state_redeem(s, call.b.target_qid, tok, &c2, &clk);
			/* A changed target qid is another redeemer's call. */
			CHECK(rc == CAPD_R_FORGED || rc == CAPD_R_WRONG_TARGET);
			call_decoded++;
		}
		cw[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	/* Flips that still make a valid call (inside names, qids, strings)
	 * reached the MAC check: a good share of them. */
	printf("call bit flips that still decode: %u\n", call_decoded);
	CHECK(call_decoded > 50);
}

static void test_other_calls(const struct capd_token *tok)
{
	struct capd_call c;

	c = fx_call("other", 4, "personal", 3, "my.Service", "arg", "req-1");    /* source */
	CHECK(capd_state_redeem(s, 3, tok, &c, &clk) == CAPD_R_FORGED);
	c = fx_call("work", 5, "personal", 3, "my.Service", "arg", "req-1");     /* source qid */
	CHECK(capd_state_redeem(s, 3, tok, &c, &clk) == CAPD_R_FORGED);
	c = fx_call("work", 2, "vault", 4, "my.Service", "arg", "req-1");        /* target, by its redeemer */
	CHECK(capd_state_redeem(s, 4, tok, &c, &clk) == CAPD_R_FORGED);
	c = fx_call("work", 2, "vault", 3, "my.Service", "arg", "req-1");        /* target name, same qid */
	CHECK(capd_state_redeem(s, 3, tok, &c, &clk) == CAPD_R_FORGED);
	c = fx_call("work", 2, "personal", 3, "my.Other", "arg", "req-1");       /* service */
	CHECK(capd_state_redeem(s, 3, tok, &c, &clk) == CAPD_R_FORGED);
	c = fx_call("work", 2, "personal", 3, "my.Service", "arg2", "req-1");    /* argument */
	CHECK(capd_state_redeem(s, 3, tok, &c, &clk) == CAPD_R_FORGED);
	c = fx_call("work", 2, "personal", 3, "my.Service", "", "req-1");        /* no argument */
	CHECK(capd_state_redeem(s, 3, tok, &c, &clk) == CAPD_R_FORGED);
	c = fx_call("work", 2, "personal", 3, "my.Service", "arg", "req-2");     /* request id */
	CHECK(capd_state_redeem(s, 3, tok, &c, &clk) == CAPD_R_FORGED);
	/* The right call, but presented by another qube's daemon or by policyd. */
	CHECK(capd_state_redeem(s, 4, tok, &call, &clk) == CAPD_R_WRONG_TARGET);
	CHECK(capd_state_redeem(s, 0, tok, &call, &clk) == CAPD_R_WRONG_TARGET);
}

static void test_random(void)
{
	uint8_t w[CAPD_TOKEN_SIZE];
	unsigned decoded = 0;

	for (int i = 0; i < 2000; i++) {
		int rc;
		randombytes_buf(w, sizeof(w));
		if (i % 2) {   /* half with a valid version and use count */
			qrexec_put_u32(w, CAPD_TOKEN_VERSION);
			qrexec_put_u32(w + 4, CAPD_TOKEN_USES);
		}
		rc = redeem_wire(w, &call, 3);
		CHECK(rc == -1 || rc == CAPD_R_FORGED);
		decoded += rc != -1;
	}
	CHECK(decoded >= 1000);
}

int main(void)
{
	struct capd_token tok, tok2, t3;
	struct capd_state *other_epoch, *other_key;

	s = fx_state(0x11, 0x22);
	call = fx_call("work", 2, "personal", 3, "my.Service", "arg", "req-1");
	CHECK(capd_state_mint(s, &call, 0, &clk, &tok) == CAPD_OK);
	CHECK(tok.version == 1 && tok.uses == 1 && tok.grant_id == 0);
	CHECK(tok.expiry_ms == clk.mono_ms + CAPD_TTL_DEFAULT_MS);
	CHECK(capd_state_live_count(s) == 1);

	test_bit_flips(&tok);
	test_other_calls(&tok);
	test_random();

	/* Another epoch (a restarted capd with the same key): stale. */
	other_epoch = fx_state(0x11, 0x23);
	CHECK(capd_state_redeem(other_epoch, 3, &tok, &call, &clk) == CAPD_R_STALE);
	/* Another key: forged. */
	other_key = fx_state(0x12, 0x22);
	CHECK(capd_state_redeem(other_key, 3, &tok, &call, &clk) == CAPD_R_FORGED);

	/* Nothing above consumed it: it redeems once, then is a replay. */
	CHECK(capd_state_redeem(s, 3, &tok, &call, &clk) == CAPD_OK);
	CHECK(capd_state_live_count(s) == 0);
	CHECK(capd_state_redeem(s, 3, &tok, &call, &clk) == CAPD_R_REPLAYED);

	/* Expiry: valid up to its last millisecond, expired at expiry_ms. */
	CHECK(capd_state_mint(s, &call, 500, &clk, &tok2) == CAPD_OK);
	CHECK(capd_state_mint(s, &call, 500, &clk, &t3) == CAPD_OK);
	CHECK(memcmp(tok2.id, t3.id, sizeof(t3.id)) != 0);
	fx_advance_ms(499);
	CHECK(capd_state_redeem(s, 3, &t3, &call, &clk) == CAPD_OK);
	fx_advance_ms(1);
	CHECK(capd_state_redeem(s, 3, &tok2, &call, &clk) == CAPD_R_EXPIRED);
	/* The sweep reports it, and afterwards it reads as expired still. */
	capd_state_tick(s, &clk);
	CHECK(fx.caps_expired == 1 && capd_state_live_count(s) == 0);
	CHECK(capd_state_redeem(s, 3, &tok2, &call, &clk) == CAPD_R_EXPIRED);

	/* Calls into dom0 are redeemed by policyd (qid 0). */
	{
		struct capd_call d = fx_call("work", 2, "dom0", 0, "qubes.Notify", "", "r");
		struct capd_token td;
		CHECK(capd_state_mint(s, &d, 0, &clk, &td) == CAPD_OK);
		CHECK(capd_state_redeem(s, 2, &td, &d, &clk) == CAPD_R_WRONG_TARGET);
		CHECK(capd_state_redeem(s, 0, &td, &d, &clk) == CAPD_OK);
	}

	capd_state_free(other_key);
	capd_state_free(other_epoch);
	capd_state_free(s);
	sb_free(&fx.file);
	return check_exit();
}
