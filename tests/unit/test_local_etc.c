/* Local backend: the generated /etc files and the cgroup parent's hash
 * (core/local/local_etc.c, local_fnv1a64). */
#include <errno.h>
#include <string.h>

#include "core/local/local.h"
#include "tests/lib/check.h"

int main(void)
{
	char buf[1024];
	int n;

	/* FNV-1a 64 test vectors (Fowler, Noll, Vo). */
	CHECK(local_fnv1a64("", 0) == 0xcbf29ce484222325ull);
	CHECK(local_fnv1a64("a", 1) == 0xaf63dc4c8601ec8cull);
	CHECK(local_fnv1a64("foobar", 6) == 0x85944171f73967e8ull);

	n = letc_render(LETC_PASSWD, "work", "alice", "/bin/bash", buf, sizeof(buf));
	CHECK(n > 0 && (size_t)n == strlen(buf));
	CHECK_STR(buf, "root:x:0:0:root:/root:/bin/bash\n"
		"alice:x:1000:1000:alice:/home/alice:/bin/bash\n"
		"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
	n = letc_render(LETC_GROUP, "work", "user", "/bin/sh", buf, sizeof(buf));
	CHECK(n > 0);
	CHECK(strstr(buf, "root:x:0:\n") == buf);
	CHECK(strstr(buf, "\nuser:x:1000:\n") != NULL);
	CHECK(strstr(buf, "\ntty:x:5:\n") != NULL);
	n = letc_render(LETC_HOSTNAME, "work", "user", "/bin/sh", buf, sizeof(buf));
	CHECK_STR(buf, "work\n");
	CHECK(n == 5);
	n = letc_render(LETC_HOSTS, "sys-net", "user", "/bin/sh", buf, sizeof(buf));
	CHECK(n > 0 && strstr(buf, "127.0.0.1\tlocalhost\n") == buf);
	CHECK(strstr(buf, "\t sys-net") == NULL && strstr(buf, "127.0.1.1\tsys-net\n") != NULL);
	CHECK(letc_render(LETC_NSSWITCH, "w", "user", "/bin/sh", buf, sizeof(buf)) > 0);
	CHECK(strstr(buf, "passwd: files\n") != NULL);
	CHECK(letc_render(LETC_RESOLV, "w", "user", "/bin/sh", buf, sizeof(buf)) > 0);
	CHECK(strstr(buf, "nameserver 127.0.0.1\n") != NULL);

	/* Too small a buffer is an error, never a truncated file. */
	CHECK(letc_render(LETC_PASSWD, "work", "user", "/bin/sh", buf, 20) == -ENOSPC);
	CHECK(letc_render(LETC_HOSTNAME, "work", "user", "/bin/sh", buf, 5) == -ENOSPC);
	CHECK(letc_render(LETC_COUNT, "work", "user", "/bin/sh", buf, sizeof(buf)) == -ENOSPC);
	for (int f = 0; f < LETC_COUNT; f++)
		CHECK(letc_name((enum letc_file)f) != NULL && strchr(letc_name((enum letc_file)f), '/') == NULL);
	CHECK(letc_name(LETC_COUNT) == NULL);
	return check_exit();
}
