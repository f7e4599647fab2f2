#include "core/tools/prefs.h"
#include "core/tools/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct target {
	const char *dest;   /* the qube, or "dom0" */
	char get[48], set[48], reset[48], list[48];
};

static void target_init(struct target *t, const char *qube)
{
	const char *prefix = qube ? "admin.vm.property." : "admin.property.";

	t->dest = qube ? qube : "dom0";
	snprintf(t->get, sizeof(t->get), "%sGet", prefix);
	snprintf(t->set, sizeof(t->set), "%sSet", prefix);
	snprintf(t->reset, sizeof(t->reset), "%sReset", prefix);
	snprintf(t->list, sizeof(t->list), "%sList", prefix);
}

static int get_prop(const struct target *t, const char *prop, struct cli_prop_value *v)
{
	struct admin_reply r;
	int rc = cli_call(t->get, t->dest, prop, NULL, &r);

	if (rc == 0 && cli_parse_prop(r.content.buf, r.content.len, v) < 0)
		rc = cli_bad_reply(t->get);
	admin_reply_free(&r);
	return rc;
}

static int list_props(const struct target *t)
{
	struct admin_reply r;
	struct cli_prop_value v;
	size_t pos = 0, len;
	const char *line;
	char name[TOKEN_NAME_MAX + 1];
	int rc;

	if (cli_call(t->list, t->dest, "", NULL, &r) < 0) {
		admin_reply_free(&r);
		return -1;
	}
	while ((rc = cli_next_line(&r.content, &pos, &line, &len)) > 0) {
		if (len > TOKEN_NAME_MAX || names_check(NAME_PROPERTY, (const uint8_t *)line, len) != 0) {
			rc = -1;
			break;
		}
		memcpy(name, line, len);
		name[len] = '\0';
		if (get_prop(t, name, &v) < 0) {
			rc = -2;
			break;
		}
		printf("%-24s %s %s\n", name, v.is_default ? "D" : "-", v.value);
	}
	admin_reply_free(&r);
	if (rc == -1)
		return cli_bad_reply(t->list);
	return rc < 0 ? -1 : 0;
}

/* Qubes' spellings of booleans on the command line. */
static const char *bool_value(const char *s)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return "True";
		if (strcasecmp(s, no[i]) == 0)
			return "False";
	}
	return NULL;
}

static int set_prop(const struct target *t, const char *prop, const char *value)
{
	struct cli_prop_value cur;
	struct admin_reply r;
	char esc[128];
	int rc;

	if (cli_check_value(value, strlen(value)) != 0) {
		cli_fail("invalid value '%s'", cli_esc(value, esc, sizeof(esc)));
		return -1;
	}
	/* The type decides how the value is spelled on the wire. */
	if (get_prop(t, prop, &cur) < 0)
		return -1;
	if (cur.type == PROP_BOOL) {
		const char *b = bool_value(value);
		if (b == NULL) {
			cli_fail("invalid value '%s' for bool property %s (use True or False)",
				 cli_esc(value, esc, sizeof(esc)), prop);
			return -1;
		}
		value = b;
	} else if (cur.type == PROP_VM && strcasecmp(value, "none") == 0) {
		value = "";
	}
	rc = cli_call(t->set, t->dest, prop, value, &r);
	admin_reply_free(&r);
	return rc;
}

int prefs_main(int argc, char **argv, bool with_qube)
{
	static const struct option opts[] = {
		CLI_OPT_HELP,
		{ "default", no_argument, NULL, 'D' },
		{ "unset", no_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	const char *qube = NULL, *prop = NULL, *value = NULL;
	struct cli_prop_value v;
	struct admin_reply r;
	struct target t;
	bool reset = false;
	int c, n;

	while ((c = cli_getopt(argc, argv, ":hD", opts)) != -1) {
		if (c == 'D')
			reset = true;
	}
	n = argc - optind;
	if (with_qube) {
		if (n < 1)
			cli_usage("missing qube name");
		qube = argv[optind++];
		n--;
	}
	if (n > 2)
		cli_usage("too many arguments");
	prop = n > 0 ? argv[optind] : NULL;
	value = n > 1 ? argv[optind + 1] : NULL;
	if (reset && prop == NULL)
		cli_usage("-D needs a property");
	if (reset && value != NULL)
		cli_usage("-D takes no value");

	if (qube && !cli_check_qube(qube))
		return cli_finish();
	if (prop && !cli_check_token(NAME_PROPERTY, "property name", prop))
		return cli_finish();
	target_init(&t, qube);
	if (prop == NULL) {
		(void)list_props(&t);
	} else if (reset) {
		cli_call(t.reset, t.dest, prop, NULL, &r);
		admin_reply_free(&r);
	} else if (value == NULL) {
		if (get_prop(&t, prop, &v) == 0)
			printf("%s\n", v.value);
	} else {
		(void)set_prop(&t, prop, value);
	}
	return cli_finish();
}
