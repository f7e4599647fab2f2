/* Byte helpers shared by the proved parsers: copies written as loops, so
 * that WP knows every byte of the result (Frama-C's own contract of
 * memcpy does not say that).  Pure; the contract is here, so a parser
 * proved alone relies on it, and lib/bytes_parse.c is proved to meet it
 * (make proofs). */
#ifndef BH_BYTES_PARSE_H
#define BH_BYTES_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* dst[0..n) = src[0..n), dst[n] = NUL. */
/*@ requires \valid(dst + (0 .. n));
    requires \valid_read(src + (0 .. n - 1));
    requires \separated(dst + (0 .. n), src + (0 .. n - 1));
    assigns dst[0 .. n];
    ensures copied: \forall integer k; 0 <= k < n ==> dst[k] == (char)src[k];
    ensures nul: dst[n] == 0; */
void bytes_copy_str(char *dst, const uint8_t *src, size_t n);

#endif
