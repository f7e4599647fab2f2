/* Service requests from qrexec-client-vm, forwarded to dom0, and dom0's
 * answers sent back.  The caller becomes the data channel's server. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/io.h"
#include "lib/log.h"
#include "qrexec/agent/agent.h"
#include "qrexec/msg_parse.h"

#define VMREQ_TIMEOUT_MS 5000u

static void drop(struct pending *p)
{
	if (p->fd >= 0)
		close(p->fd);
	memset(p, 0, sizeof(*p));
	p->fd = -1;
}

static void answer(struct pending *p, uint32_t status, uint32_t domain, uint32_t port)
{
	struct vmrep rep = { status, domain, port, vchan_local_domain() };

	if (write_all_deadline(p->fd, &rep, sizeof(rep), now_ms() + VMREQ_TIMEOUT_MS) < 0)
		log_warnx("qrexec-client-vm went away before its answer");
	drop(p);
}

void agent_vm_accept(struct agent *a, int lfd)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	for (size_t i = 0; i < AGENT_MAX_PENDING; i++) {
		struct pending *p = &a->pending[i];
		if (p->fd >= 0)
			continue;
		p->fd = fd;
		p->sent = 0;
		p->deadline = now_ms() + VMREQ_TIMEOUT_MS;
		return;
	}
	log_warnx("too many pending service requests; refusing one");
	close(fd);
}

/* The whole request is read at once (it is small and sent in one go);
 * after it was forwarded, readability means the caller gave up. */
void agent_vm_readable(struct agent *a, struct pending *p)
{
	struct vmreq untrusted_req;
	uint8_t *untrusted_service = NULL, *msg = NULL;
	size_t n;

	if (p->sent) {
		drop(p);
		return;
	}
	if (read_exact_deadline(p->fd, &untrusted_req, sizeof(untrusted_req), p->deadline) < 0 ||
	    untrusted_req.service_len < 2 || untrusted_req.service_len > MAX_SERVICE_NAME_LEN) {
		drop(p);
		return;
	}
	untrusted_service = malloc(untrusted_req.service_len);
	msg = malloc(8 + QREXEC_TRIGGER3_FIXED + (size_t)untrusted_req.service_len);
	if (untrusted_service == NULL || msg == NULL ||
	    read_exact_deadline(p->fd, untrusted_service, untrusted_req.service_len, p->deadline) < 0)
		goto bad;
	snprintf(p->request_id, sizeof(p->request_id), "%u", ++a->next_id);
	/* The encoder applies dom0's checks to target and service: a request
	 * dom0 would reject is answered here, not sent. */
	if (memchr(untrusted_req.target, '\0', sizeof(untrusted_req.target)) == NULL ||
	    untrusted_service[untrusted_req.service_len - 1] != '\0' ||
	    strlen((const char *)untrusted_service) != untrusted_req.service_len - 1 ||
	    qrexec_trigger3_encode(untrusted_req.target, p->request_id, (const char *)untrusted_service, msg,
				   8 + QREXEC_TRIGGER3_FIXED + (size_t)untrusted_req.service_len,
				   &n) != QREXEC_OK) {
		answer(p, VMREP_FAILED, 0, 0);
		goto out;
	}
	agent_send_ctrl(a, msg, n);
	p->sent = 1;
	goto out;
bad:
	drop(p);
out:
	free(untrusted_service);
	free(msg);
}

int agent_vm_answer(struct agent *a, const struct msg_header *h, const uint8_t *untrusted_payload)
{
	struct qrexec_service_connect c = { 0 };
	struct qrexec_service_refused r;
	int rc;

	if (h->type == MSG_SERVICE_CONNECT) {
		rc = qrexec_service_connect_decode(untrusted_payload, h->len, &c);
	} else {
		rc = qrexec_service_refused_decode(untrusted_payload, h->len, &r);
		memcpy(c.request_id, r.request_id, sizeof(c.request_id));
	}
	if (rc != QREXEC_OK) {
		log_warnx("malformed answer from dom0: %s", qrexec_strerror(rc));
		return -1;
	}
	for (size_t i = 0; i < AGENT_MAX_PENDING; i++) {
		struct pending *p = &a->pending[i];
		if (p->fd < 0 || !p->sent || strcmp(p->request_id, c.request_id) != 0)
			continue;
		if (h->type == MSG_SERVICE_CONNECT)
			answer(p, VMREP_CONNECT, c.connect_domain, c.connect_port);
		else
			answer(p, VMREP_REFUSED, 0, 0);
		return 0;
	}
	/* The caller may have given up meanwhile: nothing to do. */
	return 0;
}
