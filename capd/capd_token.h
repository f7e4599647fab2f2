/* The capability MAC (SPEC/capabilities.md, "Tokens").
 *
 * capd's master key (32 random bytes, created at its first start, never
 * leaving capd) is not used directly: two subkeys are derived from it
 * with crypto_kdf (BLAKE2b), one for token MACs and one for the grants
 * file's MAC, so that a value valid in one place is meaningless in the
 * other.  A token's MAC is keyed BLAKE2b-256 (crypto_generichash with a
 * 32-byte key: a PRF, no length extension, and the fastest MAC libsodium
 * has here) over a domain tag, the token's first 56 bytes (version, uses,
 * id, epoch, grant, expiry) and the 432-byte wire form of the call it is
 * bound to, which is canonical (capd/capd_parse.h): every bound field is
 * covered, each at a fixed offset in a fixed-size field. */
#ifndef BH_CAPD_TOKEN_H
#define BH_CAPD_TOKEN_H

#include <stdbool.h>
#include <stdint.h>

#include "capd/capd_parse.h"

#define CAPD_KEY_SIZE 32u

struct capd_keys {
	uint8_t token[CAPD_KEY_SIZE];
	uint8_t grants[CAPD_KEY_SIZE];
};

/* Derives both subkeys from the master key.  0, or -1 if libsodium
 * failed to initialise. */
int capd_keys_derive(const uint8_t master[CAPD_KEY_SIZE], struct capd_keys *out)
	__attribute__((warn_unused_result));

/* Wipes the keys (sodium_memzero). */
void capd_keys_wipe(struct capd_keys *k);

/* mac = MAC(key, t without its mac, call). */
void capd_token_mac(const uint8_t key[CAPD_KEY_SIZE], const struct capd_token *t, const struct capd_call *call,
		    uint8_t mac[CAPD_MAC_SIZE]);

/* Whether t->mac is the MAC of t and call, compared in constant time. */
bool capd_token_mac_ok(const uint8_t key[CAPD_KEY_SIZE], const struct capd_token *t, const struct capd_call *call)
	__attribute__((warn_unused_result));

#endif
