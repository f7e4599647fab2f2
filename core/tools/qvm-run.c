/* qvm-run: run a command line in a qube, through qrexec.
 *
 * Starts the qube if it is halted (unless --no-autostart), then hands the
 * call to qrexec-client (installed next to this tool).  With --pass-io
 * our stdin, stdout and stderr are the command's and its exit code is
 * ours; without, the command is started and left running, as in Qubes. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/tools/cli.h"
#include "lib/strbuf.h"
#include "qrexec/protocol.h"

static const struct cli_tool tool = {
	.name = "qvm-run",
	.synopsis = "[-h] [-p|--pass-io] [-u USER] [--no-autostart] NAME COMMAND [ARG...]",
	.help = "Run COMMAND (and its ARGs, joined by spaces) in the qube NAME, by the\n"
		"user's shell inside the qube, through qrexec.\n\n"
		"options:\n"
		"  -p, --pass-io    pass stdin, stdout and stderr; exit with the command's code\n"
		"  -u, --user USER  run as USER (default: the qube's default_user)\n"
		"  --no-autostart   fail instead of starting a halted qube\n"
		"  -h, --help       show this help and exit\n\n"
		"exit status: the command's with --pass-io; 0 once started without;\n"
		"1 when the qube cannot be used; 125 qrexec failure; 2 usage error\n",
};

static int current_state(const char *name, enum power_state *st)
{
	struct admin_reply r;
	int rc = cli_call("admin.vm.CurrentState", name, "", NULL, &r);

	if (rc == 0 && cli_parse_state(r.content.buf, r.content.len, st) < 0)
		rc = cli_bad_reply("admin.vm.CurrentState");
	admin_reply_free(&r);
	return rc;
}

static int default_user(const char *name, char *out, size_t outlen)
{
	struct admin_reply r;
	struct cli_prop_value v;
	int rc = cli_call("admin.vm.property.Get", name, "default_user", NULL, &r);

	if (rc == 0 && (cli_parse_prop(r.content.buf, r.content.len, &v) < 0 || strlen(v.value) >= outlen))
		rc = cli_bad_reply("admin.vm.property.Get");
	if (rc == 0)
		memcpy(out, v.value, strlen(v.value) + 1);
	admin_reply_free(&r);
	return rc;
}

/* qrexec-client beside us: build/bin or PREFIX/bin. */
static int client_path(char *out, size_t outlen)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n <= 0)
		return -1;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (slash == NULL)
		return -1;
	*slash = '\0';
	return snprintf(out, outlen, "%s/qrexec-client", self) < (int)outlen ? 0 : -1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_OPT_HELP,
		{ "pass-io", no_argument, NULL, 'p' },
		{ "user", required_argument, NULL, 'u' },
		{ "no-autostart", no_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	char user[USER_NAME_MAX + 1] = "", client[PATH_MAX], *cmdline;
	struct strbuf sb;
	bool pass_io = false, autostart = true;
	enum power_state st;
	const char *name;
	size_t len = 0;
	int c;

	cli_init(&tool);
	while ((c = cli_getopt(argc, argv, "+hpu:", opts)) != -1) {
		switch (c) {
		case 'p':
			pass_io = true;
			break;
		case 'u':
			if (strlen(optarg) > USER_NAME_MAX)
				cli_usage("user name too long");
			snprintf(user, sizeof(user), "%s", optarg);
			break;
		case 'N':
			autostart = false;
			break;
		}
	}
	if (argc - optind < 2)
		cli_usage("expected NAME and COMMAND");
	name = argv[optind];
	if (!cli_check_qube(name) || (user[0] && !cli_check_token(NAME_USER, "user", user)))
		return cli_finish();
	/* "user:COMMAND ARG..." with its NUL, within qrexec's limit. */
	for (int i = optind + 1; i < argc; i++)
		len += strlen(argv[i]) + 1;
	if (USER_NAME_MAX + 1 + len > MAX_QREXEC_CMD_LEN)
		cli_usage("command line too long");
	if (current_state(name, &st) < 0)
		return cli_finish();
	if (st != POWER_RUNNING) {
		struct admin_reply r;
		if (!autostart || st != POWER_HALTED) {
			cli_fail("%s is not running (%s)", name, power_state_name(st));
			return cli_finish();
		}
		if (cli_call("admin.vm.Start", name, "", NULL, &r) < 0) {
			admin_reply_free(&r);
			return cli_finish();
		}
		admin_reply_free(&r);
	}
	if (!user[0] && default_user(name, user, sizeof(user)) < 0)
		return cli_finish();
	sb_init(&sb, MAX_QREXEC_CMD_LEN - 1);
	sb_addf(&sb, "%s:", user);
	for (int i = optind + 1; i < argc; i++)
		sb_addf(&sb, i + 1 < argc ? "%s " : "%s", argv[i]);
	if (sb.err || client_path(client, sizeof(client)) < 0) {
		cli_fail("command line too long, or no qrexec-client beside qvm-run");
		return cli_finish();
	}
	cmdline = sb.buf;
	if (pass_io)
		execl(client, "qrexec-client", "-d", name, cmdline, (char *)NULL);
	else
		execl(client, "qrexec-client", "-d", name, "-e", cmdline, (char *)NULL);
	cli_fail("cannot run %s: %s", client, strerror(errno));
	return cli_finish();
}
