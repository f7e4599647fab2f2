/* bulkhead-ask: the dom0 prompt for a qrexec policy `ask`.
 *
 *   bulkhead-ask SOURCE LABEL SERVICE+ARG DEFAULT TARGET [TARGET...]
 *
 * Allowed: prints "TARGET SCOPE\n" on stdout, exits 0.  Denied (no,
 * Escape, closed, timeout, no way to ask): prints nothing, exits 1.
 * Invalid arguments or a failed write: exits 2.  qrexec-policyd's runner
 * executes it (argv, never a shell) and takes anything but 0 as deny.
 * SPEC/qrexec-policy.md, "The prompt"; man bulkhead-ask(1). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capd/prompt/ask_args.h"
#include "capd/prompt/ask_ui.h"
#include "lib/io.h"
#include "lib/log.h"

#define ASK_TIMEOUT_MS      300000u   /* no answer in five minutes: deny */
#define ASK_TIMEOUT_ENV     "BULKHEAD_ASK_TIMEOUT"  /* seconds, 1..300: may only shorten it */
#define ASK_TTY_ENV         "BULKHEAD_ASK_TTY"
#define ASK_TTY_DEFAULT     "/dev/tty"
#define ASK_WRITE_MS        5000u     /* to hand the answer to policyd */

static struct ask_args args;

static _Noreturn void usage(const char *why)
{
	fprintf(stderr, "bulkhead-ask: %s\n", why);
	exit(2);
}

/* The deadline: ASK_TIMEOUT_MS, or less when the environment asks for
 * less (tests; a shorter wait only denies sooner). */
static uint64_t deadline(void)
{
	const char *e = getenv(ASK_TIMEOUT_ENV);
	uint64_t ms = ASK_TIMEOUT_MS;

	if (e != NULL) {
		unsigned long v = 0;
		size_t n = strlen(e);

		if (n == 0 || n > 3 || e[0] == '0' || strspn(e, "0123456789") != n)
			usage(ASK_TIMEOUT_ENV " must be a number of seconds, 1 to 300");
		v = strtoul(e, NULL, 10);
		if (v < 1 || v * 1000u > ASK_TIMEOUT_MS)
			usage(ASK_TIMEOUT_ENV " must be a number of seconds, 1 to 300");
		ms = v * 1000u;
	}
	return now_ms() + ms;
}

int main(int argc, char **argv)
{
	const char *why = NULL, *display = getenv("DISPLAY"), *tty = getenv(ASK_TTY_ENV);
	char reply[ASK_REPLY_MAX], sc[ASK_SCOPE_TEXT_MAX];
	struct ask_scope scope = { ASK_SCOPE_ONCE, 0 };
	size_t target = 0, sl;
	uint64_t until;
	int rc = ASK_UI_UNAVAILABLE, n;

	log_init("bulkhead-ask");
	if (argc < 0 || ask_args_parse((size_t)argc, argv, &args, &why) < 0)
		usage(why ? why : "invalid arguments");
	until = deadline();
	/* policyd may stop reading (it gave up): a failed write, not a signal. */
	signal(SIGPIPE, SIG_IGN);

	if (display != NULL && display[0] != '\0') {
		rc = ask_x11_run(&args, until, &target, &scope, &why);
		if (rc == ASK_UI_UNAVAILABLE)
			fprintf(stderr, "bulkhead-ask: %s; asking on the terminal\n", why);
	}
	if (rc == ASK_UI_UNAVAILABLE)
		rc = ask_tty_run(&args, tty && tty[0] ? tty : ASK_TTY_DEFAULT, until, &target, &scope, &why);
	if (rc == ASK_UI_UNAVAILABLE) {
		fprintf(stderr, "bulkhead-ask: %s: denied\n", why);
		return 1;
	}
	if (rc != ASK_ALLOWED) {
		/* The user's no needs no words; anything else is said. */
		if (why != NULL && strcmp(why, "denied") != 0)
			fprintf(stderr, "bulkhead-ask: %s: denied\n", why);
		return 1;
	}
	if (target >= args.ntargets || ask_scope_format(&scope, sc, sizeof(sc), &sl) != ASK_OK)
		return 2;
	n = snprintf(reply, sizeof(reply), "%s %s\n", args.targets[target], sc);
	if (n < 0 || (size_t)n >= sizeof(reply))
		return 2;
	if (write_all_deadline(STDOUT_FILENO, reply, (size_t)n, now_ms() + ASK_WRITE_MS) < 0) {
		fprintf(stderr, "bulkhead-ask: cannot write the answer: denied\n");
		return 2;
	}
	return 0;
}
