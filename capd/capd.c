/* capd: Bulkhead's capability daemon (SPEC/capabilities.md, man capd(8)).
 *
 * Started as root (by bulkheadd's VMM monitor; by hand or by tests with
 * BULKHEAD_ROOT set).  Setup, in this order:
 *   1. its state directory var/lib/bulkhead/capd (0700, BH_UID_CAPD), its
 *      key (created once, 0400), a fresh random epoch;
 *   2. the audit log (capd/audit), opened for appending;
 *   3. the grants file, checked whole (a file that fails is never
 *      repaired: capd does not start);
 *   4. its socket run/bulkhead/capd/capd.sock (0666: every caller is
 *      told apart by SO_PEERCRED, not by file modes);
 *   5. chroot into the state directory (the grants file is the only path
 *      it writes from now on), then the uid BH_UID_CAPD with no
 *      capability (lib/privdrop.c), no_new_privs, its seccomp table;
 *   6. the event loop: poll, non-blocking connections with deadlines, an
 *      expiry sweep every second.  SIGTERM stops it cleanly. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capd/capd_audit.h"
#include "capd/capd_int.h"
#include "capd/capd_seccomp.h"
#include "lib/atomicfile.h"
#include "lib/dom0_uids.h"
#include "lib/io.h"
#include "lib/log.h"
#include "lib/paths.h"
#include "lib/privdrop.h"
#include "lib/unixsock.h"
#include "qrexec/policy/policy_parse.h"

#define KEY_FILE     "key"
#define GRANTS_FILE  "grants"
#define GRANTS_IN_CHROOT "/" GRANTS_FILE
#define ACCEPTS_PER_WAKE 16u

_Static_assert(CAPD_SERVICE_MAX == POLICY_SERVICE_MAX && CAPD_ARG_MAX == POLICY_ARG_MAX,
	       "capd binds exactly what the policy can name");

static void usage(void)
{
	fprintf(stderr, "capd: usage: capd [--check-sandbox]\n");
	exit(2);
}

/* The key: 32 bytes, a regular file owned by BH_UID_CAPD, mode 0400.
 * Created once (written to key.tmp, then renamed: a crash leaves either
 * no key or a whole one). */
static void load_or_create_key(const char *dir, bool grants_exist, uint8_t key[CAPD_KEY_SIZE])
{
	char path[BH_PATH_MAX], tmp[BH_PATH_MAX];
	struct stat sb;
	int fd;

	if (snprintf(path, sizeof(path), "%s/" KEY_FILE, dir) >= (int)sizeof(path) ||
	    snprintf(tmp, sizeof(tmp), "%s/" KEY_FILE ".tmp", dir) >= (int)sizeof(tmp))
		fatalx("state directory path too long");
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		if (fstat(fd, &sb) < 0)
			fatal("%s", path);
		if (!S_ISREG(sb.st_mode) || sb.st_size != CAPD_KEY_SIZE || sb.st_uid != BH_UID_CAPD ||
		    (sb.st_mode & 07777) != 0400)
			fatalx("%s: not a %u-byte file of uid %u with mode 0400: refusing to start", path,
			       CAPD_KEY_SIZE, BH_UID_CAPD);
		if (read_exact_deadline(fd, key, CAPD_KEY_SIZE, now_ms() + 5000) < 0)
			fatalx("%s: cannot read the key", path);
		close(fd);
		return;
	}
	if (errno != ENOENT)
		fatal("%s", path);
	/* Without its key, grants could never be checked: say so rather
	 * than make a new key that would refuse them as forged. */
	if (grants_exist)
		fatalx("%s is missing but a grants file exists: refusing to start", path);
	randombytes_buf(key, CAPD_KEY_SIZE);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0400);
	if (fd < 0 || fchown(fd, BH_UID_CAPD, BH_UID_CAPD) < 0 || fchmod(fd, 0400) < 0 ||
	    write_all_deadline(fd, key, CAPD_KEY_SIZE, now_ms() + 5000) < 0 || fsync(fd) < 0)
		fatal("%s", tmp);
	close(fd);
	if (rename(tmp, path) < 0)
		fatal("%s", path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		fatal("%s", dir);
	close(fd);
	log_info("created a new key in %s", dir);
}

/* etc/bulkhead/audit-sync: "group" (the default when missing) or "each",
 * a line.  Anything else stops capd: the administrator asked for
 * something, and guessing which could weaken the log. */
static bool read_audit_sync(void)
{
	char path[BH_PATH_MAX], untrusted_text[16];
	ssize_t n;
	int fd;

	if (bh_path(path, sizeof(path), BH_ETC_DIR "/" CAPD_AUDIT_SYNC_FILE) < 0)
		fatalx("paths too long under %s", bh_root());
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return true;
	if (fd < 0)
		fatal("%s", path);
	n = read(fd, untrusted_text, sizeof(untrusted_text));
	close(fd);
	if (n == 6 && memcmp(untrusted_text, "group\n", 6) == 0)
		return true;
	if (n == 5 && memcmp(untrusted_text, "each\n", 5) == 0)
		return false;
	fatalx("%s: not \"group\" or \"each\" on a line: refusing to start", path);
}

