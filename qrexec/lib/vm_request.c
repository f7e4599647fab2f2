#include "qrexec/lib/vm_request.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/io.h"

int vm_request(const char *target, const char *service, struct vmrep *rep, uint64_t deadline)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *dir = getenv("QREXEC_AGENT_DIR") ? getenv("QREXEC_AGENT_DIR") : "/run/bulkhead";
	struct vmreq req = { .service_len = (uint32_t)strlen(service) + 1 };
	int fd, rc = 0, n;

	if (strlen(target) >= sizeof(req.target) || req.service_len > MAX_SERVICE_NAME_LEN)
		return -ENAMETOOLONG;
	n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", dir, AGENT_SOCKET_NAME);
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(req.target, target, strlen(target));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		rc = -errno;
	if (rc == 0)
		rc = write_all_deadline(fd, &req, sizeof(req), deadline);
	if (rc == 0)
		rc = write_all_deadline(fd, service, req.service_len, deadline);
	if (rc == 0)
		rc = read_exact_deadline(fd, rep, sizeof(*rep), deadline);
	close(fd);
	return rc;
}

int vm_request_use_channel(const struct vmrep *rep)
{
	char dom[16];

	if (rep->self == 0 || rep->self > QREXEC_DOMID_MAX)
		return -EPROTO;
	snprintf(dom, sizeof(dom), "%u", rep->self);
	if (setenv("VCHAN_DOMAIN", dom, 1) < 0 ||
	    (getenv("VCHAN_SOCKET_DIR") == NULL && setenv("VCHAN_SOCKET_DIR", QUBE_VCHAN_DIR, 1) < 0))
		return -errno;
	return 0;
}
