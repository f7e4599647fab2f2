/* Asking the user.  The prompt is a separate program so the graphical
 * one (issue #4) can replace the tty one without touching policyd:
 *   $BULKHEAD_ROOT/etc/bulkhead/qrexec-ask SOURCE SERVICE DEFAULT TARGET...
 * prints the chosen target on stdout and exits 0 to allow; anything else
 * denies.  No prompt installed: deny (the non-interactive default). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/io.h"
#include "lib/log.h"
#include "lib/paths.h"
#include "qrexec/policyd/policyd.h"

#define ASK_TIMEOUT_MS 300000u    /* the user has five minutes */
#define ASK_ARGS_MAX (4u + POLICY_ASK_TARGETS_MAX)

int policyd_ask(const char *source, const char *service_full, const struct policy_decision *d,
		char *target, size_t targetlen)
{
	static char *argv[ASK_ARGS_MAX + 1];
	char prog[BH_PATH_MAX], out[POLICY_TARGET_MAX + 2];
	size_t got = 0, argc = 0;
	int fd, rc;

	if (bh_path(prog, sizeof(prog), "etc/bulkhead/qrexec-ask") < 0 || access(prog, X_OK) < 0)
		return -1;
	argv[argc++] = prog;
	argv[argc++] = (char *)source;
	argv[argc++] = (char *)service_full;
	argv[argc++] = (char *)(d->default_target[0] ? d->default_target : "-");
	for (size_t i = 0; i < d->ntargets && argc < ASK_ARGS_MAX; i++)
		argv[argc++] = (char *)d->targets[i];
	argv[argc] = NULL;
	/* The runner, outside our sandbox, runs the prompt: arguments, never a
	 * shell (names and services are checked tokens; QSB-038 all the same). */
	fd = policyd_run_ask(argv);
	if (fd < 0)
		return -1;
	rc = read_to_eof_deadline(fd, out, sizeof(out) - 1, &got, now_ms() + ASK_TIMEOUT_MS);
	close(fd);
	if (rc < 0 || got == 0)
		return -1;
	out[got] = '\0';
	out[strcspn(out, "\n")] = '\0';
	/* Only a target the policy offered. */
	for (size_t i = 0; i < d->ntargets; i++)
		if (strcmp(out, d->targets[i]) == 0 && strlen(out) < targetlen) {
			memcpy(target, out, strlen(out) + 1);
			return 0;
		}
	log_warnx("the prompt chose '%s', which the policy does not offer", out);
	return -1;
}
