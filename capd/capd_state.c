/* Minting, redeeming, grants and expiry: capd's decisions.
 * SPEC/capabilities.md states the invariants this file keeps:
 *  - a capability is redeemed at most once, only before its expiry, only
 *    by the redeemer of its target, only for the exact call it was
 *    minted for, only in the epoch (capd start) that minted it, and only
 *    while the grant it derives from (if any) is in force;
 *  - a capability derived from a grant is never wider than the grant:
 *    the same binding, one use, an expiry no later than the grant's end;
 *  - a grant's use or change answers only after it is durable. */
#include "capd/capd_state_int.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static uint64_t id_hash(const uint8_t id[CAPD_ID_SIZE])
{
	uint64_t h;

	/* Ids are random and capd picks them: their bytes hash well. */
	memcpy(&h, id, sizeof(h));
	return h & (CAPD_LIVE_SLOTS - 1u);
}

/* Slot index of id, or CAPD_LIVE_SLOTS. */
static size_t live_find(const struct capd_state *s, const uint8_t id[CAPD_ID_SIZE])
{
	size_t i = (size_t)id_hash(id);

	/* At most half full, so an empty slot ends every probe. */
	while (s->slots[i].used) {
		if (memcmp(s->slots[i].id, id, CAPD_ID_SIZE) == 0)
			return i;
		i = (i + 1) & (CAPD_LIVE_SLOTS - 1u);
	}
	return CAPD_LIVE_SLOTS;
}

static void live_insert(struct capd_state *s, const uint8_t id[CAPD_ID_SIZE], uint64_t expiry_ms, uint64_t grant_id)
{
	size_t i = (size_t)id_hash(id);

	while (s->slots[i].used)
		i = (i + 1) & (CAPD_LIVE_SLOTS - 1u);
	memcpy(s->slots[i].id, id, CAPD_ID_SIZE);
	s->slots[i].expiry_ms = expiry_ms;
	s->slots[i].grant_id = grant_id;
	s->slots[i].used = true;
	s->nlive++;
}

/* Backward-shift deletion: no tombstones, so probes stay short and the
 * table's bound is the number of live entries. */
static void live_remove_at(struct capd_state *s, size_t i)
{
	const size_t mask = CAPD_LIVE_SLOTS - 1u;
	size_t j = i;

	s->slots[i].used = false;
	s->nlive--;
	for (;;) {
		size_t k;

		j = (j + 1) & mask;
		if (!s->slots[j].used)
			return;
		k = (size_t)id_hash(s->slots[j].id);
		/* The entry at j may fill the hole at i unless its home k lies
		 * cyclically in (i, j]. */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		s->slots[i] = s->slots[j];
		s->slots[j].used = false;
		i = j;
	}
}

/* Removes every expired capability; reports each when report is set. */
static void live_sweep(struct capd_state *s, uint64_t now_ms, bool report)
{
	size_t i = 0;

	while (i < CAPD_LIVE_SLOTS) {
		struct capd_live *l = &s->slots[i];

		if (l->used && l->expiry_ms <= now_ms) {
			uint8_t id[CAPD_ID_SIZE];
			uint64_t g = l->grant_id;

			memcpy(id, l->id, sizeof(id));
			live_remove_at(s, i);
			if (report && s->hooks.cap_expired)
				s->hooks.cap_expired(s->hooks.ctx, id, g);
			continue;   /* another entry may have moved into slot i */
		}
		i++;
	}
}

struct capd_state *capd_state_new(const uint8_t master_key[CAPD_KEY_SIZE], const uint8_t epoch[CAPD_EPOCH_SIZE],
				  const struct capd_hooks *hooks)
{
	struct capd_state *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->slots = calloc(CAPD_LIVE_SLOTS, sizeof(*s->slots));
	s->grants = calloc(CAPD_GRANTS_MAX, sizeof(*s->grants));
	if (s->slots == NULL || s->grants == NULL || capd_keys_derive(master_key, &s->keys) != 0) {
		capd_state_free(s);
		return NULL;
	}
	memcpy(s->epoch, epoch, CAPD_EPOCH_SIZE);
	if (hooks)
		s->hooks = *hooks;
	s->next_id = 1;
	return s;
}

void capd_state_free(struct capd_state *s)
{
	if (s == NULL)
		return;
	capd_keys_wipe(&s->keys);
	free(s->slots);
	free(s->grants);
	free(s);
}

