/* bulkhead-ask's words and command line: targets, SERVICE+ARG, scopes,
 * the reply line policyd parses, and argv as a whole
 * (capd/prompt/ask_parse.c, ask_args.c). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capd/prompt/ask_args.h"
#include "capd/prompt/ask_parse.h"
#include "tests/lib/check.h"

static int target(const char *s)
{
	return ask_target_check((const uint8_t *)s, strlen(s));
}

static void test_targets(void)
{
	static const char *const good[] = {
		"work", "dom0", "a", "A-b_c.d", "@dispvm:fedora-dvm", "@dispvm:x",
		"abcdefghijklmnopqrstuvwxyz01234",            /* 31 */
		"@dispvm:abcdefghijklmnopqrstuvwxyz01234",    /* 39 */
	};
	static const char *const bad[] = {
		"", "@dispvm:", "@dispvm", "@dispvm:@tag:x", "@default", "@anyvm", "@adminvm", "*",
		"1work", "-work", "wo rk", "work\n", "work-dm", "none", "default", "Domain-0",
		"abcdefghijklmnopqrstuvwxyz012345",           /* 32 */
		"@dispvm:abcdefghijklmnopqrstuvwxyz012345",   /* 40 */
		"@dispvm:none", "@dispvm:1x", "@DISPVM:x", "wörk", "work\x7f",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK(target(good[i]) == ASK_OK);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (target(bad[i]) != ASK_ETARGET) {
			fprintf(stderr, "accepted target '%s'\n", bad[i]);
			CHECK(0);
		}
	/* A NUL inside is not a shorter name. */
	CHECK(ask_target_check((const uint8_t *)"wo\0rk", 5) == ASK_ETARGET);
}

static int service(const char *s, size_t *nl)
{
	return ask_service_check((const uint8_t *)s, strlen(s), nl);
}

static void test_service(void)
{
	static char big[ASK_SERVICE_LEN_MAX + 2];
	size_t nl = 999;

	CHECK(service("qubes.Filecopy+", &nl) == ASK_OK && nl == 14);
	CHECK(service("my.Svc+arg", &nl) == ASK_OK && nl == 6);
	CHECK(service("a+b+c", &nl) == ASK_OK && nl == 1);     /* the first '+' splits */
	CHECK(service("x_Y-z.0+A.b-c_9", &nl) == ASK_OK && nl == 7);
	nl = 999;
	CHECK(service("", &nl) == ASK_ESERVICE && nl == 999);
	CHECK(service("+arg", &nl) == ASK_ESERVICE && nl == 999);
	CHECK(service("svc", &nl) == ASK_ESERVICE && nl == 999);    /* no '+': not this interface */
	CHECK(service("svc+a b", &nl) == ASK_ESERVICE);
	CHECK(service("svc+a/b", &nl) == ASK_ESERVICE);
	CHECK(service("svc+\xff", &nl) == ASK_ESERVICE);
	CHECK(service("svc+a\\x41", &nl) == ASK_ESERVICE);
	CHECK(service("s;v+", &nl) == ASK_ESERVICE && nl == 999);
	CHECK(ask_service_check((const uint8_t *)"svc+a\0b", 7, &nl) == ASK_ESERVICE);
	/* The longest a qrexec request can be, and one byte more. */
	memset(big, 'a', sizeof(big) - 1);
	big[3] = '+';
	big[ASK_SERVICE_LEN_MAX] = '\0';
	CHECK(service(big, &nl) == ASK_OK && nl == 3);
	big[ASK_SERVICE_LEN_MAX] = 'a';
	big[ASK_SERVICE_LEN_MAX + 1] = '\0';
	CHECK(service(big, &nl) == ASK_ESERVICE);
}

static int scope(const char *s, struct ask_scope *sc)
{
	return ask_scope_parse((const uint8_t *)s, strlen(s), sc);
}

