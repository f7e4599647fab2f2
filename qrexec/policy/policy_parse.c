/* Line parser of qrexec policy files.  Reject, never repair: a line that
 * is not exactly valid is refused with the first reason found, and the
 * caller refuses the whole policy.  Each function has one loop; the line
 * is validated into a local struct and copied to *out on its last line. */
#include "qrexec/policy/policy_parse.h"

#include <string.h>

/*@ predicate is_ws(integer c) = c == ' ' || c == '\t' || c == '\r' || c == 11 || c == 12; */
/*@ predicate is_graph(integer c) = 0x21 <= c <= 0x7e; */
/*@ predicate p_alnum(integer c) = ('a' <= c <= 'z') || ('A' <= c <= 'Z') || ('0' <= c <= '9'); */
/*@ predicate p_service_char(integer c) = p_alnum(c) || c == '.' || c == '_' || c == '-'; */
/*@ predicate p_path_char(integer c) = p_service_char(c) || c == '+' || c == '/'; */
/* The fields split_fields() found: n (offset, length) pairs inside buf. */
/*@ predicate fields_ok(uint8_t *buf, size_t *off, size_t *flen, integer n) =
      \valid_read(off + (0 .. n - 1)) && \valid_read(flen + (0 .. n - 1)) &&
      \forall integer k; 0 <= k < n ==>
        flen[k] >= 1 && off[k] + flen[k] <= POLICY_LINE_MAX &&
        \valid_read(buf + (off[k] .. off[k] + flen[k] - 1)); */
/* What a caller may rely on in an accepted token: its value is
 * NUL-terminated at its length, within its array. */
/*@ predicate tok_sane(struct policy_token *t) =
      t->len <= POLICY_TOKEN_VALUE_MAX && t->value[t->len] == 0; */

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

/*@ requires \valid_read(p + (0 .. n - 1));
    assigns \nothing;
    behavior ok:
      assumes 1 <= n <= POLICY_SERVICE_MAX && \forall integer k; 0 <= k < n ==> p_service_char(p[k]);
      ensures \result;
    behavior bad:
      assumes !(1 <= n <= POLICY_SERVICE_MAX && \forall integer k; 0 <= k < n ==> p_service_char(p[k]));
      ensures !\result;
    complete behaviors;
    disjoint behaviors; */
static bool service_ok(const uint8_t *p, size_t n)
{
	if (n == 0 || n > POLICY_SERVICE_MAX)
		return false;
	/*@ loop invariant 0 <= i <= n;
	    loop invariant \forall integer k; 0 <= k < i ==> p_service_char(p[k]);
	    loop assigns i;
	    loop variant n - i; */
	for (size_t i = 0; i < n; i++)
		if (!service_char(p[i]))
			return false;
	return true;
}

/* "+" followed by 0..POLICY_ARG_MAX chars of the RPC charset ('+' included). */
/*@ requires \valid_read(p + (0 .. n - 1));
    assigns \nothing;
    ensures \result ==> 1 <= n <= POLICY_ARG_MAX + 1 && p[0] == '+';
    ensures charset: \result ==> \forall integer k; 1 <= k < n ==> p_service_char(p[k]) || p[k] == '+'; */
static bool arg_ok(const uint8_t *p, size_t n)
{
	if (n == 0 || n > POLICY_ARG_MAX + 1 || p[0] != '+')
		return false;
	/*@ loop invariant 1 <= i <= n;
	    loop invariant charset: \forall integer k; 1 <= k < i ==> p_service_char(p[k]) || p[k] == '+';
	    loop assigns i;
	    loop variant n - i; */
	for (size_t i = 1; i < n; i++)
		if (!service_char(p[i]) && p[i] != '+')
			return false;
	return true;
}

/* 1..POLICY_PATH_TOKEN_MAX chars of [A-Za-z0-9._+/-] with no ".."
 * component: includes cannot climb out of the tree they name. */
/*@ requires \valid_read(p + (0 .. n - 1));
    assigns \nothing;
    ensures \result ==> 1 <= n <= POLICY_PATH_TOKEN_MAX;
    ensures charset: \result ==> \forall integer k; 0 <= k < n ==> p_path_char(p[k]); */