static uint32_t mint(struct capd_state *s, const struct capd_call *c, uint64_t ttl_ms, uint64_t grant_id,
		     const struct capd_clock *now, struct capd_token *out)
{
	struct capd_token t;

	if (s->nlive >= CAPD_LIVE_MAX) {
		live_sweep(s, now->mono_ms, true);
		if (s->nlive >= CAPD_LIVE_MAX)
			return CAPD_R_FULL;
	}
	memset(&t, 0, sizeof(t));
	t.version = CAPD_TOKEN_VERSION;
	t.uses = CAPD_TOKEN_USES;
	/* 128 random bits: a collision with a live id is not expected in
	 * the life of the universe, but the table must never hold two. */
	do
		randombytes_buf(t.id, sizeof(t.id));
	while (live_find(s, t.id) != CAPD_LIVE_SLOTS);
	memcpy(t.epoch, s->epoch, sizeof(t.epoch));
	t.grant_id = grant_id;
	t.expiry_ms = now->mono_ms + ttl_ms;
	capd_token_mac(s->keys.token, &t, c, t.mac);
	live_insert(s, t.id, t.expiry_ms, grant_id);
	*out = t;
	return CAPD_OK;
}

uint32_t capd_state_mint(struct capd_state *s, const struct capd_call *c, uint32_t ttl_ms,
			 const struct capd_clock *now, struct capd_token *out)
{
	return mint(s, c, ttl_ms ? ttl_ms : CAPD_TTL_DEFAULT_MS, 0, now, out);
}

static bool binding_eq(const struct capd_binding *a, const struct capd_binding *b)
{
	/* Fields are NUL-padded (decoder, capd_binding_set): one spelling
	 * per value, so byte equality is value equality. */
	return a->source_qid == b->source_qid && a->target_qid == b->target_qid &&
	       memcmp(a->source, b->source, sizeof(a->source)) == 0 &&
	       memcmp(a->target, b->target, sizeof(a->target)) == 0 &&
	       memcmp(a->service, b->service, sizeof(a->service)) == 0 &&
	       memcmp(a->argument, b->argument, sizeof(a->argument)) == 0;
}

bool capd_grant_ended(const struct capd_grant *g, const struct capd_clock *now)
{
	switch (g->e.scope) {
	case CAPD_SCOPE_CALLS:
		return g->e.remaining == 0;
	case CAPD_SCOPE_MINUTES:
		return now->real_s >= g->e.expires;
	default:
		return false;
	}
}

