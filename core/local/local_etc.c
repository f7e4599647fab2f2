/* The generated /etc of the host-base root: only what a qube needs to
 * name its users and itself.  Never a byte of the host's /etc. */
#include "core/local/local.h"

#include <errno.h>
#include <stdio.h>

static const char *const names[LETC_COUNT] = {
	"passwd", "group", "hostname", "hosts", "nsswitch.conf", "resolv.conf",
};

const char *letc_name(enum letc_file f)
{
	return (unsigned)f < LETC_COUNT ? names[f] : NULL;
}

/* qname and user were validated (names_check) by the caller: no ':' or
 * newline can reach these files. */
int letc_render(enum letc_file f, const char *qname, const char *user, const char *shell,
	char *buf, size_t cap)
{
	int n = -1;

	switch (f) {
	case LETC_PASSWD:
		n = snprintf(buf, cap,
			"root:x:0:0:root:/root:%s\n"
			"%s:x:%u:%u:%s:/home/%s:%s\n"
			"nobody:x:%u:%u:nobody:/nonexistent:/usr/sbin/nologin\n",
			shell, user, LOCAL_USER_UID, LOCAL_USER_UID, user, user, shell,
			LOCAL_NOBODY, LOCAL_NOBODY);
		break;
	case LETC_GROUP:
		n = snprintf(buf, cap,
			"root:x:0:\n"
			"tty:x:%u:\n"
			"users:x:100:%s\n"
			"%s:x:%u:\n"
			"nogroup:x:%u:\n",
			LOCAL_TTY_GID, user, user, LOCAL_USER_UID, LOCAL_NOBODY);
		break;
	case LETC_HOSTNAME:
		n = snprintf(buf, cap, "%s\n", qname);
		break;
	case LETC_HOSTS:
		n = snprintf(buf, cap,
			"127.0.0.1\tlocalhost\n"
			"127.0.1.1\t%s\n"
			"::1\tlocalhost ip6-localhost ip6-loopback\n", qname);
		break;
	case LETC_NSSWITCH:
		n = snprintf(buf, cap,
			"passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n"
			"networks: files\nprotocols: files\nservices: files\n");
		break;
	case LETC_RESOLV:
		/* No network yet (SPEC/local-backend.md): resolves nothing. */
		n = snprintf(buf, cap, "# Bulkhead: this qube has no network yet.\nnameserver 127.0.0.1\n");
		break;
	case LETC_COUNT:
		break;
	}
	if (n < 0 || (size_t)n >= cap)
		return -ENOSPC;
	return n;
}
