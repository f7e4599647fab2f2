/* qvm-ls: list qubes as a table (like Qubes' qvm-ls), as JSON for
 * scripts, or as bare names. */
#include "core/tools/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_tool tool = {
	.name = "qvm-ls",
	.synopsis = "[-h] [--format table|json] [--raw-list] [NAME...] | --backend",
	.help = "List the named qubes, or all of them, sorted by name.\n\n"
		"options:\n"
		"  --format table  columns NAME STATE CLASS LABEL TEMPLATE NETVM (default);\n"
		"                  '-' where a qube has no such property or it is none\n"
		"  --format json   a JSON array of objects with the keys name, state,\n"
		"                  class, label, template and netvm (null for none)\n"
		"  --raw-list      names only, one a line\n"
		"  --backend       print the VMM backend that runs the qubes (xen or\n"
		"                  local; the global property 'backend') and exit\n"
		"  -h, --help      show this help and exit\n",
};

enum format { FMT_TABLE, FMT_JSON, FMT_RAW };
enum column { COL_NAME, COL_STATE, COL_CLASS, COL_LABEL, COL_TEMPLATE, COL_NETVM, COL_COUNT };

static const char *const headers[COL_COUNT] = {
	"NAME", "STATE", "CLASS", "LABEL", "TEMPLATE", "NETVM",
};
static const char *const json_keys[COL_COUNT] = {
	"name", "state", "class", "label", "template", "netvm",
};

struct row {
	const struct cli_vm_entry *vm;
	char label[QUBE_NAME_MAX + 1];     /* label names are shorter */
	char template[QUBE_NAME_MAX + 1];  /* "" for none or not applicable */
	char netvm[QUBE_NAME_MAX + 1];
};

/* Fetches a label or vm property into out; "" for none.  1: the qube is
 * gone (removed since the list was read: a disposable, say). */
static int get_ref(const char *qube, const char *prop, enum cli_prop_type want, char *out, size_t outlen)
{
	struct admin_reply r;
	struct cli_prop_value v;
	int rc = cli_call_raw("admin.vm.property.Get", qube, prop, NULL, &r);

	if (rc == 1 && strcmp(r.exc_type, "QubesVMNotFoundError") == 0) {
		admin_reply_free(&r);
		return 1;
	}
	if (rc == 1) {
		cli_fail_exception(NULL, &r);
		rc = -1;
	}
	if (rc == 0 && (cli_parse_prop(r.content.buf, r.content.len, &v) < 0 || v.type != want ||
			strlen(v.value) >= outlen))
		rc = cli_bad_reply("admin.vm.property.Get");
	if (rc == 0)
		memcpy(out, v.value, strlen(v.value) + 1);
	admin_reply_free(&r);
	return rc;
}

/* Which properties a class has, per SPEC/core.md's property table.
 * 1: the qube is gone; the listing leaves it out. */
static int fill_row(struct row *row)
{
	enum qube_class k = row->vm->klass;
	int rc = get_ref(row->vm->name, "label", PROP_LABEL, row->label, sizeof(row->label));

	if (rc == 0 && (k == CLASS_APPVM || k == CLASS_DISPVM))
		rc = get_ref(row->vm->name, "template", PROP_VM, row->template, sizeof(row->template));
	if (rc == 0 && k != CLASS_ADMINVM)
		rc = get_ref(row->vm->name, "netvm", PROP_VM, row->netvm, sizeof(row->netvm));
	return rc;
}

/* The cell, or NULL for none. */
static const char *cell(const struct row *row, enum column c)
{
	switch (c) {
	case COL_NAME:
		return row->vm->name;
	case COL_STATE:
		return power_state_name(row->vm->state);
	case COL_CLASS:
		return qube_class_name(row->vm->klass);
	case COL_LABEL:
		return row->label;
	case COL_TEMPLATE:
		return row->template[0] ? row->template : NULL;
	case COL_NETVM:
		return row->netvm[0] ? row->netvm : NULL;
	case COL_COUNT:
		break;
	}
	return NULL;
}

static const char *cell_text(const struct row *row, enum column c)
{
	const char *s = cell(row, c);
	return s ? s : "-";
}

