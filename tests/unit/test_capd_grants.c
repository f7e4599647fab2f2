/* The grants file (capd/capd_grants.c): grants survive a restart (a new
 * state with the same key loads what the old one committed: same
 * grants, same remaining calls, ids continue), ended grants are not
 * brought back, and a file that was edited is refused as a whole: every
 * single-byte change, a file under another key, and well-MACed files
 * whose lines break a rule. */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>

#include "tests/unit/test_capd_fixture.h"

static struct capd_keys keys;   /* of key byte 7, as fx_state(7, ...) */

/* body + its MAC line, under the grants subkey. */
static void mac_file(const char *body, char *out, size_t outlen)
{
	unsigned char mac[CAPD_MAC_SIZE];
	char hex[CAPD_MAC_SIZE * 2 + 1];

	crypto_generichash(mac, sizeof(mac), (const unsigned char *)body, strlen(body), keys.grants,
			   sizeof(keys.grants));
	sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
	snprintf(out, outlen, "%smac %s\n", body, hex);
}

static int load(struct capd_state *s, const char *buf, size_t len, char *err)
{
	return capd_state_grants_load(s, buf, len, &clk, err, 256);
}

static void test_restart(void)
{
	struct capd_state *a = fx_state(7, 1), *b;
	struct capd_call call = fx_call("work", 2, "personal", 3, "my.Service", "a+b", "r");
	struct capd_call call2 = fx_call("dom0", 0, "vault", 4, "qubes.Gpg", "", "r");
	struct capd_grant_req g1 = { .b = call.b, .scope = CAPD_SCOPE_CALLS, .value = 5 };
	struct capd_grant_req g2 = { .b = call2.b, .scope = CAPD_SCOPE_MINUTES, .value = 30 };
	struct capd_grant_req g3 = { .b = call.b, .scope = CAPD_SCOPE_ALWAYS, .value = 0 };
	struct capd_grant_entry ea[4], eb[4];
	struct capd_token t;
	uint64_t id1 = 0, id2 = 0, id3 = 0, id4 = 0, gid;
	char err[256];
	bool more;

	CHECK(capd_state_grant_create(a, &g1, &clk, &id1) == CAPD_OK);
	CHECK(capd_state_grant_create(a, &g2, &clk, &id2) == CAPD_OK);
	CHECK(capd_state_grant_create(a, &g3, &clk, &id3) == CAPD_OK);
	CHECK(capd_state_mint_from_grant(a, &call, &clk, &t, &gid) == CAPD_OK && gid == id1);
	CHECK(capd_state_grant_list(a, 0, ea, 4, &more) == 3);
	printf("--- grants file:\n%s---\n", fx.file.buf);

	/* "Restart": a new state, same key, another epoch, loads the file. */
	b = fx_state(7, 2);
	CHECK(load(b, fx.file.buf, fx.file.len, err) == 0);
	CHECK(capd_state_grant_list(b, 0, eb, 4, &more) == 3 && !more);
	CHECK(memcmp(ea, eb, 3 * sizeof(ea[0])) == 0);
	CHECK(eb[0].remaining == 4);
	/* The old capability is from another epoch. */
	CHECK(capd_state_redeem(b, 3, &t, &call, &clk) == CAPD_R_STALE);
	/* The grant works in the new one, and ids continue. */
	CHECK(capd_state_mint_from_grant(b, &call, &clk, &t, &gid) == CAPD_OK && gid == id1);
	CHECK(capd_state_redeem(b, 3, &t, &call, &clk) == CAPD_OK);
	CHECK(capd_state_grant_create(b, &g3, &clk, &id4) == CAPD_OK && id4 == id3 + 1);

	/* Ended grants stay behind: the minutes grant after its end. */
	fx_advance_ms(31 * 60 * 1000);
	capd_state_free(b);
	b = fx_state(7, 3);
	CHECK(load(b, fx.file.buf, fx.file.len, err) == 0);
	CHECK(capd_state_grant_count(b) == 3);   /* calls, always, always */
	CHECK(capd_state_grant_list(b, 0, eb, 4, &more) == 3 && eb[0].id == id1 && eb[1].id == id3);
	capd_state_free(b);

	/* Another key: refused. */
	b = fx_state(8, 3);
	CHECK(load(b, fx.file.buf, fx.file.len, err) == -EINVAL && strstr(err, "MAC") != NULL);
	capd_state_free(b);
	capd_state_free(a);
}

