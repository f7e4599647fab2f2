/* qvm-create: create a qube with its label and properties in one call
 * (admin.vm.Create.CLASS), so a refused property leaves no half-made qube. */
#include "core/tools/cli.h"

#include "admin_proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_tool tool = {
	.name = "qvm-create",
	.synopsis = "[-h] [-C CLASS] [-t TEMPLATE] -l LABEL [-P NAME=VALUE]... NAME",
	.help = "Create the qube NAME of class CLASS (AppVM unless given: TemplateVM,\n"
		"AppVM, StandaloneVM or DispVM) with label LABEL and the given properties,\n"
		"all at once: if anything is refused, nothing is created.\n\n"
		"options:\n"
		"  -C, --class CLASS            class of the new qube (default AppVM)\n"
		"  -t, --template TEMPLATE      template (default: the global default_template,\n"
		"                               or default_dispvm for a DispVM)\n"
		"  -l, --label LABEL            red, orange, yellow, green, gray, blue, purple\n"
		"                               or black\n"
		"  -P, -p, --property, --prop NAME=VALUE\n"
		"                               set a property at creation (repeatable); bool\n"
		"                               properties take True or False\n"
		"  -h, --help                   show this help and exit\n",
};

#define MAX_PROPS 64u

static bool creatable_class(const char *klass)
{
	for (int c = 0; c < CLASS_COUNT; c++)
		if (c != CLASS_ADMINVM && strcmp(klass, qube_class_name((enum qube_class)c)) == 0)
			return true;
	return false;
}

/* NAME=VALUE, as it will travel in the space-separated payload. */
static bool check_property(const char *kv)
{
	const char *eq = strchr(kv, '=');
	char key[TOKEN_NAME_MAX + 1], esc[128];
	size_t kl = (size_t)(eq - kv);

	if (kl > TOKEN_NAME_MAX || names_check(NAME_PROPERTY, (const uint8_t *)kv, kl) != 0) {
		cli_fail("invalid property name in '%s'", cli_esc(kv, esc, sizeof(esc)));
		return false;
	}
	memcpy(key, kv, kl);
	key[kl] = '\0';
	if (strcmp(key, "name") == 0 || strcmp(key, "label") == 0) {
		cli_fail("%s is given as an operand or --label, not as a property", key);
		return false;
	}
	if (cli_check_value(eq + 1, strlen(eq + 1)) != 0 || strchr(eq + 1, ' ') != NULL) {
		cli_fail("invalid value for property %s: '%s' (printable, no spaces)", key,
			 cli_esc(eq + 1, esc, sizeof(esc)));
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_OPT_HELP,
		{ "class", required_argument, NULL, 'C' },
		{ "template", required_argument, NULL, 't' },
		{ "label", required_argument, NULL, 'l' },
		{ "property", required_argument, NULL, 'P' },
		{ "prop", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	const char *klass = "AppVM", *template = "", *label = NULL, *name;
	const char *props[MAX_PROPS];
	size_t nprops = 0;
	char method[ADMIN_METHOD_MAX + 1], esc[128];
	struct strbuf payload;
	struct admin_reply r;
	int c;

	cli_init(&tool);
	while ((c = cli_getopt(argc, argv, ":hC:t:l:P:p:", opts)) != -1) {
		switch (c) {
		case 'C':
			klass = optarg;
			break;
		case 't':
			template = optarg;
			break;
		case 'l':
			label = optarg;
			break;
		case 'P':
		case 'p':
			if (strchr(optarg, '=') == NULL)
				cli_usage("--property needs NAME=VALUE");
			if (nprops == MAX_PROPS)
				cli_usage("more than %u properties", MAX_PROPS);
			props[nprops++] = optarg;
			break;
		}
	}
	if (optind >= argc)
		cli_usage("missing qube name");
	if (argc - optind > 1)
		cli_usage("too many arguments");
	if (label == NULL)
		cli_usage("missing --label");
	name = argv[optind];

	/* Everything the daemon would refuse for its form, refused here with
	 * a precise reason; the daemon still checks all of it. */
	if (!cli_check_qube(name))
		return cli_finish();
	if (!creatable_class(klass)) {
		cli_fail("invalid class '%s' (TemplateVM, AppVM, StandaloneVM or DispVM)",
			 cli_esc(klass, esc, sizeof(esc)));
		return cli_finish();
	}
	if (label_from_name((const uint8_t *)label, strlen(label)) < 0) {
		cli_fail("unknown label '%s'", cli_esc(label, esc, sizeof(esc)));
		return cli_finish();
	}
	if (template[0] != '\0' && !cli_check_token(NAME_QUBE, "template name", template))
		return cli_finish();
	for (size_t i = 0; i < nprops; i++)
		if (!check_property(props[i]))
			return cli_finish();

	sb_init(&payload, ADMIN_MAX_REQUEST);
	sb_addf(&payload, "name=%s label=%s", name, label);
	for (size_t i = 0; i < nprops; i++)
		sb_addf(&payload, " %s", props[i]);
	if (payload.err) {
		cli_fail("properties too long");
	} else {
		snprintf(method, sizeof(method), "admin.vm.Create.%s", klass);
		cli_call(method, "dom0", template, payload.buf, &r);
		admin_reply_free(&r);
	}
	sb_free(&payload);
	return cli_finish();
}
