/* libFuzzer target: qrexec-policyd's decision path, the real
 * qrexec/policyd/handle.c (policyd_handle: the request reader, the
 * policy evaluation, a grant's probe, the prompt's answer parsed by
 * ask.c, and the set-up of an allowed call into a qube, dom0 or a new
 * disposable) under a fuzzed policy.  What policyd talks to is replaced
 * at its own seams, the functions of qrexec/policyd/policyd.h that its
 * other files implement (cap.c: capd; dispvm.c: the Admin API; runner.c:
 * the dom0 runner and the prompt) and policy_facts_from_admin, by fakes
 * below that record every call; the target qubes' qrexec-daemons are a
 * thread answering on their real sockets (qrexec/lib/dom0req.c, linked
 * as policyd links it) in a temporary BULKHEAD_ROOT.
 *
 * Input: byte 0: bits 0-1 how a target's daemon answers EXEC (enum
 * daemon_answer), bit 2 capd mints nothing, bit 3 capd refuses dom0's
 * redeem, bit 4 the dom0 runner fails, bit 5 no disposable can be
 * created, bit 6 a halted qube cannot be started, bit 7 the prompt
 * cannot be run; byte 1: bit 0 a standing grant covers any call, bit 1
 * the decision is not logged, bit 2 the target's daemon never serves (it
 * closes a DREQ_PING unanswered, as one whose agent never came), bit 3
 * it answers a PING naming another domain, bit 4 a capability derived
 * from a grant has no life left (policyd derives it again after the
 * wait for the target); then up to three parts separated by SEP:
 * the bytes the source's qrexec-daemon sends (a policy_req and the
 * service), the policy text, and the prompt's answer.
 *
 * Asserts, from the same request, facts and policy (the model):
 *  - a request the reader refuses is not answered and calls nothing;
 *  - every valid one gets exactly one answer;
 *  - a deny (by the policy, an unknown source, or the user) mints no
 *    capability, makes no daemon EXEC, runs nothing in dom0, creates no
 *    disposable and answers DENY;
 *  - otherwise every capability, EXEC, dom0 run and disposable is for
 *    the source, service and argument asked and a target the policy
 *    resolved (allow), offered (ask, a standing grant covering it) or the
 *    user chose among those offered; an EXEC carries the capability
 *    minted for that very call and the command "USER:QUBESRPC SVC SOURCE";
 *  - a capability for a call into a qube is had (minted, derived, or
 *    taken from the grant's probe) only once that qube's daemon answered
 *    a PING as the qube's domain; a daemon that does not, gets no EXEC;
 *  - ALLOW is answered only with the endpoint of a call that was set up:
 *    the target daemon's (its domain and port, the domain the target
 *    runs in) after a capability for it, or (0, the dom0 port) after the
 *    runner took the call;
 *  - every disposable made is destroyed;
 *  - nothing leaks: LeakSanitizer for memory, the lowest free fd for
 *    descriptors. */
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/io.h"
#include "lib/log.h"
#include "lib/paths.h"
#include "lib/unixsock.h"
#include "lib/vchan_socket.h"
#include "qrexec/lib/dom0req.h"
#include "qrexec/lib/policyreq.h"
#include "qrexec/policy/policy_facts.h"
#include "qrexec/policyd/policyd.h"
#include "qrexec/policyd/request.h"
#include "capd/capd_proto.h"
#include "capd/prompt/ask_parse.h"
#include "tests/lib/lowest_fd.h"

static const uint8_t SEP[3] = { 0xff, 0xfe, 0xfd };

#define DOM0_PORT (QREXEC_DATA_PORT_MIN + 7u)
#define EXEC_PORT (QREXEC_DATA_PORT_MIN + 100u)
#define DISPVM_NAME "disp42"
#define DISPVM_DOMID 42u
#define EVENTS_MAX 16u
#define STR 256u

enum daemon_answer {
	DA_OK,            /* rc 0, the qube's domain, a data port */
	DA_REFUSED,       /* rc -EACCES */
	DA_OTHER_DOMAIN,  /* rc 0 with another domain than the qube's */
	DA_BAD_PORT,      /* rc 0 with a port below the data range */
};

/* The qubes bulkheadd would list (policy_facts_from_admin), those of the
 * qrexec tests: name, class, qid, domain while running, running at the
 * start, a disposable template (every AppVM's default_dispvm is dvm). */
