/* Line parser of qrexec policy files.  Reject, never repair: a line that
 * is not exactly valid is refused with the first reason found, and the
 * caller refuses the whole policy.  Each function has one loop.  The line
 * is parsed into *out, cleared first; a rejected line puts *out back.
 *
 * The line is split into fields (offsets), and each field is copied to
 * the start of an array of its own before it is looked at (field_get):
 * the checks below then read b[0 .. n) of a POLICY_LINE_MAX array, which
 * Eva sees in bounds without relating an offset to a length.  Validators
 * return the length they accepted, so the copies' bounds are visible at
 * the copy.
 *
 * What a caller relies on in an accepted line (line_sane: every string
 * NUL-terminated at its length, within its array) is checked once, last,
 * by line_is_sane(), proved to decide it.  Carried instead through every
 * helper as pre- and postconditions, it made the provers show for each
 * call that the fields it does not write keep their values: 350 s of
 * CVC4 for this file, most of `make proofs`. */
#include "qrexec/policy/policy_parse.h"

#include <string.h>

/*@ predicate is_ws(integer c) = c == ' ' || c == '\t' || c == '\r' || c == 11 || c == 12; */
/*@ predicate is_graph(integer c) = 0x21 <= c <= 0x7e; */
/*@ predicate p_alnum(integer c) = ('a' <= c <= 'z') || ('A' <= c <= 'Z') || ('0' <= c <= '9'); */
/*@ predicate p_service_char(integer c) = p_alnum(c) || c == '.' || c == '_' || c == '-'; */
/*@ predicate p_path_char(integer c) = p_service_char(c) || c == '+' || c == '/'; */
/* What a caller may rely on in an accepted token: its value is
 * NUL-terminated at its length, within its array. */
/*@ predicate tok_sane(struct policy_token *t) =
      t->len <= POLICY_TOKEN_VALUE_MAX && t->value[t->len] == 0; */
/* What a caller may rely on in an accepted line: every string field is
 * NUL-terminated at its length, within its array.  Fields a line does not
 * set keep the zeroes they start with ("" and length 0), which qualify.
 * (The charsets are proved of the bytes service_len(), arg_len() and
 * path_len() accept; restating them here, quantified, made the frame
 * goals of the callers time out.) */
/*@ predicate service_sane(struct policy_line *l) =
      l->service_len <= POLICY_SERVICE_MAX && l->service[l->service_len] == 0;
    predicate arg_sane(struct policy_line *l) =
      l->arg_len <= POLICY_ARG_MAX && l->arg[l->arg_len] == 0; */
/*@ predicate path_sane(struct policy_line *l) =
      l->path_len <= POLICY_PATH_TOKEN_MAX && l->path[l->path_len] == 0; */
/*@ predicate user_sane(struct policy_line *l) =
      l->user_len <= USER_NAME_MAX && l->user[l->user_len] == 0;
    predicate action_sane(struct policy_line *l) =
      tok_sane(&l->redirect) && tok_sane(&l->default_target) && user_sane(l); */
/*@ predicate line_sane(struct policy_line *l) =
      service_sane(l) && arg_sane(l) && path_sane(l) && action_sane(l) &&
      tok_sane(&l->source) && tok_sane(&l->target); */
/* The fields of a line: bytes [off[k], end[k]) of line, for k < n.
 * translate: a compat rule line, whose '$' reads as '@'. */
struct fields {
	const uint8_t *line;
	bool translate;
	size_t n;
	size_t off[POLICY_FIELDS_MAX];
	size_t end[POLICY_FIELDS_MAX];
};

/* One field (or part of one), at the start of its own array. */
struct field {
	size_t n;
	uint8_t b[POLICY_LINE_MAX];
};

/*@ predicate fields_ok(struct fields *fs) =
      fs->n <= POLICY_FIELDS_MAX &&
      \forall integer k; 0 <= k < fs->n ==>
        fs->off[k] < fs->end[k] <= POLICY_LINE_MAX &&
        \valid_read(fs->line + (fs->off[k] .. fs->end[k] - 1)); */

/*@ assigns \nothing;
    ensures \result <==> is_ws(c); */
static bool is_ws(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == 11 || c == 12;
}

/*@ assigns \nothing;
    ensures \result <==> p_alnum(c); */
