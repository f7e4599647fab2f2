/* The audit log's single writer (SPEC/audit-log.md).  Write order, which
 * keeps the log verifiable after a crash at any point:
 *   1. append the record to audit.log (one write, O_APPEND), fdatasync;
 *   2. write the signed head for it into slot seq%2 of audit.head
 *      (pwrite), fdatasync.
 * A crash between 1 and 2 leaves records past the head (each is signed
 * itself, so nothing unauthenticated is accepted); a crash during 1 leaves
 * part of a line after them; a crash during 2 tears only the slot being
 * written, and the other holds the newest head on disk.  The verifier
 * accepts exactly these states and auditlog_open completes them.
 *
 * Group commit (auditlog_group_start): an append does step 1's write
 * only, and a flusher thread does the fdatasync and step 2 for every
 * record written meanwhile, at most AUDIT_LAG_MAX behind.  It always
 * writes the slot that does not hold the newest head on disk (a head one
 * record short when the parity says so), so a torn slot never loses it. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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
	uint8_t prev_hash[AUDIT_HASH_LEN];  /* seq-1's: a head one short keeps slots alternating */
	uint64_t log_size;                 /* bytes of audit.log, all complete records */
	bool broken;                       /* a write or sync failed: refuse for good */
	/* Group commit: mu guards seq, the hashes, broken, durable and stop
	 * once the flusher runs; cv wakes it and the appenders waiting on it. */
	bool group, stop, running;
	pthread_t flusher;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t durable;                  /* newest seq whose record and head are on disk */
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

/* The hash of the record before the last, for a head one short. */
struct last_two {
	uint8_t prev[AUDIT_HASH_LEN], last[AUDIT_HASH_LEN];
};

static int remember_hash(void *ctx, uint64_t lineno, const uint8_t *line, size_t len,
	const struct audit_record *rec)
{
	struct last_two *h = ctx;

	(void)lineno, (void)line, (void)len;
	memcpy(h->prev, h->last, AUDIT_HASH_LEN);
	memcpy(h->last, rec->hash, AUDIT_HASH_LEN);
	return 0;
}

int auditlog_open(const char *dir, struct auditlog **out)
{
	struct auditlog *l;
	struct last_two h = { { 0 }, { 0 } };
	struct audit_walk_opts o = { .all_sigs = false, .cb = remember_hash, .ctx = &h };
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
	memcpy(l->prev_hash, h.prev, AUDIT_HASH_LEN);
	/* Complete what a crash left (the verifier accepted only these):
	 * cut a partial line, bring the head up to the last record, then
	 * record the cut. */
	if (r.torn_tail && (ftruncate(l->logfd, (off_t)r.tail_offset) < 0 || fdatasync(l->logfd) < 0)) {
		rc = -errno;
		goto fail;
	}
	if (r.last_seq > r.head_seq) {
		/* Keep the slots alternating: a head one short first when the
		 * last record's slot holds the head on disk. */
		rc = l->seq % 2 == r.head_seq % 2 ? write_head(l, l->seq - 1, l->prev_hash) : 0;
		if (rc == 0)
			rc = write_head(l, l->seq, l->last_hash);
		if (rc < 0)
			goto fail;
	}
	if (r.torn_tail) {
		char dropped[32];
		struct audit_field f[] = {
			{ "reason", "torn-tail" },
			{ "dropped_bytes", dropped },
		};

		snprintf(dropped, sizeof(dropped), "%llu", (unsigned long long)r.torn_bytes);
		rc = auditlog_append(l, "audit-recovery", f, 2);
		if (rc < 0)
			goto fail;
	}
	l->durable = l->seq;
	*out = l;
	return 0;
fail:
	auditlog_close(l);
	return rc;
}

/* Formats record seq+1 and writes it (step 1 without its sync); the
 * caller holds mu when the flusher runs. */
static int write_record(struct auditlog *l, const char *event, const struct audit_field *fields,
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
	l->seq++;
	l->log_size += len;
	memcpy(l->prev_hash, l->last_hash, AUDIT_HASH_LEN);
	memcpy(l->last_hash, hash, AUDIT_HASH_LEN);
	return 0;
}

static int append_sync(struct auditlog *l, const char *event, const struct audit_field *fields,
	size_t nfields)
{
	int rc = write_record(l, event, fields, nfields);

	if (rc < 0)
		return rc;
	if (fdatasync(l->logfd) < 0) {
		/* After a failed fsync the kernel may have dropped the dirty
		 * pages: what is on disk is unknown.  Fail closed. */
		l->broken = true;
		return -errno;
	}
	rc = write_head(l, l->seq, l->last_hash);
	if (rc < 0) {
		/* The record is durable and signed; the head lags by one,
		 * which reopening completes. */
		l->broken = true;
		return rc;
	}
	l->durable = l->seq;
	return 0;
}

