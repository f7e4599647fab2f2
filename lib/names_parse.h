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

/* 0 when buf[0..len) is a valid token of `kind`, else -1.  No NUL is
 * allowed inside. */
int names_check(enum name_kind kind, const uint8_t *buf, size_t len)
	__attribute__((warn_unused_result));

/* Label index for a label name, or -1. */
int label_from_name(const uint8_t *buf, size_t len) __attribute__((warn_unused_result));

/* Name and 0xRRGGBB color of a label (lbl < LABEL_COUNT). */
const char *label_name(enum label lbl);
uint32_t label_color(enum label lbl);

#endif
