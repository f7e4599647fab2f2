/* Volumes of the Xen backend: sparse raw image files in
 * $ROOT/var/lib/bulkhead/qubes/NAME/ (SPEC/xen.md "Storage").  The
 * images are unformatted (the qube makes its file systems on first use)
 * unless a seed in the configuration directory gives their content.
 * Only this backend's files are touched, so a qube directory the local
 * backend also uses keeps that backend's volumes. */
#include "core/xen/xen.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/log.h"

#define COPY_CHUNK (1u << 20)    /* copy_file_range per call */

int xv_make_sparse(const char *path, uint64_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size) < 0 || fsync(fd) < 0) {
		int e = errno;

		close(fd);
		unlink(path);
		return -e;
	}
	close(fd);
	return 0;
}

/* Copies [off, end) of in to the same offsets of out. */
static int copy_range(int in, int out, off_t off, off_t end)
{
	while (off < end) {
		off_t o_in = off, o_out = off;
		size_t len = (size_t)(end - off) > COPY_CHUNK ? COPY_CHUNK : (size_t)(end - off);
		ssize_t n = copy_file_range(in, &o_in, out, &o_out, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;      /* the source shrank under us */
		off += n;
	}
	return 0;
}

int xv_copy_sparse(const char *src, const char *dst)
{
	struct stat st;
	off_t data, hole = 0;
	int in, out, rc = 0;

	if ((in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -errno;
	if (fstat(in, &st) < 0)
		rc = -errno;
	else if (!S_ISREG(st.st_mode))
		rc = -EINVAL;
	if (rc < 0) {
		close(in);
		return rc;
	}
	if ((out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
		rc = -errno;
		close(in);
		return rc;
	}
	if (ftruncate(out, st.st_size) < 0)
		rc = -errno;
	/* Data extents only: the holes stay holes in the copy. */
	while (rc == 0 && hole < st.st_size) {
		data = lseek(in, hole, SEEK_DATA);
		if (data < 0) {
			rc = errno == ENXIO ? 0 : -errno;     /* ENXIO: only a hole is left */
			break;
		}
		hole = lseek(in, data, SEEK_HOLE);
		if (hole < 0) {
			rc = -errno;
			break;
		}
		rc = copy_range(in, out, data, hole);
	}
	if (rc == 0 && fsync(out) < 0)
		rc = -errno;
	close(in);
	close(out);
	if (rc < 0)
		unlink(dst);
	return rc;
}

static int qube_file(char *out, size_t len, const char *root, const char *name, const char *file)
{
	return bh_root_pathf(out, len, root, BH_QUBES_DIR "/%s/%s", name, file);
}

/* Makes the image unless it exists already. */
static int ensure(const char *root, const char *name, const char *file, uint64_t size,
	const char *seed)
{
	char p[BH_PATH_MAX];
	struct stat st;
	int rc;

	if ((rc = qube_file(p, sizeof(p), root, name, file)) < 0)
		return rc;
	if (lstat(p, &st) == 0)
		return S_ISREG(st.st_mode) ? 0 : -EEXIST;
	if (errno != ENOENT)
		return -errno;
	if (seed != NULL && access(seed, R_OK) == 0)
		return xv_copy_sparse(seed, p);
	return xv_make_sparse(p, size);
}

static int qube_dir(const char *root, const char *name, bool make)
{
	char p[BH_PATH_MAX];
	int rc;

	if ((rc = bh_root_pathf(p, sizeof(p), root, BH_QUBES_DIR)) < 0 || (rc = mkdirs_abs(p, 0700)) < 0)
		return rc;
	if ((rc = bh_root_pathf(p, sizeof(p), root, BH_QUBES_DIR "/%s", name)) < 0)
		return rc;
	if (make && mkdir(p, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int create_images(const char *root, const struct vmm_qube *q)
{
	char seed[BH_PATH_MAX];
	int rc;

	if (xen_owns_root(q->klass)) {
		if ((rc = bh_root_pathf(seed, sizeof(seed), root, XEN_CONF_ROOT_SEED)) < 0 ||
		    (rc = ensure(root, q->name, XV_ROOT, XV_ROOT_SIZE, seed)) < 0)
			return rc;
	}
	/* A DispVM's private image is made at each start.  A seed (an
	 * empty file system, made once) spares every qube's first boot
	 * making its own: under QEMU that took 15-20 s of a start. */
	if (q->klass != CLASS_DISPVM) {
		if ((rc = bh_root_pathf(seed, sizeof(seed), root, XEN_CONF_PRIVATE_SEED)) < 0)
			return rc;
		return ensure(root, q->name, XV_PRIVATE, XV_PRIVATE_SIZE, seed);
	}
	return 0;
}

int xv_create(const char *root, const struct vmm_qube *q)
{
	int rc;

	if ((rc = xen_check_qube(q)) < 0 || (rc = qube_dir(root, q->name, true)) < 0)
		return rc;
	return create_images(root, q);
}

static void remove_file(const char *root, const char *name, const char *file)
{
	char p[BH_PATH_MAX];

	if (qube_file(p, sizeof(p), root, name, file) == 0 && unlink(p) < 0 && errno != ENOENT)
		log_warn("%s: removing %s", name, file);
}

int xv_remove(const char *root, const struct vmm_qube *q)
{
	static const char *const files[] = { XV_ROOT, XV_PRIVATE, XV_DISP_PRIVATE, XV_VOLATILE };
	char p[BH_PATH_MAX];
	int rc;

	if ((rc = xen_check_qube(q)) < 0 || (rc = qube_file(p, sizeof(p), root, q->name, "")) < 0)
		return rc;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char f[BH_PATH_MAX];

		if ((rc = qube_file(f, sizeof(f), root, q->name, files[i])) < 0)
			return rc;
		if (unlink(f) < 0 && errno != ENOENT)
			return -errno;
	}
	/* The directory goes when nothing else (another backend's volumes)
	 * is left in it. */
	if (rmdir(p) < 0 && errno != ENOENT && errno != ENOTEMPTY && errno != EEXIST)
		return -errno;
	return 0;
}

int xv_clone(const char *root, const struct vmm_qube *src, const struct vmm_qube *dst)
{
	char s[BH_PATH_MAX], d[BH_PATH_MAX];
	int rc;

	if ((rc = xen_check_qube(src)) < 0 || (rc = xen_check_qube(dst)) < 0)
		return rc;
	if (strcmp(src->name, dst->name) == 0 || src->qid == dst->qid)
		return -EINVAL;
	if ((rc = qube_dir(root, dst->name, true)) < 0)
		return rc;
	/* dst must be fresh: no image of ours in it yet. */
	if ((rc = qube_file(d, sizeof(d), root, dst->name, XV_PRIVATE)) < 0)
		return rc;
	if (access(d, F_OK) == 0)
		return -EEXIST;
	if ((rc = qube_file(d, sizeof(d), root, dst->name, XV_ROOT)) < 0)
		return rc;
	if (access(d, F_OK) == 0)
		return -EEXIST;
	if (dst->klass != CLASS_DISPVM && src->klass != CLASS_DISPVM) {
		if ((rc = qube_file(s, sizeof(s), root, src->name, XV_PRIVATE)) < 0 ||
		    (rc = qube_file(d, sizeof(d), root, dst->name, XV_PRIVATE)) < 0)
			return rc;
		if ((rc = xv_copy_sparse(s, d)) < 0 && rc != -ENOENT)
			goto undo;
	}
	if (xen_owns_root(dst->klass) && xen_owns_root(src->klass)) {
		if ((rc = qube_file(s, sizeof(s), root, src->name, XV_ROOT)) < 0 ||
		    (rc = qube_file(d, sizeof(d), root, dst->name, XV_ROOT)) < 0)
			goto undo;
		if ((rc = xv_copy_sparse(s, d)) < 0 && rc != -ENOENT)
			goto undo;
	}
	/* Whatever dst's class needs and src lacked. */
	if ((rc = create_images(root, dst)) == 0)
		return 0;
undo:
	if (xv_remove(root, dst) < 0)
		log_warnx("%s: half-cloned volumes not removed", dst->name);
	return rc;
}

int xv_start(const char *root, const struct vmm_qube *q, const struct vmm_qube *disp_src)
{
	char s[BH_PATH_MAX], d[BH_PATH_MAX];
	int rc;

	if ((rc = qube_dir(root, q->name, true)) < 0)
		return rc;
	xv_stop(root, q->name);      /* left by a crash: never reused */
	if ((rc = qube_file(d, sizeof(d), root, q->name, XV_VOLATILE)) < 0 ||
	    (rc = xv_make_sparse(d, XV_VOLATILE_SIZE)) < 0)
		return rc;
	if (q->klass != CLASS_DISPVM)
		return 0;
	if (disp_src == NULL)
		rc = -EINVAL;
	else if ((rc = qube_file(s, sizeof(s), root, disp_src->name, XV_PRIVATE)) == 0 &&
		 (rc = qube_file(d, sizeof(d), root, q->name, XV_DISP_PRIVATE)) == 0)
		rc = xv_copy_sparse(s, d);
	if (rc < 0)
		xv_stop(root, q->name);
	return rc;
}

void xv_stop(const char *root, const char *name)
{
	remove_file(root, name, XV_VOLATILE);
	remove_file(root, name, XV_DISP_PRIVATE);
}
