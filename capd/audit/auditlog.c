/* The audit log's single writer (SPEC/audit-log.md).  Write order, which
 * keeps the log verifiable after a crash at any point:
 *   1. append the record to audit.log (one write, O_APPEND), fdatasync;
 *   2. write the signed head for it into slot seq%2 of audit.head
 *      (pwrite), fdatasync.
 * A crash between 1 and 2 leaves one record past the head (it is signed
 * itself, so nothing unauthenticated is accepted); a crash during 1 leaves
 * part of a line after the head's record; a crash during 2 tears only the
 * slot being written, and the other holds the previous head.  The verifier
 * accepts exactly these states and auditlog_open completes them. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capd/audit/auditlog_int.h"
#include "lib/atomicfile.h"
#include "lib/paths.h"

struct auditlog {
	int dirfd, lockfd, logfd, headfd;
	uint64_t seq;                      /* last record's */
	uint8_t last_hash[AUDIT_HASH_LEN];
	uint64_t log_size;                 /* bytes of audit.log, all complete records */
	bool broken;                       /* a write or sync failed: refuse for good */
	uint8_t *sk;                       /* sodium_malloc'ed AUDIT_SK_LEN bytes */
	uint8_t pk[AUDIT_PUBKEY_LEN];
	char dir[BH_PATH_MAX];
};