static const struct fake_qube {
	const char *name;
	enum policy_class cls;
	uint32_t qid, domid;
	bool running, dvm_template;
} qubes[] = {
	{ "dom0", PCLASS_ADMINVM, 0, 0, true, false },
	{ "work", PCLASS_APPVM, 2, 2, true, false },
	{ "personal", PCLASS_APPVM, 3, 3, true, false },
	{ "vault", PCLASS_APPVM, 4, 4, false, false },
	{ "dvm", PCLASS_APPVM, 5, 5, false, true },
	{ "plain", PCLASS_APPVM, 6, 6, true, false },
};
#define NQUBES (sizeof(qubes) / sizeof(qubes[0]))

/* Everything the fakes were asked, for one input. */
struct cap_rec {
	char source[STR], target[STR], service[STR], argument[STR], request_id[STR];
	bool ok;
	bool target_ready;      /* the target's daemon had answered a PING */
	bool fresh;             /* the token has life left */
	uint8_t token[CAPD_TOKEN_SIZE];
};

struct exec_rec {
	char qube[STR];
	struct dom0req req;
	char cmdline[2 * STR + MAX_SERVICE_NAME_LEN];
	struct dom0rep rep;     /* what the fake daemon answered */
};

static struct {
	uint8_t opt0, opt1;
	/* capd (cap.c) */
	struct cap_rec caps[EVENTS_MAX];
	size_t ncaps, nredeems, naudits;
	uint32_t token_serial;
	/* the Admin API (dispvm.c, policy_facts_from_admin) */
	bool started[NQUBES];
	bool created, destroyed;
	char created_from[STR];
	/* the runner (runner.c) */
	size_t nruns, nruns_ok, nasks;
	uint32_t run_domain, run_port;
	char run_command[STR + MAX_SERVICE_NAME_LEN];
	const uint8_t *prompt_answer;
	size_t prompt_len;
	/* the daemons (the thread), under lock */
	struct exec_rec execs[EVENTS_MAX];
	size_t nexecs, nwaits, npings, accepted, finished;
	bool ready[NQUBES + 1];     /* answered a PING: the qubes', the disposable's */
} fx;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cond = PTHREAD_COND_INITIALIZER;
static int daemon_lfd[NQUBES + 1];     /* the qubes', then the disposable's */
static int source_end = -1;            /* the harness's end of the request */
static char vchan_dir[BH_PATH_MAX];

static const struct fake_qube *qube_named(const char *name)
{
	for (size_t i = 0; i < NQUBES; i++)
		if (strcmp(qubes[i].name, name) == 0)
			return &qubes[i];
	return NULL;
}

static void copy(char *dst, const char *src)
{
	snprintf(dst, STR, "%s", src ? src : "(null)");
}

/* The index of a qube's daemon (daemon_lfd, fx.ready), or NQUBES + 1. */
static size_t daemon_index(const char *name)
{
	const struct fake_qube *q = qube_named(name);

	return q != NULL ? (size_t)(q - qubes) : strcmp(name, DISPVM_NAME) == 0 ? NQUBES : NQUBES + 1;
}

/* ---- capd (cap.c's functions) ---- */

int policyd_cap_get(const struct cap_plan *plan, const struct cap_who *w, struct capd_token *tok)
{
	struct cap_rec *c = &fx.caps[fx.ncaps];

	assert(fx.ncaps < EVENTS_MAX);
	fx.ncaps++;
	copy(c->source, w->source);
	copy(c->target, w->target);
	copy(c->service, w->service);
	copy(c->argument, w->argument);
	copy(c->request_id, w->request_id);
	pthread_mutex_lock(&lock);
	c->target_ready = daemon_index(w->target) <= NQUBES && fx.ready[daemon_index(w->target)];
	pthread_mutex_unlock(&lock);
	if (plan->ready) {
		/* Derived already while probing for a grant: that one. */
		*tok = plan->tok;
		c->ok = true;
	} else {
		c->ok = !(fx.opt0 & 4) && (!plan->from_grant || (fx.opt1 & 1));
		memset(tok, 0, sizeof(*tok));
		tok->version = CAPD_TOKEN_VERSION;
		tok->uses = 1;
		/* capd's clock is CLOCK_MONOTONIC, as now_ms().  fx.opt1 & 16:
		 * the grant's probe (the first) gives one without life. */
		tok->expiry_ms = (fx.opt1 & 16) && plan->from_grant && fx.ncaps == 1 ? 0 : now_ms() + CAPD_TTL_DEFAULT_MS;
		memcpy(tok->id, &fx.token_serial, sizeof(fx.token_serial));
		fx.token_serial++;
	}
	capd_token_encode(tok, c->token);
	c->fresh = tok->expiry_ms != 0;
	return c->ok ? 0 : -1;
}

