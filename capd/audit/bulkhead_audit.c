/* bulkhead-audit: verifies the audit log and prints its records
 * (man/bulkhead-audit.1, SPEC/audit-log.md).  Exit 0 ok, 1 the log does
 * not verify (or cannot be read), 2 usage. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capd/audit/auditlog.h"
#include "capd/audit/auditlog_int.h"
#include "lib/log.h"
#include "lib/paths.h"

#define EXIT_BROKEN 1
#define EXIT_USAGE  2

#define SYNOPSIS \
	"bulkhead-audit verify [--dir DIR] [--pubkey FILE] | " \
	"show [--dir DIR] [--pubkey FILE] [--qube NAME] [--service NAME] [--event EVENT] [--since SEQ]"

static int usage_error(const char *why)
{
	fprintf(stderr, "bulkhead-audit: %s; usage: %s\n", why, SYNOPSIS);
	return EXIT_USAGE;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bulkhead-audit verify [--dir DIR] [--pubkey FILE]\n"
		"       bulkhead-audit show [--dir DIR] [--pubkey FILE] [--qube NAME] [--service NAME]\n"
		"                           [--event EVENT] [--since SEQ]\n"
		"DIR defaults to $BULKHEAD_ROOT/" AUDIT_DIR_REL ", FILE to DIR/" AUDIT_PUB_FILE ".\n"
		"exit: 0 ok, 1 the log does not verify, 2 usage\n");
}

struct filter {
	const char *qube, *service, *event;
	uint64_t since;
};

struct show_ctx {
	const struct filter *f;
	uint8_t val[AUDIT_VALUE_MAX];
};

/* A record's field value, decoded into c->val; -1 when absent. */
static long field_value(struct show_ctx *c, const uint8_t *line, const struct audit_record *rec,
	const char *key)
{
	size_t klen = strlen(key), n = 0;

	for (uint32_t i = 0; i < rec->nfields; i++) {
		const struct audit_fspan *f = &rec->fields[i];

		if (f->key.len != klen || memcmp(line + f->key.off, key, klen) != 0)
			continue;
		if (audit_unescape(line + f->value.off, f->value.len, c->val, sizeof(c->val), &n) !=
		    AUDIT_OK)
			return -1;   /* cannot happen: the record parsed */
		return (long)n;
	}
	return -1;
}

static bool value_is(struct show_ctx *c, const uint8_t *line, const struct audit_record *rec,
	const char *key, const char *want, bool allow_arg)
{
	long n = field_value(c, line, rec, key);
	size_t wl = strlen(want);

	if (n < 0)
		return false;
	if ((size_t)n == wl && memcmp(c->val, want, wl) == 0)
		return true;
	/* "service=NAME+ARG" matches --service NAME */
	return allow_arg && (size_t)n > wl && memcmp(c->val, want, wl) == 0 && c->val[wl] == '+';
}

static bool matches(struct show_ctx *c, const uint8_t *line, const struct audit_record *rec)
{
	const struct filter *f = c->f;

	if (rec->seq < f->since)
		return false;
	if (f->event && (rec->event.len != strlen(f->event) ||
			 memcmp(line + rec->event.off, f->event, rec->event.len) != 0))
		return false;
	if (f->qube && !value_is(c, line, rec, "source", f->qube, false) &&
	    !value_is(c, line, rec, "target", f->qube, false) &&
	    !value_is(c, line, rec, "qube", f->qube, false))
		return false;
	if (f->service && !value_is(c, line, rec, "service", f->service, true))
		return false;
	return true;
}

/* A decoded value for a terminal: bare when it is printable, not empty and
 * has no space, quote or backslash; otherwise in double quotes with \" \\
 * and \xNN for every byte that is not printable ASCII. */
static void put_value(const uint8_t *v, size_t n)
{
	bool bare = n > 0;

	for (size_t i = 0; i < n; i++)
		if (v[i] <= 0x20 || v[i] >= 0x7f || v[i] == '"' || v[i] == '\\')
			bare = false;
	if (bare) {
		fwrite(v, 1, n, stdout);
		return;
	}
	putchar('"');
	for (size_t i = 0; i < n; i++) {
		if (v[i] == '"' || v[i] == '\\')
			printf("\\%c", v[i]);
		else if (v[i] >= 0x20 && v[i] < 0x7f)
			putchar(v[i]);
		else
			printf("\\x%02x", v[i]);
	}
	putchar('"');
}

