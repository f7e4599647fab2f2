/* The grants file: standing grants outlive capd (SPEC/capabilities.md,
 * "Grants file").  Text, one grant per line, then a keyed BLAKE2b-256 MAC
 * of every byte before that line under capd's grants subkey: a file that
 * anyone but capd edited is refused as a whole, never repaired.  Each
 * grant line goes through the same checks as a GRANT_LIST entry on the
 * wire (capd_grant_entry_decode, proved), so the file cannot hold a
 * grant the protocol could not. */
#include "capd/capd_state_int.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAC_TAG "mac "
#define FIELDS 10u          /* after "grant " */
#define DEC_MAX_DIGITS 20u  /* UINT64_MAX has 20 */

int capd_state_grants_serialize(const struct capd_state *s, struct strbuf *out)
{
	unsigned char mac[CAPD_MAC_SIZE];
	char hex[CAPD_MAC_SIZE * 2 + 1];

	sb_adds(out, CAPD_GRANTS_MAGIC "\n");
	sb_addf(out, "next-id %" PRIu64 "\n", s->next_id);
	for (size_t i = 0; i < s->ngrants; i++) {
		const struct capd_grant_entry *e = &s->grants[i].e;
		char scope[32], remaining[16] = "-", expires[24] = "-";

		if (e->scope == CAPD_SCOPE_ALWAYS)
			snprintf(scope, sizeof(scope), "always");
		else
			snprintf(scope, sizeof(scope), "%s:%" PRIu32,
				 e->scope == CAPD_SCOPE_CALLS ? "calls" : "minutes", e->value);
		if (e->scope == CAPD_SCOPE_CALLS)
			snprintf(remaining, sizeof(remaining), "%" PRIu32, e->remaining);
		if (e->scope == CAPD_SCOPE_MINUTES)
			snprintf(expires, sizeof(expires), "%" PRIu64, e->expires);
		sb_addf(out, "grant %" PRIu64 " %s %" PRIu32 " %s %" PRIu32 " %s+%s %s %s %s %" PRIu64 "\n", e->id,
			e->b.source, e->b.source_qid, e->b.target, e->b.target_qid, e->b.service, e->b.argument,
			scope, remaining, expires, e->created);
	}
	if (out->err)
		return out->err;
	crypto_generichash(mac, sizeof(mac), (const unsigned char *)out->buf, out->len, s->keys.grants,
			   sizeof(s->keys.grants));
	sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
	sb_addf(out, MAC_TAG "%s\n", hex);
	return out->err;
}

static int fail(char *err, size_t errlen, size_t line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, size_t line, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, errlen, "line %zu: ", line);

	va_start(ap, fmt);
	if (n > 0 && (size_t)n < errlen)
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A decimal number with no sign and no leading zero, at most max. */
static bool dec(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t n = strlen(s);

	if (n == 0 || n > DEC_MAX_DIGITS || (s[0] == '0' && n > 1))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned d;
		if (s[i] < '0' || s[i] > '9')
			return false;
		d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10u)
			return false;
		v = v * 10u + d;
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

/* Whether the MAC line is right: lowercase hex only (one spelling). */
static bool mac_ok(const struct capd_state *s, const char *buf, size_t body, const char *hex, size_t hexlen)
{
	unsigned char want[CAPD_MAC_SIZE], got[CAPD_MAC_SIZE];
	size_t bin_len = 0;

	for (size_t i = 0; i < hexlen; i++)
		if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
			return false;
	if (hexlen != CAPD_MAC_SIZE * 2 ||
	    sodium_hex2bin(want, sizeof(want), hex, hexlen, NULL, &bin_len, NULL) != 0 || bin_len != CAPD_MAC_SIZE)
		return false;
	crypto_generichash(got, sizeof(got), (const unsigned char *)buf, body, s->keys.grants, sizeof(s->keys.grants));
	return crypto_verify_32(got, want) == 0;
}

/* Splits line (modified) at single spaces into exactly n fields, none
 * empty. */
static bool split_exact(char *line, char **f, size_t n)
{
	size_t k = 0;

	for (;;) {
		char *sp = strchr(line, ' ');
		if (k == n || *line == '\0' || *line == ' ')
			return false;
		f[k++] = line;
		if (sp == NULL)
			return k == n;
		*sp = '\0';
		line = sp + 1;
	}
}

static int parse_scope(const char *s, uint32_t *scope, uint32_t *value)
{
	uint64_t v;

	if (strcmp(s, "always") == 0) {
		*scope = CAPD_SCOPE_ALWAYS;
		*value = 0;
		return 0;
	}
	if (strncmp(s, "calls:", 6) == 0 && dec(s + 6, CAPD_GRANT_CALLS_MAX, &v)) {
		*scope = CAPD_SCOPE_CALLS;
		*value = (uint32_t)v;
		return 0;
	}
	if (strncmp(s, "minutes:", 8) == 0 && dec(s + 8, CAPD_GRANT_MINUTES_MAX, &v)) {
		*scope = CAPD_SCOPE_MINUTES;
		*value = (uint32_t)v;
		return 0;
	}
	return -1;
}

