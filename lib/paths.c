#include "paths.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
