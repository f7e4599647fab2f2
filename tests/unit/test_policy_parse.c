/* qrexec policy line parser (qrexec/policy/policy_parse.c): every token in
 * every place, every action and parameter, directives, the compat syntax,
 * every error code, and that a rejected line leaves the output untouched. */
#include <stdint.h>
#include <string.h>

#include "qrexec/policy/policy_parse.h"
#include "tests/lib/check.h"

static struct policy_line L;

static int parse(const char *s)
{
	return policy_line_parse((const uint8_t *)s, strlen(s), PSYNTAX_V5, &L);
}

static int parse_compat(const char *s)
{
	return policy_line_parse((const uint8_t *)s, strlen(s), PSYNTAX_COMPAT, &L);
}

/* A rule with the token in the source (place 0) or target (place 1). */
static int tok_in(const char *tok, int place)
{
	char line[256];

	if (place == 0)
		snprintf(line, sizeof(line), "svc * %s work deny", tok);
	else
		snprintf(line, sizeof(line), "svc * work %s deny", tok);
	return parse(line);
}

static int redirect(const char *tok)
{
	char line[256];

	snprintf(line, sizeof(line), "svc * work @anyvm ask target=%s", tok);
	return parse(line);
}

static void tokens(void)
{
	static const struct {
		const char *tok;
		int kind;
		const char *value;
		bool src, tgt, redir;
	} t[] = {
		{ "work", PTOK_NAME, "work", true, true, true },
		{ "sys-net.1_x", PTOK_NAME, "sys-net.1_x", true, true, true },
		{ "dom0", PTOK_ADMINVM, "", true, true, true },
		{ "@adminvm", PTOK_ADMINVM, "", true, true, true },
		{ "@anyvm", PTOK_ANYVM, "", true, true, false },
		{ "*", PTOK_ANY, "", true, true, false },
		{ "@default", PTOK_DEFAULT, "", false, true, false },
		{ "@dispvm", PTOK_DISPVM, "", false, true, true },
		{ "@dispvm:dvm", PTOK_DISPVM_NAME, "dvm", true, true, true },
		{ "@dispvm:@tag:t-1", PTOK_DISPVM_TAG, "t-1", true, true, false },
		{ "@tag:Tag_9", PTOK_TAG, "Tag_9", true, true, false },
		{ "@type:AppVM", PTOK_TYPE, "AppVM", true, true, false },
		{ "@type:AdminVM", PTOK_TYPE, "AdminVM", true, true, false },
		{ "@type:TemplateVM", PTOK_TYPE, "TemplateVM", true, true, false },
		{ "@type:StandaloneVM", PTOK_TYPE, "StandaloneVM", true, true, false },
		{ "@type:DispVM", PTOK_TYPE, "DispVM", true, true, false },
	};
	static const char *const bad[] = {
		"@", "@foo", "@anyvm:", "@tag:", "@tag:a.b", "@type:", "@type:Foo", "@type:appvm",
		"@dispvm:", "@dispvm:@tag:", "@dispvm:@foo", "@dispvm:1abc", "1abc", "none", "default",
		"Domain-0", "x-dm", "abcdefghijklmnopqrstuvwxyz012345", "@Adminvm", "**", "@dispvm:@tag:a:b",
		"work,x", "wo$rk",
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CHECK((tok_in(t[i].tok, 0) == 0) == t[i].src);
		if (t[i].src) {
			CHECK(L.source.kind == t[i].kind);
			CHECK_STR(L.source.value, t[i].value);
			CHECK(L.source.len == strlen(t[i].value));
		}
		CHECK((tok_in(t[i].tok, 1) == 0) == t[i].tgt);
		if (t[i].tgt) {
			CHECK(L.target.kind == t[i].kind);
			CHECK_STR(L.target.value, t[i].value);
		}
		CHECK((redirect(t[i].tok) == 0) == t[i].redir);
		if (t[i].redir) {
			CHECK(L.redirect.kind == t[i].kind);
			CHECK_STR(L.redirect.value, t[i].value);
		}
	}
	CHECK(tok_in("@default", 0) == PPARSE_ESOURCE);
	CHECK(tok_in("@dispvm", 0) == PPARSE_ESOURCE);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(tok_in(bad[i], 0) == PPARSE_ESOURCE);
		CHECK(tok_in(bad[i], 1) == PPARSE_ETARGET);
		CHECK(redirect(bad[i]) == PPARSE_EREDIRECT);
	}
	/* 31 characters is the longest name, 63 the longest tag. */
	CHECK(tok_in("abcdefghijklmnopqrstuvwxyz01234", 0) == 0);
	CHECK(tok_in("@tag:abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0", 0) == 0);
	CHECK(L.source.len == 63);
	CHECK(tok_in("@tag:abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz01", 0) ==
	      PPARSE_ESOURCE);
	CHECK(tok_in("@dispvm:@tag:abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0", 1) == 0);
	CHECK(L.target.kind == PTOK_DISPVM_TAG && L.target.len == 63);
}

