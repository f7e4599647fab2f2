/* Verification of an audit log (SPEC/audit-log.md "Verification"): every
 * record's syntax, hash, signature, sequence and chain, then the log's end
 * against the signed head.  Streaming: one buffer of two records' size,
 * whatever the log's length.  The first problem ends the walk and is
 * reported with its line and the kind of tampering it looks like. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "capd/audit/auditlog_int.h"

#define WALK_BUF (2u * AUDIT_RECORD_MAX)

struct slot {
	bool valid;
	struct audit_head h;
};

struct walk {
	int logfd;
	uint64_t size;          /* the snapshot: bytes of the log that are checked */
	uint64_t off;           /* file offset of buf[0] */
	uint8_t *untrusted_buf;  /* log bytes: untrusted until a record verifies */
	size_t have;            /* bytes in untrusted_buf */
	bool eof;
	uint64_t lineno;
	struct slot slot[2];
	uint64_t head_seq;
	uint8_t head_hash[AUDIT_HASH_LEN];
};

static int fail(struct audit_verify_report *r, enum audit_tamper kind, uint64_t line,
	const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int fail(struct audit_verify_report *r, enum audit_tamper kind, uint64_t line,
	const char *fmt, ...)
{
	va_list ap;

	r->kind = kind;
	r->line = line;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	return -EBADMSG;
}

const char *audit_tamper_name(enum audit_tamper k)
{
	switch (k) {
	case AUDIT_T_NONE: return "ok";
	case AUDIT_T_MALFORMED: return "malformed";
	case AUDIT_T_MODIFIED: return "modified";
	case AUDIT_T_FORGED: return "forged";
	case AUDIT_T_DELETED: return "deleted";
	case AUDIT_T_REORDERED: return "reordered";
	case AUDIT_T_INSERTED: return "inserted";
	case AUDIT_T_CHAIN: return "chain-broken";
	case AUDIT_T_TRUNCATED: return "truncated";
	case AUDIT_T_HEAD_OLD: return "head-replaced";
	case AUDIT_T_HEAD_BAD: return "head-invalid";
	case AUDIT_T_MISSING: return "missing";
	case AUDIT_T_KEY: return "bad-key";
	}
	return "?";
}

long audit_read_small(int dirfd, const char *name, uint8_t *buf, size_t cap, bool follow)
{
	size_t got = 0;
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));

	if (fd < 0)
		return -errno;
	/* One byte more than cap tells "too large" from "exactly cap". */
	for (;;) {
		uint8_t extra;
		ssize_t n = got < cap ? read(fd, buf + got, cap - got) : read(fd, &extra, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = -errno;
			close(fd);
			return e;
		}
		if (n == 0)
			break;
		if (got == cap) {
			close(fd);
			return -EFBIG;
		}
		got += (size_t)n;
	}
	close(fd);
	return (long)got;
}

/* Head file and log size read so that they belong together: the head is
 * read before and after the size, and must not have changed.  The writer
 * syncs a record before it moves the head, so the log then holds at most
 * AUDIT_LAG_MAX records past that head, and maybe a part of one more. */
static int snapshot(int dirfd, struct walk *w, uint8_t untrusted_head[AUDIT_HEAD_FILE_LEN + 1], long *hlen)
{
	uint8_t again[AUDIT_HEAD_FILE_LEN + 1];

	for (int i = 0; i < AUDIT_SNAPSHOT_TRIES; i++) {
		struct stat st;
		long n2;

		*hlen = audit_read_small(dirfd, AUDIT_HEAD_FILE, untrusted_head, AUDIT_HEAD_FILE_LEN + 1, false);
		if (*hlen < 0)
			return (int)*hlen;
		if (fstat(w->logfd, &st) < 0)
			return -errno;
		n2 = audit_read_small(dirfd, AUDIT_HEAD_FILE, again, sizeof(again), false);
		if (n2 < 0)
			return (int)n2;
		if (n2 == *hlen && memcmp(untrusted_head, again, (size_t)n2) == 0) {
			w->size = (uint64_t)st.st_size;
			return 0;
		}
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	}
	return -EAGAIN;
}