static int show_record(void *ctx, uint64_t lineno, const uint8_t *line, size_t len,
	const struct audit_record *rec)
{
	struct show_ctx *c = ctx;
	char when[AUDIT_TIME_LEN + 1];

	(void)lineno;
	(void)len;
	if (!matches(c, line, rec))
		return 0;
	audit_time_format(&rec->time, when);
	printf("#%llu %s %.*s", (unsigned long long)rec->seq, when, (int)rec->event.len,
		(const char *)line + rec->event.off);
	for (uint32_t i = 0; i < rec->nfields; i++) {
		const struct audit_fspan *f = &rec->fields[i];
		size_t n = 0;

		if (audit_unescape(line + f->value.off, f->value.len, c->val, sizeof(c->val), &n) !=
		    AUDIT_OK)
			return -EINVAL;
		printf(" %.*s=", (int)f->key.len, (const char *)line + f->key.off);
		put_value(c->val, n);
	}
	putchar('\n');
	return ferror(stdout) ? -EIO : 0;
}

static bool parse_seq(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	size_t n = strlen(s);

	if (n == 0 || n > AUDIT_SEQ_DIGITS)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

static void print_notes(const struct audit_verify_report *r)
{
	if (r->head_lag && r->last_seq == r->head_seq + 1)
		printf("note: the log has one record (seq %llu) past the signed head: a crash between "
		       "an append and its head update; that record's own signature verified\n",
			(unsigned long long)r->last_seq);
	else if (r->head_lag)
		printf("note: the log has %llu records (seq %llu..%llu) past the signed head: a crash "
		       "before group commit updated the head; their own signatures verified\n",
			(unsigned long long)(r->last_seq - r->head_seq), (unsigned long long)(r->head_seq + 1),
			(unsigned long long)r->last_seq);
	if (r->torn_slot)
		printf("note: one head slot is unreadable (torn by a crash while the head was "
		       "updated); the other slot is in force\n");
	if (r->torn_tail)
		printf("note: the last line is incomplete (%llu bytes, a crash during an append); it "
		       "is not a record, and the writer drops it when it next opens the log\n",
			(unsigned long long)r->torn_bytes);
}

static int report_broken(int rc, const struct audit_verify_report *r)
{
	if (rc == -EBADMSG)
		fprintf(stderr, "bulkhead-audit: %s: %s\n", audit_tamper_name(r->kind), r->msg);
	else
		fprintf(stderr, "bulkhead-audit: cannot verify the log: %s\n", strerror(-rc));
	return EXIT_BROKEN;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "pubkey", required_argument, NULL, 'k' },
		{ "qube", required_argument, NULL, 'q' },
		{ "service", required_argument, NULL, 's' },
		{ "event", required_argument, NULL, 'e' },
		{ "since", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct show_ctx ctx;
	struct filter f = { .since = 0 };
	struct audit_verify_report r;
	const char *dir = NULL, *pub = NULL, *cmd;
	char defdir[BH_PATH_MAX];
	bool show, filtered = false;
	int c, rc;

	log_init("bulkhead-audit");
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		}
	if (argc < 2)
		return usage_error("no command");
	cmd = argv[1];
	if (strcmp(cmd, "verify") == 0)
		show = false;
	else if (strcmp(cmd, "show") == 0)
		show = true;
	else
		return usage_error("unknown command");
	opterr = 0;
	while ((c = getopt_long(argc - 1, argv + 1, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'k':
			pub = optarg;
			break;
		case 'q':
			f.qube = optarg;
			filtered = true;
			break;
		case 's':
			f.service = optarg;
			filtered = true;
			break;
		case 'e':
			if (audit_name_check(AUDIT_NAME_EVENT, (const uint8_t *)optarg,
				    strlen(optarg)) != AUDIT_OK)
				return usage_error("--event: not an event name");
			f.event = optarg;
			filtered = true;
			break;
		case 'n':
			if (!parse_seq(optarg, &f.since))
				return usage_error("--since: not a sequence number");
			filtered = true;
			break;
		default:
			return usage_error("unknown option or missing argument");
		}
	}
	if (optind + 1 != argc)
		return usage_error("unexpected operand");
	if (!show && filtered)
		return usage_error("filters are for show");
	if (dir == NULL) {
		if (bh_path(defdir, sizeof(defdir), AUDIT_DIR_REL) < 0)
			return usage_error("BULKHEAD_ROOT too long or not absolute");
		dir = defdir;
	}

	if (!show) {
		rc = auditlog_verify(dir, pub, &r);
		if (rc < 0)
			return report_broken(rc, &r);
		printf("ok: %llu records, head seq %llu, key ed25519:", (unsigned long long)r.records,
			(unsigned long long)r.head_seq);
		for (size_t i = 0; i < AUDIT_PUBKEY_LEN; i++)
			printf("%02x", r.pubkey[i]);
		putchar('\n');
		print_notes(&r);
		return fflush(stdout) == 0 ? 0 : EXIT_BROKEN;
	}
	ctx.f = &f;
	rc = auditlog_walk(dir, pub, show_record, &ctx, &r);
	if (fflush(stdout) != 0 && rc == 0)
		rc = -EIO;
	if (rc < 0)
		return report_broken(rc, &r);
	return 0;
}