static void test_scopes(void)
{
	static const char *const bad[] = {
		"", "Once", "once ", " once", "oncex", "always!", "ALWAYS", "calls", "calls:", "calls:1",
		"calls:0", "calls:1001", "calls:02", "calls:+5", "calls:-5", "calls: 5", "calls:5x",
		"calls:99999", "calls:4294967298", "minutes", "minutes:", "minutes:0", "minutes:1441",
		"minutes:01", "minutes:9999", "minutes:12345", "calls=5", "once\n", "forever",
	};
	struct ask_scope sc = { ASK_SCOPE_ALWAYS, 77 }, old;
	char buf[ASK_SCOPE_TEXT_MAX];
	size_t len;

	CHECK(scope("once", &sc) == ASK_OK && sc.kind == ASK_SCOPE_ONCE && sc.value == 0);
	CHECK(scope("always", &sc) == ASK_OK && sc.kind == ASK_SCOPE_ALWAYS && sc.value == 0);
	CHECK(scope("calls:2", &sc) == ASK_OK && sc.kind == ASK_SCOPE_CALLS && sc.value == 2);
	CHECK(scope("calls:1000", &sc) == ASK_OK && sc.kind == ASK_SCOPE_CALLS && sc.value == 1000);
	CHECK(scope("minutes:1", &sc) == ASK_OK && sc.kind == ASK_SCOPE_MINUTES && sc.value == 1);
	CHECK(scope("minutes:1440", &sc) == ASK_OK && sc.kind == ASK_SCOPE_MINUTES && sc.value == 1440);
	sc = (struct ask_scope){ ASK_SCOPE_ALWAYS, 77 };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		old = sc;
		if (scope(bad[i], &sc) != ASK_ESCOPE || sc.kind != old.kind || sc.value != old.value) {
			fprintf(stderr, "scope '%s' accepted or output touched\n", bad[i]);
			CHECK(0);
		}
	}

	/* Every value in range prints and reads back the same. */
	for (uint32_t v = 0; v <= 1500; v++) {
		struct ask_scope c = { ASK_SCOPE_CALLS, v }, m = { ASK_SCOPE_MINUTES, v }, back;
		int in_c = v >= ASK_CALLS_MIN && v <= ASK_CALLS_MAX;
		int in_m = v >= ASK_MINUTES_MIN && v <= ASK_MINUTES_MAX;
		int rc = ask_scope_format(&c, buf, sizeof(buf), &len);

		CHECK(rc == (in_c ? ASK_OK : ASK_EINVAL));
		if (rc == ASK_OK)
			CHECK(len == strlen(buf) && scope(buf, &back) == ASK_OK && back.kind == ASK_SCOPE_CALLS &&
			      back.value == v);
		rc = ask_scope_format(&m, buf, sizeof(buf), &len);
		CHECK(rc == (in_m ? ASK_OK : ASK_EINVAL));
		if (rc == ASK_OK)
			CHECK(len == strlen(buf) && scope(buf, &back) == ASK_OK && back.kind == ASK_SCOPE_MINUTES &&
			      back.value == v);
	}
	CHECK(ask_scope_format(&(struct ask_scope){ ASK_SCOPE_ONCE, 0 }, buf, sizeof(buf), &len) == ASK_OK);
	CHECK_STR(buf, "once");
	CHECK(ask_scope_format(&(struct ask_scope){ ASK_SCOPE_ALWAYS, 0 }, buf, sizeof(buf), &len) == ASK_OK);
	CHECK_STR(buf, "always");
	CHECK(ask_scope_format(&(struct ask_scope){ ASK_SCOPE_MINUTES, 1440 }, buf, sizeof(buf), &len) == ASK_OK);
	CHECK_STR(buf, "minutes:1440");
	CHECK(len == ASK_SCOPE_TEXT_MAX - 1);   /* the longest: the buffer size is exact */
	CHECK(ask_scope_format(&(struct ask_scope){ ASK_SCOPE_ONCE, 1 }, buf, sizeof(buf), &len) == ASK_EINVAL);
	CHECK(ask_scope_format(&(struct ask_scope){ ASK_SCOPE_ALWAYS, 3 }, buf, sizeof(buf), &len) == ASK_EINVAL);
	CHECK(ask_scope_format(&(struct ask_scope){ (enum ask_scope_kind)9, 0 }, buf, sizeof(buf), &len) ==
	      ASK_EINVAL);
	CHECK(ask_scope_format(&(struct ask_scope){ ASK_SCOPE_MINUTES, 1440 }, buf, ASK_SCOPE_TEXT_MAX - 1, &len) ==
	      ASK_ENOSPACE);
	CHECK(ask_scope_format(&(struct ask_scope){ ASK_SCOPE_ONCE, 0 }, buf, 4, &len) == ASK_ENOSPACE);
	CHECK(ask_scope_format(&(struct ask_scope){ ASK_SCOPE_ONCE, 0 }, buf, 5, &len) == ASK_OK);
}