static bool zero_hash(const uint8_t *h)
{
	static const uint8_t zero[AUDIT_HASH_LEN];

	return sodium_memcmp(h, zero, AUDIT_HASH_LEN) == 0;
}

/* The two slots; which one is in force.  A slot holds seq 0 (the empty
 * log's head, written to both at creation) or a seq of its parity. */
static int check_head(struct walk *w, const uint8_t *untrusted_head, long hlen, const uint8_t *pk,
	struct audit_verify_report *r)
{
	int bad[2] = { 0, 0 };

	if (hlen != (long)AUDIT_HEAD_FILE_LEN)
		return fail(r, AUDIT_T_HEAD_BAD, 0, "head file is %ld bytes, not %u", hlen,
			AUDIT_HEAD_FILE_LEN);
	for (int s = 0; s < 2; s++) {
		const uint8_t *p = untrusted_head + (size_t)s * AUDIT_HEAD_SLOT_LEN;
		struct slot *sl = &w->slot[s];

		if (audit_parse_head(p, AUDIT_HEAD_SLOT_LEN, &sl->h) != AUDIT_OK)
			bad[s] = 1;   /* malformed */
		else if (crypto_sign_verify_detached(sl->h.sig, p, AUDIT_HEAD_SIGNED_LEN, pk) != 0)
			bad[s] = 2;   /* not signed by this key */
		else if ((sl->h.seq != 0 && sl->h.seq % 2 != (uint64_t)s) ||
			 (sl->h.seq == 0 && !zero_hash(sl->h.hash)))
			return fail(r, AUDIT_T_HEAD_BAD, 0,
				"head slot %d holds seq %llu, which the writer never puts there", s,
				(unsigned long long)sl->h.seq);
		sl->valid = bad[s] == 0;
	}
	if (!w->slot[0].valid && !w->slot[1].valid)
		return fail(r, AUDIT_T_HEAD_BAD, 0,
			"no head slot is valid (%s, %s): head forged, signed by another key, or corrupted",
			bad[0] == 1 ? "slot 0 malformed" : "slot 0 not signed by the key",
			bad[1] == 1 ? "slot 1 malformed" : "slot 1 not signed by the key");
	if (w->slot[0].valid && w->slot[1].valid) {
		uint64_t a = w->slot[0].h.seq, b = w->slot[1].h.seq;
		uint64_t hi = a > b ? a : b, lo = a > b ? b : a;

		/* The writer alternates slots and is never more than
		 * AUDIT_LAG_MAX records behind, so two heads are that close. */
		if (!((hi > lo && hi - lo <= AUDIT_LAG_MAX) || (hi == 0 && lo == 0)))
			return fail(r, AUDIT_T_HEAD_BAD, 0,
				"head slots hold seq %llu and %llu, further apart than the writer leaves them: slots mixed from different times",
				(unsigned long long)a, (unsigned long long)b);
		w->head_seq = hi;
		memcpy(w->head_hash, w->slot[b > a ? 1 : 0].h.hash, AUDIT_HASH_LEN);
	} else {
		const struct slot *v = w->slot[0].valid ? &w->slot[0] : &w->slot[1];
		int invalid = w->slot[0].valid ? 1 : 0;

		w->head_seq = v->h.seq;
		memcpy(w->head_hash, v->h.hash, AUDIT_HASH_LEN);
		/* A crash can tear only the slot being written: the one not
		 * holding the newest head. */
		if ((uint64_t)invalid != (v->h.seq + 1) % 2)
			return fail(r, AUDIT_T_HEAD_BAD, 0,
				"head slot %d is invalid but is not the slot the writer would write next",
				invalid);
		r->torn_slot = true;
	}
	r->head_seq = w->head_seq;
	return 0;
}

/* The next complete line in the snapshot: 1 with *untrusted_line and *len set, 0 at its end
 * (w->have then holds the bytes of a partial last line), -EMSGSIZE for a
 * line over AUDIT_RECORD_MAX, or -errno. */
