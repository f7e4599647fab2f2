/* Eva driver: bytes_copy_str of attacker bytes, of every length the
 * parsers copy, into an array of every size above it.
 * eva-files: lib/bytes_parse.c */
#include "eva_input.h"
#include "lib/bytes_parse.h"

#define COPY_MAX 1024u   /* above the longest field a parser copies */

int main(void)
{
	static char dst[COPY_MAX + 1];
	size_t len, size;
	const uint8_t *buf = eva_untrusted(COPY_MAX, &len);

	size = Frama_C_unsigned_long_interval(len + 1, COPY_MAX + 1);
	bytes_copy_str(dst, size, buf, len);
	return 0;
}
