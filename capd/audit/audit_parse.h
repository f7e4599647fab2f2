/* The audit log's text formats (SPEC/audit-log.md): the record line, the
 * value escaping, the head slot and the public-key file.  A log file is
 * untrusted input (anyone who got write access to it may have edited it),
 * so these are pure functions written for Frama-C WP: no I/O, no
 * allocation, no globals; every reject leaves the output untouched.
 * Canonical forms only: whatever the parser accepts is exactly what the
 * writer would produce for the decoded contents (escape(parse(x)) == x). */
#ifndef BH_AUDIT_PARSE_H
#define BH_AUDIT_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Named maximums (SPEC/audit-log.md "Limits"). */
#define AUDIT_RECORD_MAX   8192u   /* bytes of a record line, its LF included */
#define AUDIT_FIELDS_MAX   16u     /* key=value fields of a record */
#define AUDIT_NAME_MAX     32u     /* bytes of an event name or a key */
#define AUDIT_VALUE_MAX    1024u   /* bytes of a value, decoded */
#define AUDIT_ESCAPED_MAX  (3u * AUDIT_VALUE_MAX)  /* bytes of a value, escaped */
#define AUDIT_SEQ_DIGITS   15u
#define AUDIT_SEQ_MAX      999999999999999ull      /* 15 decimal digits */
#define AUDIT_HASH_LEN     32u     /* BLAKE2b-256 */
#define AUDIT_SIG_LEN      64u     /* Ed25519 */
#define AUDIT_PUBKEY_LEN   32u     /* Ed25519 */
#define AUDIT_SEED_LEN     32u     /* Ed25519 seed (the secret key file) */
#define AUDIT_TIME_LEN     24u     /* "YYYY-MM-DDTHH:MM:SS.mmmZ" */
#define AUDIT_YEAR_MIN     1970u
#define AUDIT_YEAR_MAX     9999u

/* The head slot "head seq=<15 digits> hash=<64 hex> sig=<128 hex>\n";
 * the head file is two slots.  The signature covers the slot's first
 * AUDIT_HEAD_SIGNED_LEN bytes (everything before " sig="). */
#define AUDIT_HEAD_SEQ_OFF     9u                                  /* after "head seq=" */
#define AUDIT_HEAD_HASH_OFF    (AUDIT_HEAD_SEQ_OFF + AUDIT_SEQ_DIGITS + 6u)  /* after " hash=" */
#define AUDIT_HEAD_SIGNED_LEN  (AUDIT_HEAD_HASH_OFF + 2u * AUDIT_HASH_LEN)
#define AUDIT_HEAD_SIG_OFF     (AUDIT_HEAD_SIGNED_LEN + 5u)        /* after " sig=" */
#define AUDIT_HEAD_SLOT_LEN    (AUDIT_HEAD_SIG_OFF + 2u * AUDIT_SIG_LEN + 1u)
#define AUDIT_HEAD_FILE_LEN    (2u * AUDIT_HEAD_SLOT_LEN)

/* The public-key file "bulkhead-audit-pubkey ed25519 <64 hex>\n" and the
 * secret-key file "bulkhead-audit-seed ed25519 <64 hex>\n". */
#define AUDIT_PUBKEY_PREFIX     "bulkhead-audit-pubkey ed25519 "
#define AUDIT_PUBKEY_PREFIX_LEN 30u
#define AUDIT_PUBKEY_FILE_LEN   (AUDIT_PUBKEY_PREFIX_LEN + 2u * AUDIT_PUBKEY_LEN + 1u)
#define AUDIT_SEED_PREFIX       "bulkhead-audit-seed ed25519 "
#define AUDIT_SEED_PREFIX_LEN   28u
#define AUDIT_SEED_FILE_LEN     (AUDIT_SEED_PREFIX_LEN + 2u * AUDIT_SEED_LEN + 1u)

_Static_assert(AUDIT_HEAD_SLOT_LEN == 228u, "head slot layout");
_Static_assert(AUDIT_RECORD_MAX < 65536u, "spans are 32-bit, records are small");