static int next_line(struct walk *w, size_t *start, const uint8_t **untrusted_line, size_t *len)
{
	for (;;) {
		uint8_t *nl = w->have > *start ? memchr(w->untrusted_buf + *start, '\n', w->have - *start) : NULL;

		if (nl != NULL) {
			*untrusted_line = w->untrusted_buf + *start;
			*len = (size_t)(nl - (w->untrusted_buf + *start)) + 1;
			*start += *len;
			return 1;
		}
		if (w->have - *start >= AUDIT_RECORD_MAX)
			return -EMSGSIZE;
		if (w->eof)
			return 0;
		/* Keep the partial line, read more after it. */
		memmove(w->untrusted_buf, w->untrusted_buf + *start, w->have - *start);
		w->off += *start;
		w->have -= *start;
		*start = 0;
		uint64_t pos = w->off + w->have;
		size_t want = WALK_BUF - w->have;
		if (w->size - pos < want)
			want = (size_t)(w->size - pos);
		if (want == 0) {
			w->eof = true;
			continue;
		}
		ssize_t n = pread(w->logfd, w->untrusted_buf + w->have, want, (off_t)pos);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			w->eof = true;   /* shrank under us: what was read is all there is */
		w->have += (size_t)n;
	}
}

/* After a gap at `lineno` (seq `want` missing): is that record further
 * on?  Returns its line or 0.  Only parses: the walk is over anyway. */
static uint64_t find_seq_later(struct walk *w, size_t start, uint64_t want)
{
	const uint8_t *untrusted_line;
	size_t len;
	uint64_t lineno = w->lineno;
	struct audit_record rec;

	while (next_line(w, &start, &untrusted_line, &len) == 1) {
		lineno++;
		if (audit_parse_record(untrusted_line, len, &rec) == AUDIT_OK && rec.seq == want)
			return lineno;
	}
	return 0;
}

