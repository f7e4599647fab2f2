/* The registry store (core/store.c): golden serialization, parse-then-
 * print round trip, refusal of every corruption, and crash consistency:
 * a writer killed with SIGKILL at random points always leaves either the
 * complete old or the complete new registry on disk. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/store.h"
#include "lib/io.h"
#include "tests/lib/check.h"

static struct registry *sample(void)
{
	struct registry *reg = registry_new_default("local");
	struct bh_error e;
	struct qube *w, *n;

	w = registry_create(reg, CLASS_APPVM, "work", 0, "red", "", &e);
	n = registry_create(reg, CLASS_APPVM, "sys-net", 0, "orange", "host-base", &e);
	registry_create(reg, CLASS_STANDALONEVM, "legacy", 0, "gray", "", &e);
	qube_prop_set(reg, n, P_PROVIDES_NETWORK, (const uint8_t *)"True", 4, &e);
	qube_prop_set(reg, w, P_NETVM, (const uint8_t *)"sys-net", 7, &e);
	qube_prop_set(reg, w, P_MEMORY, (const uint8_t *)"800", 3, &e);
	qube_feature_set(w, "note", (const uint8_t *)"spaces are fine here", 20, &e);
	qube_feature_set(w, "empty", (const uint8_t *)"", 0, &e);
	qube_tag_add(w, "work-tag", &e);
	global_prop_set(reg, G_DEFAULT_NETVM, (const uint8_t *)"sys-net", 7, &e);
	return reg;
}

static char *serialize(const struct registry *reg, size_t *len)
{
	struct strbuf sb;
	sb_init(&sb, STORE_MAX_BYTES);
	if (store_serialize(reg, &sb) < 0)
		abort();
	*len = sb.len;
	return sb.buf;
}

static void test_golden_and_roundtrip(const char *golden_path)
{
	struct registry *reg = sample(), *back;
	struct bh_error e;
	size_t len, len2;
	char *text = serialize(reg, &len), *text2, golden[8192];
	ssize_t g = read_small_file(golden_path, golden, sizeof(golden));

	CHECK(g > 0);
	CHECK(g > 0 && (size_t)g == len && memcmp(golden, text, len) == 0);
	if (getenv("BULKHEAD_UPDATE_GOLDEN"))
		fwrite(text, 1, len, stdout);
	back = store_parse(text, len, "local", &e);
	CHECK(back != NULL);
	if (back) {
		text2 = serialize(back, &len2);
		CHECK(len == len2 && memcmp(text, text2, len) == 0);
		free(text2);
		registry_free(back);
	}
	free(text);
	registry_free(reg);
}

static void test_corruption(void)
{
	struct registry *reg = sample();
	struct bh_error e;
	size_t len;
	char *text = serialize(reg, &len);
	int accepted = 0;

	/* Every single-byte change anywhere is refused. */
	for (size_t i = 0; i < len; i++) {
		char saved = text[i];
		text[i] = (char)(saved ^ 0x20);
		struct registry *r = store_parse(text, len, "local", &e);
		if (r) {
			accepted++;
			registry_free(r);
		}
		text[i] = saved;
	}
	CHECK(accepted == 0);
	/* Every truncation is refused. */
	accepted = 0;
	for (size_t n = 0; n < len; n++) {
		struct registry *r = store_parse(text, n, "local", &e);
		if (r) {
			accepted++;
			registry_free(r);
		}
	}
	CHECK(accepted == 0);
	/* The error names the problem. */
	CHECK(store_parse(text, len - 3, "local", &e) == NULL);
	CHECK(strstr(e.msg, "checksum") != NULL || strstr(e.msg, "truncated") != NULL);
	free(text);
	registry_free(reg);
}

/* A registry whose line fails validation, with a valid checksum: the
 * error must name the line, and nothing is half-loaded. */
static void test_invalid_line(void)
{
	struct strbuf sb;
	struct bh_error e;
	unsigned char h[32];
	char hex[65];

	sb_init(&sb, 4096);
	sb_adds(&sb, STORE_MAGIC "\nqube dom0 AdminVM 0 black\nqube work AppVM 2 pink\n");
	/* Recompute the checksum the way the store does. */
	crypto_generichash(h, 32, (const unsigned char *)sb.buf, sb.len, NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), h, 32);
	sb_addf(&sb, "checksum %s\n", hex);
	CHECK(store_parse(sb.buf, sb.len, "local", &e) == NULL);
	CHECK(strncmp(e.msg, "line 3:", 7) == 0);
	sb_free(&sb);
}

static void test_crash_consistency(const char *dir)
{
	char path[512];
	struct registry *a = sample(), *b = sample();
	struct bh_error e;
	size_t alen, blen;
	char *atext, *btext;
	int old_seen = 0, new_seen = 0, bad = 0;

	qube_prop_set(b, registry_find(b, "work"), P_MEMORY, (const uint8_t *)"1600", 4, &e);
	for (int i = 0; i < 200; i++) {
		char name[16];
		snprintf(name, sizeof(name), "t%d", i);
		qube_tag_add(registry_find(b, "work"), name, &e);   /* make writes longer */
	}
	atext = serialize(a, &alen);
	btext = serialize(b, &blen);
	snprintf(path, sizeof(path), "%s/registry", dir);
	CHECK(store_save(a, path, &e) == 0);

	srand((unsigned)time(NULL));
	for (int round = 0; round < 300; round++) {
		char buf[64 * 1024];
		ssize_t n;
		int p[2];
		pid_t pid;

		if (pipe(p) < 0)
			abort();
		pid = fork();
		if (pid == 0) {
			/* The writer alternates new and old forever, and says
			 * when each save has returned. */
			close(p[0]);
			for (int k = 0;; k++)
				if (store_save(k % 2 ? a : b, path, &e) < 0 || write(p[1], "s", 1) != 1)
					_exit(3);
		}
		close(p[1]);
		/* Two rounds in three first wait for one save (new on disk)
		 * or two (old), so both outcomes occur however slow fsync is;
		 * the kill then lands at a random point. */
		for (int k = 0; k < round % 3; k++) {
			struct pollfd pfd = { .fd = p[0], .events = POLLIN };
			char c;

			if (poll(&pfd, 1, 10000) != 1 || read(p[0], &c, 1) != 1)
				break;
		}
		usleep((useconds_t)(rand() % 3000));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(p[0]);
		n = read_small_file(path, buf, sizeof(buf));
		if (n == (ssize_t)alen && memcmp(buf, atext, alen) == 0)
			old_seen++;
		else if (n == (ssize_t)blen && memcmp(buf, btext, blen) == 0)
			new_seen++;
		else
			bad++;
	}
	printf("crash test: %d old, %d new, %d torn\n", old_seen, new_seen, bad);
	CHECK(bad == 0);
	CHECK(old_seen > 0 && new_seen > 0);
	free(atext);
	free(btext);
	registry_free(a);
	registry_free(b);
}

int main(void)
{
	const char *root = getenv("BULKHEAD_ROOT");
	const char *golden = "tests/golden/registry.golden";

	if (root == NULL || root[0] != '/') {
		printf("skipped: needs BULKHEAD_ROOT (run through tests/run)\n");
		return 77;
	}
	test_golden_and_roundtrip(golden);
	test_corruption();
	test_invalid_line();
	test_crash_consistency(root);
	return check_exit();
}
