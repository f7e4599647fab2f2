/* Reference logs and boot-chain change diagnosis (aem_diag.h). */
#include "measured-boot/aem_diag.h"

#include <stdio.h>
#include <string.h>

#include "lib/paths.h"
#include "measured-boot/aem.h"
#include "measured-boot/eventlog.h"

_Static_assert(EVLOG_PCRS == AEM_PCR_COUNT && EVLOG_DIGEST_SIZE == AEM_DIGEST_LEN, "one PCR bank");

int aem_ref_path(const char *blob, char *path, size_t pathlen)
{
	int n = snprintf(path, pathlen, "%s%s", blob, AEM_REF_SUFFIX);

	return n < 0 || (size_t)n >= pathlen ? -1 : 0;
}

static int load(const char *given, struct evlog *l, char *why, size_t whylen)
{
	char path[BH_PATH_MAX], err[EVLOG_ERR_MAX];

	if (given == NULL && bh_path(path, sizeof(path), EVLOG_REL) < 0) {
		snprintf(why, whylen, "event log path too long");
		return -1;
	}
	if (evlog_load(given ? given : path, l, err, sizeof(err)) < 0) {
		snprintf(why, whylen, "%s", err);
		return -1;
	}
	return 0;
}

/* The PCRs of mask that the log covers and whose value it does not give. */
static uint32_t unexplained(const struct evlog *l, uint32_t mask, const uint8_t pcrs[AEM_PCR_COUNT][AEM_DIGEST_LEN])
{
	uint8_t want[EVLOG_PCRS][EVLOG_DIGEST_SIZE];
	uint32_t bad = 0;

	evlog_replay(l, want);
	for (unsigned i = 0; i < AEM_PCR_COUNT; i++)
		if ((mask & EVLOG_PCR_MASK) >> i & 1 && memcmp(want[i], pcrs[i], AEM_DIGEST_LEN) != 0)
			bad |= 1u << i;
	return bad;
}

static unsigned lowest(uint32_t mask)
{
	unsigned i = 0;

	while (i < 31 && !(mask >> i & 1))
		i++;
	return i;
}

int aem_ref_keep(const char *blob, const char *log, uint32_t mask,
	const uint8_t pcrs[AEM_PCR_COUNT][AEM_DIGEST_LEN], char *why, size_t whylen)
{
	static struct evlog l;
	char ref[BH_PATH_MAX];
	uint32_t bad;
	int r;

	if (aem_ref_path(blob, ref, sizeof(ref)) < 0) {
		snprintf(why, whylen, "%s: path too long", blob);
		return -1;
	}
	(void)remove(ref);   /* a stale reference must not outlive its blob */
	if (load(log, &l, why, whylen) < 0)
		return -1;
	bad = unexplained(&l, mask, pcrs);
	if (bad != 0) {
		snprintf(why, whylen, "the event log does not explain PCR %u", lowest(bad));
		return -1;
	}
	r = evlog_store(ref, &l);
	if (r < 0) {
		snprintf(why, whylen, "%s: %s", ref, strerror(-r));
		return -1;
	}
	return 0;
}

int aem_log_pcrs(const char *path, uint32_t mask, uint8_t pcrs[AEM_PCR_COUNT][AEM_DIGEST_LEN],
	char *why, size_t whylen)
{
	static struct evlog l;
	uint8_t want[EVLOG_PCRS][EVLOG_DIGEST_SIZE];

	if (mask & ~EVLOG_PCR_MASK) {
		snprintf(why, whylen, "the blob's PCRs include PCR %u, which no event log of bulkhead-measure covers",
			 lowest(mask & ~EVLOG_PCR_MASK));
		return -1;
	}
	if (load(path, &l, why, whylen) < 0)
		return -1;
	evlog_replay(&l, want);
	for (unsigned i = 0; i < AEM_PCR_COUNT; i++)
		if (mask >> i & 1)
			memcpy(pcrs[i], want[i], AEM_DIGEST_LEN);
	return 0;
}