static bool path_ok(const uint8_t *p, size_t n)
{
	size_t comp = 0;   /* start of the current component */

	if (n == 0 || n > POLICY_PATH_TOKEN_MAX)
		return false;
	/*@ loop invariant 0 <= comp <= i <= n + 1;
	    loop invariant charset: \forall integer k; 0 <= k < i && k < n ==> p_path_char(p[k]);
	    loop assigns i, comp;
	    loop variant n + 1 - i; */
	for (size_t i = 0; i <= n; i++) {
		if (i < n && !path_char(p[i]))
			return false;
		if (i == n || p[i] == '/') {
			if (i - comp == 2 && p[comp] == '.' && p[comp + 1] == '.')
				return false;
			comp = i + 1;
		}
	}
	return true;
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

	if (kind == PTOK_NONE || !kind_allowed(kind, place))
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
	if (!ok || vn > POLICY_TOKEN_VALUE_MAX)
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

/* Splits buf[0..len) at whitespace into at most POLICY_FIELDS_MAX fields;
 * every other byte must be printable ASCII.  Returns the number of fields
 * or a negative error. */
/*@ requires \valid_read(buf + (0 .. len - 1));
    requires \valid(off + (0 .. POLICY_FIELDS_MAX - 1));
    requires \valid(flen + (0 .. POLICY_FIELDS_MAX - 1));
    requires \separated(off + (0 .. POLICY_FIELDS_MAX - 1), flen + (0 .. POLICY_FIELDS_MAX - 1));
    assigns off[0 .. POLICY_FIELDS_MAX - 1], flen[0 .. POLICY_FIELDS_MAX - 1];
    ensures \result <= (int)POLICY_FIELDS_MAX;
    ensures errors: \result < 0 ==> \result == PPARSE_EBYTE || \result == PPARSE_EFIELDS;
    ensures \result >= 0 ==> \forall integer k; 0 <= k < \result ==>
        flen[k] >= 1 && off[k] + flen[k] <= len; */
static int split_fields(const uint8_t *buf, size_t len, size_t off[POLICY_FIELDS_MAX],
			size_t flen[POLICY_FIELDS_MAX])
{
	size_t n = 0;
	bool in_field = false;

	/*@ loop invariant 0 <= i <= len;
	    loop invariant 0 <= n <= POLICY_FIELDS_MAX;
	    loop invariant in_field ==> n >= 1 && off[n - 1] + flen[n - 1] == i;
	    loop invariant \forall integer k; 0 <= k < n ==> flen[k] >= 1 && off[k] + flen[k] <= i;
	    loop assigns i, n, in_field, off[0 .. POLICY_FIELDS_MAX - 1], flen[0 .. POLICY_FIELDS_MAX - 1];
	    loop variant len - i; */
	for (size_t i = 0; i < len; i++) {
		uint8_t c = buf[i];

		if (is_ws(c)) {
			in_field = false;
			continue;
		}
		if (c < 0x21 || c > 0x7e)
			return PPARSE_EBYTE;
		if (!in_field) {
			if (n == POLICY_FIELDS_MAX)
				return PPARSE_EFIELDS;
			off[n] = i;
			flen[n] = 0;
			n++;
			in_field = true;
		}
		flen[n - 1]++;
	}
	return (int)n;
}

/* One key=value parameter of an action into *l. */
/*@ requires \valid_read(p + (0 .. n - 1));
    requires \valid(l);
    requires \separated(p + (0 .. n - 1), l);
    assigns l->params, l->redirect, l->default_target, l->user_len,
            l->user[0 .. USER_NAME_MAX], l->notify, l->autostart;
    ensures range: \result == 0 || PPARSE_EPATH <= \result <= PPARSE_EBYTE; */
static int parse_param(const uint8_t *p, size_t n, struct policy_line *l)
{
	size_t eq = 0;
	const uint8_t *v;
	size_t vn;
	unsigned bit;
	uint8_t allowed;

	/*@ loop invariant 0 <= eq <= n;
	    loop assigns eq;
	    loop variant n - eq; */
	while (eq < n && p[eq] != '=')
		eq++;
	if (eq == n || eq == 0)
		return PPARSE_EPARAM;
	v = p + eq + 1;
	vn = n - eq - 1;
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
		if (policy_token_parse(v, vn, PPLACE_REDIRECT, &l->redirect) != 0)
			return PPARSE_EREDIRECT;
		break;
	case PPARAM_DEFAULT_TARGET:
		if (policy_token_parse(v, vn, PPLACE_REDIRECT, &l->default_target) != 0)
			return PPARSE_EREDIRECT;
		break;
	case PPARAM_USER:
		if (names_check(NAME_USER, v, vn) != 0)
			return PPARSE_EUSER;
		l->user_len = (uint8_t)vn;
		copy_str(l->user, v, vn);
		break;
	default: {
		bool yes = EQ(v, vn, "yes");

		if (!yes && !EQ(v, vn, "no"))
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

/* The action and its parameters: fields [first, n) of the line. */
/*@ requires fields_ok((uint8_t *)buf, (size_t *)off, (size_t *)flen, n);
    requires first < n <= POLICY_FIELDS_MAX;
    requires \valid(l);
    requires \separated(buf + (0 .. POLICY_LINE_MAX - 1), l);
    assigns l->action, l->params, l->redirect, l->default_target, l->user_len,
            l->user[0 .. USER_NAME_MAX], l->notify, l->autostart;
    ensures range: \result == 0 || PPARSE_EPATH <= \result <= PPARSE_EBYTE; */
static int parse_action(const uint8_t *buf, const size_t *off, const size_t *flen,
			size_t first, size_t n, struct policy_line *l)
{
	const uint8_t *a = buf + off[first];

	if (EQ(a, flen[first], "allow"))
		l->action = PACT_ALLOW;
	else if (EQ(a, flen[first], "deny"))
		l->action = PACT_DENY;
	else if (EQ(a, flen[first], "ask"))
		l->action = PACT_ASK;
	else
		return PPARSE_EACTION;
	/*@ loop invariant first + 1 <= i <= n;
	    loop assigns i, l->params, l->redirect, l->default_target, l->user_len,
            l->user[0 .. USER_NAME_MAX], l->notify, l->autostart;
	    loop variant n - i; */
	for (size_t i = first + 1; i < n; i++) {
		int rc = parse_param(buf + off[i], flen[i], l);

		if (rc < 0)
			return rc;
	}
	if (l->target.kind == PTOK_DEFAULT && l->action == PACT_ALLOW && !(l->params & PPARAM_TARGET))
		return PPARSE_EDEFAULT;
	return 0;
}

/* SERVICE and ARGUMENT fields (of a rule or of !include-service). */
/*@ requires \valid_read(s + (0 .. sn - 1));
    requires \valid_read(a + (0 .. an - 1));
    requires \valid(l);
    requires \separated(s + (0 .. sn - 1), l);
    requires \separated(a + (0 .. an - 1), l);
    assigns l->any_service, l->service_len, l->service[0 .. POLICY_SERVICE_MAX],
            l->any_arg, l->arg_len, l->arg[0 .. POLICY_ARG_MAX];
    ensures range: \result == 0 || PPARSE_EPATH <= \result <= PPARSE_EBYTE; */
static int parse_service_arg(const uint8_t *s, size_t sn, const uint8_t *a, size_t an,
			     struct policy_line *l)
{
	bool any_s = EQ(s, sn, "*"), any_a = EQ(a, an, "*");

	if (!any_s && !service_ok(s, sn))
		return PPARSE_ESERVICE;
	if (!any_a && !arg_ok(a, an))
		return PPARSE_EARG;
	if (any_s && !any_a)
		return PPARSE_EWILDARG;
	l->any_service = any_s;
	l->service_len = any_s ? 0 : (uint8_t)sn;
	copy_str(l->service, s, any_s ? 0 : sn);
	l->any_arg = any_a;
	l->arg_len = any_a ? 0 : (uint8_t)(an - 1);
	copy_str(l->arg, a + 1, any_a ? 0 : an - 1);
	return 0;
}

/*@ requires \valid_read(p + (0 .. n - 1));
    requires \valid(l);
    requires \separated(p + (0 .. n - 1), l);
    assigns l->path_len, l->path[0 .. POLICY_PATH_TOKEN_MAX];
    ensures range: \result == 0 || PPARSE_EPATH <= \result <= PPARSE_EBYTE; */
static int parse_path(const uint8_t *p, size_t n, struct policy_line *l)
{
	if (!path_ok(p, n))
		return PPARSE_EPATH;
	l->path_len = (uint16_t)n;
	copy_str(l->path, p, n);
	return 0;
}

/*@ requires fields_ok((uint8_t *)buf, (size_t *)off, (size_t *)flen, n);
    requires 1 <= n <= POLICY_FIELDS_MAX;
    requires \valid(l);
    requires \separated(buf + (0 .. POLICY_LINE_MAX - 1), l);
    assigns *l;
    ensures range: \result == 0 || PPARSE_EPATH <= \result <= PPARSE_EBYTE;
    ensures kind: \result == 0 ==> PLINE_INCLUDE <= l->kind <= PLINE_INCLUDE_SERVICE; */
static int parse_directive(const uint8_t *buf, const size_t *off, const size_t *flen, size_t n,
			   enum policy_syntax syntax, struct policy_line *l)
{
	const uint8_t *d = buf + off[0];
	size_t dn = flen[0];

	if (EQ(d, dn, "!include")) {
		if (n != 2)
			return PPARSE_EDIRECTIVE_ARGS;
		l->kind = PLINE_INCLUDE;
		return parse_path(buf + off[1], flen[1], l);
	}
	if (syntax == PSYNTAX_COMPAT)
		return PPARSE_EDIRECTIVE;
	if (EQ(d, dn, "!include-dir")) {
		if (n != 2)
			return PPARSE_EDIRECTIVE_ARGS;
		l->kind = PLINE_INCLUDE_DIR;
		return parse_path(buf + off[1], flen[1], l);
	}
	if (EQ(d, dn, "!include-service")) {
		int rc;

		if (n != 4)
			return PPARSE_EDIRECTIVE_ARGS;
		l->kind = PLINE_INCLUDE_SERVICE;
		rc = parse_service_arg(buf + off[1], flen[1], buf + off[2], flen[2], l);
		if (rc < 0)
			return rc;
		return parse_path(buf + off[3], flen[3], l);
	}
	return PPARSE_EDIRECTIVE;
}

/* A rule line: V5 SERVICE +ARG SOURCE TARGET ACTION [params], or compat
 * SOURCE TARGET ACTION [params]. */
/*@ requires fields_ok((uint8_t *)buf, (size_t *)off, (size_t *)flen, n);
    requires 1 <= n <= POLICY_FIELDS_MAX;
    requires \valid(l);
    requires \separated(buf + (0 .. POLICY_LINE_MAX - 1), l);
    assigns *l;
    ensures range: \result == 0 || PPARSE_EPATH <= \result <= PPARSE_EBYTE;
    ensures kind: \result == 0 ==> l->kind == PLINE_RULE; */
static int parse_rule(const uint8_t *buf, const size_t *off, const size_t *flen, size_t n,
		      enum policy_syntax syntax, struct policy_line *l)
{
	size_t f = 0;
	int rc;

	if (syntax == PSYNTAX_V5) {
		if (n < 5)
			return PPARSE_EFIELDS;
		rc = parse_service_arg(buf + off[0], flen[0], buf + off[1], flen[1], l);
		if (rc < 0)
			return rc;
		f = 2;
	} else if (n < 3) {
		return PPARSE_EFIELDS;
	}
	if (policy_token_parse(buf + off[f], flen[f], PPLACE_SOURCE, &l->source) != 0)
		return PPARSE_ESOURCE;
	if (policy_token_parse(buf + off[f + 1], flen[f + 1], PPLACE_TARGET, &l->target) != 0)
		return PPARSE_ETARGET;
	l->kind = PLINE_RULE;
	return parse_action(buf, off, flen, f + 2, n, l);
}

/* The compat syntax reads '$' as '@' and ',' as a separator (Qubes 4.0
 * files); copy with that translation so one parser serves both. */
/*@ requires len <= POLICY_LINE_MAX;
    requires \valid_read(buf + (0 .. len - 1));
    requires \valid(dst + (0 .. len - 1));
    assigns dst[0 .. len - 1]; */
static void compat_translate(const uint8_t *buf, size_t len, uint8_t *dst)
{
	/*@ loop invariant 0 <= i <= len;
	    loop assigns i, dst[0 .. len - 1];
	    loop variant len - i; */
	for (size_t i = 0; i < len; i++)
		dst[i] = buf[i] == '$' ? '@' : buf[i] == ',' ? ' ' : buf[i];
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

/* A line that is not blank into *l (zeroed by the caller);
 * policy_line_parse() copies it out only when it is accepted. */
/*@ requires len <= POLICY_LINE_MAX;
    requires not_blank: !blank_line(buf, len);
    requires \valid_read(buf + (0 .. len - 1));
    requires \valid(l);
    requires \separated(buf + (0 .. POLICY_LINE_MAX - 1), l);
    assigns *l;
    ensures range: \result == PPARSE_OK || PPARSE_EPATH <= \result <= PPARSE_EBYTE;
    ensures kind: \result == PPARSE_OK ==> l->kind != PLINE_EMPTY; */
static int parse_line(const uint8_t *buf, size_t len, enum policy_syntax syntax, struct policy_line *l)
{
	uint8_t tmp[POLICY_LINE_MAX];
	const uint8_t *p = buf;
	size_t off[POLICY_FIELDS_MAX], flen[POLICY_FIELDS_MAX];
	size_t start;
	int n, rc;

	start = skip_ws(buf, len);
	/*@ assert content: start < len && buf[start] != '#'; */
	if (syntax == PSYNTAX_COMPAT) {
		/* "$include:PATH" is Qubes 4.0's "!include PATH". */
		if (PREFIX(buf + start, len - start, "$include:")) {
			size_t pstart = start + 9;

			n = split_fields(buf + pstart, len - pstart, off, flen);
			if (n < 0)
				return n;
			if (n != 1 || off[0] != 0)
				return PPARSE_EDIRECTIVE_ARGS;
			l->kind = PLINE_INCLUDE;
			return parse_path(buf + pstart, flen[0], l);
		}
		if (buf[start] != '!') {
			compat_translate(buf, len, tmp);
			p = tmp;
		}
	}
	n = split_fields(p, len, off, flen);
	if (n < 0)
		return n;
	/* Only a compat line of separators (",") has no field. */
	if (n == 0)
		return PPARSE_EFIELDS;
	if (p[off[0]] == '!')
		rc = parse_directive(p, off, flen, (size_t)n, syntax, l);
	else
		rc = parse_rule(p, off, flen, (size_t)n, syntax, l);
	return rc;
}

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
      ensures accepted: \result == PPARSE_OK;
    behavior line:
      assumes len <= POLICY_LINE_MAX && !blank_line(buf, len);
      assigns *out;
      ensures range: \result == PPARSE_OK || PPARSE_EPATH <= \result <= PPARSE_EBYTE;
    complete behaviors;
    disjoint behaviors; */
int policy_line_parse(const uint8_t *buf, size_t len, enum policy_syntax syntax,
		      struct policy_line *out)
{
	struct policy_line l = { 0 };
	int rc;

	if (len > POLICY_LINE_MAX)
		return PPARSE_ETOOLONG;
	if (is_blank(buf, len)) {
		l.kind = PLINE_EMPTY;
		*out = l;
		return PPARSE_OK;
	}
	rc = parse_line(buf, len, syntax, &l);
	if (rc != PPARSE_OK)
		return rc;
	/* The only write to *out: a rejected line leaves it untouched. */
	*out = l;
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
	}
	return "syntax error";
}
