/* Eva driver: bytes_copy_str of attacker bytes, of every length the
 * parsers copy, into a buffer one larger.
 * eva-files: lib/bytes_parse.c */
#include "eva_input.h"
#include "lib/bytes_parse.h"

#define COPY_MAX 1024u   /* above the longest field a parser copies */

int main(void)
{
	static char dst[COPY_MAX + 1];
	size_t len;
	const uint8_t *buf = eva_untrusted(COPY_MAX, &len);

	bytes_copy_str(dst, buf, len);
	return 0;
}
