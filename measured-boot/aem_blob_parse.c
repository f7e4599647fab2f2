/* The sealed-blob file parser (aem_blob_parse.h; layout in
 * SPEC/measured-boot.md "Sealed-blob file").  Everything is validated
 * into a local; *out is written once, on accept. */
#include "measured-boot/aem_blob_parse.h"

/* Big-endian integers, decoded with + and * (FRAMA-C.md: the shift form
 * does not prove). */
/*@ requires \valid_read(p + (0 .. 1));
    assigns \nothing;
    ensures \result == p[0] * 256 + p[1]; */
static uint32_t be16(const uint8_t *p)
{
	return (uint32_t)p[0] * 256u + (uint32_t)p[1];
}

/*@ requires \valid_read(p + (0 .. 3));
    assigns \nothing;
    ensures \result == p[0] * 16777216 + p[1] * 65536 + p[2] * 256 + p[3]; */
static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] * 16777216u + (uint32_t)p[1] * 65536u + (uint32_t)p[2] * 256u +
	       (uint32_t)p[3];
}

/*@ requires \valid_read(p + (0 .. 7));
    assigns \nothing; */
static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) * 4294967296u + (uint64_t)be32(p + 4);
}

/* Whether p[0..n) are all zero bytes. */
/*@ requires \valid_read(p + (0 .. n - 1));
    assigns \nothing;
    ensures \result != 0 ==> \forall integer k; 0 <= k < n ==> p[k] == 0; */
static int all_zero(const uint8_t *p, size_t n)
{
	/*@ loop invariant bound: 0 <= i <= n;
	    loop invariant zero: \forall integer k; 0 <= k < i ==> p[k] == 0;
	    loop assigns i;
	    loop variant n - i; */
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/* Whether a PCR outside the mask has a value: the value region of an
 * unused PCR is zero, so one content has one encoding. */
/*@ requires \valid_read(pcrs + (0 .. AEM_PCR_COUNT * AEM_DIGEST_LEN - 1));
    requires mask < AEM_PCR_MASK_END;
    assigns \nothing; */
static int unused_pcrs_zero(const uint8_t *pcrs, uint32_t mask)
{
	/*@ loop invariant bound: 0 <= i <= AEM_PCR_COUNT;
	    loop assigns i;
	    loop variant AEM_PCR_COUNT - i; */
	for (uint32_t i = 0; i < AEM_PCR_COUNT; i++)
		if (((mask >> i) & 1u) == 0 && !all_zero(pcrs + i * AEM_DIGEST_LEN, AEM_DIGEST_LEN))
			return 0;
	return 1;
}

/*@ requires \valid_read(buf + (0 .. AEM_MAGIC_LEN - 1));
    assigns \nothing; */
static int magic_ok(const uint8_t *buf)
{
	static const char magic[AEM_MAGIC_LEN] = AEM_MAGIC;

	/*@ loop invariant bound: 0 <= i <= AEM_MAGIC_LEN;
	    loop assigns i;
	    loop variant AEM_MAGIC_LEN - i; */
	for (size_t i = 0; i < AEM_MAGIC_LEN; i++)
		if (buf[i] != (uint8_t)magic[i])
			return 0;
	return 1;
}

/* A length-prefixed area: len in 1..max and the bytes after it zero. */
/*@ requires max <= AEM_PRIV_MAX;
    requires \valid_read(area + (0 .. max - 1));
    assigns \nothing;
    ensures \result != 0 ==> 1 <= len <= max; */
static int area_ok(const uint8_t *area, uint32_t len, uint32_t max)
{
	return len >= 1 && len <= max && all_zero(area + len, max - len);
}

int aem_blob_parse(const uint8_t *buf, size_t len, struct aem_blob *out)
{
	struct aem_blob b;
	uint32_t flags;

	if (len != AEM_BLOB_LEN)
		return AEM_ELENGTH;
	if (!magic_ok(buf))
		return AEM_EMAGIC;
	flags = be32(buf + AEM_OFF_FLAGS);
	if (flags > AEM_FLAGS_ALL || flags == AEM_FLAG_APPROVED ||
	    flags == (AEM_FLAG_APPROVED | AEM_FLAG_PIN))
		return AEM_EFLAGS;
	b.flags = flags;
	b.nv_index = be32(buf + AEM_OFF_NV_INDEX);
	if (b.nv_index < AEM_NV_INDEX_MIN || b.nv_index > AEM_NV_INDEX_MAX)
		return AEM_ENVINDEX;
	b.counter = be64(buf + AEM_OFF_COUNTER);
	b.pcr_mask = be32(buf + AEM_OFF_PCR_MASK);
	if (b.pcr_mask == 0 || b.pcr_mask >= AEM_PCR_MASK_END)
		return AEM_EPCRMASK;
	if (!unused_pcrs_zero(buf + AEM_OFF_PCRS, b.pcr_mask))
		return AEM_EPCRS;
	/* The authority key is there exactly when AUTHORITY is set and the
	 * signature exactly when APPROVED (neither is ever all zeros: that
	 * is not a P-256 point nor an ECDSA signature, so "absent" cannot be
	 * mistaken for a value). */
	if (all_zero(buf + AEM_OFF_AUTH_X, 2u * AEM_ECC_LEN) == ((flags & AEM_FLAG_AUTHORITY) != 0) ||
	    all_zero(buf + AEM_OFF_SIG_R, 2u * AEM_ECC_LEN) == (flags >= AEM_FLAG_APPROVED))
		return AEM_EAUTH;
	b.pub_len = be16(buf + AEM_OFF_PUB_LEN);
	if (!area_ok(buf + AEM_OFF_PUB, b.pub_len, AEM_PUB_MAX))
		return AEM_EPUB;
	b.priv_len = be16(buf + AEM_OFF_PRIV_LEN);
	if (!area_ok(buf + AEM_OFF_PRIV, b.priv_len, AEM_PRIV_MAX))
		return AEM_EPRIV;
	*out = b;
	return AEM_OK;
}
