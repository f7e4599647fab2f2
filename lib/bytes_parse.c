/* Byte helpers shared by the proved parsers (lib/bytes_parse.h). */
#include "lib/bytes_parse.h"

void bytes_copy_str(char *dst, size_t size, const uint8_t *src, size_t n)
{
	/*@ loop invariant bound: 0 <= i <= size;
	    loop invariant copied: \forall integer k; 0 <= k < i && k < n ==> dst[k] == (char)src[k];
	    loop invariant padded: \forall integer k; n <= k < i ==> dst[k] == 0;
	    loop assigns i, dst[0 .. size - 1];
	    loop variant size - i; */
	for (size_t i = 0; i < size; i++)
		dst[i] = i < n ? (char)src[i] : '\0';
}