int policyd_cap_redeem_dom0(const struct cap_who *w, const struct capd_token *tok)
{
	(void)w;
	(void)tok;
	fx.nredeems++;
	return (fx.opt0 & 8) ? -1 : 0;
}

void policyd_cap_audit(const struct cap_who *w, const char *requested, uint32_t verdict, const char *reason,
		       const char *file, uint32_t line)
{
	(void)w;
	(void)requested;
	(void)verdict;
	(void)reason;
	(void)file;
	(void)line;
	fx.naudits++;
}

/* ---- the Admin API (dispvm.c's functions, policy_admin_facts.c's) ---- */

int policyd_admin(const char *method, const char *dest, const char *arg, const char *payload, char *exc,
		  size_t exclen)
{
	const struct fake_qube *q = qube_named(dest);

	(void)arg;
	(void)payload;
	/* handle.c's only direct call: starting a halted target. */
	assert(strcmp(method, "admin.vm.Start") == 0 && q != NULL);
	if (fx.opt0 & 64) {
		snprintf(exc, exclen, "QubesException");
		return -1;
	}
	fx.started[q - qubes] = true;
	return 0;
}

int policyd_dispvm_create(const char *tmpl, const char *label, char *name, size_t namelen)
{
	(void)label;
	assert(!fx.created);
	copy(fx.created_from, tmpl);
	if (fx.opt0 & 32)
		return -1;
	fx.created = true;
	snprintf(name, namelen, "%s", DISPVM_NAME);
	return 0;
}

void policyd_dispvm_destroy(const char *name)
{
	assert(fx.created && !fx.destroyed && strcmp(name, DISPVM_NAME) == 0);
	fx.destroyed = true;
}

/* The qubes as bulkheadd lists them: those started meanwhile (started,
 * or none) running, and the disposable while it exists. */
static int fill_facts(struct policy_facts_table *t, const bool *started, bool with_dispvm)
{
	for (size_t i = 0; i < NQUBES; i++) {
		bool running = qubes[i].running || (started != NULL && started[i]);
		struct policy_qube q = { .name = qubes[i].name, .cls = qubes[i].cls,
					 .template_for_dispvms = qubes[i].dvm_template, .running = running,
					 .default_dispvm = qubes[i].cls == PCLASS_APPVM ? "dvm" : NULL,
					 .qid = qubes[i].qid, .domid = running ? qubes[i].domid : 0, .label = "red",
					 .default_user = qubes[i].cls == PCLASS_ADMINVM ? "root" : "user" };
		if (policy_facts_table_add(t, &q) < 0)
			return -1;
	}
	if (with_dispvm) {
		struct policy_qube q = { .name = DISPVM_NAME, .cls = PCLASS_DISPVM, .running = true,
					 .template = "dvm", .qid = DISPVM_DOMID, .domid = DISPVM_DOMID,
					 .label = "red", .default_user = "user" };
		if (policy_facts_table_add(t, &q) < 0)
			return -1;
	}
	return 0;
}

int policy_facts_from_admin(struct policy_facts_table *t)
{
	return fill_facts(t, fx.started, fx.created && !fx.destroyed);
}

/* ---- the runner (runner.c's functions) ---- */

int policyd_run_dom0(uint32_t domain, uint32_t port, const char *user, const char *command)
{
	(void)user;
	fx.nruns++;
	fx.run_domain = domain;
	fx.run_port = port;
	snprintf(fx.run_command, sizeof(fx.run_command), "%s", command);
	if (fx.opt0 & 16)
		return -EIO;
	fx.nruns_ok++;
	return 0;
}