/* 0 or one of these; the parsers never change their output on error. */
enum audit_perr {
	AUDIT_OK        =   0,
	AUDIT_ELENGTH   =  -1,  /* empty, over AUDIT_RECORD_MAX, or no final LF */
	AUDIT_ESEQ      =  -2,  /* seq= missing, 0, leading zero, over 15 digits */
	AUDIT_ETIME     =  -3,  /* time= missing or not a valid UTC time */
	AUDIT_EEVENT    =  -4,  /* event= missing or not an event name */
	AUDIT_EKEY      =  -5,  /* a field's key: charset, length, '=' missing, reserved */
	AUDIT_EDUPKEY   =  -6,  /* a key given twice */
	AUDIT_EVALUE    =  -7,  /* a value: raw byte outside its set, bad or needless escape */
	AUDIT_EFIELDS   =  -8,  /* over AUDIT_FIELDS_MAX fields */
	AUDIT_EPREV     =  -9,  /* prev= missing or not 64 lowercase hex */
	AUDIT_EHASH     = -10,  /* hash= missing or not 64 lowercase hex */
	AUDIT_ESIG      = -11,  /* sig= missing or not 128 lowercase hex */
	AUDIT_ETRAILING = -12,  /* bytes after sig=, or a separator not a single space */
	AUDIT_EHEAD     = -13,  /* a head slot that is not exactly the slot format */
	AUDIT_EKEYFILE  = -14,  /* a key file that is not exactly its format */
	AUDIT_ENOSPACE  = -15,  /* encoder: the caller's buffer is too small */
	AUDIT_ETOOLONG  = -16,  /* encoder: value over AUDIT_VALUE_MAX */
};

/* An offset and length into the caller's line. */
struct audit_span {
	uint32_t off;
	uint32_t len;
};

struct audit_time {
	uint16_t year;    /* AUDIT_YEAR_MIN .. AUDIT_YEAR_MAX */
	uint8_t month;    /* 1 .. 12 */
	uint8_t day;      /* 1 .. days in that month */
	uint8_t hour;     /* 0 .. 23 */
	uint8_t min;      /* 0 .. 59 */
	uint8_t sec;      /* 0 .. 59 */
	uint16_t msec;    /* 0 .. 999 */
};

struct audit_fspan {
	struct audit_span key;     /* [a-z][a-z0-9_]*, not a reserved name */
	struct audit_span value;   /* the escaped value as it is in the line */
};

/* A parsed record.  Spans point into the line given to the parser, which
 * the caller keeps. */
struct audit_record {
	uint64_t seq;                      /* 1 .. AUDIT_SEQ_MAX */
	struct audit_time time;
	struct audit_span event;
	uint32_t nfields;                  /* 0 .. AUDIT_FIELDS_MAX */
	struct audit_fspan fields[AUDIT_FIELDS_MAX];
	uint8_t prev[AUDIT_HASH_LEN];
	uint8_t hash[AUDIT_HASH_LEN];
	uint8_t sig[AUDIT_SIG_LEN];
	uint32_t hashed_len;               /* hash = BLAKE2b-256(line[0 .. hashed_len)) */
	uint32_t signed_len;               /* sig signs line[0 .. signed_len) */
};

struct audit_head {
	uint64_t seq;                      /* 0 .. AUDIT_SEQ_MAX (0: the empty log) */
	uint8_t hash[AUDIT_HASH_LEN];      /* of record seq; all zero for seq 0 */
	uint8_t sig[AUDIT_SIG_LEN];        /* signs slot[0 .. AUDIT_HEAD_SIGNED_LEN) */
};

/* Which names audit_name_check() accepts. */
enum audit_name_kind {
	AUDIT_NAME_EVENT,   /* [a-z][a-z0-9_-]{0,31} */
	AUDIT_NAME_KEY,     /* [a-z][a-z0-9_]{0,31}, not seq/time/event/prev/hash/sig */
};

