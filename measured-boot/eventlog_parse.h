/* The measurement event log (SPEC/measured-boot.md "Event log"): a
 * 16-byte header and fixed 168-byte records, little-endian, written by
 * bulkhead-measure and read back by every verifier.  The file sits on a
 * medium an attacker may have rewritten, so it is parsed here, proved
 * (make proofs) and fuzzed (tests/fuzz/fuzz_eventlog.c).
 *
 * Pure: no I/O, no allocation; the caller owns every buffer. */
#ifndef BH_MB_EVENTLOG_PARSE_H
#define BH_MB_EVENTLOG_PARSE_H

#include <stddef.h>
#include <stdint.h>

#define EVLOG_MAGIC        "BHEVLOG1"  /* 8 bytes, no NUL on the wire */
#define EVLOG_MAGIC_LEN    8u
#define EVLOG_VERSION      1u
#define EVLOG_HASH_SHA256  0x000bu     /* TPM2_ALG_SHA256 */
#define EVLOG_HEADER_SIZE  16u
#define EVLOG_DIGEST_SIZE  32u
#define EVLOG_NAME_SIZE    128u        /* name bytes on the wire, NUL-padded */
#define EVLOG_RECORD_SIZE  168u        /* 4 pcr + 4 kind + 32 digest + 128 name */
#define EVLOG_RECORDS_MAX  64u
#define EVLOG_SIZE_MAX     (EVLOG_HEADER_SIZE + EVLOG_RECORDS_MAX * EVLOG_RECORD_SIZE)

/* What a record measures; each kind has one PCR (evlog_kind_pcr), so a
 * log cannot claim a kernel was measured into the policy PCR. */
enum evlog_kind {
	EVLOG_XEN = 1,            /* PCR 11: the hypervisor image */
	EVLOG_XEN_CMDLINE = 2,    /* PCR 11: Xen's command line */
	EVLOG_KERNEL = 3,         /* PCR 12: the dom0 kernel image */
	EVLOG_KERNEL_CMDLINE = 4, /* PCR 12: dom0's command line */
	EVLOG_INITRAMFS = 5,      /* PCR 13: dom0's initramfs */
	EVLOG_DOM0_BINARIES = 6,  /* PCR 14: Bulkhead's dom0 programs (a tree) */
	EVLOG_POLICY = 7,         /* PCR 15: the qrexec policy directory (a tree) */
	EVLOG_CAPD_PUBLIC = 8,    /* PCR 15: capd's public material (audit.pub) */
};
#define EVLOG_KIND_MAX 8u

enum {
	EVLOG_EHEADER = -1,  /* short, wrong magic, version or hash */
	EVLOG_ELENGTH = -2,  /* not header + whole records, or over the maximum */
	EVLOG_EKIND   = -3,  /* unknown kind */
	EVLOG_EPCR    = -4,  /* PCR is not the kind's */
	EVLOG_ENAME   = -5,  /* name empty, unprintable, unterminated or badly padded */
};

struct evlog_record {
	uint32_t pcr;
	uint32_t kind;
	uint8_t digest[EVLOG_DIGEST_SIZE];
	char name[EVLOG_NAME_SIZE];   /* 1..127 printable ASCII bytes, NUL-padded */
};

/*@ logic integer evlog_pcr_of(integer kind) =
      (kind == 1 || kind == 2) ? 11 :
      (kind == 3 || kind == 4) ? 12 :
      kind == 5 ? 13 :
      kind == 6 ? 14 :
      (kind == 7 || kind == 8) ? 15 : -1;

    // 1..127 printable bytes, then NULs to the end: every byte is NUL or a
    // printable byte after a non-NUL one; the first is printable, the last NUL.
    predicate evlog_name_ok(char *s) =
      0x20 <= s[0] <= 0x7e && s[EVLOG_NAME_SIZE - 1] == 0 &&
      (\forall integer i; 0 < i < EVLOG_NAME_SIZE ==>
         (s[i] == 0 || (0x20 <= s[i] <= 0x7e && s[i - 1] != 0)));

    predicate evlog_record_ok(struct evlog_record *r) =
      1 <= r->kind <= EVLOG_KIND_MAX && r->pcr == evlog_pcr_of(r->kind) &&
      evlog_name_ok(&r->name[0]);
*/

/* The PCR a kind is measured into, or -1 for an unknown kind. */
/*@ assigns \nothing;
    ensures \result == evlog_pcr_of(kind); */
int evlog_kind_pcr(uint32_t kind);

/* One record: exactly EVLOG_RECORD_SIZE bytes.  On reject *out is
 * untouched. */
/*@ requires \valid_read(buf + (0 .. len - 1));
    requires \valid(out);
    requires \separated(buf + (0 .. len - 1), out);
    assigns *out;
    behavior bad_length:
      assumes len != EVLOG_RECORD_SIZE;
      assigns \nothing;
      ensures \result == EVLOG_ELENGTH;
    behavior sized:
      assumes len == EVLOG_RECORD_SIZE;
      ensures reject: \result < 0 ==> *out == \old(*out);
      ensures codes: \result == 0 || \result == EVLOG_EKIND || \result == EVLOG_EPCR ||
                     \result == EVLOG_ENAME;
      ensures accept: \result == 0 ==> evlog_record_ok(out);
      ensures digest: \result == 0 ==> \forall integer i; 0 <= i < EVLOG_DIGEST_SIZE ==>
                                       out->digest[i] == buf[8 + i];
    complete behaviors;
    disjoint behaviors; */
int evlog_record_parse(const uint8_t *buf, size_t len, struct evlog_record *out)
	__attribute__((warn_unused_result));

/* The header of a log of len bytes: magic, version, hash, and a length
 * of whole records, at most EVLOG_RECORDS_MAX.  On accept *count is the
 * number of records, which follow the header back to back; on reject
 * *count is untouched.  (The records are parsed one by one with
 * evlog_record_parse: evlog_load() in eventlog.c.) */
/*@ requires \valid_read(buf + (0 .. len - 1));
    requires \valid(count);
    requires \separated(buf + (0 .. len - 1), count);
    assigns *count;
    ensures codes: \result == 0 || \result == EVLOG_EHEADER || \result == EVLOG_ELENGTH;
    ensures reject: \result < 0 ==> *count == \old(*count);
    ensures accept: \result == 0 ==> *count <= EVLOG_RECORDS_MAX &&
                    len == EVLOG_HEADER_SIZE + *count * EVLOG_RECORD_SIZE; */
int evlog_header_parse(const uint8_t *buf, size_t len, uint32_t *count)
	__attribute__((warn_unused_result));

/* The header bytes of a new log. */
/*@ requires \valid(out + (0 .. EVLOG_HEADER_SIZE - 1));
    assigns out[0 .. EVLOG_HEADER_SIZE - 1]; */
void evlog_header_encode(uint8_t *out);

/* One record's bytes; the record must be well formed (the writer builds
 * it), so that what is written parses back. */
/*@ requires \valid_read(r);
    requires evlog_record_ok(r);
    requires \valid(out + (0 .. EVLOG_RECORD_SIZE - 1));
    requires \separated(r, out + (0 .. EVLOG_RECORD_SIZE - 1));
    assigns out[0 .. EVLOG_RECORD_SIZE - 1]; */
void evlog_record_encode(const struct evlog_record *r, uint8_t *out);

#endif
