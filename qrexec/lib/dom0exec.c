#include "qrexec/lib/dom0exec.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "capd/capd_client.h"
#include "lib/admin_client.h"
#include "lib/io.h"
#include "qrexec/lib/capcall.h"

/* The qube's qid ("default=X type=int N"), which capd binds. */
static int qube_qid(const char *qube, uint32_t *qid)
{
	struct admin_reply r;
	const char *v;
	char *end;
	unsigned long n;
	int rc = admin_call("admin.vm.property.Get", qube, "qid", NULL, 0, &r);

	if (rc == 0 && !r.ok)
		rc = strcmp(r.exc_type, "QubesVMNotFoundError") == 0 ? -ENOENT : -EPROTO;
	if (rc == 0 && (r.content.buf == NULL || (v = strrchr(r.content.buf, ' ')) == NULL ||
			(n = strtoul(v + 1, &end, 10), *end != '\0') || n == 0 || n > QREXEC_DOMID_MAX))
		rc = -EPROTO;
	if (rc == 0)
		*qid = (uint32_t)n;
	admin_reply_free(&r);
	return rc;
}

int dom0_exec(const char *qube, bool just_exec, const char *cmdline, struct dom0rep *rep)
{
	struct dom0req req = { .op = DREQ_EXEC, .domain = 0, .just_exec = just_exec };
	struct capd_call call;
	struct capd_token tok;
	uint8_t nonce[8];
	uint32_t qid = 0, reason = 0;
	int rc;

	if ((rc = qube_qid(qube, &qid)) < 0)
		return rc;
	/* Calls from dom0 get request ids of their own: "dom0-" and 16 hex. */
	if (getrandom(nonce, sizeof(nonce), 0) != sizeof(nonce))
		return -EIO;
	memcpy(req.request_id, "dom0-", 5);
	sodium_bin2hex(req.request_id + 5, sizeof(req.request_id) - 5, nonce, sizeof(nonce));
	if (capcall_build(&call, cmdline, 0, qube, qid, req.request_id) < 0)
		return -EINVAL;
	if ((rc = capd_mint(NULL, &call, 0, &tok, &reason, now_ms() + CAPD_REQ_TIMEOUT_MS)) < 0)
		return -EACCES;
	capd_token_encode(&tok, req.token);
	req.cmdline_len = (uint32_t)strlen(cmdline) + 1;
	return dom0req_call(qube, &req, cmdline, rep);
}