static void service_argument(void)
{
	CHECK(parse("qubes.Filecopy * @anyvm @anyvm deny") == 0);
	CHECK(L.kind == PLINE_RULE && !L.any_service && L.any_arg);
	CHECK_STR(L.service, "qubes.Filecopy");
	CHECK(L.service_len == 14);
	CHECK(parse("qubes.Gpg + work vault allow") == 0);
	CHECK(!L.any_arg && L.arg_len == 0);
	CHECK_STR(L.arg, "");
	CHECK(parse("qubes.ConnectTCP +127.0.0.1+22 work vault allow") == 0);
	CHECK_STR(L.arg, "127.0.0.1+22");
	CHECK(parse("* * @anyvm @anyvm deny") == 0);
	CHECK(L.any_service && L.any_arg);
	CHECK_STR(L.service, "");
	CHECK(parse("* + @anyvm @anyvm deny") == PPARSE_EWILDARG);
	CHECK(parse("* +x @anyvm @anyvm deny") == PPARSE_EWILDARG);
	CHECK(parse("a+b * @anyvm @anyvm deny") == PPARSE_ESERVICE);
	CHECK(parse("a:b * @anyvm @anyvm deny") == PPARSE_ESERVICE);
	CHECK(parse("a@b * @anyvm @anyvm deny") == PPARSE_ESERVICE);
	CHECK(parse("qubes.Gpg x work vault allow") == PPARSE_EARG);
	CHECK(parse("qubes.Gpg +a:b work vault allow") == PPARSE_EARG);
	CHECK(parse("qubes.Gpg ++ work vault allow") == 0);
	CHECK_STR(L.arg, "+");
	/* 64-character services, 254-character arguments. */
	{
		char line[600], svc[66], arg[258];

		memset(svc, 's', 64);
		svc[64] = '\0';
		arg[0] = '+';
		memset(arg + 1, 'a', 254);
		arg[255] = '\0';
		snprintf(line, sizeof(line), "%s %s a b deny", svc, arg);
		CHECK(parse(line) == 0);
		CHECK(L.service_len == 64 && L.arg_len == 254);
		snprintf(line, sizeof(line), "%ss %s a b deny", svc, arg);
		CHECK(parse(line) == PPARSE_ESERVICE);
		snprintf(line, sizeof(line), "%s %sa a b deny", svc, arg);
		CHECK(parse(line) == PPARSE_EARG);
	}
}

