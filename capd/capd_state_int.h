/* capd_state's insides, shared by capd_state.c (decisions) and
 * capd_grants.c (the grants file) only. */
#ifndef BH_CAPD_STATE_INT_H
#define BH_CAPD_STATE_INT_H

#include "capd/capd_state.h"

/* One live capability: minted, not yet redeemed, not yet swept. */
struct capd_live {
	uint8_t id[CAPD_ID_SIZE];
	uint64_t expiry_ms;
	uint64_t grant_id;
	bool used;               /* the slot holds an entry */
};

/* Open addressing with linear probing, at most half full. */
#define CAPD_LIVE_SLOTS (2u * CAPD_LIVE_MAX)
_Static_assert((CAPD_LIVE_SLOTS & (CAPD_LIVE_SLOTS - 1u)) == 0, "a power of two");

struct capd_grant {
	struct capd_grant_entry e;
	/* A CALLS grant whose last call was counted stays (matching
	 * nothing) until the capability derived for that call has expired,
	 * so that it can still be redeemed.  0: not held. */
	uint64_t hold_until_ms;
};

struct capd_state {
	struct capd_keys keys;
	uint8_t epoch[CAPD_EPOCH_SIZE];
	struct capd_hooks hooks;
	struct capd_live *slots;       /* CAPD_LIVE_SLOTS */
	size_t nlive;
	struct capd_grant *grants;     /* CAPD_GRANTS_MAX, ascending ids */
	size_t ngrants;
	uint64_t next_id;              /* the next grant's id; never reused */
	bool dirty;                    /* a commit failed since the last change */
};

/* Whether grant g is still in force at now. */
bool capd_grant_ended(const struct capd_grant *g, const struct capd_clock *now);

#endif
