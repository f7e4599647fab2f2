/* Asking the user.  The prompt is a separate program, run by the runner
 * (outside our sandbox), which chooses which program that is:
 * $BULKHEAD_ROOT/etc/bulkhead/qrexec-ask if the administrator installed
 * one, else bulkhead-ask beside qrexec-policyd (capd/prompt/: X11 when
 * there is a display, else the terminal in $BULKHEAD_ASK_TTY, else deny).
 * We send its arguments
 *   SOURCE LABEL SERVICE+ARG DEFAULT|- TARGET...
 * and parse its answer "TARGET SCOPE\n" (exit 0) with the prompt's own
 * parser; anything else denies.  SPEC/qrexec-policy.md, "The prompt". */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capd/prompt/ask_parse.h"
#include "lib/io.h"
#include "lib/log.h"
#include "lib/paths.h"
#include "qrexec/policyd/policyd.h"

#define ASK_TIMEOUT_MS 310000u    /* the prompt's own 300 s, and a margin */
#define ASK_ARGS_MAX (4u + POLICY_ASK_TARGETS_MAX)

int policyd_ask(const char *source, const char *label, const char *service_full, const struct policy_decision *d,
		struct ask_reply *reply)
{
	static char *argv[ASK_ARGS_MAX + 1];
	static char service[MAX_SERVICE_NAME_LEN + 1];
	struct ask_reply untrusted_reply;
	uint8_t out[ASK_REPLY_MAX];
	size_t got = 0, argc = 0;
	int fd, rc;

	/* The prompt takes "svc+arg", with the '+' even for no argument. */
	snprintf(service, sizeof(service), "%s%s", service_full, strchr(service_full, '+') ? "" : "+");
	argv[argc++] = (char *)source;
	argv[argc++] = (char *)(label && label[0] ? label : "red");
	argv[argc++] = service;
	argv[argc++] = (char *)(d->default_target[0] ? d->default_target : "-");
	for (size_t i = 0; i < d->ntargets && argc < ASK_ARGS_MAX; i++)
		argv[argc++] = (char *)d->targets[i];
	argv[argc] = NULL;
	/* Arguments, never a shell (names and services are checked tokens;
	 * QSB-038 all the same). */
	fd = policyd_run_ask(argv);
	if (fd < 0)
		return -1;
	rc = read_to_eof_deadline(fd, out, sizeof(out), &got, now_ms() + ASK_TIMEOUT_MS);
	close(fd);
	if (rc < 0 || got == 0)
		return -1;
	/* The prompt runs as root outside our sandbox, but its answer is
	 * still parsed like any other: exactly "TARGET SCOPE\n". */
	if (ask_reply_parse(out, got, &untrusted_reply) != ASK_OK) {
		log_warnx("the prompt's answer is malformed; denied");
		return -1;
	}
	/* Only a target the policy offered. */
	for (size_t i = 0; i < d->ntargets; i++)
		if (strcmp(untrusted_reply.target, d->targets[i]) == 0) {
			*reply = untrusted_reply;
			return 0;
		}
	log_warnx("the prompt chose '%s', which the policy does not offer", untrusted_reply.target);
	return -1;
}