/*@
  predicate is_lower(integer c) = 'a' <= c <= 'z';
  predicate is_digit(integer c) = '0' <= c <= '9';
  predicate is_hexlow(integer c) = is_digit(c) || ('a' <= c <= 'f');
  predicate is_hexup(integer c) = is_digit(c) || ('A' <= c <= 'F');

  // Bytes a value carries raw: printable ASCII but space, '%' and '='.
  predicate is_safe(integer c) = 0x21 <= c <= 0x7e && c != '%' && c != '=';

  predicate name_char(integer kind, integer c, integer i) =
      i == 0 ? is_lower(c) :
      (is_lower(c) || is_digit(c) || c == '_' || (kind == AUDIT_NAME_EVENT && c == '-'));

  predicate in_line(struct audit_span s, integer len) = s.off + s.len <= len;

  // What a caller may rely on in an accepted record.
  predicate record_sane(struct audit_record r, integer len) =
      1 <= r.seq <= AUDIT_SEQ_MAX &&
      r.nfields <= AUDIT_FIELDS_MAX &&
      in_line(r.event, len) && 1 <= r.event.len <= AUDIT_NAME_MAX &&
      (\forall integer i; 0 <= i < r.nfields ==>
          in_line(r.fields[i].key, len) && in_line(r.fields[i].value, len) &&
          1 <= r.fields[i].key.len <= AUDIT_NAME_MAX &&
          r.fields[i].value.len <= AUDIT_ESCAPED_MAX) &&
      0 < r.hashed_len < r.signed_len < len;
*/

/* Whether c is a byte values carry raw (not %XX-escaped). */
/*@ assigns \nothing;
    ensures \result <==> is_safe(c); */
bool audit_is_safe(uint8_t c);

/* 0 when p[0..n) is a name of `kind`, else AUDIT_EEVENT or AUDIT_EKEY. */
/*@ requires \valid_read(p + (0 .. n - 1));
    assigns \nothing;
    ensures \result == AUDIT_OK || \result == AUDIT_EEVENT || \result == AUDIT_EKEY;
    ensures \result == AUDIT_OK ==> 1 <= n <= AUDIT_NAME_MAX &&
        (\forall integer i; 0 <= i < n ==> name_char(kind, p[i], i)); */
int audit_name_check(enum audit_name_kind kind, const uint8_t *p, size_t n)
	__attribute__((warn_unused_result));

/* Escapes in[0..n) (n <= AUDIT_VALUE_MAX) into out[0..cap): 0 with *outlen
 * set, AUDIT_ETOOLONG or AUDIT_ENOSPACE with *outlen untouched (out may
 * have been written).  cap >= AUDIT_ESCAPED_MAX always suffices. */
/*@ requires \valid_read(in + (0 .. n - 1));
    requires \valid(out + (0 .. cap - 1));
    requires \valid(outlen);
    requires \separated(out + (0 .. cap - 1), in + (0 .. n - 1), outlen);
    assigns out[0 .. cap - 1], *outlen;
    ensures \result == AUDIT_OK || \result == AUDIT_ETOOLONG || \result == AUDIT_ENOSPACE;
    ensures \result == AUDIT_OK ==> *outlen <= cap && *outlen <= 3 * n;
    ensures \result != AUDIT_OK ==> *outlen == \old(*outlen); */
int audit_escape(const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *outlen)
	__attribute__((warn_unused_result));

/* Checks then decodes the escaped value p[0..n) into out[0..cap): 0 with
 * *outlen set, AUDIT_EVALUE or AUDIT_ENOSPACE with *outlen untouched
 * (out may have been written).  Canonical form only (SPEC/audit-log.md
 * "Values"): raw bytes are is_safe ones, every other byte is "%XX" with
 * uppercase hex, and a byte that is_safe is never escaped; at most
 * AUDIT_VALUE_MAX decoded bytes.  cap >= AUDIT_VALUE_MAX always suffices.
 * The record parser runs every value through this function. */