static struct capd_grant *grant_find(struct capd_state *s, uint64_t id)
{
	size_t lo = 0, hi = s->ngrants;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->grants[mid].e.id == id)
			return &s->grants[mid];
		if (s->grants[mid].e.id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void grant_remove(struct capd_state *s, struct capd_grant *g)
{
	size_t i = (size_t)(g - s->grants);

	memmove(&s->grants[i], &s->grants[i + 1], (s->ngrants - i - 1) * sizeof(*g));
	s->ngrants--;
}

static int commit(struct capd_state *s)
{
	int rc = s->hooks.commit ? s->hooks.commit(s->hooks.ctx, s) : 0;

	s->dirty = rc != 0;
	return rc;
}

uint32_t capd_state_mint_from_grant(struct capd_state *s, const struct capd_call *c, const struct capd_clock *now,
				    struct capd_token *out, uint64_t *grant_id)
{
	struct capd_grant *g = NULL;
	uint64_t ttl = CAPD_TTL_DEFAULT_MS;
	uint32_t rc;

	/* Ascending ids: the first match is the oldest grant in force. */
	for (size_t i = 0; i < s->ngrants && g == NULL; i++)
		if (!capd_grant_ended(&s->grants[i], now) && binding_eq(&s->grants[i].e.b, &c->b))
			g = &s->grants[i];
	if (g == NULL)
		return CAPD_R_NO_GRANT;
	/* Never wider than the grant: its capability ends no later. */
	if (g->e.scope == CAPD_SCOPE_MINUTES && (g->e.expires - now->real_s) * 1000u < ttl)
		ttl = (g->e.expires - now->real_s) * 1000u;
	rc = mint(s, c, ttl, g->e.id, now, out);
	if (rc != CAPD_OK)
		return rc;
	if (g->e.scope == CAPD_SCOPE_CALLS) {
		g->e.remaining--;
		if (g->e.remaining == 0)
			g->hold_until_ms = out->expiry_ms;
		/* Durable before the capability leaves capd: a crash after
		 * this point cannot give the use back. */
		if (commit(s) != 0) {
			g->e.remaining++;
			g->hold_until_ms = 0;
			live_remove_at(s, live_find(s, out->id));
			sodium_memzero(out, sizeof(*out));
			s->dirty = false;   /* memory is back to what the file holds */
			return CAPD_R_STORE;
		}
	}
	*grant_id = g->e.id;
	return CAPD_OK;
}

uint32_t capd_state_redeem(struct capd_state *s, uint32_t caller_qid, const struct capd_token *t,
			   const struct capd_call *c, const struct capd_clock *now)
{
	size_t slot;

	if (c->b.target_qid != caller_qid)
		return CAPD_R_WRONG_TARGET;
	/* Nothing in the token is believed before its MAC is checked. */
	if (t->version != CAPD_TOKEN_VERSION || t->uses != CAPD_TOKEN_USES || !capd_token_mac_ok(s->keys.token, t, c))
		return CAPD_R_FORGED;
	if (sodium_memcmp(t->epoch, s->epoch, CAPD_EPOCH_SIZE) != 0)
		return CAPD_R_STALE;
	if (now->mono_ms >= t->expiry_ms)
		return CAPD_R_EXPIRED;
	if (t->grant_id != 0) {
		const struct capd_grant *g = grant_find(s, t->grant_id);
		/* A CALLS grant is held (not ended) for its last capability. */
		if (g == NULL || (g->e.scope == CAPD_SCOPE_MINUTES && now->real_s >= g->e.expires))
			return CAPD_R_REVOKED;
	}
	slot = live_find(s, t->id);
	/* MAC-valid in this epoch and not live: capd minted it and it was
	 * consumed (or swept, which happens only after its expiry). */
	if (slot == CAPD_LIVE_SLOTS)
		return CAPD_R_REPLAYED;
	live_remove_at(s, slot);
	return CAPD_OK;
}

uint32_t capd_state_grant_create(struct capd_state *s, const struct capd_grant_req *g, const struct capd_clock *now,
				 uint64_t *id)
{
	struct capd_grant *n;

	if (s->ngrants >= CAPD_GRANTS_MAX)
		return CAPD_R_FULL;
	n = &s->grants[s->ngrants];
	memset(n, 0, sizeof(*n));
	n->e.id = s->next_id;
	n->e.b = g->b;
	n->e.scope = g->scope;
	n->e.value = g->value;
	n->e.remaining = g->scope == CAPD_SCOPE_CALLS ? g->value : 0;
	n->e.expires = g->scope == CAPD_SCOPE_MINUTES ? now->real_s + 60u * (uint64_t)g->value : 0;
	n->e.created = now->real_s;
	s->ngrants++;
	s->next_id++;
	if (commit(s) != 0) {
		s->ngrants--;
		s->next_id--;
		s->dirty = false;
		return CAPD_R_STORE;
	}
	*id = n->e.id;
	return CAPD_OK;
}

uint32_t capd_state_grant_revoke(struct capd_state *s, uint64_t id, struct capd_grant_entry *gone)
{
	struct capd_grant *g = grant_find(s, id);

	if (g == NULL)
		return CAPD_R_NOT_FOUND;
	*gone = g->e;
	grant_remove(s, g);
	/* Revoked in memory whatever happens next: failing closed. */
	return commit(s) == 0 ? CAPD_OK : CAPD_R_STORE;
}

size_t capd_state_grant_list(const struct capd_state *s, uint64_t after, struct capd_grant_entry *out, size_t max,
			     bool *more)
{
	size_t n = 0, i = 0;

	while (i < s->ngrants && s->grants[i].e.id <= after)
		i++;
	for (; i < s->ngrants && n < max; i++)
		out[n++] = s->grants[i].e;
	*more = i < s->ngrants;
	return n;
}

void capd_state_tick(struct capd_state *s, const struct capd_clock *now)
{
	bool changed = false;
	size_t i = 0;

	live_sweep(s, now->mono_ms, true);
	while (i < s->ngrants) {
		struct capd_grant *g = &s->grants[i];
		const char *why = NULL;

		if (g->e.scope == CAPD_SCOPE_MINUTES && now->real_s >= g->e.expires)
			why = "minutes";
		else if (g->e.scope == CAPD_SCOPE_CALLS && g->e.remaining == 0 && now->mono_ms >= g->hold_until_ms)
			why = "calls";
		if (why == NULL) {
			i++;
			continue;
		}
		if (s->hooks.grant_ended)
			s->hooks.grant_ended(s->hooks.ctx, &g->e, why);
		grant_remove(s, g);
		changed = true;
	}
	if (changed || s->dirty)
		(void)commit(s);
}

size_t capd_state_live_count(const struct capd_state *s)
{
	return s->nlive;
}

size_t capd_state_grant_count(const struct capd_state *s)
{
	return s->ngrants;
}

bool capd_state_dirty(const struct capd_state *s)
{
	return s->dirty;
}
