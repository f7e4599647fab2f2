/* capd's state and every decision it makes (SPEC/capabilities.md):
 * minting, redeeming, standing grants, expiry.  No I/O and no clock of
 * its own: the caller passes the time in, and two hooks make grants
 * durable and report expiries, so that every path here is unit-tested
 * without a daemon.  Every operation returns CAPD_OK or a CAPD_R_*
 * reason (capd/capd_proto.h).
 *
 * Ownership: capd_state_new() allocates, capd_state_free() frees (and
 * wipes the keys). */
#ifndef BH_CAPD_STATE_H
#define BH_CAPD_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capd/capd_parse.h"
#include "capd/capd_token.h"
#include "lib/strbuf.h"

/* Capabilities minted and neither redeemed nor expired: at most this
 * many.  At the maximum a mint is refused (CAPD_R_FULL) rather than any
 * entry forgotten (a forgotten entry would read as "already used" and
 * refuse a valid call, never allow one; refusing the mint is the
 * honest failure). */
#define CAPD_LIVE_MAX      65536u
#define CAPD_GRANTS_MAX    1024u
#define CAPD_GRANTS_FILE_MAX (1u << 20)
#define CAPD_GRANTS_MAGIC  "bulkhead-capd-grants 1"

struct capd_clock {
	uint64_t mono_ms;   /* CLOCK_MONOTONIC: capability expiry */
	uint64_t real_s;    /* CLOCK_REALTIME: grant ends, which outlive capd */
};

struct capd_state;

struct capd_hooks {
	void *ctx;
	/* Makes the grants durable (capd: the grants file).  Called after
	 * every change of the grants, before the operation answers.  0 or
	 * -errno; on failure the operation is undone where that is safe
	 * (create, a use of a grant) and answers CAPD_R_STORE. */
	int (*commit)(void *ctx, const struct capd_state *s);
	/* capd_state_tick(): a capability expired unused; a grant ended
	 * (why: "calls" or "minutes"). */
	void (*cap_expired)(void *ctx, const uint8_t id[CAPD_ID_SIZE], uint64_t grant_id);
	void (*grant_ended)(void *ctx, const struct capd_grant_entry *g, const char *why);
};

/* NULL when out of memory or libsodium fails.  epoch: this start's
 * random epoch (a capability from another epoch is CAPD_R_STALE). */
struct capd_state *capd_state_new(const uint8_t master_key[CAPD_KEY_SIZE], const uint8_t epoch[CAPD_EPOCH_SIZE],
				  const struct capd_hooks *hooks);
void capd_state_free(struct capd_state *s);

/* MINT: a one-shot capability for exactly c, expiring ttl_ms (0: the
 * default; at most CAPD_TTL_MAX_MS, which the decoder checks) from now.
 * CAPD_OK or CAPD_R_FULL. */
uint32_t capd_state_mint(struct capd_state *s, const struct capd_call *c, uint32_t ttl_ms,
			 const struct capd_clock *now, struct capd_token *out) __attribute__((warn_unused_result));

/* MINT_FROM_GRANT: the live grant with the lowest id whose binding is
 * exactly c's; counts one call against it (made durable first) and mints
 * a capability bound to the grant, expiring at the earlier of the
 * default and the grant's end.  CAPD_OK, CAPD_R_NO_GRANT, CAPD_R_FULL,
 * CAPD_R_STORE.  *grant_id: the grant used. */
uint32_t capd_state_mint_from_grant(struct capd_state *s, const struct capd_call *c, const struct capd_clock *now,
				    struct capd_token *out, uint64_t *grant_id) __attribute__((warn_unused_result));

/* REDEEM by the redeemer serving qube caller_qid (0: policyd, for calls
 * into dom0), presenting t and the call as it knows it.  Checks, in
 * order: target (CAPD_R_WRONG_TARGET), MAC (FORGED), epoch (STALE),
 * expiry (EXPIRED), grant (REVOKED), unused (REPLAYED); CAPD_OK consumes
 * it. */
uint32_t capd_state_redeem(struct capd_state *s, uint32_t caller_qid, const struct capd_token *t,
			   const struct capd_call *c, const struct capd_clock *now) __attribute__((warn_unused_result));

/* GRANT_CREATE: a standing grant (made durable first).  CAPD_OK with *id,
 * CAPD_R_FULL, CAPD_R_STORE. */
uint32_t capd_state_grant_create(struct capd_state *s, const struct capd_grant_req *g, const struct capd_clock *now,
				 uint64_t *id) __attribute__((warn_unused_result));

/* GRANT_REVOKE: ends the grant at once (capabilities derived from it and
 * not yet redeemed are refused from now on).  CAPD_OK with *gone filled,
 * CAPD_R_NOT_FOUND, or CAPD_R_STORE: revoked in memory but the file
 * still holds it (retried at every tick; capd says so in its log). */
uint32_t capd_state_grant_revoke(struct capd_state *s, uint64_t id, struct capd_grant_entry *gone)
	__attribute__((warn_unused_result));

/* Up to max grants with ids above after, ascending; *more when others
 * follow.  Returns how many. */
size_t capd_state_grant_list(const struct capd_state *s, uint64_t after, struct capd_grant_entry *out, size_t max,
			     bool *more);

/* Drops expired capabilities and ended grants (reporting each through the
 * hooks) and retries a failed commit. */
void capd_state_tick(struct capd_state *s, const struct capd_clock *now);

size_t capd_state_live_count(const struct capd_state *s);
size_t capd_state_grant_count(const struct capd_state *s);
/* Whether the grants in memory differ from the last durable commit. */
bool capd_state_dirty(const struct capd_state *s);

/* The grants file (SPEC/capabilities.md, "Grants file"): text, one grant
 * per line, ending in a keyed BLAKE2b MAC line.  Serialize appends to out. */
int capd_state_grants_serialize(const struct capd_state *s, struct strbuf *out)
	__attribute__((warn_unused_result));

/* Replaces the grants with the file's (buf[0..len)), after checking its
 * MAC and every line; grants already ended at now are dropped.  On any
 * error nothing changes and err says "line N: reason".  0 or -EINVAL. */
int capd_state_grants_load(struct capd_state *s, const char *buf, size_t len, const struct capd_clock *now,
			   char *err, size_t errlen) __attribute__((warn_unused_result));

#endif