static int reply(const char *s, struct ask_reply *r)
{
	return ask_reply_parse((const uint8_t *)s, strlen(s), r);
}

static void test_reply(void)
{
	static const struct { const char *s; int rc; } bad[] = {
		{ "", ASK_EREPLY }, { "\n", ASK_EREPLY }, { "vault once", ASK_EREPLY },
		{ "vault once\n\n", ASK_EREPLY }, { "vault\nonce\n", ASK_EREPLY }, { "vault\n", ASK_EREPLY },
		{ "vault  once\n", ASK_EREPLY }, { "vault once extra\n", ASK_EREPLY }, { "vault once \n", ASK_EREPLY },
		{ " vault once\n", ASK_EREPLY }, { " once\n", ASK_ETARGET }, { "vault once\r\n", ASK_ESCOPE }, { "va/lt once\n", ASK_ETARGET },
		{ "vault calls:1\n", ASK_ESCOPE }, { "vault minutes:1441\n", ASK_ESCOPE }, { "vault \n", ASK_ESCOPE },
		{ "@dispvm once\n", ASK_ETARGET }, { "none always\n", ASK_ETARGET },
		{ "@dispvm:abcdefghijklmnopqrstuvwxyz01234 minutes:14400\n", ASK_EREPLY },
	};
	struct ask_reply r, old;

	memset(&r, 'x', sizeof(r));
	CHECK(reply("vault calls:7\n", &r) == ASK_OK);
	CHECK_STR(r.target, "vault");
	CHECK(r.scope.kind == ASK_SCOPE_CALLS && r.scope.value == 7);
	for (size_t i = strlen("vault"); i < sizeof(r.target); i++)
		CHECK(r.target[i] == '\0');
	CHECK(reply("@dispvm:abcdefghijklmnopqrstuvwxyz01234 minutes:1440\n", &r) == ASK_OK);   /* longest */
	CHECK_STR(r.target, "@dispvm:abcdefghijklmnopqrstuvwxyz01234");
	CHECK(r.scope.kind == ASK_SCOPE_MINUTES && r.scope.value == 1440);
	CHECK(reply("dom0 always\n", &r) == ASK_OK && r.scope.kind == ASK_SCOPE_ALWAYS);
	CHECK(reply("w once\n", &r) == ASK_OK && r.scope.kind == ASK_SCOPE_ONCE);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc;

		memcpy(&old, &r, sizeof(r));
		rc = reply(bad[i].s, &r);
		if (rc != bad[i].rc || memcmp(&old, &r, sizeof(r)) != 0) {
			fprintf(stderr, "reply '%s': %d, expected %d (or output touched)\n", bad[i].s, rc, bad[i].rc);
			CHECK(0);
		}
	}
	CHECK(ask_reply_parse((const uint8_t *)"vault o\0ce\n", 11, &r) == ASK_ESCOPE);
	CHECK(ask_reply_parse((const uint8_t *)"va\0lt once\n", 11, &r) == ASK_ETARGET);
}

/* argv for the prompt: "bulkhead-ask" then the given words. */
static int args(struct ask_args *a, const char **why, size_t n, ...)
{
	static char *argv[ASK_ARGC_FIXED + ASK_TARGETS_MAX + 2];
	va_list ap;

	argv[0] = "bulkhead-ask";
	va_start(ap, n);
	for (size_t i = 0; i < n; i++)
		argv[i + 1] = va_arg(ap, char *);
	va_end(ap);
	argv[n + 1] = NULL;
	*why = NULL;
	return ask_args_parse(n + 1, argv, a, why);
}

