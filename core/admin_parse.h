/* Parser of Admin API requests (SPEC/core.md, "Admin interface").
 * Pure: no I/O, no allocation; fields are copied into fixed-size,
 * NUL-terminated arrays of the output, the payload is an offset/length. */
#ifndef BH_ADMIN_PARSE_H
#define BH_ADMIN_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/admin_proto.h"
#include "lib/names_parse.h"

enum admin_parse_err {
	ADMIN_PARSE_OK = 0,
	ADMIN_PARSE_ETOOBIG = -1,   /* request over ADMIN_MAX_REQUEST */
	ADMIN_PARSE_EFIELD = -2,    /* a field has no NUL or is too long */
	ADMIN_PARSE_ESOURCE = -3,   /* source is not a qube name */
	ADMIN_PARSE_EMETHOD = -4,   /* method charset/prefix */
	ADMIN_PARSE_EDEST = -5,     /* dest is not empty, dom0 or a qube name */
	ADMIN_PARSE_EARG = -6,      /* arg charset */
};

struct admin_request {
	char source[QUBE_NAME_MAX + 1];
	char method[ADMIN_METHOD_MAX + 1];
	char dest[QUBE_NAME_MAX + 1];      /* "" when the request named none */
	char arg[ADMIN_ARG_MAX + 1];
	size_t payload_off;                /* payload is buf[payload_off ..] */
	size_t payload_len;
};

/* Returns ADMIN_PARSE_OK and fills *out, or a negative code and leaves
 * *out untouched. */
int admin_request_parse(const uint8_t *untrusted_buf, size_t len, struct admin_request *out)
	__attribute__((warn_unused_result));

const char *admin_parse_strerror(int code);

/* The `k=v k=v ...` payload of admin.vm.Create.* and admin.vm.Clone:
 * single spaces between pairs, keys [a-z_]{1,63}, values 1-63 bytes of
 * [A-Za-z0-9_.-].  Duplicated keys are refused. */
#define ADMIN_KV_MAX 32u

struct admin_kv {
	char key[TOKEN_NAME_MAX + 1];
	char value[TOKEN_NAME_MAX + 1];
};

/* Returns the number of pairs (0..ADMIN_KV_MAX) or -1; out is written
 * only on success. */
int admin_kv_parse(const uint8_t *untrusted_buf, size_t len, struct admin_kv out[ADMIN_KV_MAX])
	__attribute__((warn_unused_result));

#endif
