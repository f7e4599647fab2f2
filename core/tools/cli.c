#include "core/tools/cli.h"

#include "log.h"
#include "paths.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One stderr line, however many things fail: the first reason, and a
 * count of the rest. */
#define CLI_MSG_MAX 512u

static const struct cli_tool *cur_tool;
static char first_failure[CLI_MSG_MAX];
static unsigned failures;

void cli_init(const struct cli_tool *tool)
{
	cur_tool = tool;
	log_init(tool->name);
}

_Noreturn static void help(void)
{
	printf("usage: %s %s\n\n%s", cur_tool->name, cur_tool->synopsis, cur_tool->help);
	exit(fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILED);
}

void cli_usage(const char *fmt, ...)
{
	char msg[CLI_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s; usage: %s %s\n", cur_tool->name, msg, cur_tool->name,
		cur_tool->synopsis);
	exit(CLI_EXIT_USAGE);
}

int cli_getopt(int argc, char *const argv[], const char *shortopts,
	       const struct option *longopts)
{
	char esc[128];
	int c;

	/* A leading ':' makes getopt report a missing argument as ':' and
	 * stay quiet: errors are ours to print, on one line. */
	opterr = 0;
	c = getopt_long(argc, argv, shortopts, longopts, NULL);
	switch (c) {
	case 'h':
		help();
	case ':':
		cli_usage("option %s needs an argument", cli_esc(argv[optind - 1], esc, sizeof(esc)));
	case '?':
		if (optopt)
			cli_usage("unknown option -%c", optopt);
		cli_usage("unknown option %s", cli_esc(argv[optind - 1], esc, sizeof(esc)));
	default:
		return c;
	}
}

void cli_fail(const char *fmt, ...)
{
	va_list ap;

	if (failures++ == 0) {
		va_start(ap, fmt);
		vsnprintf(first_failure, sizeof(first_failure), fmt, ap);
		va_end(ap);
	}
}

bool cli_failed(void)
{
	return failures != 0;
}

int cli_finish(void)
{
	if (fflush(stdout) != 0 && failures == 0)
		cli_fail("cannot write output: %s", strerror(errno));
	if (failures == 0)
		return CLI_EXIT_OK;
	if (failures > 1)
		fprintf(stderr, "%s: %s (and %u more failed)\n", cur_tool->name, first_failure,
			failures - 1);
	else
		fprintf(stderr, "%s: %s\n", cur_tool->name, first_failure);
	return CLI_EXIT_FAILED;
}

const char *cli_esc(const char *s, char *out, size_t outlen)
{
	return log_escape(s, strlen(s), out, outlen);
}

bool cli_check_qube(const char *name)
{
	return cli_check_token(NAME_QUBE, "qube name", name);
}

bool cli_check_token(enum name_kind kind, const char *what, const char *s)
{
	char esc[128];

	if (names_check(kind, (const uint8_t *)s, strlen(s)) == 0)
		return true;
	cli_fail("invalid %s '%s'", what, cli_esc(s, esc, sizeof(esc)));
	return false;
}

int cli_call_raw(const char *method, const char *dest, const char *arg,
		 const char *payload, struct admin_reply *r)
{
	int rc = admin_call(method, dest, arg, payload, payload ? strlen(payload) : 0, r);

	if (rc == -ENOENT || rc == -ECONNREFUSED) {
		cli_fail("cannot reach bulkheadd (is it running for BULKHEAD_ROOT=%s?)",
			 bh_root() ? bh_root() : "?");
		return -1;
	}
	if (rc < 0) {
		cli_fail("%s: %s", method, strerror(-rc));
		return -1;
	}
	return r->ok ? 0 : 1;
}

void cli_fail_exception(const char *qube, const struct admin_reply *r)
{
	char esc[CLI_MSG_MAX];

	/* The daemon promises one line of escaped text; escape again anyway
	 * so nothing it says can break the one-line contract. */
	cli_fail("%s%s%s", qube ? qube : "", qube ? ": " : "",
		 r->content.len ? log_escape(r->content.buf, r->content.len, esc, sizeof(esc))
				: r->exc_type);
}

int cli_call(const char *method, const char *dest, const char *arg,
	     const char *payload, struct admin_reply *r)
{
	int rc = cli_call_raw(method, dest, arg, payload, r);

	if (rc == 1)
		cli_fail_exception(NULL, r);
	return rc == 0 ? 0 : -1;
}

int cli_bad_reply(const char *method)
{
	cli_fail("malformed reply from bulkheadd to %s", method);
	return -1;
}

int cli_next_line(const struct strbuf *content, size_t *pos, const char **line, size_t *len)
{
	const char *start, *nl;
	size_t left;

	if (*pos >= content->len)
		return 0;
	start = content->buf + *pos;
	left = content->len - *pos;
	nl = memchr(start, '\n', left);
	if (nl == NULL || nl == start || memchr(start, '\0', (size_t)(nl - start)) != NULL)
		return -1;
	*line = start;
	*len = (size_t)(nl - start);
	*pos += *len + 1;
	return 1;
}

/* Whether buf[0..len) starts with the literal lit; advances past it. */
static bool take(const char **buf, size_t *len, const char *lit)
{
	size_t n = strlen(lit);

	if (*len < n || memcmp(*buf, lit, n) != 0)
		return false;
	*buf += n;
	*len -= n;
	return true;
}

/* Takes a word (up to the next space or the end) matching one of names[]. */
static int take_word(const char **buf, size_t *len, const char *(*name_of)(int), int count)
{
	const char *sp = memchr(*buf, ' ', *len);
	size_t wl = sp ? (size_t)(sp - *buf) : *len;

	for (int i = 0; i < count; i++) {
		const char *n = name_of(i);
		if (strlen(n) == wl && memcmp(*buf, n, wl) == 0) {
			*buf += wl;
			*len -= wl;
			return i;
		}
	}
	return -1;
}

