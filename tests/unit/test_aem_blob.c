/* The sealed-blob file of bulkhead-aem (measured-boot/aem_blob_parse.c,
 * aem_blob.c): a blob of every flag combination encodes and parses back
 * to the same contents and bytes; every reject class of the parser is
 * refused with its own code and leaves the output untouched. */
#include <stdio.h>
#include <string.h>

#include "measured-boot/aem_blob.h"
#include "tests/lib/check.h"

static void fill(struct aem_sealed *s, uint32_t flags)
{
	memset(s, 0, sizeof(*s));
	s->flags = flags;
	s->nv_index = 0x0100ae01;
	s->counter = 0x0102030405060708ull;
	s->pcr_mask = 1u << 0 | 1u << 8 | 1u << 23;
	for (unsigned i = 0; i < AEM_PCR_COUNT; i++)
		if (s->pcr_mask >> i & 1)
			memset(s->pcrs[i], 0x10 + (int)i, AEM_DIGEST_LEN);
	if (flags & AEM_FLAG_AUTHORITY) {
		memset(s->auth_x, 0x31, AEM_ECC_LEN);
		memset(s->auth_y, 0x32, AEM_ECC_LEN);
	}
	if (flags & AEM_FLAG_APPROVED) {
		memset(s->sig_r, 0x41, AEM_ECC_LEN);
		memset(s->sig_s, 0x42, AEM_ECC_LEN);
	}
	s->pub_len = 90;
	memset(s->pub, 0x55, s->pub_len);
	s->priv_len = AEM_PRIV_MAX;
	memset(s->priv, 0x66, s->priv_len);
}

static void test_round_trip(void)
{
	static const uint32_t flags[] = { 0, AEM_FLAG_PIN, AEM_FLAG_AUTHORITY,
		AEM_FLAG_AUTHORITY | AEM_FLAG_PIN, AEM_FLAG_AUTHORITY | AEM_FLAG_APPROVED, AEM_FLAGS_ALL };
	static struct aem_sealed s, back;
	uint8_t buf[AEM_BLOB_LEN], again[AEM_BLOB_LEN];
	struct aem_blob b;

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		fill(&s, flags[i]);
		aem_blob_encode(&s, buf);
		CHECK(memcmp(buf, AEM_MAGIC, AEM_MAGIC_LEN) == 0);
		CHECK(aem_blob_parse(buf, sizeof(buf), &b) == AEM_OK);
		CHECK(b.flags == flags[i] && b.nv_index == s.nv_index && b.counter == s.counter);
		CHECK(b.pcr_mask == s.pcr_mask && b.pub_len == 90 && b.priv_len == AEM_PRIV_MAX);
		CHECK(aem_blob_decode(buf, sizeof(buf), &back) == AEM_OK);
		CHECK(memcmp(&s, &back, sizeof(s)) == 0);
		aem_blob_encode(&back, again);
		CHECK(memcmp(buf, again, sizeof(buf)) == 0);
	}
}

