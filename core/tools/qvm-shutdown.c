/* qvm-shutdown: shut qubes down cleanly (admin.vm.Shutdown), optionally
 * waiting until they are Halted. */
#include "core/tools/cli.h"
#include "core/tools/lifecycle.h"

#include "io.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct cli_tool tool = {
	.name = "qvm-shutdown",
	.synopsis = "[-h] [--wait] [--timeout SECS] [--all | NAME...]",
	.help = "Ask each named qube (or with --all every running qube but dom0) to shut\n"
		"down cleanly.  A qube that is already halted is left alone.\n\n"
		"options:\n"
		"  --all           every qube that is not halted, dom0 excepted\n"
		"  --wait          wait until each qube is Halted; one that is not\n"
		"                  within the timeout is killed, and the exit is 1\n"
		"  --timeout SECS  how long --wait waits (default: each qube's\n"
		"                  shutdown_timeout property)\n"
		"  -h, --help      show this help and exit\n",
};

#define POLL_MS        100u
#define TIMEOUT_MAX_S  86400u

struct pending {
	const char *name;
	uint64_t deadline_ms;
	uint32_t timeout_s;
	bool done;
};

static int shutdown_timeout(const char *name, uint32_t *out)
{
	struct admin_reply r;
	struct cli_prop_value v;
	int rc = cli_call("admin.vm.property.Get", name, "shutdown_timeout", NULL, &r);

	if (rc == 0 && (cli_parse_prop(r.content.buf, r.content.len, &v) < 0 || v.type != PROP_INT ||
			cli_parse_uint(v.value, TIMEOUT_MAX_S, out) < 0))
		rc = cli_bad_reply("admin.vm.property.Get");
	admin_reply_free(&r);
	return rc;
}

/* 1 halted, 0 not yet, -1 failed (recorded). */
static int is_halted(struct pending *p)
{
	struct admin_reply r;
	enum power_state s = POWER_HALTED;
	int rc = cli_call("admin.vm.CurrentState", p->name, "", NULL, &r);

	if (rc == 0 && cli_parse_state(r.content.buf, r.content.len, &s) < 0)
		rc = cli_bad_reply("admin.vm.CurrentState");
	admin_reply_free(&r);
	if (rc < 0)
		return -1;
	if (s == POWER_CRASHED) {
		cli_fail("%s crashed while shutting down", p->name);
		return -1;
	}
	return s == POWER_HALTED;
}

static void wait_halted(struct pending *p, size_t n)
{
	const struct timespec pause = { 0, (long)POLL_MS * 1000000L };
	size_t left = n;

	for (size_t i = 0; i < n; i++)
		if (p[i].done)
			left--;
	while (left > 0) {
		for (size_t i = 0; i < n; i++) {
			int h;
			if (p[i].done)
				continue;
			h = is_halted(&p[i]);
			if (h == 0 && now_ms() >= p[i].deadline_ms) {
				/* As in Qubes: a qube that ignores the request is
				 * killed at the timeout; that is still a failure. */
				struct admin_reply r;
				int killed = cli_call_raw("admin.vm.Kill", p[i].name, "", NULL, &r) >= 0;
				admin_reply_free(&r);
				cli_fail("%s did not halt within %u s%s", p[i].name, p[i].timeout_s,
					 killed ? "; killed" : "");
				h = -1;
			}
			if (h != 0) {
				p[i].done = true;
				left--;
			}
		}
		if (left > 0)
			nanosleep(&pause, NULL);
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_OPT_HELP,
		{ "wait", no_argument, NULL, 'w' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "all", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	bool wait = false, all = false, have_timeout = false;
	uint32_t timeout = 0;
	struct cli_vm_entry *vms = NULL;
	struct pending *p;
	size_t n = 0;
	int c, nvms = 0;

	cli_init(&tool);
	while ((c = cli_getopt(argc, argv, ":h", opts)) != -1) {
		switch (c) {
		case 'w':
			wait = true;
			break;
		case 'a':
			all = true;
			break;
		case 'T':
			if (cli_parse_uint(optarg, TIMEOUT_MAX_S, &timeout) < 0 || timeout == 0)
				cli_usage("--timeout needs whole seconds, 1..%u", TIMEOUT_MAX_S);
			have_timeout = true;
			break;
		}
	}
	if (all && optind < argc)
		cli_usage("--all takes no qube names");
	if (!all && optind >= argc)
		cli_usage("missing qube name");
	for (int i = optind; i < argc; i++)
		if (!cli_check_qube(argv[i]))
			return cli_finish();

	if (all) {
		nvms = cli_list_vms(&vms);
		if (nvms < 0)
			return cli_finish();
	}
	p = calloc((size_t)(all ? nvms : argc - optind) + 1, sizeof(*p));
	if (p == NULL) {
		free(vms);
		cli_fail("out of memory");
		return cli_finish();
	}
	for (int i = 0; all && i < nvms; i++)
		if (vms[i].klass != CLASS_ADMINVM && vms[i].state != POWER_HALTED)
			p[n++].name = vms[i].name;
	for (int i = optind; !all && i < argc; i++)
		p[n++].name = argv[i];

	for (size_t i = 0; i < n; i++) {
		/* The wait budget starts when the request was made. */
		uint64_t start = now_ms();
		if (wait && !have_timeout && shutdown_timeout(p[i].name, &p[i].timeout_s) < 0)
			p[i].done = true;
		else if (lifecycle_call("admin.vm.Shutdown", p[i].name, "QubesVMNotStartedError", n > 1) < 0)
			p[i].done = true;
		if (have_timeout)
			p[i].timeout_s = timeout;
		p[i].deadline_ms = start + (uint64_t)p[i].timeout_s * 1000u;
	}
	if (wait)
		wait_halted(p, n);
	free(p);
	free(vms);
	return cli_finish();
}
