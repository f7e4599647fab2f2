/* libFuzzer target: TRIGGER_SERVICE3, TRIGGER_SERVICE (v2),
 * SERVICE_CONNECT and SERVICE_REFUSED payloads.  Input: one byte choosing
 * the decoder, then the payload.  Accepted payloads must satisfy the
 * grammars of SPEC/qrexec.md and re-encode to exactly the same bytes
 * (padding is all NUL, so the wire form is canonical); rejected ones
 * must leave the output as it was. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "qrexec/msg_parse.h"

static struct qrexec_trigger t, t_sentinel;
static uint8_t enc[8 + 96 + MAX_SERVICE_NAME_LEN];

static bool svc_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '-' || c == '.' || c == '_';
}

static bool reqid_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.' || c == ' ';
}

/* A NUL-terminated, NUL-padded field of size bytes; its length. */
static size_t padded_len(const char *f, size_t size)
{
	size_t n = strnlen(f, size);

	assert(n < size);
	for (size_t i = n; i < size; i++)
		assert(f[i] == 0);
	return n;
}

static void check_reqid(const char *r)
{
	size_t n = padded_len(r, REQUEST_ID_SIZE);

	assert(n >= 1);
	for (size_t i = 0; i < n; i++)
		assert(reqid_char(r[i]));
}

static void check_service(const struct qrexec_service *s)
{
	size_t n = padded_len(s->full, MAX_SERVICE_NAME_LEN);

	assert(n == s->len && n >= 1 && s->full[0] != '+');
	for (size_t i = 0; i < n; i++)
		assert(svc_char(s->full[i]));
	assert(s->name_len >= 1 && s->name_len <= n);
	assert(memchr(s->full, '+', s->name_len) == NULL);
	if (s->has_arg) {
		assert(s->name_len < n && s->full[s->name_len] == '+' && s->arg_off == s->name_len + 1);
	} else {
		assert(s->name_len == n && s->arg_off == n);
	}
}

static void check_target(void)
{
	size_t n = padded_len(t.target, TARGET_DOMAIN_SIZE_V3);

	assert(n >= 1 && t.target_arg_off <= n);
	switch (t.target_kind) {
	case TARGET_QUBE:
		assert(names_check(NAME_QUBE, (const uint8_t *)t.target, n) == 0);
		break;
	case TARGET_DOM0:
		assert(strcmp(t.target, "dom0") == 0);
		break;
	case TARGET_DEFAULT:
		assert(strcmp(t.target, "@default") == 0);
		break;
	case TARGET_ADMINVM:
		assert(strcmp(t.target, "@adminvm") == 0);
		break;
	case TARGET_DISPVM:
		assert(strcmp(t.target, "@dispvm") == 0);
		break;
	case TARGET_DISPVM_QUBE:
		assert(strncmp(t.target, "@dispvm:", 8) == 0 && t.target_arg_off == 8);
		assert(names_check(NAME_QUBE, (const uint8_t *)t.target + 8, n - 8) == 0);
		break;
	case TARGET_DISPVM_TAG:
		assert(strncmp(t.target, "@dispvm:@tag:", 13) == 0 && t.target_arg_off == 13);
		assert(names_check(NAME_TAG, (const uint8_t *)t.target + 13, n - 13) == 0);
		break;
	default:
		abort();
	}
}

static void untouched(void)
{
	memset(&t_sentinel, 0x5a, sizeof(t_sentinel));
	assert(memcmp(&t, &t_sentinel, sizeof(t)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p;
	size_t len, n = 0;
	int rc;

	if (size < 1)
		return 0;
	p = data + 1;
	len = size - 1;
	switch (data[0] % 4) {
	case 0:
		memset(&t, 0x5a, sizeof(t));
		rc = qrexec_trigger3_decode(p, len, &t);
		if (rc != 0) {
			untouched();
			break;
		}
		assert(len > 96 && len - 96 <= MAX_SERVICE_NAME_LEN && t.service.len == len - 97);
		check_target();
		check_reqid(t.request_id);
		check_service(&t.service);
		assert(qrexec_trigger3_encode(t.target, t.request_id, t.service.full, enc, sizeof(enc), &n) == 0);
		assert(n == len + 8 && memcmp(enc + 8, p, len) == 0);
		break;
	case 1:
		memset(&t, 0x5a, sizeof(t));
		rc = qrexec_trigger2_decode(p, len, &t);
		if (rc != 0) {
			untouched();
			break;
		}
		assert(len == 128 && t.service.len < SERVICE_NAME_SIZE_V2);
		assert(strlen(t.target) < TARGET_DOMAIN_SIZE_V2);
		check_target();
		check_reqid(t.request_id);
		check_service(&t.service);
		assert(qrexec_trigger2_encode(t.target, t.request_id, t.service.full, enc, sizeof(enc), &n) == 0);
		assert(n == 136 && memcmp(enc + 8, p, 128) == 0);
		break;
	case 2: {
		struct qrexec_service_connect sc, sc_s;
		memset(&sc, 0x5a, sizeof(sc));
		memset(&sc_s, 0x5a, sizeof(sc_s));
		rc = qrexec_service_connect_decode(p, len, &sc);
		if (rc != 0) {
			assert(memcmp(&sc, &sc_s, sizeof(sc)) == 0);
			break;
		}
		assert(len == 40 && sc.connect_domain <= QREXEC_DOMID_MAX);
		assert(sc.connect_port >= QREXEC_DATA_PORT_MIN && sc.connect_port <= QREXEC_DATA_PORT_MAX);
		check_reqid(sc.request_id);
		assert(qrexec_service_connect_encode(sc.connect_domain, sc.connect_port, sc.request_id, enc,
						     sizeof(enc), &n) == 0);
		assert(n == 48 && memcmp(enc + 8, p, 40) == 0);
		break;
	}
	default: {
		struct qrexec_service_refused sr, sr_s;
		memset(&sr, 0x5a, sizeof(sr));
		memset(&sr_s, 0x5a, sizeof(sr_s));
		rc = qrexec_service_refused_decode(p, len, &sr);
		if (rc != 0) {
			assert(memcmp(&sr, &sr_s, sizeof(sr)) == 0);
			break;
		}
		assert(len == 32);
		check_reqid(sr.request_id);
		assert(qrexec_service_refused_encode(sr.request_id, enc, sizeof(enc), &n) == 0);
		assert(n == 40 && memcmp(enc + 8, p, 32) == 0);
		break;
	}
	}
	return 0;
}
