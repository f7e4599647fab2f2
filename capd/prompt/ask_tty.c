/* The terminal front end (ask_ui.h): questions on the terminal, one
 * answer line each, every read under the prompt's deadline.  Input typed
 * before a question was shown is discarded (tcflush), so type-ahead
 * cannot answer it; an empty answer or anything but "y"/"yes" to the
 * last question denies. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "capd/prompt/ask_ui.h"
#include "lib/io.h"
#include "lib/log.h"

#define TTY_LINE_MAX   32u     /* bytes of one answer, its newline included */
#define TTY_TRIES_MAX  3u      /* invalid answers to one question before denying */
#define TTY_OUT_MAX    512u    /* one formatted piece of output */

struct tty {
	int fd;
	uint64_t deadline;
	int color;                 /* 0 none, 1 the 8 ANSI colors, 2 24-bit */
	const struct ask_args *a;
};

static int out(struct tty *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int out(struct tty *t, const char *fmt, ...)
{
	char buf[TTY_OUT_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -1;
	return write_all_deadline(t->fd, buf, (size_t)n, t->deadline) < 0 ? -1 : 0;
}

/* A question: the input queue emptied, then the question shown, so that
 * what was typed before it appeared does not count.  (The other order
 * would also throw away an answer typed the moment the question showed.) */
static int ask(struct tty *t, const char *question)
{
	if (tcflush(t->fd, TCIFLUSH) < 0)
		return -1;
	return out(t, "%s", question);
}

/* One line into buf (without its newline).  1 got a line, 0 a line that
 * was too long or had a byte outside printable ASCII (the rest of it is
 * consumed), -1 EOF, deadline or error. */
static int read_line(struct tty *t, char *buf, size_t cap)
{
	size_t n = 0;
	int bad = 0;

	for (;;) {
		struct pollfd p = { t->fd, POLLIN, 0 };
		uint64_t now = now_ms(), left;
		char c;
		ssize_t r;

		if (now >= t->deadline)
			return -1;
		left = t->deadline - now;
		r = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		r = read(t->fd, &c, 1);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			return -1;
		if (c == '\n' || c == '\r') {
			buf[n] = '\0';
			return bad ? 0 : 1;
		}
		if (c < 0x20 || c > 0x7e || n + 1 >= cap)
			bad = 1;
		else
			buf[n++] = c;
	}
}

/* A decimal answer in [lo, hi] (no sign, no leading zero); -1 if not. */
static long number(const char *s, long lo, long hi)
{
	long v = 0;

	if (s[0] == '\0' || s[0] == '0' || strlen(s) > 5)
		return -1;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v >= lo && v <= hi ? v : -1;
}

/* Asks `question` until the answer passes `accept` (TTY_TRIES_MAX
 * times).  Returns accept's value (>= 0), or -1 to deny. */
static long ask_until(struct tty *t, const char *question, long (*accept)(const struct tty *, const char *))
{
	char line[TTY_LINE_MAX];

	for (unsigned i = 0; i < TTY_TRIES_MAX; i++) {
		int r;
		long v;

		if (ask(t, question) < 0 || (r = read_line(t, line, sizeof(line))) < 0)
			return -1;
		if (r == 1) {
			v = accept(t, line);
			if (v >= 0)
				return v;
			if (v == -2)
				return -1;     /* an answer that denies */
		}
		if (out(t, "  not an answer here; try again\n") < 0)
			return -1;
	}
	return -1;
}

/* Target: a number, or empty for the default (only when there is one;
 * without one, empty denies).  -2: deny. */
static long accept_target(const struct tty *t, const char *s)
{
	if (s[0] == '\0')
		return t->a->default_idx >= 0 ? t->a->default_idx : -2;
	if (strcmp(s, "n") == 0 || strcmp(s, "no") == 0)
		return -2;
	{
		long v = number(s, 1, (long)t->a->ntargets);
		return v < 0 ? -1 : v - 1;
	}
}

static long accept_scope(const struct tty *t, const char *s)
{
	(void)t;
	if (s[0] == '\0')
		return 1;
	if (strcmp(s, "n") == 0 || strcmp(s, "no") == 0)
		return -2;
	return number(s, 1, 4);
}

static long accept_calls(const struct tty *t, const char *s)
{
	(void)t;
	return number(s, ASK_CALLS_MIN, ASK_CALLS_MAX);
}

static long accept_minutes(const struct tty *t, const char *s)
{
	(void)t;
	return number(s, ASK_MINUTES_MIN, ASK_MINUTES_MAX);
}

/* The source's name in its label color when the terminal has colors. */
static int show_source(struct tty *t)
{
	uint32_t rgb = label_color(t->a->label);
	/* Nearest of the 8 ANSI colors, by label. */
	static const int ansi[LABEL_COUNT] = { 31, 33, 33, 32, 37, 34, 35, 30 };

	if (t->color == 2)
		return out(t, "\033[1;38;2;%u;%u;%um%s\033[0m", rgb >> 16 & 0xff, rgb >> 8 & 0xff, rgb & 0xff,
			   t->a->source);
	if (t->color == 1)
		return out(t, "\033[1;%dm%s\033[0m", ansi[t->a->label], t->a->source);
	return out(t, "%s", t->a->source);
}

static int color_level(void)
{
	const char *term = getenv("TERM"), *ct = getenv("COLORTERM");

	if (term == NULL || term[0] == '\0' || strcmp(term, "dumb") == 0 || getenv("NO_COLOR"))
		return 0;
	if (ct && (strcmp(ct, "truecolor") == 0 || strcmp(ct, "24bit") == 0))
		return 2;
	return 1;
}

static int show_request(struct tty *t)
{
	static char esc[4 * ASK_SERVICE_LEN_MAX + 1];
	const struct ask_args *a = t->a;

	if (out(t, "\n== Bulkhead: a qube asks to call a service ==\nFrom:     ") < 0 || show_source(t) < 0 ||
	    out(t, " (label %s)\n", label_name(a->label)) < 0)
		return -1;
	log_escape(a->service, a->name_len, esc, sizeof(esc));
	if (out(t, "Service:  ") < 0 || write_all_deadline(t->fd, esc, strlen(esc), t->deadline) < 0)
		return -1;
	log_escape(a->service + a->name_len + 1, a->service_len - a->name_len - 1, esc, sizeof(esc));
	if (out(t, "\nArgument: ") < 0 ||
	    write_all_deadline(t->fd, esc[0] ? esc : "(none)", esc[0] ? strlen(esc) : 6, t->deadline) < 0 ||
	    out(t, "\nTargets:\n") < 0)
		return -1;
	for (size_t i = 0; i < a->ntargets; i++)
		if (out(t, "  %zu) %s%s\n", i + 1, a->targets[i],
			a->default_idx >= 0 && (size_t)a->default_idx == i ? " (default)" : "") < 0)
			return -1;
	return 0;
}

static int converse(struct tty *t, size_t *target, struct ask_scope *scope)
{
	char q[TTY_OUT_MAX];
	long ti, si, v = 0;
	int n;

	if (show_request(t) < 0)
		return ASK_DENIED;
	if (t->a->default_idx >= 0)
		n = snprintf(q, sizeof(q), "Target [1-%zu, Enter: %s, n: deny]: ", t->a->ntargets,
			     t->a->targets[t->a->default_idx]);
	else
		n = snprintf(q, sizeof(q), "Target [1-%zu, Enter: deny]: ", t->a->ntargets);
	if (n < 0 || (size_t)n >= sizeof(q) || (ti = ask_until(t, q, accept_target)) < 0)
		return ASK_DENIED;
	if (out(t, "Allow it for:\n  1) this call only\n  2) the next N calls (this one included)\n"
		   "  3) T minutes\n  4) until revoked\n") < 0 ||
	    (si = ask_until(t, "Scope [1-4, Enter: 1, n: deny]: ", accept_scope)) < 0)
		return ASK_DENIED;
	if (si == 2) {
		n = snprintf(q, sizeof(q), "N, calls [%u-%u]: ", ASK_CALLS_MIN, ASK_CALLS_MAX);
		if (n < 0 || (v = ask_until(t, q, accept_calls)) < 0)
			return ASK_DENIED;
	} else if (si == 3) {
		n = snprintf(q, sizeof(q), "T, minutes [%u-%u]: ", ASK_MINUTES_MIN, ASK_MINUTES_MAX);
		if (n < 0 || (v = ask_until(t, q, accept_minutes)) < 0)
			return ASK_DENIED;
	}
	scope->kind = si == 1 ? ASK_SCOPE_ONCE : si == 2 ? ASK_SCOPE_CALLS : si == 3 ? ASK_SCOPE_MINUTES
						      : ASK_SCOPE_ALWAYS;
	scope->value = si == 2 || si == 3 ? (uint32_t)v : 0;
	{
		char sc[ASK_SCOPE_TEXT_MAX], line[TTY_LINE_MAX];
		size_t sl;
		int r;

		/* ask()'s order, in pieces: flush, then the question. */
		if (ask_scope_format(scope, sc, sizeof(sc), &sl) != ASK_OK || ask(t, "Allow ") < 0 ||
		    show_source(t) < 0 || out(t, " -> %s, scope %s? [y/N]: ", t->a->targets[ti], sc) < 0)
			return ASK_DENIED;
		r = read_line(t, line, sizeof(line));
		if (r == 1 && (strcmp(line, "y") == 0 || strcmp(line, "yes") == 0)) {
			*target = (size_t)ti;
			(void)out(t, "Allowed.\n");
			return ASK_ALLOWED;
		}
	}
	(void)out(t, "Denied.\n");
	return ASK_DENIED;
}

int ask_tty_run(const struct ask_args *a, const char *tty_path, uint64_t deadline_ms, size_t *target,
		struct ask_scope *scope, const char **why)
{
	struct tty t = { -1, deadline_ms, color_level(), a };
	int rc;

	t.fd = open(tty_path, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (t.fd < 0) {
		*why = "no terminal to ask on";
		return ASK_UI_UNAVAILABLE;
	}
	if (!isatty(t.fd)) {
		close(t.fd);
		*why = "BULKHEAD_ASK_TTY is not a terminal";
		return ASK_UI_UNAVAILABLE;
	}
	if (ask_sandbox() < 0) {
		close(t.fd);
		*why = "cannot install the seccomp policy";
		return ASK_DENIED;
	}
	rc = converse(&t, target, scope);
	close(t.fd);
	*why = rc == ASK_ALLOWED ? "allowed" : "denied";
	return rc;
}
