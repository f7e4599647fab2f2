/* libFuzzer target: token validation.  An accepted token never holds a
 * byte outside printable ASCII, a NUL, or more bytes than its maximum. */
#include <assert.h>

#include "lib/names_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int k = NAME_QUBE; k <= NAME_VALUE; k++) {
		if (names_check((enum name_kind)k, data, size) != 0)
			continue;
		assert(size <= VALUE_MAX);
		for (size_t i = 0; i < size; i++)
			assert(data[i] >= 0x20 && data[i] <= 0x7e);
		if (k != NAME_VALUE)
			for (size_t i = 0; i < size; i++)
				assert(data[i] != ' ' && data[i] != '/' && data[i] != '\\');
	}
	(void)label_from_name(data, size);
	return 0;
}
