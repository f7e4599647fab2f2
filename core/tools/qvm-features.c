/* qvm-features: list, show, set and remove a qube's features. */
#include "core/tools/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_tool tool = {
	.name = "qvm-features",
	.synopsis = "[-h] [-D] NAME [FEATURE [VALUE]]",
	.help = "Without FEATURE, list the features of the qube NAME, one a line: name\n"
		"and value.  With FEATURE, print its value (exit 1 if it is not set);\n"
		"with VALUE, set it (printable ASCII, at most 1023 bytes).\n\n"
		"options:\n"
		"  -D, --unset, --delete  remove FEATURE\n"
		"  -h, --help             show this help and exit\n",
};

struct feature {
	char name[TOKEN_NAME_MAX + 1];
	struct strbuf value;
};

static int get_feature(const char *qube, const char *name, struct strbuf *value)
{
	struct admin_reply r;
	int rc = cli_call("admin.vm.feature.Get", qube, name, NULL, &r);

	if (rc == 0 && cli_check_value(r.content.buf ? r.content.buf : "", r.content.len) != 0)
		rc = cli_bad_reply("admin.vm.feature.Get");
	if (rc == 0)
		sb_add(value, r.content.buf ? r.content.buf : "", r.content.len);
	admin_reply_free(&r);
	return rc;
}

static void list_features(const char *qube)
{
	struct admin_reply r;
	struct feature *f = NULL;
	size_t n = 0, pos = 0, len, width = 0;
	const char *line;
	int rc;

	if (cli_call("admin.vm.feature.List", qube, "", NULL, &r) < 0) {
		admin_reply_free(&r);
		return;
	}
	while ((rc = cli_next_line(&r.content, &pos, &line, &len)) > 0) {
		struct feature *nf;
		if (len > TOKEN_NAME_MAX || names_check(NAME_FEATURE, (const uint8_t *)line, len) != 0) {
			rc = -1;
			break;
		}
		nf = reallocarray(f, n + 1, sizeof(*f));
		if (nf == NULL) {
			cli_fail("out of memory");
			break;
		}
		f = nf;
		memcpy(f[n].name, line, len);
		f[n].name[len] = '\0';
		sb_init(&f[n].value, VALUE_MAX);
		n++;
		if (len > width)
			width = len;
	}
	admin_reply_free(&r);
	if (rc < 0)
		(void)cli_bad_reply("admin.vm.feature.List");
	for (size_t i = 0; i < n && !cli_failed(); i++)
		(void)get_feature(qube, f[i].name, &f[i].value);
	for (size_t i = 0; i < n && !cli_failed(); i++)
		printf("%-*s  %s\n", (int)width, f[i].name, f[i].value.buf ? f[i].value.buf : "");
	for (size_t i = 0; i < n; i++)
		sb_free(&f[i].value);
	free(f);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_OPT_HELP,
		{ "unset", no_argument, NULL, 'D' },
		{ "delete", no_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	const char *qube, *feature, *value;
	struct admin_reply r;
	struct strbuf v;
	bool unset = false;
	char esc[128];
	int c;

	cli_init(&tool);
	while ((c = cli_getopt(argc, argv, ":hD", opts)) != -1)
		if (c == 'D')
			unset = true;
	if (optind >= argc)
		cli_usage("missing qube name");
	if (argc - optind > 3)
		cli_usage("too many arguments");
	qube = argv[optind];
	feature = argc - optind > 1 ? argv[optind + 1] : NULL;
	value = argc - optind > 2 ? argv[optind + 2] : NULL;
	if (unset && feature == NULL)
		cli_usage("--unset needs a feature");
	if (unset && value != NULL)
		cli_usage("--unset takes no value");

	if (!cli_check_qube(qube) || (feature && !cli_check_token(NAME_FEATURE, "feature name", feature)))
		return cli_finish();
	if (value && cli_check_value(value, strlen(value)) != 0) {
		cli_fail("invalid feature value '%s' (printable ASCII, at most %u bytes)",
			 cli_esc(value, esc, sizeof(esc)), VALUE_MAX);
		return cli_finish();
	}
	if (feature == NULL) {
		list_features(qube);
	} else if (unset) {
		cli_call("admin.vm.feature.Remove", qube, feature, NULL, &r);
		admin_reply_free(&r);
	} else if (value == NULL) {
		sb_init(&v, VALUE_MAX);
		if (get_feature(qube, feature, &v) == 0)
			printf("%s\n", v.buf ? v.buf : "");
		sb_free(&v);
	} else {
		cli_call("admin.vm.feature.Set", qube, feature, value, &r);
		admin_reply_free(&r);
	}
	return cli_finish();
}