static void test_every_byte(void)
{
	struct capd_state *a = fx_state(7, 1), *b = fx_state(7, 2);
	struct capd_call call = fx_call("work", 2, "personal", 3, "my.Service", "x", "r");
	struct capd_grant_req g = { .b = call.b, .scope = CAPD_SCOPE_CALLS, .value = 9 };
	char file[4096], err[256];
	size_t len;
	uint64_t id;
	unsigned refused = 0;

	CHECK(capd_state_grant_create(a, &g, &clk, &id) == CAPD_OK);
	len = fx.file.len;
	memcpy(file, fx.file.buf, len);
	for (size_t i = 0; i < len; i++) {
		char was = file[i];
		file[i] = (char)(was ^ 0x01);
		refused += load(b, file, len, err) != 0;
		file[i] = (char)(was == 'a' ? 'b' : 'a');
		refused += load(b, file, len, err) != 0;
		file[i] = was;
	}
	CHECK(refused == 2 * len);
	CHECK(capd_state_grant_count(b) == 0);   /* nothing half-loaded */
	CHECK(load(b, file, len - 1, err) != 0); /* truncated */
	CHECK(load(b, file, len, err) == 0 && capd_state_grant_count(b) == 1);
	capd_state_free(b);
	capd_state_free(a);
}

/* Files with a right MAC whose content breaks a rule: the line named. */
static void test_rules(void)
{
	static const struct { const char *body; const char *err; } cases[] = {
		{ "bulkhead-capd-grants 2\nnext-id 1\n", "line 1" },
		{ "bulkhead-capd-grants 1\n", "no next-id" },
		{ "bulkhead-capd-grants 1\nnext-id 0\n", "line 2" },
		{ "bulkhead-capd-grants 1\nnext-id 01\n", "line 2" },
		{ "bulkhead-capd-grants 1\nnext-id 5\ngrant 5 work 2 personal 3 s+ always - - 1\n", "line 3: grant ids" },
		{ "bulkhead-capd-grants 1\nnext-id 9\ngrant 3 work 2 personal 3 s+ always - - 1\n"
		  "grant 3 work 2 personal 3 s+ always - - 1\n", "line 4: grant ids" },
		{ "bulkhead-capd-grants 1\nnext-id 9\ngrant 3 work 2 personal 3 s+  always - - 1\n", "line 3" },
		{ "bulkhead-capd-grants 1\nnext-id 9\ngrant 3 work 2 personal 3 s+ always - - 1 x\n", "line 3" },
		{ "bulkhead-capd-grants 1\nnext-id 9\ngrant 3 work 2 personal 3 s always - - 1\n", "SERVICE+ARGUMENT" },
		{ "bulkhead-capd-grants 1\nnext-id 9\ngrant 3 work 2 personal 3 s+ calls:0 0 - 1\n", "bounds" },
		{ "bulkhead-capd-grants 1\nnext-id 9\ngrant 3 work 2 personal 3 s+ once - - 1\n", "bad scope" },
		{ "bulkhead-capd-grants 1\nnext-id 9\ngrant 3 work 2 personal 3 s+ calls:2 3 - 1\n", "bounds" },
		{ "bulkhead-capd-grants 1\nnext-id 9\ngrant 3 work 2 personal 3 s+ calls:2 - - 1\n", "remaining" },
		{ "bulkhead-capd-grants 1\nnext-id 9\ngrant 3 work 2 personal 3 s+ always 1 - 1\n", "remaining" },
		{ "bulkhead-capd-grants 1\nnext-id 9\ngrant 3 work 2 personal 3 s+ minutes:5 - 99999999999 1\n",
		  "creation + minutes" },
		{ "bulkhead-capd-grants 1\nnext-id 9\ngrant 3 work 2 work 2 s+ always - - 1\n", "bad source" },
		{ "bulkhead-capd-grants 1\nnext-id 9\ngrant 3 dom0 1 work 2 s+ always - - 1\n", "bad source" },
		{ "bulkhead-capd-grants 1\nnext-id 9\ngrant 3 work 2 personal 3 s+a/b always - - 1\n", "bad source" },
		{ "bulkhead-capd-grants 1\nnext-id 9\nrevoked 3\n", "unknown line" },
	};
	struct capd_state *b = fx_state(7, 2);
	char file[1024], err[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mac_file(cases[i].body, file, sizeof(file));
		CHECK(load(b, file, strlen(file), err) == -EINVAL);
		if (strstr(err, cases[i].err) == NULL)
			fprintf(stderr, "case %zu: error \"%s\", expected \"%s\"\n", i, err, cases[i].err);
		CHECK(strstr(err, cases[i].err) != NULL);
	}
	/* And the same shapes, right, load. */
	mac_file("bulkhead-capd-grants 1\nnext-id 9\ngrant 3 work 2 personal 3 s+ minutes:5 - 301 1\n"
		 "grant 4 dom0 0 vault 4 my.Svc+ calls:2 1 - 1\n", file, sizeof(file));
	clk.real_s = 100;
	CHECK(load(b, file, strlen(file), err) == 0 && capd_state_grant_count(b) == 2);
	clk.real_s = 1700000000;
	capd_state_free(b);
}

int main(void)
{
	uint8_t master[CAPD_KEY_SIZE];

	memset(master, 7, sizeof(master));
	CHECK(capd_keys_derive(master, &keys) == 0);
	test_restart();
	test_every_byte();
	test_rules();
	sb_free(&fx.file);
	return check_exit();
}
