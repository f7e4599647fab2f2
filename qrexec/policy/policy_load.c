/* Loading policy.d from the filesystem: directory order, file name rules,
 * includes (bounded depth, loops refused), and what reload watches.
 * All-or-nothing: the first error drops every rule (policy_fail). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/paths.h"
#include "qrexec/policy/policy_int.h"

/* Stack of what is being read: the top directory, its file, then up to
 * POLICY_INCLUDE_DEPTH nested includes. */
#define STACK_MAX (POLICY_INCLUDE_DEPTH + 2u)

struct loader {
	struct policy *p;
	const char *dir;
	size_t dirlen;
	struct {
		dev_t dev;
		ino_t ino;
	} stack[STACK_MAX];
	size_t depth;
};

/* Where an error is reported: the including file and line, or the file
 * itself (line 0) for a file of a directory. */
struct origin {
	const char *file;
	uint32_t line;
};

static const char *display(const struct loader *L, const char *path)
{
	if (strncmp(path, L->dir, L->dirlen) == 0 && path[L->dirlen] == '/')
		return path + L->dirlen + 1;
	return path;
}

static int watch_add(struct policy *p, const char *path, const struct stat *st)
{
	struct pwatch *w;

	if (p->nwatch == p->cap_watch) {
		size_t cap = p->cap_watch ? 2 * p->cap_watch : 16;
		struct pwatch *n = realloc(p->watch, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		p->watch = n;
		p->cap_watch = cap;
	}
	w = &p->watch[p->nwatch];
	memset(w, 0, sizeof(*w));
	w->path = strdup(path);
	if (!w->path)
		return -ENOMEM;
	if (st) {
		w->exists = true;
		w->dev = st->st_dev;
		w->ino = st->st_ino;
		w->size = st->st_size;
		w->mode = st->st_mode;
		w->mtim = st->st_mtim;
		w->ctim = st->st_ctim;
	}
	p->nwatch++;
	return 0;
}

static bool watch_same(const struct pwatch *w, const struct stat *st)
{
	if (!st)
		return !w->exists;
	return w->exists && w->dev == st->st_dev && w->ino == st->st_ino && w->size == st->st_size &&
	       w->mode == st->st_mode && w->mtim.tv_sec == st->st_mtim.tv_sec &&
	       w->mtim.tv_nsec == st->st_mtim.tv_nsec && w->ctim.tv_sec == st->st_ctim.tv_sec &&
	       w->ctim.tv_nsec == st->st_ctim.tv_nsec;
}

/* Pushes (dev, ino) unless it is already being read (a loop) or the
 * stack is full. */
static int push(struct loader *L, const struct stat *st, const struct origin *from, const char *path)
{
	for (size_t i = 0; i < L->depth; i++)
		if (L->stack[i].dev == st->st_dev && L->stack[i].ino == st->st_ino) {
			policy_fail(L->p, from->file, from->line, "include loop: %s", display(L, path));
			return -1;
		}
	if (L->depth == STACK_MAX) {
		policy_fail(L->p, from->file, from->line, "includes nested deeper than %u: %s",
			    POLICY_INCLUDE_DEPTH, display(L, path));
		return -1;
	}
	L->stack[L->depth].dev = st->st_dev;
	L->stack[L->depth].ino = st->st_ino;
	L->depth++;
	return 0;
}

static int include_cb(void *ctx, struct policy *p, const struct policy_line *l,
		      enum policy_syntax syntax, const struct psvc *svc, uint32_t file, uint32_t line);
static int load_file(struct loader *L, const char *path, enum policy_syntax syntax,
		     const struct psvc *svc, const struct origin *from);

static int oom(struct loader *L, const struct origin *from)
{
	policy_fail(L->p, from->file, from->line, "out of memory");
	return -1;
}

/* Reads all of fd (a regular file of at most POLICY_FILE_SIZE_MAX). */
static int read_all(int fd, size_t size, uint8_t **out, size_t *len)
{
	uint8_t *buf = malloc(size + 1);
	size_t got = 0;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n = read(fd, buf + got, size + 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = -errno;

			free(buf);
			return e;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got > size) {   /* grew while we read it */
			free(buf);
			return -EFBIG;
		}
	}
	*out = buf;
	*len = got;
	return 0;
}

