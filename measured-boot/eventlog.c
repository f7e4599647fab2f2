/* Event log files, replay and comparison (eventlog.h). */
#include "measured-boot/eventlog.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "atomicfile.h"
#include "measured-boot/mbfile.h"
#include "paths.h"

static const char *parse_reason(int r)
{
	switch (r) {
	case EVLOG_EHEADER: return "not a Bulkhead event log (bad header)";
	case EVLOG_ELENGTH: return "not whole records, or too many";
	case EVLOG_EKIND:   return "a record of unknown kind";
	case EVLOG_EPCR:    return "a record in the wrong PCR for its kind";
	case EVLOG_ENAME:   return "a record with a malformed name";
	default:            return "malformed";
	}
}

int evlog_parse(const uint8_t *untrusted_buf, size_t len, struct evlog *out)
{
	uint32_t n, i;
	int r;

	out->count = 0;
	r = evlog_header_parse(untrusted_buf, len, &n);
	/* len == header + n whole records (the header parser's contract). */
	for (i = 0; r == 0 && i < n; i++)
		r = evlog_record_parse(untrusted_buf + EVLOG_HEADER_SIZE + (size_t)i * EVLOG_RECORD_SIZE,
				       EVLOG_RECORD_SIZE, &out->rec[i]);
	if (r == 0)
		out->count = n;
	return r;
}

int evlog_load(const char *path, struct evlog *out, char *err, size_t errlen)
{
	uint8_t *untrusted_buf = malloc(EVLOG_SIZE_MAX);
	char why[EVLOG_ERR_MAX];
	ssize_t n;
	int r;

	if (untrusted_buf == NULL) {
		snprintf(err, errlen, "event log %s: out of memory", path);
		return -1;
	}
	n = mb_read_regular(path, untrusted_buf, EVLOG_SIZE_MAX, why, sizeof why);
	if (n < 0) {
		snprintf(err, errlen, "event log %s", why);
		free(untrusted_buf);
		return -1;
	}
	r = evlog_parse(untrusted_buf, (size_t)n, out);
	free(untrusted_buf);
	if (r < 0) {
		snprintf(err, errlen, "event log %s: %s", path, parse_reason(r));
		return -1;
	}
	return 0;
}

static int mkdir_parent(const char *path)
{
	char dir[BH_PATH_MAX];
	char *slash;
	size_t n = strlen(path);

	if (n >= sizeof dir)
		return -ENAMETOOLONG;
	memcpy(dir, path, n + 1);
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	return mkdirs_abs(dir, 0755);
}

int evlog_store(const char *path, const struct evlog *l)
{
	uint8_t *buf;
	size_t len = EVLOG_HEADER_SIZE + (size_t)l->count * EVLOG_RECORD_SIZE;
	uint32_t i;
	int r;

	if (l->count > EVLOG_RECORDS_MAX)
		return -E2BIG;
	r = mkdir_parent(path);
	if (r < 0)
		return r;
	buf = malloc(len);
	if (buf == NULL)
		return -ENOMEM;
	evlog_header_encode(buf);
	for (i = 0; i < l->count; i++)
		evlog_record_encode(&l->rec[i], buf + EVLOG_HEADER_SIZE + (size_t)i * EVLOG_RECORD_SIZE);
	r = atomic_write_file(path, buf, len, 0644);
	free(buf);
	return r;
}

void evlog_replay(const struct evlog *l, uint8_t pcrs[EVLOG_PCRS][EVLOG_DIGEST_SIZE])
{
	crypto_hash_sha256_state st;
	uint32_t i;

	memset(pcrs, 0, EVLOG_PCRS * EVLOG_DIGEST_SIZE);
	for (i = 0; i < l->count; i++) {
		uint32_t p = l->rec[i].pcr;   /* < 24: evlog_record_ok */
		crypto_hash_sha256_init(&st);
		crypto_hash_sha256_update(&st, pcrs[p], EVLOG_DIGEST_SIZE);
		crypto_hash_sha256_update(&st, l->rec[i].digest, EVLOG_DIGEST_SIZE);
		crypto_hash_sha256_final(&st, pcrs[p]);
	}
}

const char *evlog_kind_name(uint32_t kind)
{
	static const char *const names[EVLOG_KIND_MAX + 1] = {
		[EVLOG_XEN] = "xen",
		[EVLOG_XEN_CMDLINE] = "xen-cmdline",
		[EVLOG_KERNEL] = "kernel",
		[EVLOG_KERNEL_CMDLINE] = "kernel-cmdline",
		[EVLOG_INITRAMFS] = "initramfs",
		[EVLOG_DOM0_BINARIES] = "dom0-binaries",
		[EVLOG_POLICY] = "policy",
		[EVLOG_CAPD_PUBLIC] = "capd-public",
	};

	return kind >= 1 && kind <= EVLOG_KIND_MAX ? names[kind] : "?";
}

static int same_record(const struct evlog_record *a, const struct evlog_record *b)
{
	return a->pcr == b->pcr && a->kind == b->kind &&
	       memcmp(a->digest, b->digest, EVLOG_DIGEST_SIZE) == 0 &&
	       memcmp(a->name, b->name, EVLOG_NAME_SIZE) == 0;
}

int evlog_first_diff(const struct evlog *a, const struct evlog *b)
{
	uint32_t i;

	for (i = 0; i < a->count && i < b->count; i++)
		if (!same_record(&a->rec[i], &b->rec[i]))
			return (int)i;
	return a->count == b->count ? -1 : (int)i;
}

int evlog_first_in(const struct evlog *l, uint32_t mask)
{
	uint32_t i;

	for (i = 0; i < l->count; i++)
		if (mask & (1u << l->rec[i].pcr))
			return (int)i;
	return -1;
}

void evlog_format(const struct evlog_record *r, char *buf, size_t buflen)
{
	char hex[2 * EVLOG_DIGEST_SIZE + 1];

	/* The name is printable ASCII (evlog_record_ok), safe for a terminal. */
	snprintf(buf, buflen, "%u %s %s %s", r->pcr, evlog_kind_name(r->kind),
		 sodium_bin2hex(hex, sizeof hex, r->digest, EVLOG_DIGEST_SIZE), r->name);
}