/*@ requires \valid_read(p + (0 .. n - 1));
    requires \valid(out + (0 .. cap - 1));
    requires \valid(outlen);
    requires \separated(out + (0 .. cap - 1), p + (0 .. n - 1), outlen);
    assigns out[0 .. cap - 1], *outlen;
    ensures \result == AUDIT_OK || \result == AUDIT_EVALUE || \result == AUDIT_ENOSPACE;
    ensures \result == AUDIT_OK ==> *outlen <= cap && *outlen <= AUDIT_VALUE_MAX && n <= 3 * *outlen;
    ensures \result != AUDIT_OK ==> *outlen == \old(*outlen); */
int audit_unescape(const uint8_t *p, size_t n, uint8_t *out, size_t cap, size_t *outlen)
	__attribute__((warn_unused_result));

/* Decodes exactly 2*n lowercase hex digits p[0..2n) into out[0..n).
 * true on success; false (out possibly written) on any other byte. */
/*@ requires n <= 1024;
    requires \valid_read(p + (0 .. 2 * n - 1));
    requires \valid(out + (0 .. n - 1));
    requires \separated(out + (0 .. n - 1), p + (0 .. 2 * n - 1));
    assigns out[0 .. n - 1];
    ensures \result ==> \forall integer i; 0 <= i < 2 * n ==> is_hexlow(p[i]); */
bool audit_hex_decode(const uint8_t *p, size_t n, uint8_t *out)
	__attribute__((warn_unused_result));

/* One record line, its final LF included: 0 with *out filled, or a
 * negative enum audit_perr with *out untouched.  Checks syntax and
 * canonical form only; the hash, the signature and the chain are the
 * verifier's (auditlog_verify). */
/*@ requires \valid_read(buf + (0 .. len - 1));
    requires \valid(out);
    requires \separated(out, buf + (0 .. len - 1));
    behavior bad_length:
      assumes len == 0 || len > AUDIT_RECORD_MAX;
      assigns \nothing;
      ensures \result == AUDIT_ELENGTH;
    behavior in_range:
      assumes 0 < len <= AUDIT_RECORD_MAX;
      assigns *out;
      ensures \result <= 0;
      ensures \result == AUDIT_OK ==> record_sane(*out, len);
      ensures \result != AUDIT_OK ==> *out == \old(*out);
    complete behaviors;
    disjoint behaviors; */
int audit_parse_record(const uint8_t *buf, size_t len, struct audit_record *out)
	__attribute__((warn_unused_result));

/* One head slot of exactly AUDIT_HEAD_SLOT_LEN bytes: 0 with *out
 * filled, or AUDIT_EHEAD with *out untouched.  The signature is the
 * verifier's to check. */
/*@ requires \valid_read(buf + (0 .. len - 1));
    requires \valid(out);
    requires \separated(out, buf + (0 .. len - 1));
    assigns *out;
    ensures \result == AUDIT_OK || \result == AUDIT_EHEAD;
    ensures \result == AUDIT_OK ==> len == AUDIT_HEAD_SLOT_LEN && out->seq <= AUDIT_SEQ_MAX;
    ensures \result != AUDIT_OK ==> *out == \old(*out); */
int audit_parse_head(const uint8_t *buf, size_t len, struct audit_head *out)
	__attribute__((warn_unused_result));

/* A key file of exactly prefix_len + 64 + 1 bytes: the prefix, 64
 * lowercase hex digits, LF.  0 with key[0..32) set, or AUDIT_EKEYFILE
 * with key untouched.  Used with AUDIT_PUBKEY_PREFIX and
 * AUDIT_SEED_PREFIX. */
/*@ requires prefix_len <= 64;
    requires \valid_read(buf + (0 .. len - 1));
    requires \valid_read(prefix + (0 .. prefix_len - 1));
    requires \valid(key + (0 .. 31));
    requires \separated(key + (0 .. 31), buf + (0 .. len - 1));
    assigns key[0 .. 31];
    ensures \result == AUDIT_OK || \result == AUDIT_EKEYFILE;
    ensures \result != AUDIT_OK ==> \forall integer i; 0 <= i < 32 ==> key[i] == \old(key[i]); */
int audit_parse_keyfile(const uint8_t *buf, size_t len, const char *prefix, size_t prefix_len,
	uint8_t key[32]) __attribute__((warn_unused_result));

#endif