static int load_file(struct loader *L, const char *path, enum policy_syntax syntax,
		     const struct psvc *svc, const struct origin *from)
{
	struct policy *p = L->p;
	struct stat st;
	uint8_t *buf = NULL;
	size_t len = 0;
	long idx;
	int fd, rc;

	/* O_NONBLOCK: a FIFO put here must not hang the loader; it is then
	 * refused as not a regular file. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) < 0) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		if (watch_add(p, path, NULL) < 0)
			return oom(L, from);
		policy_fail(p, from->file, from->line, "cannot read %s: %s", display(L, path), strerror(e));
		return -1;
	}
	if (watch_add(p, path, &st) < 0) {
		close(fd);
		return oom(L, from);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		policy_fail(p, from->file, from->line, "not a regular file: %s", display(L, path));
		return -1;
	}
	if (push(L, &st, from, path) < 0) {
		close(fd);
		return -1;
	}
	if ((uint64_t)st.st_size > POLICY_FILE_SIZE_MAX) {
		close(fd);
		policy_fail(p, display(L, path), 0, "file larger than %u bytes", POLICY_FILE_SIZE_MAX);
		return -1;
	}
	rc = read_all(fd, (size_t)st.st_size, &buf, &len);
	close(fd);
	if (rc < 0) {
		policy_fail(p, display(L, path), 0, "cannot read: %s", strerror(-rc));
		return -1;
	}
	idx = policy_add_file(p, display(L, path));
	if (idx < 0) {
		free(buf);
		if (idx == -E2BIG) {
			policy_fail(p, from->file, from->line, "more than %u policy files", POLICY_FILES_MAX);
			return -1;
		}
		return oom(L, from);
	}
	rc = policy_parse_text(p, (uint32_t)idx, buf, len, syntax, svc, include_cb, L);
	free(buf);
	L->depth--;
	return rc;
}

/* Qubes' file name rule for *.policy: [0-9a-z_.-], not starting with '.'. */
static bool name_ok(const char *n)
{
	for (const char *c = n; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' || *c == '.' ||
		      *c == '-'))
			return false;
	return n[0] != '.';
}

static bool policy_suffix(const char *n)
{
	size_t len = strlen(n);

	return len > 7 && strcmp(n + len - 7, ".policy") == 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);   /* C-locale order */
}

static int load_dir(struct loader *L, const char *path, const struct origin *from)
{
	struct policy *p = L->p;
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	struct stat st;
	DIR *d;
	int rc = -1;

	d = opendir(path);
	if (!d || fstat(dirfd(d), &st) < 0) {
		int e = errno;

		if (d)
			closedir(d);
		if (watch_add(p, path, NULL) < 0)
			return oom(L, from);
		policy_fail(p, from->file, from->line, "cannot read directory %s: %s",
			    display(L, path), strerror(e));
		return -1;
	}
	/* Stat before listing: a change during the listing shows at the next
	 * policy_changed(). */
	if (watch_add(p, path, &st) < 0) {
		closedir(d);
		return oom(L, from);
	}
	if (push(L, &st, from, path) < 0) {
		closedir(d);
		return -1;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		char *copy;

		if (de->d_name[0] == '.' || !policy_suffix(de->d_name))
			continue;
		if (!name_ok(de->d_name)) {
			/* Qubes: one bad name and nothing loads. */
			char shown[BH_PATH_MAX];

			snprintf(shown, sizeof(shown), "%s/%s", path, de->d_name);
			policy_fail(p, display(L, shown), 0, "invalid file name (allowed: [0-9a-z_.-], not starting with '.')");
			goto out;
		}
		if (n == POLICY_DIR_ENTRIES_MAX) {
			policy_fail(p, from->file, from->line, "more than %u files in %s",
				    POLICY_DIR_ENTRIES_MAX, display(L, path));
			goto out;
		}
		if (n == cap) {
			size_t ncap = cap ? 2 * cap : 32;
			char **nn = realloc(names, ncap * sizeof(*nn));

			if (!nn) {
				oom(L, from);
				goto out;
			}
			names = nn;
			cap = ncap;
		}
		copy = strdup(de->d_name);
		if (!copy) {
			oom(L, from);
			goto out;
		}
		names[n++] = copy;
	}
	if (errno) {
		policy_fail(p, from->file, from->line, "cannot list %s: %s", display(L, path), strerror(errno));
		goto out;
	}
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		char full[BH_PATH_MAX];
		struct stat fst;
		struct origin self;

		if ((size_t)snprintf(full, sizeof(full), "%s/%s", path, names[i]) >= sizeof(full)) {
			policy_fail(p, from->file, from->line, "path too long in %s", display(L, path));
			goto out;
		}
		/* Only regular files count (Qubes: is_file(), symlinks followed);
		 * watch the others too, in case they become files. */
		if (stat(full, &fst) < 0) {
			if (watch_add(p, full, NULL) < 0) {
				oom(L, from);
				goto out;
			}
			continue;
		}
		if (!S_ISREG(fst.st_mode)) {
			if (watch_add(p, full, &fst) < 0) {
				oom(L, from);
				goto out;
			}
			continue;
		}
		self.file = display(L, full);
		self.line = 0;
		if (load_file(L, full, PSYNTAX_V5, NULL, &self) < 0)
			goto out;
	}
	rc = 0;
	L->depth--;
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