static void print_table(const struct row *rows, size_t n)
{
	size_t width[COL_COUNT];

	for (int c = 0; c < COL_COUNT; c++) {
		width[c] = strlen(headers[c]);
		for (size_t i = 0; i < n; i++)
			if (strlen(cell_text(&rows[i], (enum column)c)) > width[c])
				width[c] = strlen(cell_text(&rows[i], (enum column)c));
	}
	for (size_t i = 0; i <= n; i++) {
		for (int c = 0; c < COL_COUNT; c++) {
			const char *s = i == 0 ? headers[c] : cell_text(&rows[i - 1], (enum column)c);
			if (c == COL_COUNT - 1)
				printf("%s\n", s);
			else
				printf("%-*s  ", (int)width[c], s);
		}
	}
}

static void print_json(const struct row *rows, size_t n)
{
	printf("[");
	for (size_t i = 0; i < n; i++) {
		printf("%s\n  {", i ? "," : "");
		for (int c = 0; c < COL_COUNT; c++) {
			const char *s = cell(&rows[i], (enum column)c);
			printf("%s\"%s\": ", c ? ", " : "", json_keys[c]);
			if (s)
				cli_json_string(s);
			else
				printf("null");
		}
		printf("}");
	}
	printf("%s]\n", n ? "\n" : "");
}

/* The backend's name, as qubes-prefs shows it. */
static int print_backend(void)
{
	struct admin_reply r;
	struct cli_prop_value v;

	if (cli_call("admin.property.Get", "dom0", "backend", NULL, &r) == 0) {
		if (cli_parse_prop(r.content.buf, r.content.len, &v) < 0 || v.type != PROP_STR)
			(void)cli_bad_reply("admin.property.Get");
		else
			printf("%s\n", v.value);
	}
	admin_reply_free(&r);
	return cli_finish();
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_OPT_HELP,
		{ "format", required_argument, NULL, 'f' },
		{ "raw-list", no_argument, NULL, 'r' },
		{ "backend", no_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	enum format fmt = FMT_TABLE;
	bool backend = false;
	struct cli_vm_entry *vms;
	struct row *rows;
	size_t n = 0;
	int c, nvms;
	char esc[64];

	cli_init(&tool);
	while ((c = cli_getopt(argc, argv, ":h", opts)) != -1) {
		if (c == 'r')
			fmt = FMT_RAW;
		else if (c == 'b')
			backend = true;
		else if (c == 'f' && strcmp(optarg, "table") == 0)
			fmt = FMT_TABLE;
		else if (c == 'f' && strcmp(optarg, "json") == 0)
			fmt = FMT_JSON;
		else if (c == 'f')
			cli_usage("unknown format '%s' (table or json)", cli_esc(optarg, esc, sizeof(esc)));
	}
	if (backend && optind < argc)
		cli_usage("--backend takes no qube names");
	if (backend)
		return print_backend();
	for (int i = optind; i < argc; i++)
		if (!cli_check_qube(argv[i]))
			return cli_finish();

	nvms = cli_list_vms(&vms);
	if (nvms < 0)
		return cli_finish();
	rows = calloc((size_t)(optind < argc ? argc - optind : nvms) + 1, sizeof(*rows));
	if (rows == NULL) {
		free(vms);
		cli_fail("out of memory");
		return cli_finish();
	}
	if (optind == argc)
		for (int i = 0; i < nvms; i++)
			rows[n++].vm = &vms[i];
	for (int i = optind; i < argc; i++) {
		rows[n].vm = cli_find_vm(vms, nvms, argv[i]);
		if (rows[n].vm == NULL) {
			cli_fail("no such qube: %s", argv[i]);
			break;
		}
		n++;
	}
	for (size_t i = 0; fmt != FMT_RAW && !cli_failed() && i < n;) {
		if (fill_row(&rows[i]) != 1) {
			i++;
			continue;
		}
		/* Gone since the list: named on the command line, an error;
		 * otherwise (a disposable that ended, say) not listed. */
		if (optind < argc) {
			cli_fail("no such qube: %s", rows[i].vm->name);
			break;
		}
		memmove(&rows[i], &rows[i + 1], (n - i - 1) * sizeof(*rows));
		n--;
	}
	/* All or nothing: a failure prints no partial listing. */
	if (!cli_failed()) {
		if (fmt == FMT_RAW)
			for (size_t i = 0; i < n; i++)
				printf("%s\n", rows[i].vm->name);
		else if (fmt == FMT_TABLE)
			print_table(rows, n);
		else
			print_json(rows, n);
	}
	free(rows);
	free(vms);
	return cli_finish();
}