int policyd_run_ask(char *const argv[])
{
	int pfd[2];

	assert(argv[0] != NULL && argv[1] != NULL && argv[2] != NULL && argv[3] != NULL);
	fx.nasks++;
	if (fx.opt0 & 128)
		return -EIO;
	assert(pipe2(pfd, O_CLOEXEC) == 0);
	assert(write(pfd[1], fx.prompt_answer, fx.prompt_len) == (ssize_t)fx.prompt_len);
	close(pfd[1]);
	return pfd[0];
}

/* ---- the target qubes' qrexec-daemons ---- */

/* The source (qrexec-client-vm) binds the channel's socket as the
 * call's server once policyd has answered it; vchan_socket_expose waits
 * for that to link it into the target's directory.  Played here, by the
 * daemons' thread, since the harness waits in policyd_handle.  No
 * directory for a source domain the facts do not know: nothing bound. */
static void bind_chan_socket(uint32_t server, uint32_t client, uint32_t port)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct pollfd p = { .fd = source_end, .events = POLLIN };
	int fd;

	if (poll(&p, 1, 3000) != 1)
		return;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%u/vchan.%u.%u.%u.sock", vchan_dir, server, server, client,
		 port);
	assert(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 || errno == ENOENT);
	close(fd);
}

static void serve_one(size_t qi, int fd)
{
	struct dom0req req;
	struct dom0rep rep = { 0, 0, qi < NQUBES ? qubes[qi].domid : DISPVM_DOMID };
	struct exec_rec *e = NULL;

	if (read_exact_deadline(fd, &req, sizeof(req), now_ms() + 2000) < 0)
		return;
	pthread_mutex_lock(&lock);
	if (req.op == DREQ_EXEC) {
		assert(fx.nexecs < EVENTS_MAX);
		e = &fx.execs[fx.nexecs++];
		memset(e, 0, sizeof(*e));
		copy(e->qube, qi < NQUBES ? qubes[qi].name : DISPVM_NAME);
		e->req = req;
		assert(req.cmdline_len >= 1 && req.cmdline_len <= sizeof(e->cmdline));
		assert(read_exact_deadline(fd, e->cmdline, req.cmdline_len, now_ms() + 2000) == 0);
		assert(e->cmdline[req.cmdline_len - 1] == '\0');
		switch (fx.opt0 & 3) {
		case DA_OK:
			rep.port = EXEC_PORT;
			break;
		case DA_REFUSED:
			rep.rc = -EACCES;
			break;
		case DA_OTHER_DOMAIN:
			rep.domid += 1000;
			rep.port = EXEC_PORT;
			break;
		default:
			rep.port = 5;
			break;
		}
		e->rep = rep;
	} else if (req.op == DREQ_PING) {
		fx.npings++;
		if (fx.opt1 & 4) {
			pthread_mutex_unlock(&lock);
			return;                     /* closed unanswered */
		}
		if (fx.opt1 & 8)
			rep.domid += 1000;
		else
			fx.ready[qi] = true;
	} else {
		assert(req.op == DREQ_WAIT_PORT);
		fx.nwaits++;
	}
	pthread_mutex_unlock(&lock);
	assert(write_all_deadline(fd, &rep, sizeof(rep), now_ms() + 2000) == 0);
	if (req.op == DREQ_EXEC && rep.rc == 0 && rep.port == EXEC_PORT && rep.domid < 1000)
		bind_chan_socket(req.domain, rep.domid, rep.port);
}

static void *daemons(void *arg)
{
	(void)arg;
	for (;;) {
		struct pollfd p[NQUBES + 1];

		for (size_t i = 0; i <= NQUBES; i++)
			p[i] = (struct pollfd){ .fd = daemon_lfd[i], .events = POLLIN };
		if (poll(p, NQUBES + 1, -1) < 0)
			continue;
		for (size_t i = 0; i <= NQUBES; i++) {
			int fd;

			if (!(p[i].revents & POLLIN) || (fd = accept4(daemon_lfd[i], NULL, NULL, SOCK_CLOEXEC)) < 0)
				continue;
			pthread_mutex_lock(&lock);
			fx.accepted++;
			pthread_mutex_unlock(&lock);
			serve_one(i, fd);
			close(fd);
			pthread_mutex_lock(&lock);
			fx.finished++;
			pthread_cond_signal(&done_cond);
			pthread_mutex_unlock(&lock);
		}
	}
	return NULL;
}