static void test_args(void)
{
	static struct ask_args a;
	static char names[ASK_TARGETS_MAX + 1][8];
	static char *argv[ASK_ARGC_FIXED + ASK_TARGETS_MAX + 2];
	const char *why;

	CHECK(args(&a, &why, 6, "work", "red", "qubes.Filecopy+", "-", "personal", "vault") == 0);
	CHECK_STR(a.source, "work");
	CHECK(a.label == LABEL_RED && a.name_len == 14 && a.service_len == 15);
	CHECK(a.ntargets == 2 && a.default_idx == -1);
	CHECK_STR(a.targets[0], "personal");
	CHECK_STR(a.targets[1], "vault");
	CHECK(args(&a, &why, 7, "w", "black", "my.Svc+arg", "@dispvm:dvm", "dom0", "x", "@dispvm:dvm") == 0);
	CHECK(a.label == LABEL_BLACK && a.default_idx == 2 && a.ntargets == 3 && a.name_len == 6);
	CHECK(args(&a, &why, 5, "w", "purple", "s+", "t", "t") == 0 && a.default_idx == 0);

	/* Each way to be wrong, each with its one-line reason. */
	CHECK(args(&a, &why, 4, "w", "red", "s+", "-") == -1 && why && strstr(why, "usage"));
	CHECK(args(&a, &why, 0) == -1 && why && strstr(why, "usage"));
	CHECK(args(&a, &why, 5, "1w", "red", "s+", "-", "t") == -1 && why && strstr(why, "SOURCE"));
	CHECK(args(&a, &why, 5, "", "red", "s+", "-", "t") == -1 && why && strstr(why, "SOURCE"));
	CHECK(args(&a, &why, 5, "abcdefghijklmnopqrstuvwxyz012345", "red", "s+", "-", "t") == -1 &&
	      strstr(why, "SOURCE"));
	CHECK(args(&a, &why, 5, "w", "Red", "s+", "-", "t") == -1 && why && strstr(why, "LABEL"));
	CHECK(args(&a, &why, 5, "w", "pink", "s+", "-", "t") == -1 && strstr(why, "LABEL"));
	CHECK(args(&a, &why, 5, "w", "redd", "s+", "-", "t") == -1 && strstr(why, "LABEL"));
	CHECK(args(&a, &why, 5, "w", "", "s+", "-", "t") == -1 && strstr(why, "LABEL"));
	CHECK(args(&a, &why, 5, "w", "red", "s", "-", "t") == -1 && why && strstr(why, "SERVICE"));
	CHECK(args(&a, &why, 5, "w", "red", "+s", "-", "t") == -1 && strstr(why, "SERVICE"));
	CHECK(args(&a, &why, 5, "w", "red", "s+a\x1b[2J", "-", "t") == -1 && strstr(why, "SERVICE"));
	CHECK(args(&a, &why, 5, "w", "red", "s+", "-", "@anyvm") == -1 && why && strstr(why, "TARGET"));
	CHECK(args(&a, &why, 6, "w", "red", "s+", "-", "t", "t") == -1 && why && strstr(why, "twice"));
	CHECK(args(&a, &why, 5, "w", "red", "s+", "u", "t") == -1 && why && strstr(why, "DEFAULT"));
	CHECK(args(&a, &why, 5, "w", "red", "s+", "", "t") == -1 && strstr(why, "DEFAULT"));
	CHECK(args(&a, &why, 5, "w", "red", "s+", "--", "t") == -1 && strstr(why, "DEFAULT"));
	/* No argument byte is ever echoed in a reason. */
	CHECK(args(&a, &why, 5, "w\x1b]0;x", "red", "s+", "-", "t") == -1 && strchr(why, '\x1b') == NULL);

	/* ASK_TARGETS_MAX targets, all different: accepted; one more: refused. */
	argv[0] = "bulkhead-ask";
	argv[1] = "work";
	argv[2] = "blue";
	argv[3] = "s+";
	argv[4] = "q2047";
	for (size_t i = 0; i <= ASK_TARGETS_MAX; i++) {
		snprintf(names[i], sizeof(names[i]), "q%zu", i);
		argv[ASK_ARGC_FIXED + i] = names[i];
	}
	CHECK(ask_args_parse(ASK_ARGC_FIXED + ASK_TARGETS_MAX, argv, &a, &why) == 0);
	CHECK(a.ntargets == ASK_TARGETS_MAX && a.default_idx == 2047);
	CHECK(ask_args_parse(ASK_ARGC_FIXED + ASK_TARGETS_MAX + 1, argv, &a, &why) == -1 &&
	      strstr(why, "too many"));
}

int main(void)
{
	test_targets();
	test_service();
	test_scopes();
	test_reply();
	test_args();
	return check_exit();
}
