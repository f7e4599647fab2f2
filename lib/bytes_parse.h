/* Byte helpers shared by the proved parsers: copies written as loops, so
 * that WP knows every byte of the result (Frama-C's own contract of
 * memcpy does not say that).  Pure; the contract is here, so a parser
 * proved alone relies on it, and lib/bytes_parse.c is proved to meet it
 * (make proofs). */
#ifndef BH_BYTES_PARSE_H
#define BH_BYTES_PARSE_H

#include <stddef.h>
#include <stdint.h>

/*@ // s[0 .. size) holds a NUL-padded string of printable ASCII: its last
    // byte is NUL (the string ends within the array) and every byte is a
    // NUL or printable.  Said byte by byte, without "the first NUL", so
    // that the provers need no witness.
    predicate bytes_str_printable(char *s, integer size) =
      s[size - 1] == 0 && \forall integer k; 0 <= k < size ==> s[k] == 0 || 0x20 <= s[k] <= 0x7e; */

/* dst[0..n) = src[0..n), dst[n..size) = NUL: the field as a C string,
 * NUL-padded to the end of its array, so no earlier bytes survive. */
/*@ requires fits: n < size;
    requires \valid(dst + (0 .. size - 1));
    requires \valid_read(src + (0 .. n - 1));
    requires \separated(dst + (0 .. size - 1), src + (0 .. n - 1));
    assigns dst[0 .. size - 1];
    ensures copied: \forall integer k; 0 <= k < n ==> dst[k] == (char)src[k];
    ensures padded: \forall integer k; n <= k < size ==> dst[k] == 0;
    ensures ascii: \forall integer k; 0 <= k < n ==> src[k] <= 0x7f ==> dst[k] == src[k];
    ensures printable: (\forall integer k; 0 <= k < n ==> 0x20 <= src[k] <= 0x7e) ==>
      bytes_str_printable(dst, size); */
void bytes_copy_str(char *dst, size_t size, const uint8_t *src, size_t n);

#endif