/* Makes dir (and its parents, 0700) and gives the leaf to capd's uid. */
static void own_dir(const char *dir)
{
	struct stat sb;

	if (mkdirs_abs(dir, 0700) < 0)
		fatal("%s", dir);
	if (lstat(dir, &sb) < 0)
		fatal("%s", dir);
	if (!S_ISDIR(sb.st_mode))
		fatalx("%s: not a directory", dir);
	if (chown(dir, BH_UID_CAPD, BH_UID_CAPD) < 0 || chmod(dir, 0700) < 0)
		fatal("%s", dir);
}

/* commit hook: the grants file, replaced atomically (inside the chroot). */
static int commit_grants(void *ctx, const struct capd_state *s)
{
	struct strbuf sb;
	int rc;

	(void)ctx;
	sb_init(&sb, CAPD_GRANTS_FILE_MAX);
	rc = capd_state_grants_serialize(s, &sb);
	if (rc == 0)
		rc = atomic_write_file(GRANTS_IN_CHROOT, sb.buf, sb.len, 0600);
	if (rc < 0)
		log_warnx("writing the grants file: %s", strerror(-rc));
	sb_free(&sb);
	return rc;
}

static void on_cap_expired(void *ctx, const uint8_t id[CAPD_ID_SIZE], uint64_t grant_id)
{
	struct capd_rec r;

	(void)ctx;
	capd_rec_init(&r);
	capd_rec_hex(&r, "cap", id, CAPD_ID_SIZE);
	capd_rec_u64(&r, "grant", grant_id);
	capd_audit("cap-expire", &r);
}

static void on_grant_ended(void *ctx, const struct capd_grant_entry *g, const char *why)
{
	struct capd_rec r;

	(void)ctx;
	capd_rec_init(&r);
	capd_rec_u64(&r, "grant", g->id);
	capd_rec_str(&r, "why", why);
	capd_rec_binding(&r, &g->b);
	capd_audit_durable("grant-end", &r);
}

static void load_grants(struct capd_state *s, const char *path)
{
	char *buf = malloc(CAPD_GRANTS_FILE_MAX + 1), err[256];
	struct capd_clock now;
	ssize_t n;

	if (buf == NULL)
		fatalx("out of memory");
	n = read_small_file(path, buf, CAPD_GRANTS_FILE_MAX + 1);
	if (n == -ENOENT) {
		free(buf);
		return;
	}
	if (n < 0)
		fatalx("%s: %s: refusing to start", path, strerror((int)-n));
	capd_now(&now);
	if (capd_state_grants_load(s, buf, (size_t)n, &now, err, sizeof(err)) != 0)
		fatalx("%s: %s: refusing to start (the file is left as it is)", path, err);
	free(buf);
}

static void warn_unreachable(const char *sockdir)
{
	char p[BH_PATH_MAX];
	struct stat sb;

	/* Clients run under their own uids (lib/dom0_uids.h): every
	 * directory above the socket must let others through. */
	snprintf(p, sizeof(p), "%s", sockdir);
	for (char *slash = strrchr(p, '/'); slash && slash > p; slash = strrchr(p, '/')) {
		*slash = '\0';
		if (stat(p, &sb) == 0 && !(sb.st_mode & S_IXOTH)) {
			log_warnx("%s has mode %o: callers under dedicated uids cannot reach the socket", p,
				  (unsigned)(sb.st_mode & 07777));
			return;
		}
	}
}

static int setup_signals(void)
{
	sigset_t mask;
	int fd;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		fatal("signalfd");
	return fd;
}

static void accept_some(int lfd)
{
	for (unsigned i = 0; i < ACCEPTS_PER_WAKE; i++) {
		struct ucred cred;
		socklen_t cl = sizeof(cred);
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return;
		/* The only thing about a caller capd believes. */
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0 || cl != sizeof(cred)) {
			close(fd);
			continue;
		}
		serve_add(fd, cred.uid, now_ms());
	}
}

static void run(int lfd, int sfd, struct capd_state *s)
{
	static struct pollfd p[2 + CAPD_CONN_MAX];
	uint64_t next_tick = now_ms() + CAPD_TICK_MS;

	for (;;) {
		uint64_t now = now_ms(), next = serve_expire(now);
		struct capd_clock clk;
		size_t n;
		int timeout;

		if (next > next_tick)
			next = next_tick;
		timeout = next <= now ? 0 : (int)(next - now);
		p[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		n = 2 + serve_poll_fill(p + 2, CAPD_CONN_MAX);
		if (poll(p, n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) == sizeof(si))
				return;
		}
		serve_poll_done(p + 2, n - 2, now_ms());
		if (p[0].revents & POLLIN)
			accept_some(lfd);
		if (now_ms() >= next_tick) {
			capd_now(&clk);
			capd_state_tick(s, &clk);
			next_tick = now_ms() + CAPD_TICK_MS;
		}
	}
}