/* The record of l with r's kind and name, or NULL. */
static const struct evlog_record *find(const struct evlog *l, const struct evlog_record *r)
{
	for (uint32_t i = 0; i < l->count; i++)
		if (l->rec[i].kind == r->kind && strcmp(l->rec[i].name, r->name) == 0)
			return &l->rec[i];
	return NULL;
}

static void hex8(const uint8_t *d, char out[17])
{
	for (unsigned i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* Names every measurement in the PCRs of differ that is not the same in
 * both logs.  Returns how many it named. */
static unsigned name_changes(const struct evlog *ref, const struct evlog *now, uint32_t differ)
{
	unsigned n = 0;
	char a[17], b[17];

	for (uint32_t i = 0; i < now->count; i++) {
		const struct evlog_record *r = &now->rec[i], *old;

		if (!(differ >> r->pcr & 1))
			continue;
		old = find(ref, r);
		if (old == NULL) {
			aem_say("NEW measurement: %s %s (PCR %u)", evlog_kind_name(r->kind), r->name, r->pcr);
			n++;
		} else if (memcmp(old->digest, r->digest, EVLOG_DIGEST_SIZE) != 0) {
			hex8(old->digest, a);
			hex8(r->digest, b);
			aem_say("CHANGED measurement: %s %s (PCR %u): sha256 sealed %s..., now %s...",
				evlog_kind_name(r->kind), r->name, r->pcr, a, b);
			n++;
		}
	}
	for (uint32_t i = 0; i < ref->count; i++) {
		const struct evlog_record *r = &ref->rec[i];

		if ((differ >> r->pcr & 1) && find(now, r) == NULL) {
			aem_say("MISSING measurement: %s %s (PCR %u)", evlog_kind_name(r->kind), r->name, r->pcr);
			n++;
		}
	}
	return n;
}

void aem_diag_explain(const char *blob, const char *log, uint32_t differ,
	const uint8_t sealed[AEM_PCR_COUNT][AEM_DIGEST_LEN], const uint8_t now[AEM_PCR_COUNT][AEM_DIGEST_LEN])
{
	static struct evlog cur, ref;
	char a[17], b[17], why[EVLOG_ERR_MAX + BH_PATH_MAX], refpath[BH_PATH_MAX];
	uint32_t bad;

	for (unsigned i = 0; i < AEM_PCR_COUNT; i++) {
		if (!(differ >> i & 1))
			continue;
		hex8(sealed[i], a);
		hex8(now[i], b);
		aem_say("PCR %u: sealed %s..., now %s...", i, a, b);
	}
	if (!(differ & EVLOG_PCR_MASK)) {
		aem_say("no differing PCR is one bulkhead-measure extends: the change is in the firmware or "
			"bootloader measurements");
		return;
	}
	if (load(log, &cur, why, sizeof(why)) < 0) {
		aem_say("cannot name the measurement: %s", why);
		return;
	}
	bad = unexplained(&cur, differ, now);
	if (bad != 0) {
		aem_say("the event log of this boot does not explain PCR %u: something was measured outside "
			"the log, or the log was altered", lowest(bad));
		return;
	}
	if (aem_ref_path(blob, refpath, sizeof(refpath)) < 0 || load(refpath, &ref, why, sizeof(why)) < 0) {
		aem_say("no reference log kept with the blob (%s): measurements of this boot in the changed PCRs:",
			refpath);
		for (uint32_t i = 0; i < cur.count; i++)
			if (differ >> cur.rec[i].pcr & 1)
				aem_say("measured: %s %s (PCR %u)", evlog_kind_name(cur.rec[i].kind), cur.rec[i].name,
					cur.rec[i].pcr);
		return;
	}
	bad = unexplained(&ref, differ, sealed);
	if (bad != 0) {
		aem_say("the reference log %s does not give the sealed value of PCR %u: it was altered", refpath,
			lowest(bad));
		return;
	}
	if (name_changes(&ref, &cur, differ) == 0)
		aem_say("the same measurements in another order");
}
