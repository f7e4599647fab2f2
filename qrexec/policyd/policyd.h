/* qrexec-policyd internals. */
#ifndef BH_QREXEC_POLICYD_H
#define BH_QREXEC_POLICYD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/sandbox.h"
#include "qrexec/policy/policy.h"
#include "capd/capd_parse.h"
#include "capd/prompt/ask_parse.h"
#include "qrexec/protocol.h"

/* In a child: serves the request on fd (one policy_req), answers it and,
 * when allowed, sets the call up.  dom0_port numbers the data channel of
 * a call into dom0; quiet: the decision is not logged (the parent's rate
 * limit).  Returns the child's exit status. */
int policyd_handle(int fd, const struct policy *pol, uint32_t dom0_port, bool quiet);

/* The user's answer to an ask (ask.c): 0 and the chosen target (one the
 * policy offered) with the scope of the grant, or -1 (deny). */
int policyd_ask(const char *source, const char *label, const char *service_full, const struct policy_decision *d,
		struct ask_reply *reply);

/* dispvm.c: one Admin API call to bulkheadd; 0, or -1 (with the
 * exception type in exc, when not NULL, if bulkheadd refused it). */
int policyd_admin(const char *method, const char *dest, const char *arg, const char *payload, char *exc,
		  size_t exclen);

/* dispvm.c: a disposable qube from tmpl (an AppVM with
 * template_for_dispvms), named dispN into name, created and started.
 * 0, or -1 (logged; nothing left behind). */
int policyd_dispvm_create(const char *tmpl, const char *label, char *name, size_t namelen)
	__attribute__((warn_unused_result));
/* Kills and removes it. */
void policyd_dispvm_destroy(const char *name);

/* cap.c: capd.  A call as capd binds it. */
struct cap_who {
	const char *source;
	uint32_t source_qid;
	const char *target;         /* a qube name, or "dom0" */
	uint32_t target_qid;
	const char *service;        /* without the argument */
	const char *argument;       /* "" for none */
	const char *request_id;
};

/* How its capability is had: minted for this call (scope 0), derived
 * from a standing grant that already covers it (from_grant), or from a
 * grant made now with the user's scope (CAPD_SCOPE_*, value); or had
 * already (ready: derived while checking for a grant, tok). */
struct cap_plan {
	bool from_grant;
	uint32_t scope, value;
	bool ready;
	struct capd_token tok;
};

/* 0 with *tok, or -1 (logged, except "no grant covers it" when asked
 * from_grant: then the user is asked). */
int policyd_cap_get(const struct cap_plan *plan, const struct cap_who *w, struct capd_token *tok)
	__attribute__((warn_unused_result));
/* A call into dom0: policyd redeems it itself, its runner serving it. */
int policyd_cap_redeem_dom0(const struct cap_who *w, const struct capd_token *tok)
	__attribute__((warn_unused_result));
/* The decision, in capd's audit log (CAPD_VERDICT_*; reason a policy
 * reason name; file:line the rule, or NULL and 0). */
void policyd_cap_audit(const struct cap_who *w, const char *requested, uint32_t verdict, const char *reason,
		       const char *file, uint32_t line);

/* runner.c: dom0 services run outside policyd's sandbox. */
enum { RUNNER_SERVE = 1, RUNNER_ASK = 2 };

struct runner_req {
	uint32_t op;
	/* RUNNER_SERVE */
	uint32_t domain, port;                  /* the data channel (domain serves it) */
	char user[USER_NAME_MAX + 1];
	char command[MAX_SERVICE_NAME_LEN + 64];   /* "QUBESRPC SVC+ARG SOURCE" */
	/* RUNNER_ASK (with a pipe's write end as SCM_RIGHTS): the prompt's
	 * arguments after the program (which the runner picks),
	 * NUL-separated, argc of them: SOURCE LABEL SERVICE+ARG DEFAULT
	 * TARGET... */
	uint32_t argc;
	char args[POLICY_ASK_TARGETS_MAX * POLICY_TARGET_MAX / 4];
};

/* From a request child: have the runner run the prompt with argv (its
 * arguments, NULL-terminated); the prompt's answer (nothing: deny)
 * comes back on the returned fd.  -errno on error. */
int policyd_run_ask(char *const argv[]) __attribute__((warn_unused_result));

/* Forks the runner (before the sandbox).  0 or -errno. */
int policyd_runner_start(void);
/* Our end of the runner's socket (request children inherit it). */
int policyd_runner_fd(void);
/* From a request child: have the runner serve a call into dom0. */
int policyd_run_dom0(uint32_t domain, uint32_t port, const char *user, const char *command)
	__attribute__((warn_unused_result));

extern const struct sandbox_rule policyd_seccomp[];
extern const size_t policyd_seccomp_len;

#endif