/* One "grant ..." line (without "grant ") into *g; NULL or the reason. */
static const char *parse_grant(char *rest, struct capd_grant *g)
{
	char *f[FIELDS], *plus;
	uint64_t id, sq, tq, rem = 0, exp = 0, created;
	uint32_t scope = 0, value = 0;
	struct capd_grant_entry e;
	uint8_t wire[CAPD_GRANT_ENTRY_SIZE];

	if (!split_exact(rest, f, FIELDS))
		return "a grant line has 10 fields after \"grant\", separated by single spaces";
	if (!dec(f[0], UINT64_MAX, &id) || !dec(f[2], UINT32_MAX, &sq) || !dec(f[4], UINT32_MAX, &tq) ||
	    !dec(f[9], UINT64_MAX, &created))
		return "bad number";
	plus = strchr(f[5], '+');
	if (plus == NULL)
		return "the service is not written SERVICE+ARGUMENT";
	*plus = '\0';
	if (parse_scope(f[6], &scope, &value) != 0)
		return "bad scope";
	if (scope == CAPD_SCOPE_CALLS ? !dec(f[7], UINT32_MAX, &rem) : strcmp(f[7], "-") != 0)
		return "bad remaining calls";
	if (scope == CAPD_SCOPE_MINUTES ? !dec(f[8], UINT64_MAX, &exp) : strcmp(f[8], "-") != 0)
		return "bad end time";
	memset(&e, 0, sizeof(e));
	if (capd_binding_set(&e.b, f[1], (uint32_t)sq, f[3], (uint32_t)tq, f[5], plus + 1) != CAPD_PARSE_OK)
		return "bad source, target, service or argument";
	e.id = id;
	e.scope = scope;
	e.value = value;
	e.remaining = (uint32_t)rem;
	e.expires = exp;
	e.created = created;
	/* Every rule of a wire entry, by the proved decoder. */
	capd_grant_entry_encode(&e, wire);
	if (capd_grant_entry_decode(wire, sizeof(wire), &g->e) != CAPD_PARSE_OK)
		return "grant out of its bounds";
	if (scope == CAPD_SCOPE_MINUTES && (created > UINT64_MAX - 60u * (uint64_t)value ||
					    exp != created + 60u * (uint64_t)value))
		return "end time is not creation + minutes";
	g->hold_until_ms = 0;
	return NULL;
}

int capd_state_grants_load(struct capd_state *s, const char *buf, size_t len, const struct capd_clock *now,
			   char *err, size_t errlen)
{
	struct capd_grant *tmp;
	const char *last, *p;
	char line[1024];
	size_t body, lineno = 1, n = 0;
	uint64_t next_id = 0, prev = 0;
	int rc = 0;

	if (len == 0 || len > CAPD_GRANTS_FILE_MAX || buf[len - 1] != '\n' || memchr(buf, '\0', len) != NULL)
		return fail(err, errlen, 0, "the grants file is empty, too large, truncated or not text");
	last = buf + len - 1;
	while (last > buf && last[-1] != '\n')
		last--;
	body = (size_t)(last - buf);
	if (strncmp(last, MAC_TAG, strlen(MAC_TAG)) != 0 ||
	    !mac_ok(s, buf, body, last + strlen(MAC_TAG), len - 1 - body - strlen(MAC_TAG)))
		return fail(err, errlen, 0, "MAC missing or wrong (the file was edited, or another key wrote it)");
	tmp = calloc(CAPD_GRANTS_MAX, sizeof(*tmp));
	if (tmp == NULL)
		return fail(err, errlen, 0, "out of memory");
	for (p = buf; p < last && rc == 0; lineno++) {
		const char *nl = memchr(p, '\n', (size_t)(last - p));
		size_t ll = (size_t)(nl - p);
		uint64_t v = 0;

		if (ll >= sizeof(line)) {
			rc = fail(err, errlen, lineno, "line too long");
			break;
		}
		memcpy(line, p, ll);
		line[ll] = '\0';
		p = nl + 1;
		if (lineno == 1) {
			if (strcmp(line, CAPD_GRANTS_MAGIC) != 0)
				rc = fail(err, errlen, lineno, "not \"%s\"", CAPD_GRANTS_MAGIC);
		} else if (lineno == 2) {
			if (strncmp(line, "next-id ", 8) != 0 || !dec(line + 8, UINT64_MAX - 1, &v) || v == 0)
				rc = fail(err, errlen, lineno, "not \"next-id N\"");
			next_id = v;
		} else if (strncmp(line, "grant ", 6) != 0) {
			rc = fail(err, errlen, lineno, "unknown line");
		} else if (n == CAPD_GRANTS_MAX) {
			rc = fail(err, errlen, lineno, "more than %u grants", CAPD_GRANTS_MAX);
		} else {
			const char *why = parse_grant(line + 6, &tmp[n]);
			if (why != NULL)
				rc = fail(err, errlen, lineno, "%s", why);
			else if (tmp[n].e.id <= prev || tmp[n].e.id >= next_id)
				rc = fail(err, errlen, lineno, "grant ids must increase and stay below next-id");
			else
				prev = tmp[n++].e.id;
		}
	}
	if (rc == 0 && lineno <= 2)
		rc = fail(err, errlen, lineno, "no next-id line");
	if (rc != 0) {
		free(tmp);
		return rc;
	}
	/* Ended grants (a CALLS grant with no call left needs no holding:
	 * no capability survives a restart) are not brought back. */
	s->ngrants = 0;
	for (size_t i = 0; i < n; i++)
		if (!capd_grant_ended(&tmp[i], now))
			s->grants[s->ngrants++] = tmp[i];
	s->next_id = next_id;
	s->dirty = s->ngrants != n;
	free(tmp);
	return 0;
}