int main(int argc, char **argv)
{
	struct capd_hooks hooks = { .commit = commit_grants, .cap_expired = on_cap_expired,
				    .grant_ended = on_grant_ended };
	char state_dir[BH_PATH_MAX], grants[BH_PATH_MAX], sockdir[BH_PATH_MAX], sock[BH_PATH_MAX];
	char auditdir[BH_PATH_MAX];
	uint8_t key[CAPD_KEY_SIZE], epoch[CAPD_EPOCH_SIZE];
	bool check_sandbox = false, audit_group;
	struct capd_state *s;
	struct capd_rec r;
	struct stat sb;
	int lfd, sfd, rc;

	log_init("capd");
	if (argc == 2 && strcmp(argv[1], "--check-sandbox") == 0)
		check_sandbox = true;
	else if (argc != 1)
		usage();
	if (bh_root() == NULL)
		fatalx("BULKHEAD_ROOT must be an absolute path");
	if (geteuid() != 0)
		fatalx("must start as root (it drops to uid %u itself)", BH_UID_CAPD);
	if (sodium_init() < 0)
		fatalx("libsodium failed to initialise");
	if (bh_path(state_dir, sizeof(state_dir), CAPD_STATE_DIR) < 0 ||
	    bh_path(sockdir, sizeof(sockdir), CAPD_SOCKET_DIR) < 0 ||
	    bh_path(sock, sizeof(sock), CAPD_SOCKET_REL) < 0 ||
	    bh_path(auditdir, sizeof(auditdir), CAPD_AUDIT_DIR) < 0 ||
	    snprintf(grants, sizeof(grants), "%s/" GRANTS_FILE, state_dir) >= (int)sizeof(grants))
		fatalx("paths too long under %s", bh_root());
	sfd = setup_signals();

	own_dir(state_dir);
	load_or_create_key(state_dir, lstat(grants, &sb) == 0, key);
	randombytes_buf(epoch, sizeof(epoch));
	if (bh_mkdirs(BH_LOG_DIR, 0700) < 0)
		fatal("%s", BH_LOG_DIR);
	audit_group = read_audit_sync();
	rc = capd_audit_open(auditdir);
	if (rc < 0)
		fatalx("%s: %s: refusing to start (bulkhead-audit verify says more)", auditdir, strerror(-rc));
	s = capd_state_new(key, epoch, &hooks);
	sodium_memzero(key, sizeof(key));
	if (s == NULL)
		fatalx("out of memory");
	load_grants(s, grants);

	if (bh_mkdirs(BH_RUN_DIR, 0700) < 0 || mkdirs_abs(sockdir, 0755) < 0 || chmod(sockdir, 0755) < 0)
		fatal("%s", sockdir);
	lfd = unix_listen(sock, 64);
	if (lfd < 0)
		fatalx("%s: %s", sock, strerror(-lfd));
	/* Anyone may connect; capd answers only the uids it knows. */
	if (chmod(sock, 0666) < 0)
		fatal("%s", sock);
	warn_unreachable(sockdir);

	if (chroot(state_dir) < 0 || chdir("/") < 0)
		fatal("chroot %s", state_dir);
	rc = privdrop_to(BH_UID_CAPD, BH_UID_CAPD);
	if (rc < 0)
		fatalx("dropping to uid %u: %s", BH_UID_CAPD, strerror(-rc));
	if (audit_group) {
		rc = capd_audit_group_start();
		if (rc < 0)
			fatalx("starting the audit log's flusher: %s", strerror(-rc));
	}
	rc = sandbox_install(capd_seccomp, capd_seccomp_len);
	if (rc < 0)
		fatalx("installing the seccomp policy: %s", strerror(-rc));
	if (check_sandbox) {
		/* A call outside the table: the kernel must kill capd here. */
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		fprintf(stderr, "capd: --check-sandbox: socket(AF_INET) returned %d: the sandbox did not kill capd\n",
			fd);
		return 3;
	}

	capd_rec_init(&r);
	capd_rec_hex(&r, "epoch", epoch, sizeof(epoch));
	capd_rec_u64(&r, "grants", capd_state_grant_count(s));
	capd_rec_u64(&r, "pid", (uint64_t)getpid());
	capd_audit("capd-start", &r);
	serve_init(s);
	log_info("serving %s (%zu grants)", bh_root(), capd_state_grant_count(s));
	run(lfd, sfd, s);

	capd_rec_init(&r);
	capd_rec_u64(&r, "live_capabilities", capd_state_live_count(s));
	capd_audit("capd-stop", &r);
	serve_close_all();
	close(lfd);
	capd_audit_close();
	capd_state_free(s);
	log_info("stopped");
#ifdef BH_SANITIZER_BUILD
	/* LeakSanitizer's exit check lists threads in /proc, which capd's
	 * chroot does not have: it would fail the run.  The sanitizer build
	 * skips it for capd alone (ASan and UBSan still check every access);
	 * the unit tests leak-check capd_state and the parsers. */
	fflush(NULL);
	_exit(0);
#endif
	return 0;
}