static char root[] = "/tmp/fuzz-policyd-decision.XXXXXX";

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) == 0 ? 0 : -1;
}

/* The temporary root goes with the process (sockets and all). */
static void remove_root(void)
{
	(void)nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[BH_PATH_MAX], dir[BH_PATH_MAX + 16];
	pthread_t th;

	(void)argc;
	(void)argv;
	log_init("qrexec-policyd");
	assert(mkdtemp(root) != NULL);
	atexit(remove_root);
	setenv("BULKHEAD_ROOT", root, 1);
	unsetenv("VCHAN_DOMAIN");
	unsetenv("VCHAN_SOCKET_DIR");
	assert(bh_mkdirs("run/bulkhead/qrexec", 0700) == 0);
	assert(bh_mkdirs(VCHAN_SOCKET_DIR_DEFAULT, 0755) == 0);
	assert(bh_path(vchan_dir, sizeof(vchan_dir), VCHAN_SOCKET_DIR_DEFAULT) == 0);
	for (size_t i = 0; i <= NQUBES; i++) {
		const char *name = i < NQUBES ? qubes[i].name : DISPVM_NAME;
		uint32_t domid = i < NQUBES ? qubes[i].domid : DISPVM_DOMID;

		assert(dom0req_socket_path(name, path, sizeof(path)) == 0);
		daemon_lfd[i] = unix_listen(path, 8);
		assert(daemon_lfd[i] >= 0);
		snprintf(dir, sizeof(dir), "%s/%u", vchan_dir, domid);
		assert(mkdir(dir, 0755) == 0 || errno == EEXIST);
	}
	assert(pthread_create(&th, NULL, daemons, NULL) == 0);
	assert(pthread_detach(th) == 0);
	return 0;
}

/* Empties the channel directories the last input's calls used. */
static void clear_channels(void)
{
	char dir[BH_PATH_MAX + 16], p[BH_PATH_MAX + 300];
	DIR *d;
	struct dirent *de;

	for (size_t i = 0; i <= NQUBES; i++) {
		snprintf(dir, sizeof(dir), "%s/%u", vchan_dir, i < NQUBES ? qubes[i].domid : DISPVM_DOMID);
		if ((d = opendir(dir)) == NULL)
			continue;
		while ((de = readdir(d)) != NULL)
			if (de->d_name[0] != '.') {
				snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
				assert(unlink(p) == 0);
			}
		closedir(d);
	}
}

/* The input's parts: [0, SEP) [SEP, SEP) [SEP, end). */
static size_t split(const uint8_t *s, size_t n, const uint8_t **part, size_t *len, size_t max)
{
	size_t k = 0;

	part[0] = s;
	for (size_t i = 0; i + sizeof(SEP) <= n && k + 1 < max; i++)
		if (memcmp(s + i, SEP, sizeof(SEP)) == 0) {
			len[k] = (size_t)(s + i - part[k]);
			part[++k] = s + i + sizeof(SEP);
			i += sizeof(SEP) - 1;
		}
	len[k] = (size_t)(s + n - part[k]);
	for (size_t j = k + 1; j < max; j++) {
		part[j] = s + n;
		len[j] = 0;
	}
	return k + 1;
}

