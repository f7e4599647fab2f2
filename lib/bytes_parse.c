/* Byte helpers shared by the proved parsers (lib/bytes_parse.h). */
#include "lib/bytes_parse.h"

void bytes_copy_str(char *dst, const uint8_t *src, size_t n)
{
	/*@ loop invariant bound: 0 <= i <= n;
	    loop invariant copied: \forall integer k; 0 <= k < i ==> dst[k] == (char)src[k];
	    loop assigns i, dst[0 .. n - 1];
	    loop variant n - i; */
	for (size_t i = 0; i < n; i++)
		dst[i] = (char)src[i];
	dst[n] = '\0';
}