/* The parse of buf, which must be refused with want and leave out as it was. */
static void refused(const uint8_t *buf, size_t len, int want, int line)
{
	struct aem_blob b, before;
	int rc;

	memset(&b, 0x5a, sizeof(b));
	before = b;
	rc = aem_blob_parse(buf, len, &b);
	if (rc != want)
		fprintf(stderr, "line %d: rc %d, want %d\n", line, rc, want);
	CHECK(rc == want);
	CHECK(memcmp(&b, &before, sizeof(b)) == 0);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

static void test_rejects(void)
{
	static struct aem_sealed s;
	uint8_t good[AEM_BLOB_LEN + 1], buf[AEM_BLOB_LEN + 1];

#define MUTATE(stmt, want) do { memcpy(buf, good, sizeof(buf)); stmt; \
	refused(buf, AEM_BLOB_LEN, want, __LINE__); } while (0)
	fill(&s, AEM_FLAG_PIN);
	aem_blob_encode(&s, good);
	good[AEM_BLOB_LEN] = 0;
	refused(good, 0, AEM_ELENGTH, __LINE__);
	refused(good, AEM_BLOB_LEN - 1, AEM_ELENGTH, __LINE__);
	refused(good, AEM_BLOB_LEN + 1, AEM_ELENGTH, __LINE__);
	MUTATE(buf[7] = '\r', AEM_EMAGIC);
	MUTATE(buf[0] = 'b', AEM_EMAGIC);
	MUTATE(put32(buf + AEM_OFF_FLAGS, 8), AEM_EFLAGS);
	MUTATE(put32(buf + AEM_OFF_FLAGS, 0x80000000u), AEM_EFLAGS);
	MUTATE(put32(buf + AEM_OFF_FLAGS, AEM_FLAG_APPROVED), AEM_EFLAGS);
	MUTATE(put32(buf + AEM_OFF_FLAGS, AEM_FLAG_APPROVED | AEM_FLAG_PIN), AEM_EFLAGS);
	MUTATE(put32(buf + AEM_OFF_NV_INDEX, 0x00ffffff), AEM_ENVINDEX);
	MUTATE(put32(buf + AEM_OFF_NV_INDEX, 0x02000000), AEM_ENVINDEX);
	MUTATE(put32(buf + AEM_OFF_NV_INDEX, 0x81000001), AEM_ENVINDEX);
	MUTATE(put32(buf + AEM_OFF_PCR_MASK, 0), AEM_EPCRMASK);
	MUTATE(put32(buf + AEM_OFF_PCR_MASK, AEM_PCR_MASK_END | 1u), AEM_EPCRMASK);
	/* PCR 1 is not in the mask: its value region must stay zero. */
	MUTATE(buf[AEM_OFF_PCRS + 1 * AEM_DIGEST_LEN + 31] = 1, AEM_EPCRS);
	MUTATE(buf[AEM_OFF_PCRS + 22 * AEM_DIGEST_LEN] = 1, AEM_EPCRS);
	/* A selected PCR's value may be anything, zero included. */
	memcpy(buf, good, sizeof(buf));
	memset(buf + AEM_OFF_PCRS + 8 * AEM_DIGEST_LEN, 0, AEM_DIGEST_LEN);
	{
		struct aem_blob b;
		CHECK(aem_blob_parse(buf, AEM_BLOB_LEN, &b) == AEM_OK);
	}
	MUTATE(buf[AEM_OFF_AUTH_Y + 31] = 1, AEM_EAUTH);                       /* key, no AUTHORITY */
	MUTATE(buf[AEM_OFF_SIG_S] = 1, AEM_EAUTH);                             /* signature, not APPROVED */
	MUTATE(put32(buf + AEM_OFF_FLAGS, AEM_FLAG_AUTHORITY), AEM_EAUTH);     /* AUTHORITY, no key */
	MUTATE((buf[AEM_OFF_PUB_LEN] = 0, buf[AEM_OFF_PUB_LEN + 1] = 0), AEM_EPUB);
	MUTATE((buf[AEM_OFF_PUB_LEN] = 1, buf[AEM_OFF_PUB_LEN + 1] = 1), AEM_EPUB);   /* 257 */
	MUTATE(buf[AEM_OFF_PUB + 90] = 1, AEM_EPUB);                           /* padding */
	MUTATE(buf[AEM_OFF_PUB + AEM_PUB_MAX - 1] = 1, AEM_EPUB);
	MUTATE((buf[AEM_OFF_PRIV_LEN] = 0, buf[AEM_OFF_PRIV_LEN + 1] = 0), AEM_EPRIV);
	MUTATE((buf[AEM_OFF_PRIV_LEN] = 2, buf[AEM_OFF_PRIV_LEN + 1] = 1), AEM_EPRIV); /* 513 */
	/* Approved: the signature must be there. */
	fill(&s, AEM_FLAG_AUTHORITY | AEM_FLAG_APPROVED);
	aem_blob_encode(&s, good);
	MUTATE(memset(buf + AEM_OFF_SIG_R, 0, 2 * AEM_ECC_LEN), AEM_EAUTH);
	MUTATE(memset(buf + AEM_OFF_AUTH_X, 0, 2 * AEM_ECC_LEN), AEM_EAUTH);
	/* A shorter private area leaves zero padding, which must stay zero. */
	s.priv_len = 10;
	aem_blob_encode(&s, good);
	MUTATE(buf[AEM_OFF_PRIV + 10] = 1, AEM_EPRIV);
	MUTATE(buf[AEM_BLOB_LEN - 1] = 1, AEM_EPRIV);
#undef MUTATE
}

int main(void)
{
	test_round_trip();
	test_rejects();
	for (int e = AEM_OK; e >= AEM_EPRIV; e--)
		CHECK(aem_blob_strerror(e)[0] != '\0');
	return check_exit();
}
