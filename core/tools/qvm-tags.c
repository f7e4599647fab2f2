/* qvm-tags: list, query, add and remove a qube's tags. */
#include "core/tools/cli.h"

#include <stdio.h>
#include <string.h>

static const struct cli_tool tool = {
	.name = "qvm-tags",
	.synopsis = "[-h] NAME [list [TAG] | add TAG... | del TAG...]",
	.help = "list (the default) prints the qube's tags, one a line; list TAG prints\n"
		"TAG if the qube has it and exits 1 if not.  add (or set) adds tags; del\n"
		"(or unset) removes them.\n\n"
		"options:\n"
		"  -h, --help  show this help and exit\n",
};

static void list_tags(const char *qube)
{
	struct admin_reply r;
	size_t pos = 0, len;
	const char *line;
	int rc;

	if (cli_call("admin.vm.tag.List", qube, "", NULL, &r) < 0) {
		admin_reply_free(&r);
		return;
	}
	/* Validate the whole reply before printing any of it. */
	while ((rc = cli_next_line(&r.content, &pos, &line, &len)) > 0)
		if (len > TOKEN_NAME_MAX || names_check(NAME_TAG, (const uint8_t *)line, len) != 0) {
			rc = -1;
			break;
		}
	if (rc < 0)
		(void)cli_bad_reply("admin.vm.tag.List");
	else
		fwrite(r.content.buf ? r.content.buf : "", 1, r.content.len, stdout);
	admin_reply_free(&r);
}

static void has_tag(const char *qube, const char *tag)
{
	struct admin_reply r;

	if (cli_call("admin.vm.tag.Get", qube, tag, NULL, &r) == 0) {
		if (r.content.len == 1 && r.content.buf[0] == '1')
			printf("%s\n", tag);
		else if (r.content.len == 1 && r.content.buf[0] == '0')
			cli_fail("%s has no tag %s", qube, tag);
		else
			(void)cli_bad_reply("admin.vm.tag.Get");
	}
	admin_reply_free(&r);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = { CLI_OPT_HELP, { NULL, 0, NULL, 0 } };
	const char *qube, *action, *method = NULL;
	struct admin_reply r;
	int ntags;
	char esc[64];

	cli_init(&tool);
	while (cli_getopt(argc, argv, ":h", opts) != -1)
		;
	if (optind >= argc)
		cli_usage("missing qube name");
	qube = argv[optind++];
	action = optind < argc ? argv[optind++] : "list";
	ntags = argc - optind;
	if (strcmp(action, "list") == 0) {
		if (ntags > 1)
			cli_usage("list takes at most one tag");
	} else if (strcmp(action, "add") == 0 || strcmp(action, "set") == 0) {
		method = "admin.vm.tag.Set";
	} else if (strcmp(action, "del") == 0 || strcmp(action, "unset") == 0) {
		method = "admin.vm.tag.Remove";
	} else {
		cli_usage("unknown action '%s' (list, add or del)", cli_esc(action, esc, sizeof(esc)));
	}
	if (method && ntags == 0)
		cli_usage("%s needs at least one tag", action);

	if (!cli_check_qube(qube))
		return cli_finish();
	for (int i = optind; i < argc; i++)
		if (!cli_check_token(NAME_TAG, "tag", argv[i]))
			return cli_finish();
	if (method == NULL && ntags == 0)
		list_tags(qube);
	else if (method == NULL)
		has_tag(qube, argv[optind]);
	for (int i = optind; method && i < argc; i++) {
		cli_call(method, qube, argv[i], NULL, &r);
		admin_reply_free(&r);
	}
	return cli_finish();
}
