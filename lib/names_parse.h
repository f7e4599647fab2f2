/* Validation of the names and tokens Bulkhead accepts from any caller:
 * qube names, labels, property/feature/tag names, plain values.
 * Pure functions (no I/O, no allocation), written for Frama-C WP. */
#ifndef BH_NAMES_PARSE_H
#define BH_NAMES_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define QUBE_NAME_MAX     31u    /* Qubes' limit, without the NUL */
#define TOKEN_NAME_MAX    63u    /* property, feature and tag names */
#define VALUE_MAX         1023u  /* property and feature values */
#define USER_NAME_MAX     32u

enum label {
	LABEL_RED, LABEL_ORANGE, LABEL_YELLOW, LABEL_GREEN,
	LABEL_GRAY, LABEL_BLUE, LABEL_PURPLE, LABEL_BLACK,
	LABEL_COUNT
};

/* The token classes of names_check(). */
enum name_kind {
	NAME_QUBE,      /* ^[A-Za-z][A-Za-z0-9_.-]{0,30}$, not *-dm, not none/default/Domain-0 */
	NAME_PROPERTY,  /* ^[a-z][a-z0-9_]{0,62}$ */
	NAME_FEATURE,   /* ^[A-Za-z0-9_.-]{1,63}$, not starting with '.' */
	NAME_TAG,       /* ^[A-Za-z0-9_-]{1,63}$ */
	NAME_USER,      /* ^[a-z_][a-z0-9_-]{0,31}$ */
	NAME_VALUE,     /* bytes 0x20..0x7e, 0..1023 of them */
};

/* The grammar of names_check() in ACSL, byte by byte: what every caller
 * may rely on when it accepts a token (proved by make proofs). */
/*@
  predicate nm_lower(integer c) = 'a' <= c <= 'z';
  predicate nm_upper(integer c) = 'A' <= c <= 'Z';
  predicate nm_digit(integer c) = '0' <= c <= '9';
  predicate nm_alnum(integer c) = nm_lower(c) || nm_upper(c) || nm_digit(c);

  // Byte c may stand at position i of a token of this kind.
  predicate name_char(integer kind, integer i, integer c) =
    kind == NAME_QUBE ?
      (i == 0 ? nm_lower(c) || nm_upper(c) : nm_alnum(c) || c == '_' || c == '.' || c == '-') :
    kind == NAME_PROPERTY ?
      (i == 0 ? nm_lower(c) : nm_lower(c) || nm_digit(c) || c == '_') :
    kind == NAME_FEATURE ?
      (nm_alnum(c) || c == '_' || c == '-' || (c == '.' && i != 0)) :
    kind == NAME_TAG ? nm_alnum(c) || c == '_' || c == '-' :
    kind == NAME_USER ?
      (i == 0 ? nm_lower(c) || c == '_' : nm_lower(c) || nm_digit(c) || c == '_' || c == '-') :
    kind == NAME_VALUE ? 0x20 <= c <= 0x7e :
    \false;

  logic integer name_max(integer kind) =
    kind == NAME_QUBE ? QUBE_NAME_MAX :
    kind == NAME_USER ? USER_NAME_MAX :
    kind == NAME_VALUE ? VALUE_MAX :
    kind == NAME_PROPERTY || kind == NAME_FEATURE || kind == NAME_TAG ? TOKEN_NAME_MAX : 0;

  // Names a qube may not have: *-dm (device models), none, default, Domain-0.
  predicate qube_reserved(uint8_t *p, integer n) =
    (n >= 3 && p[n - 3] == '-' && p[n - 2] == 'd' && p[n - 1] == 'm') ||
    (n == 4 && p[0] == 'n' && p[1] == 'o' && p[2] == 'n' && p[3] == 'e') ||
    (n == 7 && p[0] == 'd' && p[1] == 'e' && p[2] == 'f' && p[3] == 'a' && p[4] == 'u' &&
     p[5] == 'l' && p[6] == 't') ||
    (n == 8 && p[0] == 'D' && p[1] == 'o' && p[2] == 'm' && p[3] == 'a' && p[4] == 'i' &&
     p[5] == 'n' && p[6] == '-' && p[7] == '0');

  predicate name_ok(integer kind, uint8_t *p, integer n) =
    (kind == NAME_VALUE ? 0 <= n : 1 <= n) && n <= name_max(kind) &&
    (\forall integer i; 0 <= i < n ==> name_char(kind, i, p[i])) &&
    (kind == NAME_QUBE ==> !qube_reserved(p, n));
*/

/* 0 when buf[0..len) is a valid token of `kind`, else -1.  No NUL is
 * allowed inside. */
/*@ requires buf_readable: \valid_read(buf + (0 .. len - 1));
    assigns \nothing;
    behavior accept:
      assumes name_ok(kind, buf, len);
      ensures accepted: \result == 0;
      ensures within_max: len <= name_max(kind) <= VALUE_MAX;
      ensures printable: \forall integer i; 0 <= i < len ==> 0x20 <= buf[i] <= 0x7e;
    behavior reject:
      assumes !name_ok(kind, buf, len);
      ensures rejected: \result == -1;
    complete behaviors;
    disjoint behaviors; */
int names_check(enum name_kind kind, const uint8_t *buf, size_t len)
	__attribute__((warn_unused_result));

/* Label index for a label name, or -1. */
/*@ requires buf_readable: \valid_read(buf + (0 .. len - 1));
    assigns \nothing;
    ensures range: -1 <= \result < LABEL_COUNT; */
int label_from_name(const uint8_t *buf, size_t len) __attribute__((warn_unused_result));

/* Name and 0xRRGGBB color of a label (lbl < LABEL_COUNT). */
/*@ assigns \nothing; */
const char *label_name(enum label lbl);
/*@ assigns \nothing; */
uint32_t label_color(enum label lbl);

#endif
