/* record-agent: seeds for fuzz_qrexec_daemon from the hostile-qube
 * suite.  Runs each named attack of tests/hostile/attacks.c (the real
 * fake-agent code) against the in-memory vchan, where nothing answers
 * but the daemon's HELLO, and writes what the agent sent after its own
 * HELLO to DIR/NAME, behind the target's two option bytes (version 3,
 * one message a round, policyd allows; one data port held).
 *
 *   record-agent DIR ATTACK...      (tests/fuzz/record-seeds.sh)
 *
 * An attack that waits for an answer that never comes is cut off after
 * RECORD_S seconds, in a child of its own, with what it sent so far. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/vchan_mem.h"
#include "tests/hostile/fake_agent.h"

#define RECORD_S 2u
/* A seed longer than the largest single message (a flood) keeps its
 * first 16 KiB: past POLICY_PENDING_MAX requests, small enough to fuzz. */
#define SEED_WHOLE_MAX (QREXEC_HDR_SIZE + QREXEC_TRIGGER3_FIXED + MAX_SERVICE_NAME_LEN + 64u)
#define SEED_CUT 16384u

static struct vchan *chan;
static int out_fd = -1;

static void daemon_speaks_first(struct vchan *v, void *ctx)
{
	uint8_t hello[12];
	size_t n;

	(void)ctx;
	chan = v;
	if (qrexec_hello_encode(QREXEC_PROTOCOL_V3, hello, sizeof(hello), &n) != QREXEC_OK ||
	    vchan_mem_feed(v, hello, n) != 0)
		_exit(3);
}

/* Also the SIGALRM handler: write(2) only, then _exit. */
static void dump(int sig)
{
	static const uint8_t options[2] = { 0x01, 0x01 };
	size_t len = 0, skip = 0;
	const uint8_t *s = chan ? vchan_mem_sent(chan, &len) : NULL;

	/* The agent's HELLO is the daemon's handshake, not its loop. */
	if (len >= 12 && s[0] == (MSG_HELLO & 0xff) && s[1] == (MSG_HELLO >> 8) && s[4] == 4)
		skip = 12;
	if (len - skip > SEED_WHOLE_MAX)
		len = skip + SEED_CUT;
	if (write(out_fd, options, 2) != 2 || (len > skip && write(out_fd, s + skip, len - skip) != (ssize_t)(len - skip)))
		_exit(3);
	(void)sig;
	_exit(0);
}

static int record(const char *dir, const char *name)
{
	char path[4096];
	pid_t pid;
	int st;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct fa fa = { .close_ms = 1 };
		bool found = false;

		out_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (out_fd < 0)
			_exit(3);
		signal(SIGALRM, dump);
		alarm(RECORD_S);
		vchan_mem_on_open(daemon_speaks_first, NULL);
		fa_set_mode(name);
		(void)fa_run_attack(&fa, name, 0, NULL, &found);
		if (!found)
			_exit(2);
		dump(0);
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		unlink(path);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: record-agent DIR ATTACK...\n");
		return 2;
	}
	setenv("VCHAN_BACKEND", "mem", 1);
	/* The fake agent's notes about a daemon that never answers. */
	if (freopen("/dev/null", "w", stderr) == NULL)
		return 1;
	for (int i = 2; i < argc; i++)
		if (record(argv[1], argv[i]) < 0) {
			fprintf(stdout, "record-agent: %s: not recorded\n", argv[i]);
			rc = 1;
		}
	return rc;
}
