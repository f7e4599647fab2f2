/* libFuzzer target: Admin API request parser and k=v payload parser.
 * Asserts the accept postconditions the daemon relies on. */
#include <assert.h>
#include <string.h>

#include "core/admin_parse.h"

static void check_token(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);
	assert(n <= max);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct admin_request r;
	struct admin_kv kv[ADMIN_KV_MAX];
	int n;

	memset(&r, 0xa5, sizeof(r));
	if (admin_request_parse(data, size, &r) == 0) {
		check_token(r.source, QUBE_NAME_MAX);
		check_token(r.method, ADMIN_METHOD_MAX);
		check_token(r.dest, QUBE_NAME_MAX);
		check_token(r.arg, ADMIN_ARG_MAX);
		assert(strncmp(r.method, "admin.", 6) == 0);
		assert(r.payload_off <= size && r.payload_off + r.payload_len == size);
		/* The four fields and their NULs are exactly what came before. */
		assert(r.payload_off == strlen(r.source) + strlen(r.method) + strlen(r.dest) +
					strlen(r.arg) + 4);
	}
	n = admin_kv_parse(data, size, kv);
	assert(n >= -1 && n <= (int)ADMIN_KV_MAX);
	for (int i = 0; i < n; i++) {
		assert(kv[i].key[0] != '\0' && kv[i].value[0] != '\0');
		assert(strchr(kv[i].value, ' ') == NULL && strchr(kv[i].value, '=') == NULL);
	}
	return 0;
}
