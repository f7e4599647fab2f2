/* Component digests (measure_hash.h). */
#include "measured-boot/measure_hash.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

#include "paths.h"

#define READ_CHUNK 65536u

/* Hashes everything readable from fd into st.  The bytes are whatever
 * is on the boot medium: only hashed, never interpreted. */
static int hash_fd(int fd, crypto_hash_sha256_state *st)
{
	static uint8_t untrusted_chunk[READ_CHUNK];
	ssize_t n;

	for (;;) {
		n = read(fd, untrusted_chunk, sizeof untrusted_chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		crypto_hash_sha256_update(st, untrusted_chunk, (size_t)n);
	}
}

/* Opens a regular file without following a symlink; -1 with err set. */
static int open_regular(int dirfd, const char *name, const char *shown, char *err, size_t errlen)
{
	struct stat st;
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", shown, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", shown);
		close(fd);
		return -1;
	}
	return fd;
}

int mb_hash_file(const char *path, uint8_t out[32], char *err, size_t errlen)
{
	crypto_hash_sha256_state st;
	int fd = open_regular(AT_FDCWD, path, path, err, errlen), r;

	if (fd < 0)
		return -1;
	crypto_hash_sha256_init(&st);
	r = hash_fd(fd, &st);
	close(fd);
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		return -1;
	}
	crypto_hash_sha256_final(&st, out);
	return 0;
}

int mb_hash_cmdline(const char *path, uint8_t out[32], char *err, size_t errlen)
{
	char untrusted_cmdline[MB_CMDLINE_MAX + 2];
	size_t got = 0;
	ssize_t n = 0;
	int fd = open_regular(AT_FDCWD, path, path, err, errlen);

	if (fd < 0)
		return -1;
	/* /proc files report size 0: read until EOF, at most the maximum + 1. */
	while (got < sizeof untrusted_cmdline) {
		n = read(fd, untrusted_cmdline + got, sizeof untrusted_cmdline - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	if (got > 0 && untrusted_cmdline[got - 1] == '\n')
		got--;
	if (got > MB_CMDLINE_MAX) {
		snprintf(err, errlen, "%s: command line longer than %u bytes", path, MB_CMDLINE_MAX);
		return -1;
	}
	crypto_hash_sha256(out, (const uint8_t *)untrusted_cmdline, got);
	return 0;
}

struct tree {
	crypto_hash_sha256_state st;
	unsigned entries;
	const char *root;
	char *err;
	size_t errlen;
};

static void put_u32(uint8_t p[4], uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void feed_entry(struct tree *t, char type, const char *rel, uint32_t mode)
{
	uint8_t n[4];

	crypto_hash_sha256_update(&t->st, (const uint8_t *)&type, 1);
	put_u32(n, (uint32_t)strlen(rel));
	crypto_hash_sha256_update(&t->st, n, 4);
	crypto_hash_sha256_update(&t->st, (const uint8_t *)rel, strlen(rel));
	put_u32(n, mode & 07777u);
	crypto_hash_sha256_update(&t->st, n, 4);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names of dirfd's entries (without . and ..); *n of them. */
static char **list_dir(struct tree *t, int dirfd, const char *rel, size_t *n)
{
	char **names = NULL;
	struct dirent *e;
	DIR *d;
	int fd = dup(dirfd);

	*n = 0;
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		snprintf(t->err, t->errlen, "%s/%s: %s", t->root, rel, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	names = calloc(MB_DIR_ENTRIES_MAX, sizeof *names);
	if (names == NULL) {
		snprintf(t->err, t->errlen, "%s/%s: out of memory", t->root, rel);
		closedir(d);
		return NULL;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (*n == MB_DIR_ENTRIES_MAX || (names[*n] = strdup(e->d_name)) == NULL) {
			snprintf(t->err, t->errlen, "%s/%s: more than %u entries", t->root, rel, MB_DIR_ENTRIES_MAX);
			break;
		}
		(*n)++;
	}
	closedir(d);
	if (e != NULL) {
		while (*n > 0)
			free(names[--*n]);
		free(names);
		return NULL;
	}
	qsort(names, *n, sizeof *names, cmp_names);
	return names;
}

static int walk(struct tree *t, int dirfd, const char *rel, unsigned depth);

/* One entry of a directory: feeds it and, for a directory, its tree. */
static int walk_entry(struct tree *t, int dirfd, const char *name, const char *rel, unsigned depth)
{
	uint8_t digest[32];
	crypto_hash_sha256_state fst;
	struct stat st;
	int fd, r;

	if (++t->entries > MB_TREE_ENTRIES_MAX) {
		snprintf(t->err, t->errlen, "%s: more than %u entries", t->root, MB_TREE_ENTRIES_MAX);
		return -1;
	}
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		snprintf(t->err, t->errlen, "%s/%s: %s", t->root, rel, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		if (depth >= MB_TREE_DEPTH_MAX) {
			snprintf(t->err, t->errlen, "%s/%s: deeper than %u levels", t->root, rel, MB_TREE_DEPTH_MAX);
			return -1;
		}
		feed_entry(t, 'D', rel, (uint32_t)st.st_mode);
		fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0) {
			snprintf(t->err, t->errlen, "%s/%s: %s", t->root, rel, strerror(errno));
			return -1;
		}
		r = walk(t, fd, rel, depth + 1);
		close(fd);
		return r;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(t->err, t->errlen, "%s/%s: neither a file nor a directory, not measured", t->root, rel);
		return -1;
	}
	fd = open_regular(dirfd, name, rel, t->err, t->errlen);
	if (fd < 0)
		return -1;
	crypto_hash_sha256_init(&fst);
	r = hash_fd(fd, &fst);
	close(fd);
	if (r < 0) {
		snprintf(t->err, t->errlen, "%s/%s: %s", t->root, rel, strerror(-r));
		return -1;
	}
	crypto_hash_sha256_final(&fst, digest);
	feed_entry(t, 'F', rel, (uint32_t)st.st_mode);
	crypto_hash_sha256_update(&t->st, digest, sizeof digest);
	return 0;
}

static int walk(struct tree *t, int dirfd, const char *rel, unsigned depth)
{
	char sub[BH_PATH_MAX];
	size_t n, i;
	char **names = list_dir(t, dirfd, rel, &n);
	int r = 0;

	if (names == NULL)
		return -1;
	for (i = 0; i < n && r == 0; i++) {
		if ((size_t)snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", names[i]) >= sizeof sub) {
			snprintf(t->err, t->errlen, "%s: path too long", t->root);
			r = -1;
			break;
		}
		r = walk_entry(t, dirfd, names[i], sub, depth);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

int mb_hash_tree(const char *path, uint8_t out[32], char *err, size_t errlen)
{
	struct tree t = { .root = path, .err = err, .errlen = errlen };
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW), r;

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, errno == ENOTDIR ? "not a directory" : strerror(errno));
		return -1;
	}
	crypto_hash_sha256_init(&t.st);
	r = walk(&t, fd, "", 0);
	close(fd);
	if (r < 0)
		return -1;
	crypto_hash_sha256_final(&t.st, out);
	return 0;
}