/* An include path: absolute ones are under $BULKHEAD_ROOT, relative ones
 * under the policy directory (Qubes resolves both against /etc/qubes/policy.d). */
static int resolve(const struct loader *L, const char *inc, char out[BH_PATH_MAX])
{
	int n;

	if (inc[0] == '/')
		return bh_path(out, BH_PATH_MAX, inc + 1);
	n = snprintf(out, BH_PATH_MAX, "%s/%s", L->dir, inc);
	return n < 0 || n >= BH_PATH_MAX ? -ENAMETOOLONG : 0;
}

static int include_cb(void *ctx, struct policy *p, const struct policy_line *l,
		      enum policy_syntax syntax, const struct psvc *svc, uint32_t file, uint32_t line)
{
	struct loader *L = ctx;
	struct origin from = { p->files[file], line };
	char path[BH_PATH_MAX];
	struct psvc nsvc;

	if (resolve(L, l->path, path) < 0) {
		policy_fail(p, from.file, line, "include path too long");
		return -1;
	}
	switch (l->kind) {
	case PLINE_INCLUDE:
		/* Inside an !include-service file, !include keeps its service. */
		return load_file(L, path, syntax, syntax == PSYNTAX_COMPAT ? svc : NULL, &from);
	case PLINE_INCLUDE_DIR:
		return load_dir(L, path, &from);
	case PLINE_INCLUDE_SERVICE:
		nsvc.any_service = l->any_service;
		nsvc.service = l->service;
		nsvc.any_arg = l->any_arg;
		nsvc.arg = l->arg;
		return load_file(L, path, PSYNTAX_COMPAT, &nsvc, &from);
	}
	policy_fail(p, from.file, line, "invalid directive");
	return -1;
}

struct policy *policy_load_dir(const char *dir)
{
	char def[BH_PATH_MAX];
	struct loader L;
	struct origin top;
	struct policy *p;
	size_t n;

	if (!dir) {
		if (bh_path(def, sizeof(def), POLICY_DIR_REL) < 0) {
			p = policy_new("");
			if (p)
				policy_fail(p, "$BULKHEAD_ROOT", 0, "invalid or too long");
			return p;
		}
		dir = def;
	}
	p = policy_new(dir);
	if (!p)
		return NULL;
	/* The directory without trailing slashes, so display names are
	 * relative to it. */
	n = strlen(p->dir);
	while (n > 1 && p->dir[n - 1] == '/')
		p->dir[--n] = '\0';
	memset(&L, 0, sizeof(L));
	L.p = p;
	L.dir = p->dir;
	L.dirlen = n;
	top.file = p->dir;
	top.line = 0;
	if (n >= BH_PATH_MAX / 2)
		policy_fail(p, NULL, 0, "policy directory path too long");
	else if (load_dir(&L, p->dir, &top) == 0)
		(void)policy_finish(p);
	return p;
}

bool policy_changed(const struct policy *p)
{
	if (!p)
		return true;
	for (size_t i = 0; i < p->nwatch; i++) {
		struct stat st;
		bool ok = stat(p->watch[i].path, &st) == 0;

		if (!watch_same(&p->watch[i], ok ? &st : NULL))
			return true;
	}
	return false;
}

int policy_reload(struct policy **pp)
{
	struct policy *n;

	if (*pp && !policy_changed(*pp))
		return 0;
	n = policy_load_dir(*pp && (*pp)->dir[0] ? (*pp)->dir : NULL);
	policy_free(*pp);
	*pp = n;
	return n ? 1 : -ENOMEM;
}