static bool is_alnum(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Qubes' RPC name charset without '+'. */
/*@ assigns \nothing;
    ensures \result <==> p_service_char(c); */
static bool service_char(uint8_t c)
{
	return is_alnum(c) || c == '.' || c == '_' || c == '-';
}

/*@ assigns \nothing;
    ensures \result <==> p_path_char(c); */
static bool path_char(uint8_t c)
{
	return is_alnum(c) || c == '.' || c == '_' || c == '-' || c == '+' || c == '/';
}

/*@ requires \valid_read(p + (0 .. n - 1));
    requires \valid_read(lit + (0 .. m - 1));
    assigns \nothing;
    ensures equal: \result <==> n == m && \forall integer k; 0 <= k < m ==> (char)p[k] == lit[k]; */
static bool bytes_eq(const uint8_t *p, size_t n, const char *lit, size_t m)
{
	if (n != m)
		return false;
	/*@ loop invariant 0 <= i <= n;
	    loop invariant \forall integer k; 0 <= k < i ==> (char)p[k] == lit[k];
	    loop assigns i;
	    loop variant n - i; */
	/* (char)p[i] == lit[i] is p[i] == (uint8_t)lit[i] (conversions are
	 * modulo 256), without a downcast of a possibly negative char. */
	for (size_t i = 0; i < n; i++)
		if ((char)p[i] != lit[i])
			return false;
	return true;
}

/*@ requires \valid_read(p + (0 .. n - 1));
    requires \valid_read(lit + (0 .. m - 1));
    assigns \nothing;
    ensures \result ==> n >= m; */
static bool has_prefix(const uint8_t *p, size_t n, const char *lit, size_t m)
{
	return n >= m && bytes_eq(p, m, lit, m);
}

#define EQ(p, n, lit) bytes_eq((p), (n), (lit), sizeof(lit) - 1)
#define PREFIX(p, n, lit) has_prefix((p), (n), (lit), sizeof(lit) - 1)

/* dst[0..n) = src[0..n), dst[n] = NUL. */
/*@ requires \valid(dst + (0 .. n));
    requires \valid_read(src + (0 .. n - 1));
    requires \separated(dst + (0 .. n), src + (0 .. n - 1));
    assigns dst[0 .. n];
    ensures copied: \forall integer k; 0 <= k < n ==> dst[k] == (char)src[k];
    ensures ascii: \forall integer k; 0 <= k < n ==> src[k] <= 127 ==> dst[k] == src[k];
    ensures nul: dst[n] == 0; */
static void copy_str(char *dst, const uint8_t *src, size_t n)
{
	/*@ loop invariant 0 <= i <= n;
	    loop invariant \forall integer k; 0 <= k < i ==> dst[k] == (char)src[k];
	    loop assigns i, dst[0 .. n - 1];
	    loop variant n - i; */
	for (size_t i = 0; i < n; i++)
		dst[i] = (char)src[i];
	dst[n] = '\0';
}

/* n if p[0 .. n) is a service name, else -1. */
/*@ requires \valid_read(p + (0 .. n - 1));
    assigns \nothing;
    behavior ok:
      assumes 1 <= n <= POLICY_SERVICE_MAX && \forall integer k; 0 <= k < n ==> p_service_char(p[k]);
      ensures \result == n;
    behavior bad:
      assumes !(1 <= n <= POLICY_SERVICE_MAX && \forall integer k; 0 <= k < n ==> p_service_char(p[k]));
      ensures \result == -1;
    complete behaviors;
    disjoint behaviors; */
static int service_len(const uint8_t *p, size_t n)
{
	if (n == 0 || n > POLICY_SERVICE_MAX)
		return -1;
	/*@ loop invariant 0 <= i <= n;
	    loop invariant \forall integer k; 0 <= k < i ==> p_service_char(p[k]);
	    loop assigns i;
	    loop variant n - i; */
	for (size_t i = 0; i < n; i++)
		if (!service_char(p[i]))
			return -1;
	return (int)n;
}

/* "+" followed by 0..POLICY_ARG_MAX chars of the RPC charset ('+'
 * included): the argument's length (n - 1), else -1. */
/*@ requires \valid_read(p + (0 .. n - 1));
    assigns \nothing;
    ensures \result == -1 || (\result == n - 1 && 1 <= n <= POLICY_ARG_MAX + 1 && p[0] == '+');
    ensures charset: \result >= 0 ==> \forall integer k; 1 <= k < n ==> p_service_char(p[k]) || p[k] == '+'; */
static int arg_len(const uint8_t *p, size_t n)
{
	if (n == 0 || n > POLICY_ARG_MAX + 1 || p[0] != '+')
		return -1;
	/*@ loop invariant 1 <= i <= n;
	    loop invariant charset: \forall integer k; 1 <= k < i ==> p_service_char(p[k]) || p[k] == '+';
	    loop assigns i;
	    loop variant n - i; */
	for (size_t i = 1; i < n; i++)
		if (!service_char(p[i]) && p[i] != '+')
			return -1;
	return (int)(n - 1);
}

/* 1..POLICY_PATH_TOKEN_MAX chars of [A-Za-z0-9._+/-] with no ".."
 * component (includes cannot climb out of the tree they name): n, else -1. */
/*@ requires \valid_read(p + (0 .. n - 1));
    assigns \nothing;
    ensures \result == -1 || (\result == n && 1 <= n <= POLICY_PATH_TOKEN_MAX);
    ensures charset: \result >= 0 ==> \forall integer k; 0 <= k < n ==> p_path_char(p[k]); */
static int path_len(const uint8_t *p, size_t n)
{
	size_t comp = 0;   /* start of the current component */

	if (n == 0 || n > POLICY_PATH_TOKEN_MAX)
		return -1;
	/*@ loop invariant 0 <= comp <= i <= n + 1;
	    loop invariant charset: \forall integer k; 0 <= k < i && k < n ==> p_path_char(p[k]);
	    loop assigns i, comp;
	    loop variant n + 1 - i; */
	for (size_t i = 0; i <= n; i++) {
		if (i < n && !path_char(p[i]))
			return -1;
		if (i == n || p[i] == '/') {
			if (i - comp == 2 && p[comp] == '.' && p[comp + 1] == '.')
				return -1;
			comp = i + 1;
		}
	}
	return (int)n;
}

/*@ requires \valid_read(p + (0 .. n - 1));
    assigns \nothing;
    ensures -1 <= \result < PCLASS_COUNT; */
int policy_class_from_name(const uint8_t *p, size_t n)
{
	if (EQ(p, n, "AdminVM"))
		return PCLASS_ADMINVM;
	if (EQ(p, n, "AppVM"))
		return PCLASS_APPVM;
	if (EQ(p, n, "TemplateVM"))
		return PCLASS_TEMPLATEVM;
	if (EQ(p, n, "StandaloneVM"))
		return PCLASS_STANDALONEVM;
	if (EQ(p, n, "DispVM"))
		return PCLASS_DISPVM;
	return -1;
}

/* Kind of a token without its value; PTOK_NONE when it is none of the
 * fixed words.  Place rules are applied by the caller. */
/*@ requires \valid_read(p + (0 .. n - 1));
    requires \valid(skip);
    requires \separated(skip, p + (0 .. n - 1));
    assigns *skip;
    ensures 0 <= \result < PTOK_COUNT;
    ensures 0 <= *skip <= n; */
static int token_kind(const uint8_t *p, size_t n, size_t *skip)
{
	*skip = 0;
	if (EQ(p, n, "*"))
		return PTOK_ANY;
	if (EQ(p, n, "dom0") || EQ(p, n, "@adminvm"))
		return PTOK_ADMINVM;
	if (n == 0 || p[0] != '@')
		return PTOK_NAME;
	if (EQ(p, n, "@anyvm"))
		return PTOK_ANYVM;
	if (EQ(p, n, "@default"))
		return PTOK_DEFAULT;
	if (EQ(p, n, "@dispvm"))
		return PTOK_DISPVM;
	if (PREFIX(p, n, "@dispvm:@tag:")) {
		*skip = 13;
		return PTOK_DISPVM_TAG;
	}
	if (PREFIX(p, n, "@dispvm:")) {
		*skip = 8;
		return PTOK_DISPVM_NAME;
	}
	if (PREFIX(p, n, "@tag:")) {
		*skip = 5;
		return PTOK_TAG;
	}
	if (PREFIX(p, n, "@type:")) {
		*skip = 6;
		return PTOK_TYPE;
	}
	return PTOK_NONE;
}

/*@ assigns \nothing; */
static bool kind_allowed(int kind, enum policy_tok_place place)
{
	switch (kind) {
	case PTOK_NAME:
	case PTOK_ADMINVM:
	case PTOK_DISPVM_NAME:
		return true;
	case PTOK_DISPVM:
		return place != PPLACE_SOURCE;
	case PTOK_DEFAULT:
		return place == PPLACE_TARGET;
	case PTOK_ANY:
	case PTOK_ANYVM:
	case PTOK_DISPVM_TAG:
	case PTOK_TAG:
	case PTOK_TYPE:
		return place != PPLACE_REDIRECT;
	}
	return false;
}

/*@ requires \valid_read(buf + (0 .. len - 1));
    requires \valid(out);
    requires \separated(buf + (0 .. len - 1), out);
    assigns *out;
    ensures \result == 0 || \result == -1;
    ensures \result == -1 ==> *out == \old(*out);
    ensures \result == 0 ==> PTOK_NAME <= out->kind < PTOK_COUNT && out->len <= POLICY_TOKEN_VALUE_MAX;
    ensures sane: \result == 0 ==> tok_sane(out); */
int policy_token_parse(const uint8_t *buf, size_t len, enum policy_tok_place place,
		       struct policy_token *out)
{
	size_t skip;
	int kind = token_kind(buf, len, &skip);
	const uint8_t *v = buf + skip;
	size_t vn = len - skip;
	bool ok;

	/* Every value longer than the array is refused below anyway (names,
	 * tags and classes are shorter); refusing it first bounds vn for Eva. */
	if (kind == PTOK_NONE || !kind_allowed(kind, place) || vn > POLICY_TOKEN_VALUE_MAX)
		return -1;
	switch (kind) {
	case PTOK_NAME:
	case PTOK_DISPVM_NAME:
		ok = names_check(NAME_QUBE, v, vn) == 0;
		break;
	case PTOK_TAG:
	case PTOK_DISPVM_TAG:
		ok = names_check(NAME_TAG, v, vn) == 0;
		break;
	case PTOK_TYPE:
		ok = policy_class_from_name(v, vn) >= 0;
		break;
	default:
		ok = true;
		vn = 0;
		break;
	}
	if (!ok)
		return -1;
	out->kind = (uint8_t)kind;
	out->len = (uint8_t)vn;
	copy_str(out->value, v, vn);
	return 0;
}

/* Offset of the first non-whitespace byte of buf[0..len), or len. */
/*@ requires \valid_read(buf + (0 .. len - 1));
    assigns \nothing;
    ensures 0 <= \result <= len;
    ensures \forall integer k; 0 <= k < \result ==> is_ws(buf[k]);
    ensures \result < len ==> !is_ws(buf[\result]); */
static size_t skip_ws(const uint8_t *buf, size_t len)
{
	size_t i;

	/*@ loop invariant 0 <= i <= len;
	    loop invariant \forall integer k; 0 <= k < i ==> is_ws(buf[k]);
	    loop assigns i;
	    loop variant len - i; */
	for (i = 0; i < len; i++)
		if (!is_ws(buf[i]))
			break;
	return i;
}

/*@ requires off <= len;
    requires \valid_read(buf + (off .. len - 1));
    assigns \nothing;
    ensures 0 <= \result <= len - off;
    ensures off + \result == len || buf[off + \result] == '\n'; */
size_t policy_line_length(const uint8_t *buf, size_t len, size_t off)
{
	size_t i;

	/*@ loop invariant off <= i <= len;
	    loop assigns i;
	    loop variant len - i; */
	for (i = off; i < len; i++)
		if (buf[i] == '\n')
			break;
	return i - off;
}

/*@ assigns \nothing;
    ensures \result <==> (is_ws(c) || (comma && c == ',')); */
static bool is_sep(uint8_t c, bool comma)
{
	return is_ws(c) || (comma && c == ',');
}

/* End of the field that starts at line[from]: the first separator or
 * byte outside printable ASCII after it, or len. */
/*@ requires from < len;
    requires \valid_read(line + (0 .. len - 1));
    assigns \nothing;
    ensures from < \result <= len; */
static size_t field_end(const uint8_t *line, size_t from, size_t len, bool comma)
{
	size_t i;

	/*@ loop invariant from < i <= len;
	    loop assigns i;
	    loop variant len - i; */
	for (i = from + 1; i < len; i++)
		if (is_sep(line[i], comma) || line[i] < 0x21 || line[i] > 0x7e)
			break;
	return i;
}

/* Splits line[from .. len) at whitespace (and, when comma, at ',') into
 * at most POLICY_FIELDS_MAX fields of *fs; every other byte must be
 * printable ASCII.  Returns 0, or PPARSE_EBYTE or PPARSE_EFIELDS for the
 * first byte that is wrong. */
/*@ requires from <= len <= POLICY_LINE_MAX;
    requires \valid_read(line + (0 .. len - 1));
    requires \valid(fs);
    assigns fs->n, fs->off[0 .. POLICY_FIELDS_MAX - 1], fs->end[0 .. POLICY_FIELDS_MAX - 1];
    ensures errors: \result == 0 || \result == PPARSE_EBYTE || \result == PPARSE_EFIELDS;
    ensures fields: \result == 0 ==> fs->n <= POLICY_FIELDS_MAX && \forall integer k; 0 <= k < fs->n ==>
        from <= fs->off[k] < fs->end[k] <= len; */
static int split_fields(const uint8_t *line, size_t from, size_t len, bool comma, struct fields *fs)
{
	size_t i = from, n = 0;

	/*@ loop invariant from <= i <= len;
	    loop invariant 0 <= n <= POLICY_FIELDS_MAX;
	    loop invariant \forall integer k; 0 <= k < n ==> from <= fs->off[k] < fs->end[k] <= i;
	    loop assigns i, n, fs->off[0 .. POLICY_FIELDS_MAX - 1], fs->end[0 .. POLICY_FIELDS_MAX - 1];
	    loop variant len - i; */
	while (i < len) {
		if (is_sep(line[i], comma)) {
			i++;
			continue;
		}
		if (line[i] < 0x21 || line[i] > 0x7e)
			return PPARSE_EBYTE;
		if (n == POLICY_FIELDS_MAX)
			return PPARSE_EFIELDS;
		fs->off[n] = i;
		i = field_end(line, i, len, comma);
		fs->end[n] = i;
		n++;
	}
	fs->n = n;
	return 0;
}

/* *f = src[from .. to), with '$' read as '@' when translate. */
/*@ requires from <= to <= POLICY_LINE_MAX;
    requires \valid_read(src + (from .. to - 1));
    requires \valid(f);
    assigns f->n, f->b[0 .. POLICY_LINE_MAX - 1];
    ensures length: f->n == to - from; */
static void field_copy(const uint8_t *src, size_t from, size_t to, bool translate, struct field *f)
{
	size_t i = 0;

	/* "i < POLICY_LINE_MAX" never ends the loop (to - from is at most
	 * that); it states the bound of f->b where f->b is written. */
	/*@ loop invariant from <= j <= to;
	    loop invariant i == j - from;
	    loop assigns i, j, f->b[0 .. POLICY_LINE_MAX - 1];
	    loop variant to - j; */
	for (size_t j = from; j < to && i < POLICY_LINE_MAX; j++, i++)
		f->b[i] = translate && src[j] == '$' ? '@' : src[j];
	f->n = i;
}

/* *f = field k of the line. */
/*@ requires \valid_read(fs) && fields_ok(fs);
    requires k < fs->n;
    requires \valid(f);
    requires \separated(f, fs);
    assigns f->n, f->b[0 .. POLICY_LINE_MAX - 1];
    ensures length: 1 <= f->n <= POLICY_LINE_MAX; */
static void field_get(const struct fields *fs, size_t k, struct field *f)
{
	field_copy(fs->line, fs->off[k], fs->end[k], fs->translate, f);
}

/* One key=value parameter of an action into *l. */
/*@ requires n <= POLICY_LINE_MAX;
    requires \valid_read(p + (0 .. n - 1));
    requires \valid(l);
    requires \separated(p + (0 .. n - 1), l);
    assigns l->params, l->redirect, l->default_target, l->user_len,
            l->user[0 .. USER_NAME_MAX], l->notify, l->autostart;
    ensures range: \result == 0 || PPARSE_EPATH <= \result <= PPARSE_EBYTE; */
static int parse_param(const uint8_t *p, size_t n, struct policy_line *l)
{
	struct field v = { 0 };
	size_t eq = 0;
	unsigned bit;
	uint8_t allowed;

	/*@ loop invariant 0 <= eq <= n;
	    loop assigns eq;
	    loop variant n - eq; */
	while (eq < n && p[eq] != '=')
		eq++;
	if (eq == n || eq == 0)
		return PPARSE_EPARAM;
	field_copy(p, eq + 1, n, false, &v);
	if (EQ(p, eq, "target"))
		bit = PPARAM_TARGET;
	else if (EQ(p, eq, "default_target"))
		bit = PPARAM_DEFAULT_TARGET;
	else if (EQ(p, eq, "user"))
		bit = PPARAM_USER;
	else if (EQ(p, eq, "notify"))
		bit = PPARAM_NOTIFY;
	else if (EQ(p, eq, "autostart"))
		bit = PPARAM_AUTOSTART;
	else
		return PPARSE_EPARAM_UNKNOWN;
	allowed = l->action == PACT_DENY ? PPARAM_NOTIFY :
		  l->action == PACT_ALLOW ? (PPARAM_TARGET | PPARAM_USER | PPARAM_NOTIFY | PPARAM_AUTOSTART) :
		  (PPARAM_TARGET | PPARAM_DEFAULT_TARGET | PPARAM_USER | PPARAM_NOTIFY | PPARAM_AUTOSTART);
	if (!(allowed & bit))
		return PPARSE_EPARAM_UNKNOWN;
	if (l->params & bit)
		return PPARSE_EPARAM_REPEAT;
	switch (bit) {
	case PPARAM_TARGET:
		if (policy_token_parse(v.b, v.n, PPLACE_REDIRECT, &l->redirect) != 0)
			return PPARSE_EREDIRECT;
		break;
	case PPARAM_DEFAULT_TARGET:
		if (policy_token_parse(v.b, v.n, PPLACE_REDIRECT, &l->default_target) != 0)
			return PPARSE_EREDIRECT;
		break;
	case PPARAM_USER:
		/* names_check() refuses a longer name too; the bound is said
		 * here, where the array is written. */
		if (v.n > USER_NAME_MAX || names_check(NAME_USER, v.b, v.n) != 0)
			return PPARSE_EUSER;
		copy_str(l->user, v.b, v.n);
		l->user_len = (uint8_t)v.n;
		break;
	default: {
		bool yes = EQ(v.b, v.n, "yes");

		if (!yes && !EQ(v.b, v.n, "no"))
			return PPARSE_EBOOL;
		if (bit == PPARAM_NOTIFY)
			l->notify = yes;
		else
			l->autostart = yes;
		break;
	}
	}
	/* "& 0xff" changes nothing (both are bytes); it states the range for WP. */
	l->params = (uint8_t)((l->params | bit) & 0xffu);
	return 0;
}

/* The enum policy_action of an action word, or -1. */
/*@ requires \valid_read(p + (0 .. n - 1));
    assigns \nothing;
    ensures -1 <= \result <= PACT_ASK; */
static int action_of(const uint8_t *p, size_t n)
{
	if (EQ(p, n, "allow"))
		return PACT_ALLOW;
	if (EQ(p, n, "deny"))
		return PACT_DENY;
	if (EQ(p, n, "ask"))
		return PACT_ASK;
	return -1;
}

/* The action and its parameters: fields [first, fs->n) of the line. */
/*@ requires \valid_read(fs) && fields_ok(fs);
    requires first < fs->n;
    requires \valid(l);
    requires \separated(fs, l);
    assigns l->action, l->params, l->redirect, l->default_target, l->user_len,
            l->user[0 .. USER_NAME_MAX], l->notify, l->autostart;
    ensures range: \result == 0 || PPARSE_EPATH <= \result <= PPARSE_EBYTE; */
static int parse_action(const struct fields *fs, size_t first, struct policy_line *l)
{
	struct field f = { 0 };
	int action;

	field_get(fs, first, &f);
	action = action_of(f.b, f.n);
	if (action < 0)
		return PPARSE_EACTION;
	l->action = (uint8_t)action;
	/*@ loop invariant first + 1 <= i <= fs->n;
	    loop assigns i, f.n, f.b[0 .. POLICY_LINE_MAX - 1], l->params, l->redirect, l->default_target,
	            l->user_len, l->user[0 .. USER_NAME_MAX], l->notify, l->autostart;
	    loop variant fs->n - i; */
	for (size_t i = first + 1; i < fs->n; i++) {
		int rc;

		field_get(fs, i, &f);
		rc = parse_param(f.b, f.n, l);
		if (rc < 0)
			return rc;
	}
	if (l->target.kind == PTOK_DEFAULT && l->action == PACT_ALLOW && !(l->params & PPARAM_TARGET))
		return PPARSE_EDEFAULT;
	return 0;
}

/* SERVICE and ARGUMENT: fields k and k + 1 (of a rule or of !include-service). */
/*@ requires \valid_read(fs) && fields_ok(fs);
    requires k + 1 < fs->n;
    requires \valid(l);
    requires \separated(fs, l);
    assigns l->any_service, l->service_len, l->service[0 .. POLICY_SERVICE_MAX],
            l->any_arg, l->arg_len, l->arg[0 .. POLICY_ARG_MAX];
    ensures range: \result == 0 || PPARSE_EPATH <= \result <= PPARSE_EBYTE; */
static int parse_service_arg(const struct fields *fs, size_t k, struct policy_line *l)
{
	struct field s = { 0 }, a = { 0 };
	bool any_s, any_a;
	int sn, an;

	field_get(fs, k, &s);
	field_get(fs, k + 1, &a);
	any_s = EQ(s.b, s.n, "*");
	any_a = EQ(a.b, a.n, "*");
	sn = any_s ? 0 : service_len(s.b, s.n);
	if (sn < 0)
		return PPARSE_ESERVICE;
	an = any_a ? 0 : arg_len(a.b, a.n);
	if (an < 0)
		return PPARSE_EARG;
	if (any_s && !any_a)
		return PPARSE_EWILDARG;
	l->any_service = any_s;
	l->service_len = (uint8_t)sn;
	copy_str(l->service, s.b, (size_t)sn);
	l->any_arg = any_a;
	l->arg_len = (uint8_t)an;
	copy_str(l->arg, a.b + 1, (size_t)an);
	return 0;
}

/* The path of an include: field k. */
/*@ requires \valid_read(fs) && fields_ok(fs);
    requires k < fs->n;
    requires \valid(l);
    requires \separated(fs, l);
    assigns l->path_len, l->path[0 .. POLICY_PATH_TOKEN_MAX];
    ensures range: \result == 0 || PPARSE_EPATH <= \result <= PPARSE_EBYTE; */
static int parse_path(const struct fields *fs, size_t k, struct policy_line *l)
{
	struct field p = { 0 };
	int n;

	field_get(fs, k, &p);
	n = path_len(p.b, p.n);
	if (n < 0)
		return PPARSE_EPATH;
	l->path_len = (uint16_t)n;
	copy_str(l->path, p.b, (size_t)n);
	return 0;
}

/* !include PATH or !include-dir PATH (kind). */
/*@ requires \valid_read(fs) && fields_ok(fs);
    requires fs->n == 2;
    requires kind == PLINE_INCLUDE || kind == PLINE_INCLUDE_DIR;
    requires \valid(l);
    requires \separated(fs, l);
    assigns l->kind, l->path_len, l->path[0 .. POLICY_PATH_TOKEN_MAX];
    ensures range: \result == 0 || PPARSE_EPATH <= \result <= PPARSE_EBYTE;
    ensures kind: l->kind == kind; */
static int parse_include(const struct fields *fs, enum policy_line_kind kind, struct policy_line *l)
{
	l->kind = (uint8_t)kind;
	return parse_path(fs, 1, l);
}

/* !include-service SERVICE +ARG PATH. */
/*@ requires \valid_read(fs) && fields_ok(fs);
    requires fs->n == 4;
    requires \valid(l);
    requires \separated(fs, l);
    assigns l->kind, l->any_service, l->service_len, l->service[0 .. POLICY_SERVICE_MAX],
            l->any_arg, l->arg_len, l->arg[0 .. POLICY_ARG_MAX],
            l->path_len, l->path[0 .. POLICY_PATH_TOKEN_MAX];
    ensures range: \result == 0 || PPARSE_EPATH <= \result <= PPARSE_EBYTE;
    ensures kind: l->kind == PLINE_INCLUDE_SERVICE; */
static int parse_include_service(const struct fields *fs, struct policy_line *l)
{
	int rc;

	l->kind = PLINE_INCLUDE_SERVICE;
	rc = parse_service_arg(fs, 1, l);
	if (rc < 0)
		return rc;
	return parse_path(fs, 3, l);
}

/*@ requires \valid_read(fs) && fields_ok(fs);
    requires 1 <= fs->n;
    requires \valid(l);
    requires \separated(fs, l);
    assigns l->kind, l->any_service, l->service_len, l->service[0 .. POLICY_SERVICE_MAX],
            l->any_arg, l->arg_len, l->arg[0 .. POLICY_ARG_MAX],
            l->path_len, l->path[0 .. POLICY_PATH_TOKEN_MAX];
    ensures range: \result == 0 || PPARSE_EPATH <= \result <= PPARSE_EBYTE;
    ensures kind: \result == 0 ==> PLINE_INCLUDE <= l->kind <= PLINE_INCLUDE_SERVICE; */
static int parse_directive(const struct fields *fs, enum policy_syntax syntax, struct policy_line *l)
{
	struct field d = { 0 };

	field_get(fs, 0, &d);
	if (EQ(d.b, d.n, "!include")) {
		if (fs->n != 2)
			return PPARSE_EDIRECTIVE_ARGS;
		return parse_include(fs, PLINE_INCLUDE, l);
	}
	if (syntax == PSYNTAX_COMPAT)
		return PPARSE_EDIRECTIVE;
	if (EQ(d.b, d.n, "!include-dir")) {
		if (fs->n != 2)
			return PPARSE_EDIRECTIVE_ARGS;
		return parse_include(fs, PLINE_INCLUDE_DIR, l);
	}
	if (EQ(d.b, d.n, "!include-service")) {
		if (fs->n != 4)
			return PPARSE_EDIRECTIVE_ARGS;
		return parse_include_service(fs, l);
	}
	return PPARSE_EDIRECTIVE;
}

/* SOURCE TARGET ACTION [params]: fields f, f + 1, f + 2 .. of a rule. */
/*@ requires \valid_read(fs) && fields_ok(fs);
    requires f + 3 <= fs->n;
    requires \valid(l);
    requires \separated(fs, l);
    assigns l->kind, l->source, l->target, l->action, l->params, l->redirect, l->default_target,
            l->user_len, l->user[0 .. USER_NAME_MAX], l->notify, l->autostart;
    ensures range: \result == 0 || PPARSE_EPATH <= \result <= PPARSE_EBYTE;
    ensures kind: \result == 0 ==> l->kind == PLINE_RULE; */
static int parse_rule_tail(const struct fields *fs, size_t f, struct policy_line *l)
{
	struct field t = { 0 };

	field_get(fs, f, &t);
	if (policy_token_parse(t.b, t.n, PPLACE_SOURCE, &l->source) != 0)
		return PPARSE_ESOURCE;
	field_get(fs, f + 1, &t);
	if (policy_token_parse(t.b, t.n, PPLACE_TARGET, &l->target) != 0)
		return PPARSE_ETARGET;
	l->kind = PLINE_RULE;
	return parse_action(fs, f + 2, l);
}

/* A rule line: V5 SERVICE +ARG SOURCE TARGET ACTION [params], or compat
 * SOURCE TARGET ACTION [params]. */
/*@ requires \valid_read(fs) && fields_ok(fs);
    requires 1 <= fs->n;
    requires \valid(l);
    requires \separated(fs, l);
    assigns l->kind, l->any_service, l->service_len, l->service[0 .. POLICY_SERVICE_MAX],
            l->any_arg, l->arg_len, l->arg[0 .. POLICY_ARG_MAX], l->source, l->target,
            l->action, l->params, l->redirect, l->default_target, l->user_len,
            l->user[0 .. USER_NAME_MAX], l->notify, l->autostart;
    ensures range: \result == 0 || PPARSE_EPATH <= \result <= PPARSE_EBYTE;
    ensures kind: \result == 0 ==> l->kind == PLINE_RULE; */
static int parse_rule(const struct fields *fs, enum policy_syntax syntax, struct policy_line *l)
{
	int rc;

	if (syntax != PSYNTAX_V5)
		return fs->n < 3 ? PPARSE_EFIELDS : parse_rule_tail(fs, 0, l);
	if (fs->n < 5)
		return PPARSE_EFIELDS;
	rc = parse_service_arg(fs, 0, l);
	if (rc < 0)
		return rc;
	return parse_rule_tail(fs, 2, l);
}

/* A blank line or a comment: whitespace up to the end or to a '#'. */
/*@ predicate blank_line(uint8_t *buf, integer len) =
      \exists integer j; 0 <= j <= len && (\forall integer k; 0 <= k < j ==> is_ws(buf[k])) &&
        (j == len || buf[j] == '#'); */

/*@ requires \valid_read(buf + (0 .. len - 1));
    assigns \nothing;
    ensures blank: \result <==> blank_line(buf, len); */
static bool is_blank(const uint8_t *buf, size_t len)
{
	size_t start = skip_ws(buf, len);

	return start == len || buf[start] == '#';
}

/* A line that is not blank into *l (cleared by the caller). */
/*@ requires len <= POLICY_LINE_MAX;
    requires \valid_read(buf + (0 .. len - 1));
    requires \valid(l);
    requires \separated(buf + (0 .. len - 1), l);
    assigns *l;
    ensures range: \result == PPARSE_OK || PPARSE_EPATH <= \result <= PPARSE_EBYTE;
    ensures kind: \result == PPARSE_OK ==> l->kind != PLINE_EMPTY; */
static int parse_nonblank(const uint8_t *buf, size_t len, enum policy_syntax syntax, struct policy_line *l)
{
	/* Zeroed: Eva does not tell the entries split_fields() wrote. */
	struct fields fs = { 0 };
	size_t start = skip_ws(buf, len);
	int rc;

	fs.line = buf;
	/* "$include:PATH" is Qubes 4.0's "!include PATH". */
	if (syntax == PSYNTAX_COMPAT && PREFIX(buf + start, len - start, "$include:")) {
		rc = split_fields(buf, start + 9, len, false, &fs);
		if (rc < 0)
			return rc;
		if (fs.n != 1 || fs.off[0] != start + 9)
			return PPARSE_EDIRECTIVE_ARGS;
		l->kind = PLINE_INCLUDE;
		return parse_path(&fs, 0, l);
	}
	/* The compat syntax reads '$' as '@' and ',' as a separator in rules
	 * (Qubes 4.0 files), so that one parser serves both syntaxes. */
	fs.translate = syntax == PSYNTAX_COMPAT && start < len && buf[start] != '!';
	rc = split_fields(buf, 0, len, fs.translate, &fs);
	if (rc < 0)
		return rc;
	/* Only a compat line of separators (",") has no field. */
	if (fs.n == 0)
		return PPARSE_EFIELDS;
	if (buf[fs.off[0]] == '!')
		return parse_directive(&fs, syntax, l);
	return parse_rule(&fs, syntax, l);
}

/* p[0 .. n) = 0. */
/*@ requires \valid(p + (0 .. n - 1));
    assigns p[0 .. n - 1];
    ensures zero: \forall integer k; 0 <= k < n ==> p[k] == 0; */
static void zero_chars(char *p, size_t n)
{
	/* Unrolled for Eva (the longest array is 256 bytes): it then knows
	 * every byte of a cleared line initialized, which line_is_sane()
	 * reads at offsets it cannot relate to the writes. */
	/*@ loop unroll 256;
	    loop invariant 0 <= i <= n;
	    loop invariant zero: \forall integer k; 0 <= k < i ==> p[k] == 0;
	    loop assigns i, p[0 .. n - 1];
	    loop variant n - i; */
	for (size_t i = 0; i < n; i++)
		p[i] = 0;
}

/*@ requires \valid(t);
    assigns *t;
    ensures none: t->kind == PTOK_NONE;
    ensures sane: tok_sane(t); */
static void token_clear(struct policy_token *t)
{
	t->kind = PTOK_NONE;
	t->len = 0;
	zero_chars(t->value, sizeof(t->value));
}

/* Every field of *l zero, field by field (so that WP knows each one):
 * PLINE_EMPTY, "" strings, no parameters. */
/*@ requires \valid(l);
    assigns *l;
    ensures empty: l->kind == PLINE_EMPTY && l->params == 0;
    ensures service: service_sane(l);
    ensures arg: arg_sane(l);
    ensures path: path_sane(l);
    ensures action: action_sane(l);
    ensures tokens: tok_sane(&l->source) && tok_sane(&l->target); */
static void line_clear(struct policy_line *l)
{
	l->kind = PLINE_EMPTY;
	l->any_service = false;
	l->service_len = 0;
	zero_chars(l->service, sizeof(l->service));
	l->any_arg = false;
	l->arg_len = 0;
	zero_chars(l->arg, sizeof(l->arg));
	token_clear(&l->source);
	token_clear(&l->target);
	l->action = PACT_DENY;
	l->params = 0;
	token_clear(&l->redirect);
	token_clear(&l->default_target);
	l->user_len = 0;
	zero_chars(l->user, sizeof(l->user));
	l->notify = false;
	l->autostart = false;
	l->path_len = 0;
	zero_chars(l->path, sizeof(l->path));
	/* Every terminator written again last, so that the postconditions
	 * follow from these final stores alone: carried across the calls
	 * above, some of them timed out in WP. */
	l->service_len = 0;
	l->service[0] = '\0';
	l->arg_len = 0;
	l->arg[0] = '\0';
	l->user_len = 0;
	l->user[0] = '\0';
	l->path_len = 0;
	l->path[0] = '\0';
	l->source.len = 0;
	l->source.value[0] = '\0';
	l->target.len = 0;
	l->target.value[0] = '\0';
	l->redirect.len = 0;
	l->redirect.value[0] = '\0';
	l->default_target.len = 0;
	l->default_target.value[0] = '\0';
}

/* line_sane(l), field by field. */
/*@ requires \valid_read(l);
    assigns \nothing;
    ensures sane: \result <==> line_sane(l); */
static bool line_is_sane(const struct policy_line *l)
{
	return l->service_len <= POLICY_SERVICE_MAX && l->service[l->service_len] == '\0' &&
	       l->arg_len <= POLICY_ARG_MAX && l->arg[l->arg_len] == '\0' &&
	       l->path_len <= POLICY_PATH_TOKEN_MAX && l->path[l->path_len] == '\0' &&
	       l->user_len <= USER_NAME_MAX && l->user[l->user_len] == '\0' &&
	       l->source.len <= POLICY_TOKEN_VALUE_MAX && l->source.value[l->source.len] == '\0' &&
	       l->target.len <= POLICY_TOKEN_VALUE_MAX && l->target.value[l->target.len] == '\0' &&
	       l->redirect.len <= POLICY_TOKEN_VALUE_MAX && l->redirect.value[l->redirect.len] == '\0' &&
	       l->default_target.len <= POLICY_TOKEN_VALUE_MAX &&
	       l->default_target.value[l->default_target.len] == '\0';
}

/* The line is parsed in place, into *out cleared first; a rejected line
 * then puts the caller's *out back as it was.  (Parsing into a local and
 * copying it out makes WP reason about whole 884-byte struct values,
 * which the provers do not finish; this way every postcondition is about
 * fields, and the restore is one assignment of the saved value.) */
/*@ requires \valid_read(buf + (0 .. len - 1));
    requires \valid(out);
    requires \separated(buf + (0 .. len - 1), out);
    assigns *out;
    behavior too_long:
      assumes len > POLICY_LINE_MAX;
      assigns \nothing;
      ensures rejected: \result == PPARSE_ETOOLONG;
    behavior blank:
      assumes len <= POLICY_LINE_MAX && blank_line(buf, len);
      assigns *out;
      ensures accepted: \result == PPARSE_OK && out->kind == PLINE_EMPTY;
      ensures sane: line_sane(out);
    behavior line:
      assumes len <= POLICY_LINE_MAX && !blank_line(buf, len);
      assigns *out;
      ensures range: \result == PPARSE_OK || PPARSE_EOUTPUT <= \result <= PPARSE_EBYTE;
      ensures rejected_unchanged: \result != PPARSE_OK ==> *out == \old(*out);
      ensures accepted: \result == PPARSE_OK ==> out->kind != PLINE_EMPTY;
      ensures sane: \result == PPARSE_OK ==> line_sane(out);
    complete behaviors;
    disjoint behaviors; */
int policy_line_parse(const uint8_t *buf, size_t len, enum policy_syntax syntax,
		      struct policy_line *out)
{
	struct policy_line saved;
	int rc;

	if (len > POLICY_LINE_MAX)
		return PPARSE_ETOOLONG;
	if (is_blank(buf, len)) {
		line_clear(out);
		return PPARSE_OK;
	}
	saved = *out;
	line_clear(out);
	rc = parse_nonblank(buf, len, syntax, out);
	/* Never true unless the parser above has a bug (fuzzed: the target
	 * aborts on PPARSE_EOUTPUT); its proof is this check. */
	if (rc == PPARSE_OK && !line_is_sane(out))
		rc = PPARSE_EOUTPUT;
	if (rc != PPARSE_OK) {
		*out = saved;
		return rc;
	}
	return PPARSE_OK;
}

/*@ assigns \nothing; */
const char *policy_parse_strerror(int code)
{
	switch (code) {
	case PPARSE_OK:
		return "ok";
	case PPARSE_ETOOLONG:
		return "line too long";
	case PPARSE_EBYTE:
		return "invalid byte (NUL, control or non-ASCII) outside a comment";
	case PPARSE_EFIELDS:
		return "wrong number of fields";
	case PPARSE_ESERVICE:
		return "invalid service name";
	case PPARSE_EARG:
		return "invalid argument (must be * or start with +)";
	case PPARSE_EWILDARG:
		return "only * argument allowed for * service";
	case PPARSE_ESOURCE:
		return "invalid source token";
	case PPARSE_ETARGET:
		return "invalid target token";
	case PPARSE_EACTION:
		return "invalid action (allow, deny or ask)";
	case PPARSE_EPARAM:
		return "invalid action parameter syntax (key=value)";
	case PPARSE_EPARAM_UNKNOWN:
		return "invalid parameter for this action";
	case PPARSE_EPARAM_REPEAT:
		return "parameter given twice";
	case PPARSE_EBOOL:
		return "boolean parameter must be yes or no";
	case PPARSE_EREDIRECT:
		return "invalid target= or default_target= value";
	case PPARSE_EUSER:
		return "invalid user= value";
	case PPARSE_EDEFAULT:
		return "allow action for @default rule must specify target=";
	case PPARSE_EDIRECTIVE:
		return "invalid directive";
	case PPARSE_EDIRECTIVE_ARGS:
		return "invalid number of directive parameters";
	case PPARSE_EPATH:
		return "invalid include path";
	case PPARSE_EOUTPUT:
		return "internal error: the parsed line failed its final check";
	}
	return "syntax error";
}