static const char *class_name_of(int i) { return qube_class_name((enum qube_class)i); }
static const char *state_name_of(int i) { return power_state_name((enum power_state)i); }

static const char *const prop_type_names[] = { "str", "int", "bool", "label", "vm" };
static const char *prop_type_of(int i) { return prop_type_names[i]; }

int cli_parse_vm_line(const char *line, size_t len, struct cli_vm_entry *out)
{
	const char *sp = memchr(line, ' ', len);
	size_t nl;
	int k, s;

	if (sp == NULL)
		return -1;
	nl = (size_t)(sp - line);
	if (names_check(NAME_QUBE, (const uint8_t *)line, nl) != 0)
		return -1;
	memcpy(out->name, line, nl);
	out->name[nl] = '\0';
	line += nl;
	len -= nl;
	if (!take(&line, &len, " class="))
		return -1;
	k = take_word(&line, &len, class_name_of, CLASS_COUNT);
	if (k < 0 || !take(&line, &len, " state="))
		return -1;
	s = take_word(&line, &len, state_name_of, POWER_COUNT);
	if (s < 0 || len != 0)
		return -1;
	out->klass = (enum qube_class)k;
	out->state = (enum power_state)s;
	return 0;
}

int cli_parse_uint(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (s[0] == '\0' || (s[0] == '0' && s[1] != '\0'))
		return -1;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > max)
			return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

/* Whether the value fits the property type (the daemon's side of it). */
static bool value_fits(enum cli_prop_type t, const char *v, size_t len)
{
	uint32_t n;

	switch (t) {
	case PROP_STR:
		return cli_check_value(v, len) == 0;
	case PROP_INT:
		return cli_parse_uint(v, UINT32_MAX, &n) == 0;
	case PROP_BOOL:
		return strcmp(v, "True") == 0 || strcmp(v, "False") == 0;
	case PROP_LABEL:
		return label_from_name((const uint8_t *)v, len) >= 0;
	case PROP_VM:
		return len == 0 || names_check(NAME_QUBE, (const uint8_t *)v, len) == 0;
	}
	return false;
}

int cli_parse_prop(const char *buf, size_t len, struct cli_prop_value *out)
{
	int t;

	/* An empty reply may come with no buffer at all. */
	if (buf == NULL || memchr(buf, '\0', len) != NULL)
		return -1;
	if (take(&buf, &len, "default=True "))
		out->is_default = true;
	else if (take(&buf, &len, "default=False "))
		out->is_default = false;
	else
		return -1;
	if (!take(&buf, &len, "type="))
		return -1;
	t = take_word(&buf, &len, prop_type_of, (int)(sizeof(prop_type_names) / sizeof(prop_type_names[0])));
	if (t < 0)
		return -1;
	out->type = (enum cli_prop_type)t;
	/* "type=vm " with an empty value is the spec's form; a bare
	 * "type=vm" is the same empty value. */
	if (len > 0 && !take(&buf, &len, " "))
		return -1;
	if (len > VALUE_MAX)
		return -1;
	memcpy(out->value, buf, len);
	out->value[len] = '\0';
	return value_fits(out->type, out->value, len) ? 0 : -1;
}

int cli_parse_state(const char *buf, size_t len, enum power_state *out)
{
	static const char *const fields[] = { "mem=", " mem_static_max=", " cputime=" };
	int s;

	if (buf == NULL || memchr(buf, '\0', len) != NULL)
		return -1;
	for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
		size_t digits = 0;
		if (!take(&buf, &len, fields[f]))
			return -1;
		while (digits < len && buf[digits] >= '0' && buf[digits] <= '9')
			digits++;
		if (digits == 0 || digits > 20 || (digits > 1 && buf[0] == '0'))
			return -1;
		buf += digits;
		len -= digits;
	}
	if (!take(&buf, &len, " power_state="))
		return -1;
	s = take_word(&buf, &len, state_name_of, POWER_COUNT);
	if (s < 0 || len != 0)
		return -1;
	*out = (enum power_state)s;
	return 0;
}

int cli_check_value(const char *buf, size_t len)
{
	return names_check(NAME_VALUE, (const uint8_t *)buf, len);
}

int cli_list_vms(struct cli_vm_entry **out)
{
	struct admin_reply r;
	struct cli_vm_entry *v = NULL;
	size_t n = 0, cap = 0, pos = 0, len;
	const char *line;
	int rc;

	*out = NULL;
	if (cli_call("admin.vm.List", "dom0", "", NULL, &r) < 0) {
		admin_reply_free(&r);
		return -1;
	}
	while ((rc = cli_next_line(&r.content, &pos, &line, &len)) > 0) {
		if (n == cap) {
			struct cli_vm_entry *nv;
			cap = cap ? cap * 2 : 16;
			nv = reallocarray(v, cap, sizeof(*v));
			if (nv == NULL) {
				rc = -2;
				break;
			}
			v = nv;
		}
		if (cli_parse_vm_line(line, len, &v[n]) < 0) {
			rc = -1;
			break;
		}
		/* Sorted by name and unique, as the spec says. */
		if (n > 0 && strcmp(v[n - 1].name, v[n].name) >= 0) {
			rc = -1;
			break;
		}
		n++;
	}
	admin_reply_free(&r);
	if (rc < 0) {
		free(v);
		if (rc == -2)
			cli_fail("out of memory");
		else
			cli_bad_reply("admin.vm.List");
		return -1;
	}
	*out = v;
	return (int)n;
}

void cli_json_string(const char *s)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

const struct cli_vm_entry *cli_find_vm(const struct cli_vm_entry *v, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}