static void actions(void)
{
	CHECK(parse("s * a b allow") == 0);
	CHECK(L.action == PACT_ALLOW && L.params == 0);
	CHECK(parse("s * a b deny") == 0);
	CHECK(L.action == PACT_DENY);
	CHECK(parse("s * a b ask") == 0);
	CHECK(L.action == PACT_ASK);
	CHECK(parse("s * a b Allow") == PPARSE_EACTION);
	CHECK(parse("s * a b permit") == PPARSE_EACTION);

	CHECK(parse("s * a b allow target=c user=root notify=yes autostart=no") == 0);
	CHECK(L.params == (PPARAM_TARGET | PPARAM_USER | PPARAM_NOTIFY | PPARAM_AUTOSTART));
	CHECK(L.redirect.kind == PTOK_NAME);
	CHECK_STR(L.redirect.value, "c");
	CHECK_STR(L.user, "root");
	CHECK(L.user_len == 4 && L.notify && !L.autostart);
	CHECK(parse("s * a b allow notify=no autostart=yes") == 0);
	CHECK(!L.notify && L.autostart);
	CHECK(parse("s * a b allow default_target=c") == PPARSE_EPARAM_UNKNOWN);
	CHECK(parse("s * a b ask target=@dispvm default_target=@dispvm:dvm user=u notify=yes autostart=yes") == 0);
	CHECK(L.params == 0x1f);
	CHECK(L.default_target.kind == PTOK_DISPVM_NAME);
	CHECK(parse("s * a b deny notify=no") == 0);
	CHECK(L.params == PPARAM_NOTIFY && !L.notify);
	CHECK(parse("s * a b deny target=c") == PPARSE_EPARAM_UNKNOWN);
	CHECK(parse("s * a b deny user=u") == PPARSE_EPARAM_UNKNOWN);
	CHECK(parse("s * a b deny autostart=no") == PPARSE_EPARAM_UNKNOWN);
	CHECK(parse("s * a b allow foo=bar") == PPARSE_EPARAM_UNKNOWN);
	CHECK(parse("s * a b allow target") == PPARSE_EPARAM);
	CHECK(parse("s * a b allow =c") == PPARSE_EPARAM);
	CHECK(parse("s * a b allow target=c target=d") == PPARSE_EPARAM_REPEAT);
	CHECK(parse("s * a b deny notify=yes notify=yes") == PPARSE_EPARAM_REPEAT);
	CHECK(parse("s * a b allow notify=true") == PPARSE_EBOOL);
	CHECK(parse("s * a b allow autostart=") == PPARSE_EBOOL);
	CHECK(parse("s * a b allow notify=Yes") == PPARSE_EBOOL);
	CHECK(parse("s * a b allow target=") == PPARSE_EREDIRECT);
	CHECK(parse("s * a b allow target=@anyvm") == PPARSE_EREDIRECT);
	CHECK(parse("s * a b allow target=@default") == PPARSE_EREDIRECT);
	CHECK(parse("s * a b ask default_target=@tag:x") == PPARSE_EREDIRECT);
	CHECK(parse("s * a b allow user=") == PPARSE_EUSER);
	CHECK(parse("s * a b allow user=Root") == PPARSE_EUSER);
	CHECK(parse("s * a b allow user=a=b") == PPARSE_EUSER);
	/* @default needs target= for allow, not for ask or deny. */
	CHECK(parse("s * a @default allow") == PPARSE_EDEFAULT);
	CHECK(parse("s * a @default allow target=b") == 0);
	CHECK(parse("s * a @default ask") == 0);
	CHECK(parse("s * a @default deny") == 0);
	/* Too many fields: 5 fields + 5 parameters is the most. */
	CHECK(parse("s * a b ask target=a default_target=a user=u notify=no autostart=no") == 0);
	CHECK(parse("s * a b ask target=a default_target=a user=u notify=no autostart=no x=y") == PPARSE_EFIELDS);
	CHECK(parse("s * a b") == PPARSE_EFIELDS);
	CHECK(parse("s") == PPARSE_EFIELDS);
	/* A '#' after the start is not a comment. */
	CHECK(parse("s * a b deny # no") == PPARSE_EPARAM);
}