/* The reader's verdict on bytes, on a socketpair of its own. */
static bool read_request(const uint8_t *b, size_t n, struct request *r)
{
	int sv[2];
	bool ok;

	assert(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	assert(n == 0 || write(sv[1], b, n) == (ssize_t)n);
	close(sv[1]);
	ok = policyd_read_request(sv[0], r) == 0;
	close(sv[0]);
	return ok;
}

/* A target the decision allows the call to reach. */
static bool permitted(const struct policy_decision *d, const char *target)
{
	if (d->verdict == POLICY_ALLOW)
		return strcmp(d->target, target) == 0;
	for (size_t i = 0; i < d->ntargets; i++)
		if (strcmp(d->targets[i], target) == 0)
			return true;
	return false;
}

/* A target a call may be set up to: the user's choice when asked (and
 * one offered: ask.c), else one the decision allows. */
static bool call_to(const struct policy_decision *d, const char *chosen, const char *target)
{
	return chosen != NULL ? strcmp(chosen, target) == 0 : permitted(d, target);
}

/* The qube a call went to, by the name the decision would give it: a
 * disposable is "@dispvm:TEMPLATE". */
static void decision_name(const char *qube, char *out)
{
	if (strcmp(qube, DISPVM_NAME) == 0)
		snprintf(out, STR, "@dispvm:%s", fx.created_from);
	else
		snprintf(out, STR, "%s", qube);
}

static void check_decision(const struct request *r, const struct policy *pol, const struct policy_rep *ans)
{
	static struct policy_decision d;
	struct policy_facts_table *t = policy_facts_table_new();
	const struct policy_qube *src;
	struct policy_facts facts;
	struct policy_query q;
	char name[STR];
	const char *chosen = NULL;   /* the user's answer, when asked */
	bool denied;

	/* The facts as they were before the call (nothing started yet). */
	assert(t != NULL && fill_facts(t, NULL, false) == 0);
	facts = policy_facts_table_facts(t);
	q = (struct policy_query){ r->hdr.source, r->hdr.target, r->name, r->arg, &facts };
	if (policy_evaluate(pol, &q, &d) < 0)
		d.verdict = POLICY_DENY;
	src = policy_facts_table_find(t, r->hdr.source);
	denied = src == NULL || d.verdict == POLICY_DENY || geteuid() != 0;

	if (denied) {
		assert(ans->verdict == POLICY_REP_DENY);
		assert(fx.ncaps == 0 && fx.nexecs == 0 && fx.nruns == 0 && fx.nredeems == 0 && fx.nasks == 0);
		assert(!fx.created);
		policy_facts_table_free(t);
		return;
	}
	/* The user was asked: a "no" (no prompt, an answer not exactly
	 * "TARGET SCOPE\n" of a target offered: ask.c's rules, restated) is
	 * a deny; a "yes" allows only the target chosen. */
	if (fx.nasks == 1) {
		static struct ask_reply reply;
		bool yes = !(fx.opt0 & 128) && fx.prompt_len > 0 && fx.prompt_len <= ASK_REPLY_MAX &&
			   ask_reply_parse(fx.prompt_answer, fx.prompt_len, &reply) == ASK_OK &&
			   permitted(&d, reply.target);

		assert(d.verdict == POLICY_ASK);
		if (!yes) {
			assert(ans->verdict == POLICY_REP_DENY);
			assert(fx.nexecs == 0 && fx.nruns == 0 && fx.nredeems == 0 && !fx.created);
			for (size_t i = 0; i < fx.ncaps; i++)
				assert(!fx.caps[i].ok);
			policy_facts_table_free(t);
			return;
		}
		chosen = reply.target;
	}
	/* Capabilities: for this call, to a permitted target (a grant's probe
	 * may try another offered one before the user is asked). */
	for (size_t i = 0; i < fx.ncaps; i++) {
		const struct cap_rec *c = &fx.caps[i];

		decision_name(c->target, name);
		assert(strcmp(c->source, r->hdr.source) == 0 && strcmp(c->service, r->name) == 0 &&
		       strcmp(c->argument, r->arg) == 0 && strcmp(c->request_id, r->hdr.request_id) == 0);
		assert(permitted(&d, name) && (!c->ok || call_to(&d, chosen, name)));
	}
	/* At most one EXEC, to a permitted target, with the capability last
	 * had for it and the call's command. */
	assert(fx.nexecs <= 1);
	for (size_t i = 0; i < fx.nexecs; i++) {
		const struct exec_rec *e = &fx.execs[i];
		const struct cap_rec *c = NULL;
		char want[sizeof(e->cmdline)];

		decision_name(e->qube, name);
		assert(call_to(&d, chosen, name));
		for (size_t j = 0; j < fx.ncaps; j++)
			if (fx.caps[j].ok && strcmp(fx.caps[j].target, e->qube) == 0)
				c = &fx.caps[j];
		assert(c != NULL && memcmp(e->req.token, c->token, CAPD_TOKEN_SIZE) == 0);
		/* Had once the target was known to serve (fx.opt1 & 12: never). */
		assert(c->target_ready && !(fx.opt1 & 12));
		/* Not one the wait left without life (derived again). */
		assert(c->fresh);
		assert(e->req.domain == r->hdr.source_domid && e->req.source_qid == src->qid && !e->req.just_exec);
		assert(strcmp(e->req.request_id, r->hdr.request_id) == 0);
		/* The policy's user, else the target's default one. */
		snprintf(want, sizeof(want), "%s:QUBESRPC %s %s", d.user[0] ? d.user : "user", r->service,
			 r->hdr.source);
		assert(strcmp(e->cmdline, want) == 0);
	}
	/* dom0's runner: only for a call into dom0. */
	assert(fx.nruns <= 1);
	if (fx.nruns == 1) {
		char want[sizeof(fx.run_command)];

		assert(call_to(&d, chosen, "dom0"));
		assert(fx.run_domain == r->hdr.source_domid && fx.run_port == DOM0_PORT);
		snprintf(want, sizeof(want), "QUBESRPC %s %s", r->service, r->hdr.source);
		assert(strcmp(fx.run_command, want) == 0);
	}
	/* A disposable only from a permitted @dispvm:TEMPLATE, and removed. */
	if (fx.created_from[0] != '\0') {
		snprintf(name, sizeof(name), "@dispvm:%s", fx.created_from);
		assert(call_to(&d, chosen, name));
	}
	assert(fx.created == fx.destroyed);
	/* ALLOW: the endpoint of a call set up. */
	if (ans->verdict == POLICY_REP_ALLOW) {
		if (ans->target_domid == 0) {
			assert(fx.nruns_ok == 1 && fx.nredeems == 1 && ans->port == DOM0_PORT);
		} else {
			const struct exec_rec *e = &fx.execs[0];
			const struct fake_qube *tq = qube_named(e->qube);

			assert(fx.nexecs == 1 && e->rep.rc == 0 && e->rep.port == ans->port);
			assert(ans->target_domid == (tq ? tq->domid : DISPVM_DOMID) && e->rep.domid == ans->target_domid);
			assert(ans->port >= QREXEC_DATA_PORT_MIN);
		}
	}
	policy_facts_table_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct request r;
	const uint8_t *part[3];
	size_t len[3];
	struct policy *pol;
	struct policy_rep ans;
	uint8_t extra;
	bool valid;
	int sv[2], fd_floor;
	ssize_t got;

	if (size < 2)
		return 0;
	fd_floor = lowest_free_fd();
	memset(&fx, 0, sizeof(fx));
	fx.opt0 = data[0];
	fx.opt1 = data[1];
	split(data + 2, size - 2, part, len, 3);
	fx.prompt_answer = part[2];
	fx.prompt_len = len[2] < 4096 ? len[2] : 4096;
	pol = policy_load_buffer("30-fuzz.policy", part[1], len[1]);
	valid = read_request(part[0], len[0], &r);

	assert(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	assert(len[0] == 0 || write(sv[1], part[0], len[0]) == (ssize_t)len[0]);
	assert(shutdown(sv[1], SHUT_WR) == 0);
	pthread_mutex_lock(&lock);
	source_end = sv[1];
	pthread_mutex_unlock(&lock);
	(void)policyd_handle(sv[0], pol, DOM0_PORT, (fx.opt1 & 2) != 0);
	/* Every connection to a daemon served and closed. */
	pthread_mutex_lock(&lock);
	while (fx.finished != fx.accepted)
		pthread_cond_wait(&done_cond, &lock);
	pthread_mutex_unlock(&lock);

	/* Read before policyd's end closes: bytes of ours it left unread
	 * would turn the close into a reset. */
	got = recv(sv[1], &ans, sizeof(ans), MSG_DONTWAIT);
	if (!valid) {
		assert(got < 0 && errno == EAGAIN);
		assert(fx.ncaps == 0 && fx.nexecs == 0 && fx.nruns == 0 && fx.naudits == 0 && fx.nasks == 0);
	} else {
		assert(got == (ssize_t)sizeof(ans));
		assert(recv(sv[1], &extra, 1, MSG_DONTWAIT) < 0 && errno == EAGAIN);
		assert(ans.verdict == POLICY_REP_DENY || ans.verdict == POLICY_REP_ALLOW);
		check_decision(&r, pol, &ans);
	}
	close(sv[0]);
	close(sv[1]);
	policy_free(pol);
	clear_channels();
	assert(lowest_free_fd() == fd_floor);
	return 0;
}