static int append_group(struct auditlog *l, const char *event, const struct audit_field *fields,
	size_t nfields)
{
	int rc;

	pthread_mutex_lock(&l->mu);
	/* Never more than AUDIT_LAG_MAX records past the head on disk: the
	 * verifier accepts no more after a crash. */
	while (!l->broken && l->seq - l->durable >= AUDIT_LAG_MAX)
		pthread_cond_wait(&l->cv, &l->mu);
	rc = write_record(l, event, fields, nfields);
	if (rc == 0)
		pthread_cond_broadcast(&l->cv);
	pthread_mutex_unlock(&l->mu);
	return rc;
}

int auditlog_append(struct auditlog *l, const char *event, const struct audit_field *fields,
	size_t nfields)
{
	return l->group ? append_group(l, event, fields, nfields) : append_sync(l, event, fields, nfields);
}

/* The flusher: syncs what was written, then writes a head into the slot
 * not holding the newest head on disk, syncs it, and says so. */
static void *flusher_main(void *arg)
{
	struct auditlog *l = arg;
	uint8_t hash[AUDIT_HASH_LEN];
	uint64_t n;
	int rc;

	pthread_mutex_lock(&l->mu);
	l->running = true;
	pthread_cond_broadcast(&l->cv);
	for (;;) {
		while (!l->broken && !l->stop && l->durable == l->seq)
			pthread_cond_wait(&l->cv, &l->mu);
		if (l->broken || l->durable == l->seq)
			break;   /* stopping, all on disk */
		/* Same parity as the head on disk: its slot; one short instead
		 * (n-1 was appended since, so its hash is prev_hash). */
		n = l->seq;
		memcpy(hash, l->last_hash, AUDIT_HASH_LEN);
		if (n % 2 == l->durable % 2) {
			n--;
			memcpy(hash, l->prev_hash, AUDIT_HASH_LEN);
		}
		pthread_mutex_unlock(&l->mu);
		rc = fdatasync(l->logfd) < 0 ? -errno : 0;
		if (rc == 0)
			rc = write_head(l, n, hash);
		pthread_mutex_lock(&l->mu);
		if (rc < 0)
			l->broken = true;   /* appenders and auditlog_sync return -EIO */
		else
			l->durable = n;
		pthread_cond_broadcast(&l->cv);
	}
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

int auditlog_group_start(struct auditlog *l)
{
	int rc;

	if (l->group)
		return 0;
	if ((rc = pthread_mutex_init(&l->mu, NULL)) != 0)
		return -rc;
	if ((rc = pthread_cond_init(&l->cv, NULL)) != 0) {
		pthread_mutex_destroy(&l->mu);
		return -rc;
	}
	l->durable = l->seq;
	if ((rc = pthread_create(&l->flusher, NULL, flusher_main, l)) != 0) {
		pthread_cond_destroy(&l->cv);
		pthread_mutex_destroy(&l->mu);
		return -rc;
	}
	/* The thread's own start-up calls (rseq, set_robust_list) must be
	 * made before the caller installs its seccomp table. */
	pthread_mutex_lock(&l->mu);
	while (!l->running)
		pthread_cond_wait(&l->cv, &l->mu);
	pthread_mutex_unlock(&l->mu);
	l->group = true;
	return 0;
}

int auditlog_sync(struct auditlog *l)
{
	int rc;

	if (!l->group)
		return l->broken ? -EIO : 0;
	pthread_mutex_lock(&l->mu);
	for (uint64_t want = l->seq; !l->broken && l->durable < want;)
		pthread_cond_wait(&l->cv, &l->mu);
	rc = l->broken ? -EIO : 0;
	pthread_mutex_unlock(&l->mu);
	return rc;
}

uint64_t auditlog_last_seq(const struct auditlog *l)
{
	return l->seq;
}

void auditlog_close(struct auditlog *l)
{
	if (l == NULL)
		return;
	if (l->group) {
		/* The flusher writes what is left, then ends. */
		pthread_mutex_lock(&l->mu);
		l->stop = true;
		pthread_cond_broadcast(&l->cv);
		pthread_mutex_unlock(&l->mu);
		pthread_join(l->flusher, NULL);
		pthread_cond_destroy(&l->cv);
		pthread_mutex_destroy(&l->mu);
	}
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
