/* The sealed-blob file of bulkhead-aem (SPEC/measured-boot.md "Sealed-blob
 * file").  The file lives on the boot medium, where an evil maid can
 * rewrite it, so it is untrusted input: this parser is pure and written
 * for Frama-C WP (no I/O, no allocation, no globals; a reject leaves *out
 * untouched).  Fixed layout, every integer big-endian, every unused byte
 * zero (one canonical encoding per content).  The parser records the
 * small fields in struct aem_blob; the caller reads the byte regions (PCR
 * values, authority key, signature, TPM public and private areas) from
 * its own copy of the buffer at the AEM_OFF_* offsets below. */
#ifndef BH_AEM_BLOB_PARSE_H
#define BH_AEM_BLOB_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* Named maxima and sizes. */
#define AEM_PCR_COUNT      24u     /* PCRs 0..23 of the SHA-256 bank */
#define AEM_PCR_MASK_END   0x1000000u  /* 1 << AEM_PCR_COUNT: masks are below it */
#define AEM_DIGEST_LEN     32u     /* SHA-256 */
#define AEM_ECC_LEN        32u     /* one P-256 coordinate or signature half */
#define AEM_PUB_MAX        256u    /* marshalled TPMT_PUBLIC of the sealed object */
#define AEM_PRIV_MAX       512u    /* TPM2B_PRIVATE buffer of the sealed object */
#define AEM_NV_INDEX_MIN   0x01000000u   /* NV index handles (TPM_HT_NV_INDEX) */
#define AEM_NV_INDEX_MAX   0x01ffffffu

/* flags */
#define AEM_FLAG_PIN        1u  /* the policy has PolicyAuthValue: unseal asks a PIN */
#define AEM_FLAG_AUTHORITY  2u  /* PolicyAuthorize by the offline key at AEM_OFF_AUTH_X */
#define AEM_FLAG_APPROVED   4u  /* AEM_OFF_SIG holds the authority's approval */
#define AEM_FLAGS_ALL       7u

#define AEM_MAGIC       "BHAEMv1\n"
#define AEM_MAGIC_LEN   8u

/* Layout. */
#define AEM_OFF_MAGIC     0u
#define AEM_OFF_FLAGS     8u      /* u32 */
#define AEM_OFF_NV_INDEX  12u     /* u32: the freshness counter's NV index */
#define AEM_OFF_COUNTER   16u     /* u64: the counter value this blob is bound to */
#define AEM_OFF_PCR_MASK  24u     /* u32: bit i = PCR i is in the policy */
#define AEM_OFF_PCRS      28u     /* AEM_PCR_COUNT x 32: expected value of PCR i, zero if unused */
#define AEM_OFF_AUTH_X    (AEM_OFF_PCRS + AEM_PCR_COUNT * AEM_DIGEST_LEN)  /* P-256 x, y */
#define AEM_OFF_AUTH_Y    (AEM_OFF_AUTH_X + AEM_ECC_LEN)
#define AEM_OFF_SIG_R     (AEM_OFF_AUTH_Y + AEM_ECC_LEN)                    /* ECDSA r, s */
#define AEM_OFF_SIG_S     (AEM_OFF_SIG_R + AEM_ECC_LEN)
#define AEM_OFF_PUB_LEN   (AEM_OFF_SIG_S + AEM_ECC_LEN)                     /* u16 */
#define AEM_OFF_PUB       (AEM_OFF_PUB_LEN + 2u)
#define AEM_OFF_PRIV_LEN  (AEM_OFF_PUB + AEM_PUB_MAX)                       /* u16 */
#define AEM_OFF_PRIV      (AEM_OFF_PRIV_LEN + 2u)
#define AEM_BLOB_LEN      (AEM_OFF_PRIV + AEM_PRIV_MAX)

_Static_assert(AEM_OFF_AUTH_X == 796u, "layout as in SPEC/measured-boot.md");
_Static_assert(AEM_BLOB_LEN == 1696u, "layout as in SPEC/measured-boot.md");

enum aem_perr {
	AEM_OK        =  0,
	AEM_ELENGTH   = -1,  /* not exactly AEM_BLOB_LEN bytes */
	AEM_EMAGIC    = -2,  /* not a bulkhead-aem v1 blob */
	AEM_EFLAGS    = -3,  /* unknown flag, or APPROVED without AUTHORITY */
	AEM_ENVINDEX  = -4,  /* counter index not an NV index handle */
	AEM_EPCRMASK  = -5,  /* no PCR, or a PCR over 23 */
	AEM_EPCRS     = -6,  /* a value given for a PCR not in the mask */
	AEM_EAUTH     = -7,  /* authority key or signature present against the flags */
	AEM_EPUB      = -8,  /* public area length 0, over AEM_PUB_MAX, or nonzero padding */
	AEM_EPRIV     = -9,  /* private area length 0, over AEM_PRIV_MAX, or nonzero padding */
};

/* What a caller may rely on in an accepted blob. */
struct aem_blob {
	uint32_t flags;      /* flags_ok: subset of AEM_FLAGS_ALL; APPROVED ==> AUTHORITY */
	uint32_t nv_index;   /* AEM_NV_INDEX_MIN .. AEM_NV_INDEX_MAX */
	uint64_t counter;
	uint32_t pcr_mask;   /* nonzero, below AEM_PCR_MASK_END */
	uint32_t pub_len;    /* 1 .. AEM_PUB_MAX */
	uint32_t priv_len;   /* 1 .. AEM_PRIV_MAX */
};

/* The flag words allowed: any subset of AEM_FLAGS_ALL but APPROVED
 * without AUTHORITY (4 and 5), spelt out so the proof needs no bit logic. */
/*@ predicate flags_ok(integer f) = f <= AEM_FLAGS_ALL && f != 4 && f != 5; */

/*@ predicate blob_sane(struct aem_blob b) =
      flags_ok(b.flags) &&
      AEM_NV_INDEX_MIN <= b.nv_index <= AEM_NV_INDEX_MAX &&
      0 < b.pcr_mask < AEM_PCR_MASK_END &&
      1 <= b.pub_len <= AEM_PUB_MAX &&
      1 <= b.priv_len <= AEM_PRIV_MAX;
*/

/* A whole blob file: 0 with *out filled, or a negative enum aem_perr
 * with *out untouched.  Checks the layout and canonical form only; the
 * TPM checks the policy, the key and the signature. */
/*@ requires \valid_read(buf + (0 .. len - 1));
    requires \valid(out);
    requires \separated(out, buf + (0 .. len - 1));
    behavior bad_length:
      assumes len != AEM_BLOB_LEN;
      assigns \nothing;
      ensures \result == AEM_ELENGTH;
    behavior full_length:
      assumes len == AEM_BLOB_LEN;
      assigns *out;
      ensures \result <= 0;
      ensures \result == AEM_OK ==> blob_sane(*out);
      ensures \result != AEM_OK ==> *out == \old(*out);
    complete behaviors;
    disjoint behaviors; */
int aem_blob_parse(const uint8_t *buf, size_t len, struct aem_blob *out)
	__attribute__((warn_unused_result));

#endif
