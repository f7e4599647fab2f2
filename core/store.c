#include "core/store.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/atomicfile.h"

#define CHECKSUM_TAG "checksum "
#define HASH_BYTES 32u

static void add_checksum(struct strbuf *out)
{
	unsigned char h[HASH_BYTES];
	char hex[HASH_BYTES * 2 + 1];

	crypto_generichash(h, sizeof(h), (const unsigned char *)out->buf, out->len, NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	sb_addf(out, CHECKSUM_TAG "%s\n", hex);
}

int store_serialize(const struct registry *reg, struct strbuf *out)
{
	char v[PROP_VALUE_MAX];
	bool dflt;

	sb_adds(out, STORE_MAGIC "\n");
	for (int g = 0; g < G_COUNT; g++) {
		if (global_prop_table[g].flags & PF_READONLY)
			continue;
		global_prop_get(reg, (enum global_prop_id)g, v, sizeof(v), &dflt);
		if (!dflt)
			sb_addf(out, "global %s %s\n", global_prop_table[g].name, v);
	}
	for (size_t i = 0; i < registry_count(reg); i++) {
		const struct qube *q = registry_at(reg, i);
		struct bh_error err;
		char label[PROP_VALUE_MAX], tmpl[PROP_VALUE_MAX] = "";

		if (qube_prop_get(reg, q, P_LABEL, label, sizeof(label), &dflt, &err) < 0)
			return -EINVAL;
		if (qube_has_prop(q, P_TEMPLATE) &&
		    qube_prop_get(reg, q, P_TEMPLATE, tmpl, sizeof(tmpl), &dflt, &err) < 0)
			return -EINVAL;
		sb_addf(out, "qube %s %s %u %s%s%s\n", qube_name(q), qube_class_name(qube_class(q)),
			qube_qid(q), label, tmpl[0] ? " " : "", tmpl);
	}
	/* Properties after every qube line, so references load in any order. */
	for (size_t i = 0; i < registry_count(reg); i++) {
		const struct qube *q = registry_at(reg, i);
		for (int p = 0; p < P_COUNT; p++) {
			struct bh_error err;
			if (p == P_LABEL || p == P_TEMPLATE || !qube_has_prop(q, (enum prop_id)p) ||
			    (prop_table[p].flags & PF_READONLY))
				continue;
			if (qube_prop_get(reg, q, (enum prop_id)p, v, sizeof(v), &dflt, &err) < 0)
				return -EINVAL;
			if (!dflt)
				sb_addf(out, "prop %s %s %s\n", qube_name(q), prop_table[p].name, v);
		}
		for (size_t f = 0; f < qube_feature_count(q); f++)
			sb_addf(out, "feature %s %s %s\n", qube_name(q), qube_feature_name(q, f),
				qube_feature_value(q, f));
		for (size_t t = 0; t < qube_tag_count(q); t++)
			sb_addf(out, "tag %s %s\n", qube_name(q), qube_tag(q, t));
	}
	add_checksum(out);
	return out->err;
}

/* Splits line into at most max space-separated fields; the last field
 * takes the rest of the line (feature values contain spaces).  Returns the
 * number of fields. */
static int split(char *line, char **f, int max)
{
	int n = 0;

	while (n < max) {
		f[n++] = line;
		if (n == max)
			break;
		line = strchr(line, ' ');
		if (line == NULL)
			break;
		*line++ = '\0';
	}
	return n;
}

static enum qube_class class_from_name(const char *s)
{
	for (int c = 0; c < CLASS_COUNT; c++)
		if (strcmp(qube_class_name((enum qube_class)c), s) == 0)
			return (enum qube_class)c;
	return CLASS_COUNT;
}

static int parse_line(struct registry *reg, char *line, struct bh_error *err)
{
	char *f[6];
	int n;
	struct qube *q;

	if (strncmp(line, "global ", 7) == 0) {
		int g;
		n = split(line + 7, f, 2);
		if (n != 2 || (g = global_prop_lookup(f[0])) < 0)
			return err_set(err, EXC_VALUE, "bad global line");
		return global_prop_set(reg, (enum global_prop_id)g, (const uint8_t *)f[1], strlen(f[1]), err);
	}
	if (strncmp(line, "qube ", 5) == 0) {
		char *end;
		unsigned long qid;
		n = split(line + 5, f, 5);
		if (n < 4)
			return err_set(err, EXC_VALUE, "bad qube line");
		errno = 0;
		qid = strtoul(f[2], &end, 10);
		if (*end || errno || f[2][0] == '\0' || qid > QID_MAX || class_from_name(f[1]) == CLASS_COUNT)
			return err_set(err, EXC_VALUE, "bad qube line");
		if (registry_create(reg, class_from_name(f[1]), f[0], (uint32_t)qid, f[3], n == 5 ? f[4] : "",
				    err) == NULL)
			return -1;
		return 0;
	}
	if (strncmp(line, "prop ", 5) == 0) {
		int p;
		n = split(line + 5, f, 3);
		if (n != 3 || (q = registry_find(reg, f[0])) == NULL || (p = prop_lookup(f[1])) < 0)
			return err_set(err, EXC_VALUE, "bad prop line");
		return qube_prop_set(reg, q, (enum prop_id)p, (const uint8_t *)f[2], strlen(f[2]), err);
	}
	if (strncmp(line, "feature ", 8) == 0) {
		n = split(line + 8, f, 3);
		if (n != 3 || (q = registry_find(reg, f[0])) == NULL || qube_feature_get(q, f[1]) != NULL)
			return err_set(err, EXC_VALUE, "bad feature line");
		return qube_feature_set(q, f[1], (const uint8_t *)f[2], strlen(f[2]), err);
	}
	if (strncmp(line, "tag ", 4) == 0) {
		n = split(line + 4, f, 2);
		if (n != 2 || (q = registry_find(reg, f[0])) == NULL || qube_tag_has(q, f[1]))
			return err_set(err, EXC_VALUE, "bad tag line");
		return qube_tag_add(q, f[1], err);
	}
	return err_set(err, EXC_VALUE, "unknown line");
}

static bool checksum_ok(const char *buf, size_t body_len, const char *hex, size_t hexlen)
{
	unsigned char h[HASH_BYTES], want[HASH_BYTES];
	size_t bin_len;

	/* Lowercase only: one spelling, so any edit of the line is refused. */
	for (size_t i = 0; i < hexlen; i++)
		if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
			return false;
	if (hexlen != HASH_BYTES * 2 ||
	    sodium_hex2bin(want, sizeof(want), hex, hexlen, NULL, &bin_len, NULL) != 0 ||
	    bin_len != HASH_BYTES)
		return false;
	crypto_generichash(h, sizeof(h), (const unsigned char *)buf, body_len, NULL, 0);
	return sodium_memcmp(h, want, HASH_BYTES) == 0;
}

struct registry *store_parse(const char *buf, size_t len, const char *backend, struct bh_error *err)
{
	struct registry *reg;
	const char *last, *p;
	char *line = NULL;
	size_t body, lineno = 0;

	/* The last line must be the checksum over everything before it. */
	if (len == 0 || buf[len - 1] != '\n' || memchr(buf, '\0', len) != NULL) {
		err_set(err, EXC_VALUE, "registry is truncated or not text");
		return NULL;
	}
	last = buf + len - 1;
	while (last > buf && last[-1] != '\n')
		last--;
	body = (size_t)(last - buf);
	if (strncmp(last, CHECKSUM_TAG, strlen(CHECKSUM_TAG)) != 0 ||
	    !checksum_ok(buf, body, last + strlen(CHECKSUM_TAG), len - 1 - body - strlen(CHECKSUM_TAG))) {
		err_set(err, EXC_VALUE, "registry checksum missing or wrong (file corrupt or edited)");
		return NULL;
	}
	reg = registry_new(backend);
	if (reg == NULL) {
		err_set(err, EXC_QUBES, "out of memory");
		return NULL;
	}
	registry_set_loading(reg, true);
	for (p = buf; p < last; lineno++) {
		const char *nl = memchr(p, '\n', (size_t)(last - p));
		size_t n = (size_t)(nl - p);
		int rc;

		free(line);
		line = strndup(p, n);
		if (line == NULL) {
			err_set(err, EXC_QUBES, "out of memory");
			goto bad;
		}
		if (lineno == 0)
			rc = strcmp(line, STORE_MAGIC) == 0 ? 0
				: err_set(err, EXC_VALUE, "not a registry of a known version");
		else
			rc = parse_line(reg, line, err);
		if (rc < 0) {
			char why[sizeof(err->msg)];
			memcpy(why, err->msg, sizeof(why));
			err_set(err, EXC_VALUE, "line %zu: %s", lineno + 1, why);
			goto bad;
		}
		p = nl + 1;
	}
	registry_set_loading(reg, false);
	if (lineno == 0) {
		err_set(err, EXC_VALUE, "registry is empty");
		goto bad;
	}
	if (registry_check_refs(reg, err) < 0)
		goto bad;
	free(line);
	return reg;
bad:
	free(line);
	registry_free(reg);
	return NULL;
}

int store_save(const struct registry *reg, const char *path, struct bh_error *err)
{
	struct strbuf sb;
	int rc;

	sb_init(&sb, STORE_MAX_BYTES);
	rc = store_serialize(reg, &sb);
	if (rc == 0)
		rc = atomic_write_file(path, sb.buf, sb.len, 0600);
	sb_free(&sb);
	if (rc < 0)
		return err_set(err, EXC_QUBES, "cannot save the registry: %s", strerror(-rc));
	return 0;
}

struct registry *store_load(const char *path, const char *backend, bool *missing, struct bh_error *err)
{
	struct registry *reg = NULL;
	char *buf;
	ssize_t n;
	size_t have = 0;
	int fd;

	*missing = false;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		*missing = errno == ENOENT;
		err_set(err, EXC_QUBES, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(STORE_MAX_BYTES + 1);
	if (buf == NULL) {
		close(fd);
		err_set(err, EXC_QUBES, "out of memory");
		return NULL;
	}
	while ((n = read(fd, buf + have, STORE_MAX_BYTES + 1 - have)) > 0 && have < STORE_MAX_BYTES + 1)
		have += (size_t)n;
	if (n < 0)
		err_set(err, EXC_QUBES, "cannot read %s: %s", path, strerror(errno));
	else if (have > STORE_MAX_BYTES)
		err_set(err, EXC_VALUE, "%s is larger than %u bytes", path, STORE_MAX_BYTES);
	else
		reg = store_parse(buf, have, backend, err);
	close(fd);
	free(buf);
	return reg;
}