static void whitespace_comments(void)
{
	memset(&L, 0x5a, sizeof(L));
	CHECK(parse("") == 0);
	CHECK(L.kind == PLINE_EMPTY);
	CHECK(parse("   \t \r") == 0 && L.kind == PLINE_EMPTY);
	CHECK(parse("# comment * * bad tokens \x01 \xff") == 0 && L.kind == PLINE_EMPTY);
	CHECK(parse("   # indented") == 0 && L.kind == PLINE_EMPTY);
	CHECK(parse("\ts\t*\ta\tb\tdeny\r") == 0 && L.kind == PLINE_RULE);
	CHECK(parse("s  *   a \v b \f deny") == 0 && L.kind == PLINE_RULE);
	CHECK(policy_line_parse((const uint8_t *)"s * a b deny\0", 13, PSYNTAX_V5, &L) == PPARSE_EBYTE);
	CHECK(parse("s * a b deny \x01") == PPARSE_EBYTE);
	CHECK(parse("s * a b d\xc3\xa9ny") == PPARSE_EBYTE);
	CHECK(parse("s * a b deny\n") == PPARSE_EBYTE);
	{
		static char big[POLICY_LINE_MAX + 2];

		memset(big, ' ', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		CHECK(policy_line_parse((const uint8_t *)big, POLICY_LINE_MAX, PSYNTAX_V5, &L) == 0);
		CHECK(policy_line_parse((const uint8_t *)big, POLICY_LINE_MAX + 1, PSYNTAX_V5, &L) ==
		      PPARSE_ETOOLONG);
	}
}

static void directives(void)
{
	CHECK(parse("!include include/admin-local-rw") == 0);
	CHECK(L.kind == PLINE_INCLUDE);
	CHECK_STR(L.path, "include/admin-local-rw");
	CHECK(L.path_len == 22);
	CHECK(parse("!include-dir /etc/qubes/policy.d/extra") == 0);
	CHECK(L.kind == PLINE_INCLUDE_DIR);
	CHECK_STR(L.path, "/etc/qubes/policy.d/extra");
	CHECK(parse("!include-service qubes.Gpg + include/gpg") == 0);
	CHECK(L.kind == PLINE_INCLUDE_SERVICE);
	CHECK_STR(L.service, "qubes.Gpg");
	CHECK_STR(L.arg, "");
	CHECK_STR(L.path, "include/gpg");
	CHECK(parse("!include-service * * include/all") == 0);
	CHECK(L.any_service && L.any_arg);
	CHECK(parse("!include-service * + include/all") == PPARSE_EWILDARG);
	CHECK(parse("!include-service a:b * x") == PPARSE_ESERVICE);
	CHECK(parse("!include") == PPARSE_EDIRECTIVE_ARGS);
	CHECK(parse("!include a b") == PPARSE_EDIRECTIVE_ARGS);
	CHECK(parse("!include-dir") == PPARSE_EDIRECTIVE_ARGS);
	CHECK(parse("!include-service a + ") == PPARSE_EDIRECTIVE_ARGS);
	CHECK(parse("!compat-4.0") == PPARSE_EDIRECTIVE);
	CHECK(parse("!includes x") == PPARSE_EDIRECTIVE);
	CHECK(parse("!include ../etc/x") == PPARSE_EPATH);
	CHECK(parse("!include a/../../x") == PPARSE_EPATH);
	CHECK(parse("!include a/..") == PPARSE_EPATH);
	CHECK(parse("!include a/..b/x") == 0);
	CHECK(parse("!include a\\b") == PPARSE_EPATH);
	CHECK(parse("!include a:b") == PPARSE_EPATH);
}

static void compat(void)
{
	CHECK(parse_compat("$anyvm $dispvm allow,target=$dispvm:dvm,user=root") == 0);
	CHECK(L.kind == PLINE_RULE);
	CHECK(L.source.kind == PTOK_ANYVM && L.target.kind == PTOK_DISPVM);
	CHECK(L.action == PACT_ALLOW && L.redirect.kind == PTOK_DISPVM_NAME);
	CHECK_STR(L.redirect.value, "dvm");
	CHECK_STR(L.user, "root");
	CHECK_STR(L.service, "");
	CHECK(!L.any_service && !L.any_arg);
	CHECK(parse_compat("work @default ask default_target=vault") == 0);
	CHECK(L.default_target.kind == PTOK_NAME);
	CHECK(parse_compat("$tag:x $adminvm deny") == 0);
	CHECK(L.source.kind == PTOK_TAG);
	CHECK(parse_compat("$include:include/old") == 0);
	CHECK(L.kind == PLINE_INCLUDE);
	CHECK_STR(L.path, "include/old");
	CHECK(parse_compat("  $include:/etc/qubes-rpc/policy/x  ") == 0);
	CHECK_STR(L.path, "/etc/qubes-rpc/policy/x");
	CHECK(parse_compat("$include:") == PPARSE_EDIRECTIVE_ARGS);
	CHECK(parse_compat("$include: x") == PPARSE_EDIRECTIVE_ARGS);
	CHECK(parse_compat("$include:a b") == PPARSE_EDIRECTIVE_ARGS);
	CHECK(parse_compat("!include include/x") == 0 && L.kind == PLINE_INCLUDE);
	CHECK(parse_compat("!include-dir x") == PPARSE_EDIRECTIVE);
	CHECK(parse_compat("!include-service a + x") == PPARSE_EDIRECTIVE);
	CHECK(parse_compat("a b") == PPARSE_EFIELDS);
	/* Only separators: no field at all (it read an uninitialised field
	 * offset before the proof of policy_parse.c found it). */
	CHECK(parse_compat(",") == PPARSE_EFIELDS);
	CHECK(parse_compat(",,, ,") == PPARSE_EFIELDS);
	CHECK(parse_compat("a b allow,") == 0);
	CHECK(parse_compat("a @default allow") == PPARSE_EDEFAULT);
	CHECK(parse_compat("# old comment") == 0 && L.kind == PLINE_EMPTY);
	/* The V5 syntax does not read '$' or ','. */
	CHECK(parse("s * $anyvm b deny") == PPARSE_ESOURCE);
	CHECK(parse("s * a b allow,target=c") == PPARSE_EACTION);
}

static void untouched_on_reject(void)
{
	static const char *const bad[] = {
		"s * a b", "a:b * a b deny", "s x a b deny", "* + a b deny", "s * @x b deny",
		"s * a @x deny", "s * a b nope", "s * a b allow x", "s * a b allow x=y",
		"s * a b allow user=u user=u", "s * a b allow notify=x", "s * a b allow target=@anyvm",
		"s * a b allow user=U", "s * a @default allow", "!nope", "!include", "!include ../x",
		"s * a b deny \x7f",
	};
	struct policy_line sentinel;

	memset(&sentinel, 0xa5, sizeof(sentinel));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		L = sentinel;
		CHECK(parse(bad[i]) < 0);
		CHECK(memcmp(&L, &sentinel, sizeof(L)) == 0);
	}
	for (int e = PPARSE_OK; e >= PPARSE_EOUTPUT; e--)
		CHECK(policy_parse_strerror(e)[0] != '\0');
	CHECK(strcmp(policy_parse_strerror(PPARSE_ESOURCE), "invalid source token") == 0);
}

static void line_length(void)
{
	const uint8_t b[] = "ab\n\ncd";

	CHECK(policy_line_length(b, 6, 0) == 2);
	CHECK(policy_line_length(b, 6, 3) == 0);
	CHECK(policy_line_length(b, 6, 4) == 2);
	CHECK(policy_line_length(b, 6, 6) == 0);
	CHECK(policy_class_from_name((const uint8_t *)"DispVM", 6) == PCLASS_DISPVM);
	CHECK(policy_class_from_name((const uint8_t *)"DispV", 5) == -1);
}

int main(void)
{
	tokens();
	service_argument();
	actions();
	whitespace_comments();
	directives();
	compat();
	untouched_on_reject();
	line_length();
	return check_exit();
}