int audit_walk_dirfd(int dirfd, const uint8_t pk[AUDIT_PUBKEY_LEN],
	const struct audit_walk_opts *o, struct audit_verify_report *r,
	uint8_t last_hash[AUDIT_HASH_LEN])
{
	struct walk w = { .logfd = -1 };
	uint8_t untrusted_head[AUDIT_HEAD_FILE_LEN + 1];
	long hlen = 0;
	size_t start = 0;
	const uint8_t *untrusted_line, *line;
	size_t len;
	struct audit_record rec;
	int rc;

	memset(r, 0, sizeof(*r));
	memcpy(r->pubkey, pk, AUDIT_PUBKEY_LEN);
	memset(last_hash, 0, AUDIT_HASH_LEN);
	w.logfd = openat(dirfd, AUDIT_LOG_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (w.logfd < 0)
		return fail(r, AUDIT_T_MISSING, 0, "%s: %s", AUDIT_LOG_FILE, strerror(errno));
	rc = snapshot(dirfd, &w, untrusted_head, &hlen);
	if (rc == -ENOENT || rc == -EFBIG) {
		close(w.logfd);
		return fail(r, rc == -ENOENT ? AUDIT_T_MISSING : AUDIT_T_HEAD_BAD, 0, "%s: %s",
			AUDIT_HEAD_FILE, rc == -ENOENT ? "missing" : "too large");
	}
	if (rc < 0) {
		close(w.logfd);
		return rc;
	}
	rc = check_head(&w, untrusted_head, hlen, pk, r);
	if (rc < 0) {
		close(w.logfd);
		return rc;
	}
	w.untrusted_buf = malloc(WALK_BUF);
	if (w.untrusted_buf == NULL) {
		close(w.logfd);
		return -ENOMEM;
	}

	for (;;) {
		uint64_t want = r->last_seq + 1;

		rc = next_line(&w, &start, &untrusted_line, &len);
		if (rc == 0)
			break;
		if (rc == -EMSGSIZE) {
			rc = fail(r, AUDIT_T_MALFORMED, w.lineno + 1,
				"line %llu: longer than %u bytes: not a record (edited or corrupted)",
				(unsigned long long)(w.lineno + 1), AUDIT_RECORD_MAX);
			goto out;
		}
		if (rc < 0)
			goto out;
		w.lineno++;
		rc = audit_parse_record(untrusted_line, len, &rec);
		if (rc != AUDIT_OK) {
			rc = fail(r, AUDIT_T_MALFORMED, w.lineno,
				"line %llu: not a record (%s): edited or corrupted",
				(unsigned long long)w.lineno, audit_perr_name(rc));
			goto out;
		}
		if (!audit_record_hash_ok(untrusted_line, &rec)) {
			rc = fail(r, AUDIT_T_MODIFIED, w.lineno,
				"line %llu (seq %llu): hash does not match the record's text: record modified",
				(unsigned long long)w.lineno, (unsigned long long)rec.seq);
			goto out;
		}
		if ((o->all_sigs || rec.seq > w.head_seq) && !audit_record_sig_ok(untrusted_line, &rec, pk)) {
			rc = fail(r, AUDIT_T_FORGED, w.lineno,
				"line %llu (seq %llu): signature does not verify with the log's key: "
				"record forged, rewritten, or its signature modified",
				(unsigned long long)w.lineno, (unsigned long long)rec.seq);
			goto out;
		}
		if (rec.seq > want) {
			uint64_t later = find_seq_later(&w, start, want);

			if (later != 0)
				rc = fail(r, AUDIT_T_REORDERED, w.lineno,
					"line %llu: seq %llu where %llu was expected, and seq %llu is at line %llu: records reordered",
					(unsigned long long)w.lineno, (unsigned long long)rec.seq,
					(unsigned long long)want, (unsigned long long)want,
					(unsigned long long)later);
			else
				rc = fail(r, AUDIT_T_DELETED, w.lineno,
					"line %llu: seq %llu where %llu was expected: records %llu..%llu deleted",
					(unsigned long long)w.lineno, (unsigned long long)rec.seq,
					(unsigned long long)want, (unsigned long long)want,
					(unsigned long long)(rec.seq - 1));
			goto out;
		}
		if (rec.seq < want) {
			rc = fail(r, AUDIT_T_INSERTED, w.lineno,
				"line %llu: seq %llu after seq %llu: record inserted (a copy of an earlier one, or from another log)",
				(unsigned long long)w.lineno, (unsigned long long)rec.seq,
				(unsigned long long)r->last_seq);
			goto out;
		}
		if (sodium_memcmp(rec.prev, last_hash, AUDIT_HASH_LEN) != 0) {
			rc = fail(r, AUDIT_T_CHAIN, w.lineno,
				"line %llu (seq %llu): prev is not the hash of the record before: records replaced",
				(unsigned long long)w.lineno, (unsigned long long)rec.seq);
			goto out;
		}
		for (int s = 0; s < 2; s++)
			if (w.slot[s].valid && w.slot[s].h.seq == rec.seq &&
			    sodium_memcmp(w.slot[s].h.hash, rec.hash, AUDIT_HASH_LEN) != 0) {
				rc = fail(r, AUDIT_T_HEAD_BAD, w.lineno,
					"line %llu (seq %llu): the signed head names another record with this seq: log rewritten",
					(unsigned long long)w.lineno, (unsigned long long)rec.seq);
				goto out;
			}
		if (rec.seq > w.head_seq + AUDIT_LAG_MAX) {
			rc = fail(r, AUDIT_T_HEAD_OLD, w.lineno,
				"line %llu (seq %llu): the log goes on past the signed head (seq %llu) by more than the %u records a crash leaves: head replaced by an older one",
				(unsigned long long)w.lineno, (unsigned long long)rec.seq,
				(unsigned long long)w.head_seq, AUDIT_LAG_MAX);
			goto out;
		}
		/* Syntax, hash, signature, sequence, chain and head all checked. */
		line = untrusted_line;
		if (o->cb != NULL) {
			rc = o->cb(o->ctx, w.lineno, line, len, &rec);
			if (rc != 0)
				goto out;
		}
		r->records++;
		r->last_seq = rec.seq;
		memcpy(last_hash, rec.hash, AUDIT_HASH_LEN);
		r->tail_offset = w.off + start;
	}

	/* The end of the log against the head. */
	r->torn_bytes = w.have - start;
	r->tail_offset = w.off + start;
	if (r->last_seq < w.head_seq) {
		rc = fail(r, AUDIT_T_TRUNCATED, 0,
			"the log ends after line %llu at seq %llu but the signed head names seq %llu: records %llu..%llu deleted",
			(unsigned long long)w.lineno, (unsigned long long)r->last_seq, (unsigned long long)w.head_seq,
			(unsigned long long)(r->last_seq + 1), (unsigned long long)w.head_seq);
	} else if (r->last_seq == w.head_seq && r->torn_slot) {
		/* A torn slot is the one for the next record, written after it. */
		rc = fail(r, AUDIT_T_TRUNCATED, 0,
			"a head slot is invalid and the log ends at seq %llu, the other slot's: record %llu looks deleted",
			(unsigned long long)r->last_seq, (unsigned long long)(r->last_seq + 1));
	} else if (r->last_seq == w.head_seq && sodium_memcmp(last_hash, w.head_hash, AUDIT_HASH_LEN) != 0) {
		rc = fail(r, AUDIT_T_HEAD_BAD, 0,
			"the signed head (seq %llu) names another record than the log's last: log rewritten",
			(unsigned long long)w.head_seq);
	} else if (r->torn_bytes > 0 && r->last_seq - w.head_seq >= AUDIT_LAG_MAX) {
		rc = fail(r, AUDIT_T_MALFORMED, w.lineno + 1,
			"line %llu: incomplete (%llu bytes, no newline) beyond the records a crash leaves past the head: not a crash state",
			(unsigned long long)(w.lineno + 1), (unsigned long long)r->torn_bytes);
	} else {
		r->torn_tail = r->torn_bytes > 0;
		r->head_lag = r->last_seq > w.head_seq;
		rc = 0;
	}
out:
	free(w.untrusted_buf);
	close(w.logfd);
	return rc;
}

static int walk_path(const char *dir, const char *pubkey_path, audit_record_cb cb, void *ctx,
	struct audit_verify_report *r)
{
	struct audit_walk_opts o = { .all_sigs = true, .cb = cb, .ctx = ctx };
	uint8_t pk[AUDIT_PUBKEY_LEN], untrusted_pub[AUDIT_PUBKEY_FILE_LEN + 1], hash[AUDIT_HASH_LEN];
	long n;
	int dirfd, rc;

	memset(r, 0, sizeof(*r));
	if (sodium_init() < 0)
		return -EIO;
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return fail(r, AUDIT_T_MISSING, 0, "%s: %s", dir, strerror(errno));
	if (pubkey_path != NULL)
		n = audit_read_small(AT_FDCWD, pubkey_path, untrusted_pub, sizeof(untrusted_pub), true);
	else
		n = audit_read_small(dirfd, AUDIT_PUB_FILE, untrusted_pub, sizeof(untrusted_pub), false);
	if (n < 0 || audit_parse_keyfile(untrusted_pub, (size_t)n, AUDIT_PUBKEY_PREFIX,
			AUDIT_PUBKEY_PREFIX_LEN, pk) != AUDIT_OK) {
		close(dirfd);
		return fail(r, AUDIT_T_KEY, 0, "public key %s: %s", pubkey_path ? pubkey_path : AUDIT_PUB_FILE,
			n < 0 ? strerror((int)-n) : "not a bulkhead-audit public key file");
	}
	rc = audit_walk_dirfd(dirfd, pk, &o, r, hash);
	close(dirfd);
	return rc;
}

int auditlog_verify(const char *dir, const char *pubkey_path, struct audit_verify_report *r)
{
	return walk_path(dir, pubkey_path, NULL, NULL, r);
}

int auditlog_walk(const char *dir, const char *pubkey_path, audit_record_cb cb, void *ctx,
	struct audit_verify_report *r)
{
	return walk_path(dir, pubkey_path, cb, ctx, r);
}
