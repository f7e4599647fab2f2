#include "capd/capd_token.h"

#include <sodium.h>

/* crypto_kdf contexts are exactly 8 bytes; subkey ids are fixed here. */
#define KDF_CONTEXT "bhcapd01"
enum { SUBKEY_TOKEN = 1, SUBKEY_GRANTS = 2 };

/* Domain separation: nothing else capd MACs starts with these bytes. */
static const uint8_t token_tag[24] = "bulkhead capd token v1";

_Static_assert(CAPD_KEY_SIZE == crypto_kdf_KEYBYTES, "master key size");
_Static_assert(CAPD_KEY_SIZE >= crypto_generichash_KEYBYTES_MIN && CAPD_KEY_SIZE <= crypto_generichash_KEYBYTES_MAX,
	       "MAC key size");
_Static_assert(CAPD_MAC_SIZE == crypto_verify_32_BYTES, "MAC size");
_Static_assert(sizeof(KDF_CONTEXT) - 1 == crypto_kdf_CONTEXTBYTES, "kdf context");

int capd_keys_derive(const uint8_t master[CAPD_KEY_SIZE], struct capd_keys *out)
{
	if (sodium_init() < 0)
		return -1;
	if (crypto_kdf_derive_from_key(out->token, sizeof(out->token), SUBKEY_TOKEN, KDF_CONTEXT, master) != 0 ||
	    crypto_kdf_derive_from_key(out->grants, sizeof(out->grants), SUBKEY_GRANTS, KDF_CONTEXT, master) != 0)
		return -1;
	return 0;
}

void capd_keys_wipe(struct capd_keys *k)
{
	sodium_memzero(k, sizeof(*k));
}

void capd_token_mac(const uint8_t key[CAPD_KEY_SIZE], const struct capd_token *t, const struct capd_call *call,
		    uint8_t mac[CAPD_MAC_SIZE])
{
	crypto_generichash_state st;
	uint8_t tw[CAPD_TOKEN_SIZE], cw[CAPD_CALL_SIZE];

	capd_token_encode(t, tw);
	capd_call_encode(call, cw);
	crypto_generichash_init(&st, key, CAPD_KEY_SIZE, CAPD_MAC_SIZE);
	crypto_generichash_update(&st, token_tag, sizeof(token_tag));
	crypto_generichash_update(&st, tw, CAPD_TOKEN_MACED);
	crypto_generichash_update(&st, cw, sizeof(cw));
	crypto_generichash_final(&st, mac, CAPD_MAC_SIZE);
}

bool capd_token_mac_ok(const uint8_t key[CAPD_KEY_SIZE], const struct capd_token *t, const struct capd_call *call)
{
	uint8_t want[CAPD_MAC_SIZE];
	bool ok;

	capd_token_mac(key, t, call, want);
	ok = crypto_verify_32(want, t->mac) == 0;
	sodium_memzero(want, sizeof(want));
	return ok;
}