static bool exists_at(int dirfd, const char *name)
{
	struct stat st;

	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static int path_in(char *out, size_t cap, const char *dir, const char *name)
{
	int n = snprintf(out, cap, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

/* atomic_write_file of dir/name; a stale name.tmp (maybe 0400 from an
 * earlier crash, which O_TRUNC could not open) is removed first. */
static int write_new(struct auditlog *l, const char *name, const void *data, size_t len,
	unsigned mode)
{
	char path[BH_PATH_MAX], tmp[BH_PATH_MAX];
	int rc = path_in(path, sizeof(path), l->dir, name);

	if (rc < 0)
		return rc;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", name) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	if (unlinkat(l->dirfd, tmp, 0) < 0 && errno != ENOENT)
		return -errno;
	return atomic_write_file(path, data, len, mode);
}

static int write_all_fd(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int pwrite_all(int fd, const void *buf, size_t len, off_t off)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		off += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The secret key: created on first use, else loaded; it must be the
 * caller's and readable by no one else. */
static int load_key(struct auditlog *l, bool create)
{
	uint8_t seed[AUDIT_SEED_LEN], untrusted_text[AUDIT_SEED_FILE_LEN + 1];
	struct stat st;
	long n;
	int fd, rc;

	if (create) {
		uint8_t text[AUDIT_SEED_FILE_LEN];

		randombytes_buf(seed, sizeof(seed));
		audit_format_seed(text, seed);
		rc = write_new(l, AUDIT_KEY_FILE, text, sizeof(text), 0400);
		sodium_memzero(text, sizeof(text));
		sodium_memzero(seed, sizeof(seed));
		if (rc < 0)
			return rc;
	}
	fd = openat(l->dirfd, AUDIT_KEY_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	close(fd);
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 0077) != 0)
		return -EPERM;
	n = audit_read_small(l->dirfd, AUDIT_KEY_FILE, untrusted_text, sizeof(untrusted_text), false);
	if (n < 0)
		return (int)n;
	rc = audit_parse_keyfile(untrusted_text, (size_t)n, AUDIT_SEED_PREFIX, AUDIT_SEED_PREFIX_LEN, seed);
	sodium_memzero(untrusted_text, sizeof(untrusted_text));
	if (rc != AUDIT_OK)
		return -EKEYREJECTED;
	crypto_sign_seed_keypair(l->pk, l->sk, seed);
	sodium_memzero(seed, sizeof(seed));
	return 0;
}

/* audit.pub: written when missing, else it must be this key's. */
static int check_pub(struct auditlog *l)
{
	uint8_t untrusted_text[AUDIT_PUBKEY_FILE_LEN + 1], text[AUDIT_PUBKEY_FILE_LEN], pk[AUDIT_PUBKEY_LEN];
	long n = audit_read_small(l->dirfd, AUDIT_PUB_FILE, untrusted_text, sizeof(untrusted_text), false);

	if (n == -ENOENT) {
		audit_format_pubkey(text, l->pk);
		return write_new(l, AUDIT_PUB_FILE, text, AUDIT_PUBKEY_FILE_LEN, 0444);
	}
	if (n < 0)
		return (int)n;
	if (audit_parse_keyfile(untrusted_text, (size_t)n, AUDIT_PUBKEY_PREFIX, AUDIT_PUBKEY_PREFIX_LEN, pk) !=
		    AUDIT_OK ||
	    sodium_memcmp(pk, l->pk, AUDIT_PUBKEY_LEN) != 0)
		return -EKEYREJECTED;
	return 0;
}

/* The empty log's head: seq 0 with a zero hash, in both slots. */
static void genesis_head(const struct auditlog *l, uint8_t head[AUDIT_HEAD_FILE_LEN])
{
	static const uint8_t zero[AUDIT_HASH_LEN];

	audit_format_head(head, 0, zero, l->sk);
	memcpy(head + AUDIT_HEAD_SLOT_LEN, head, AUDIT_HEAD_SLOT_LEN);
}

static bool head_is_genesis(const struct auditlog *l)
{
	uint8_t want[AUDIT_HEAD_FILE_LEN], untrusted_head[AUDIT_HEAD_FILE_LEN + 1];
	long n = audit_read_small(l->dirfd, AUDIT_HEAD_FILE, untrusted_head, sizeof(untrusted_head), false);

	genesis_head(l, want);   /* Ed25519 is deterministic: same key, same bytes */
	return n == (long)AUDIT_HEAD_FILE_LEN && memcmp(want, untrusted_head, AUDIT_HEAD_FILE_LEN) == 0;
}

/* First use, or a crash during it: key, public key, head, then the empty
 * log.  A head or log without its key is never re-keyed. */
static int create_missing(struct auditlog *l)
{
	bool have_key = exists_at(l->dirfd, AUDIT_KEY_FILE);
	bool have_head = exists_at(l->dirfd, AUDIT_HEAD_FILE);
	bool have_log = exists_at(l->dirfd, AUDIT_LOG_FILE);
	int rc, fd;

	if (!have_key && (have_head || have_log))
		return -ENOKEY;
	rc = load_key(l, !have_key);
	if (rc < 0)
		return rc;
	rc = check_pub(l);
	if (rc < 0)
		return rc;
	if (!have_head) {
		uint8_t head[AUDIT_HEAD_FILE_LEN];

		if (have_log)
			return -EBADMSG;   /* records without their head */
		genesis_head(l, head);
		rc = write_new(l, AUDIT_HEAD_FILE, head, sizeof(head), 0600);
		if (rc < 0)
			return rc;
	}
	if (!have_log) {
		if (have_head && !head_is_genesis(l))
			return -EBADMSG;   /* a head naming records, and no log */
		fd = openat(l->dirfd, AUDIT_LOG_FILE, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
			0600);
		if (fd < 0)
			return -errno;
		rc = fsync(fd) < 0 ? -errno : 0;
		close(fd);
		if (rc == 0 && fsync(l->dirfd) < 0)
			rc = -errno;
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int write_head(struct auditlog *l, uint64_t seq, const uint8_t hash[AUDIT_HASH_LEN])
{
	uint8_t slot[AUDIT_HEAD_SLOT_LEN];
	int rc;

	audit_format_head(slot, seq, hash, l->sk);
	rc = pwrite_all(l->headfd, slot, sizeof(slot), (off_t)((seq % 2) * AUDIT_HEAD_SLOT_LEN));
	if (rc == 0 && fdatasync(l->headfd) < 0)
		rc = -errno;
	return rc;
}

int auditlog_open(const char *dir, struct auditlog **out)
{
	struct auditlog *l;
	struct audit_walk_opts o = { .all_sigs = false };
	struct audit_verify_report r;
	struct stat st;
	int rc;

	if (sodium_init() < 0)
		return -EIO;
	if (strlen(dir) >= sizeof(l->dir))
		return -ENAMETOOLONG;
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return -ENOMEM;
	l->dirfd = l->lockfd = l->logfd = l->headfd = -1;
	snprintf(l->dir, sizeof(l->dir), "%s", dir);
	l->sk = sodium_malloc(AUDIT_SK_LEN);
	if (l->sk == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	rc = mkdirs_abs(dir, 0700);
	if (rc < 0)
		goto fail;
	l->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (l->dirfd < 0) {
		rc = -errno;
		goto fail;
	}
	/* Whoever may create or rename files in it could swap the head or
	 * the key under the writer. */
	if (fstat(l->dirfd, &st) < 0) {
		rc = -errno;
		goto fail;
	}
	if ((st.st_mode & 0022) != 0 || (st.st_uid != geteuid() && st.st_uid != 0)) {
		rc = -EPERM;
		goto fail;
	}
	l->lockfd = openat(l->dirfd, AUDIT_LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (l->lockfd < 0) {
		rc = -errno;
		goto fail;
	}
	if (flock(l->lockfd, LOCK_EX | LOCK_NB) < 0) {
		rc = errno == EWOULDBLOCK ? -EBUSY : -errno;
		goto fail;
	}
	rc = create_missing(l);
	if (rc < 0)
		goto fail;
	rc = audit_walk_dirfd(l->dirfd, l->pk, &o, &r, l->last_hash);
	if (rc < 0)
		goto fail;
	l->logfd = openat(l->dirfd, AUDIT_LOG_FILE, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
	l->headfd = openat(l->dirfd, AUDIT_HEAD_FILE, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (l->logfd < 0 || l->headfd < 0) {
		rc = -errno;
		goto fail;
	}
	l->seq = r.last_seq;
	l->log_size = r.tail_offset;
	/* Complete what a crash left (the verifier accepted only these). */
	if (r.torn_tail) {
		char dropped[32];
		struct audit_field f[] = {
			{ "reason", "torn-tail" },
			{ "dropped_bytes", dropped },
		};

		if (ftruncate(l->logfd, (off_t)r.tail_offset) < 0 || fdatasync(l->logfd) < 0) {
			rc = -errno;
			goto fail;
		}
		snprintf(dropped, sizeof(dropped), "%llu", (unsigned long long)r.torn_bytes);
		rc = auditlog_append(l, "audit-recovery", f, 2);
		if (rc < 0)
			goto fail;
	} else if (r.head_lag) {
		rc = write_head(l, l->seq, l->last_hash);
		if (rc < 0)
			goto fail;
	}
	*out = l;
	return 0;
fail:
	auditlog_close(l);
	return rc;
}

int auditlog_append(struct auditlog *l, const char *event, const struct audit_field *fields,
	size_t nfields)
{
	uint8_t line[AUDIT_RECORD_MAX], hash[AUDIT_HASH_LEN];
	struct audit_time t;
	size_t len = 0;
	int rc;

	if (l->broken)
		return -EIO;
	if (l->seq >= AUDIT_SEQ_MAX)
		return -EOVERFLOW;
	rc = audit_time_now(&t);
	if (rc < 0)
		return rc;
	rc = audit_format_record(line, sizeof(line), &len, hash, l->seq + 1, &t, l->last_hash, event,
		fields, nfields, l->sk);
	if (rc < 0)
		return rc;
	rc = write_all_fd(l->logfd, line, len);
	if (rc < 0) {
		/* Take back a partial line; if even that fails the file's end
		 * is unknown, so refuse from now on. */
		if (ftruncate(l->logfd, (off_t)l->log_size) < 0)
			l->broken = true;
		return rc;
	}
	if (fdatasync(l->logfd) < 0) {
		/* After a failed fsync the kernel may have dropped the dirty
		 * pages: what is on disk is unknown.  Fail closed. */
		l->broken = true;
		return -errno;
	}
	l->seq++;
	l->log_size += len;
	memcpy(l->last_hash, hash, AUDIT_HASH_LEN);
	rc = write_head(l, l->seq, hash);
	if (rc < 0) {
		/* The record is durable and signed; the head lags by one,
		 * which reopening completes. */
		l->broken = true;
		return rc;
	}
	return 0;
}

uint64_t auditlog_last_seq(const struct auditlog *l)
{
	return l->seq;
}

void auditlog_close(struct auditlog *l)
{
	if (l == NULL)
		return;
	if (l->sk != NULL)
		sodium_free(l->sk);   /* zeroes it */
	sodium_memzero(l->pk, sizeof(l->pk));
	if (l->headfd >= 0)
		close(l->headfd);
	if (l->logfd >= 0)
		close(l->logfd);
	if (l->lockfd >= 0)
		close(l->lockfd);   /* releases the flock */
	if (l->dirfd >= 0)
		close(l->dirfd);
	free(l);
}
