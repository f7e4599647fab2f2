#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *bh_root(void)
{
	static char root[BH_PATH_MAX / 2];
	const char *env = getenv("BULKHEAD_ROOT");
	size_t n;

	if (env == NULL || env[0] == '\0')
		return "/";
	n = strlen(env);
	if (env[0] != '/' || n >= sizeof(root))
		return NULL;
	memcpy(root, env, n + 1);
	while (n > 1 && root[n - 1] == '/')
		root[--n] = '\0';
	return root;
}

int bh_path(char *out, size_t outlen, const char *rel)
{
	const char *root = bh_root();
	int n;

	if (outlen == 0)
		return -ENAMETOOLONG;
	out[0] = '\0';
	if (root == NULL)
		return -ENAMETOOLONG;
	n = snprintf(out, outlen, "%s/%s", strcmp(root, "/") == 0 ? "" : root, rel);
	if (n < 0 || (size_t)n >= outlen) {
		out[0] = '\0';
		return -ENAMETOOLONG;
	}
	return 0;
}

int bh_root_vpathf(char *out, size_t outlen, const char *root, const char *fmt, va_list ap)
{
	char rel[BH_PATH_MAX];
	int n = vsnprintf(rel, sizeof(rel), fmt, ap);

	if (n < 0 || (size_t)n >= sizeof(rel))
		return -ENAMETOOLONG;
	n = snprintf(out, outlen, "%s/%s", strcmp(root, "/") == 0 ? "" : root, rel);
	return n < 0 || (size_t)n >= outlen ? -ENAMETOOLONG : 0;
}

int bh_root_pathf(char *out, size_t outlen, const char *root, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = bh_root_vpathf(out, outlen, root, fmt, ap);
	va_end(ap);
	return rc;
}

void bh_console_note(const char *root, const char *name, const char *fmt, ...)
{
	char p[BH_PATH_MAX], msg[256];
	va_list ap;
	int fd;

	if (bh_root_pathf(p, sizeof(p), root, BH_QUBE_LOG_DIR "/%s.log", name) < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fd = open(p, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd < 0)
		return;
	dprintf(fd, "bulkhead: %s\n", msg);
	close(fd);
}

int mkdirs_abs(const char *path, unsigned mode)
{
	char buf[BH_PATH_MAX];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int bh_mkdirs(const char *rel, unsigned mode)
{
	char path[BH_PATH_MAX];
	int rc = bh_path(path, sizeof(path), rel);

	return rc < 0 ? rc : mkdirs_abs(path, mode);
}
