/* Eva driver: names_check and label_from_name on attacker bytes.
 * eva-files: lib/names_parse.c */
#include "eva_input.h"
#include "lib/names_parse.h"

int main(void)
{
	size_t len;
	const uint8_t *buf = eva_untrusted(VALUE_MAX + 2, &len);
	enum name_kind kind = (enum name_kind)Frama_C_interval(NAME_QUBE, NAME_VALUE);

	(void)names_check(kind, buf, len);
	(void)label_from_name(buf, len);
	return 0;
}
