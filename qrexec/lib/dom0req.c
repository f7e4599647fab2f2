#include "qrexec/lib/dom0req.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/io.h"
#include "lib/names_parse.h"
#include "lib/paths.h"
#include "lib/unixsock.h"

int dom0req_check(const struct dom0req *untrusted_req)
{
	const struct dom0req *r = untrusted_req;
	size_t idlen = strnlen(r->request_id, REQUEST_ID_SIZE);

	if (r->op < DREQ_EXEC || r->op > DREQ_OP_MAX || r->just_exec > 1 || idlen == REQUEST_ID_SIZE)
		return -1;
	/* Every byte after the id's NUL is NUL: one spelling per request. */
	for (size_t i = idlen; i < REQUEST_ID_SIZE; i++)
		if (r->request_id[i] != '\0')
			return -1;
	/* Only an EXEC carries a capability and its source's qid. */
	if (r->op != DREQ_EXEC) {
		if (r->source_qid != 0)
			return -1;
		for (size_t i = 0; i < sizeof(r->token); i++)
			if (r->token[i] != 0)
				return -1;
	}
	switch (r->op) {
	case DREQ_EXEC:
		return r->cmdline_len >= 2 && r->cmdline_len <= MAX_QREXEC_CMD_LEN && r->port == 0 &&
		       idlen > 0 && r->source_qid <= QREXEC_DOMID_MAX ? 0 : -1;
	case DREQ_SERVICE_CONNECT:
		return r->cmdline_len == 0 && r->just_exec == 0 && r->port > VCHAN_BASE_PORT &&
		       idlen > 0 ? 0 : -1;
	case DREQ_SERVICE_REFUSED:
		return r->cmdline_len == 0 && r->just_exec == 0 && r->port == 0 && r->domain == 0 &&
		       idlen > 0 ? 0 : -1;
	case DREQ_WAIT_PORT:
		return r->cmdline_len == 0 && r->just_exec == 0 && r->port > VCHAN_BASE_PORT &&
		       idlen == 0 ? 0 : -1;
	case DREQ_PING:
		return r->cmdline_len == 0 && r->just_exec == 0 && r->port == 0 && r->domain == 0 &&
		       idlen == 0 ? 0 : -1;
	}
	return -1;
}

int dom0req_socket_path(const char *qube, char *out, size_t outlen)
{
	char rel[128];

	if (names_check(NAME_QUBE, (const uint8_t *)qube, strlen(qube)) < 0)
		return -EINVAL;
	snprintf(rel, sizeof(rel), "run/bulkhead/qrexec/qrexec.%s.sock", qube);
	return bh_path(out, outlen, rel);
}

int dom0rep_errno(const struct dom0rep *untrusted_rep)
{
	int32_t rc = untrusted_rep->rc;

	return rc == 0 ? 0 : rc < 0 && rc > -4096 ? rc : -EPROTO;
}

int dom0rep_exec_check(const struct dom0rep *untrusted_rep, uint32_t domid, struct dom0rep *out)
{
	if (untrusted_rep->rc != 0 || domid == 0 || untrusted_rep->domid != domid ||
	    untrusted_rep->port < QREXEC_DATA_PORT_MIN || untrusted_rep->port > QREXEC_DATA_PORT_MAX)
		return -1;
	*out = *untrusted_rep;
	return 0;
}

int dom0rep_ping_check(const struct dom0rep *untrusted_rep, uint32_t domid)
{
	return untrusted_rep->rc == 0 && untrusted_rep->port == 0 && domid != 0 && untrusted_rep->domid == domid
		       ? 0 : -1;
}

static int call_until(const char *qube, const struct dom0req *req, const char *cmdline,
		      struct dom0rep *untrusted_rep, uint64_t deadline)
{
	char path[BH_PATH_MAX];
	int fd, rc = dom0req_socket_path(qube, path, sizeof(path));

	if (rc < 0)
		return rc;
	fd = unix_connect_deadline(path, deadline);
	if (fd < 0)
		return fd;
	rc = write_all_deadline(fd, req, sizeof(*req), deadline);
	if (rc == 0 && req->op == DREQ_EXEC)
		rc = write_all_deadline(fd, cmdline, req->cmdline_len, deadline);
	if (rc == 0)
		rc = read_exact_deadline(fd, untrusted_rep, sizeof(*untrusted_rep), deadline);
	close(fd);
	return rc;
}

int dom0req_call(const char *qube, const struct dom0req *req, const char *cmdline,
		 struct dom0rep *untrusted_rep)
{
	return call_until(qube, req, cmdline, untrusted_rep, now_ms() + DOM0REQ_TIMEOUT_MS);
}

int dom0req_wait_port(const char *qube, uint32_t domain, uint32_t port, uint64_t deadline_ms)
{
	struct dom0req req = { .op = DREQ_WAIT_PORT, .domain = domain, .port = port };
	struct dom0rep untrusted_rep;
	int rc = call_until(qube, &req, NULL, &untrusted_rep, deadline_ms);

	/* EOF: the daemon exited with its qube; the channel is gone too. */
	if (rc == -EPIPE || rc == -ECONNRESET || rc == -ENOENT || rc == -ECONNREFUSED)
		return 0;
	return rc < 0 ? rc : dom0rep_errno(&untrusted_rep);
}

int dom0req_ping(const char *qube, uint32_t domid, uint64_t deadline_ms)
{
	struct dom0req req = { .op = DREQ_PING };
	struct dom0rep untrusted_rep;
	int rc = call_until(qube, &req, NULL, &untrusted_rep, deadline_ms);

	if (rc < 0)
		return rc;
	return dom0rep_ping_check(&untrusted_rep, domid) < 0 ? -EPROTO : 0;
}
