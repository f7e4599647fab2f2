/* EXEC_CMDLINE / JUST_EXEC payloads and QUBESRPC commands.  The agent
 * runs what these return; everything is checked before *out is
 * written. */
#include "qrexec/exec_parse.h"

#define NOGUI_PREFIX      "nogui:"
#define NOGUI_PREFIX_LEN  6u
#define RPC_PREFIX        "QUBESRPC "
#define RPC_PREFIX_LEN    9u

/* A user name: 1..USER_NAME_MAX bytes of names_check(NAME_USER). */
/*@ requires \valid_read(p + (0 .. n - 1));
    assigns \nothing;
    ensures \result ==> 1 <= n <= USER_NAME_MAX; */
static bool user_ok(const uint8_t *p, size_t n)
{
	return n >= 1 && n <= USER_NAME_MAX && names_check(NAME_USER, p, n) == 0;
}

/* A caller's name: "dom0" or a qube name, at most QUBE_NAME_MAX bytes. */
/*@ requires \valid_read(p + (0 .. n - 1));
    assigns \nothing;
    ensures \result ==> 1 <= n <= QUBE_NAME_MAX; */
static bool source_ok(const uint8_t *p, size_t n)
{
	if (n < 1 || n > QUBE_NAME_MAX)
		return false;
	if (n == 4 && qrexec_has_prefix(p, n, "dom0", 4))
		return true;
	return names_check(NAME_QUBE, p, n) == 0;
}

int qrexec_exec_decode(const uint8_t *untrusted_buf, size_t len, struct qrexec_exec *out)
{
	const uint8_t *untrusted_cmd = untrusted_buf + 8;
	uint32_t domid, port;
	size_t n, colon, c;
	bool nogui = false;
	int rc;

	if (len < 9 || len > 8 + MAX_QREXEC_CMD_LEN)
		return QREXEC_ELENGTH;
	domid = qrexec_get_u32(untrusted_buf);
	port = qrexec_get_u32(untrusted_buf + 4);
	rc = qrexec_endpoint_check(domid, port);
	if (rc != QREXEC_OK)
		return rc;
	/* n: the cmdline's length without its NUL, which must be the last
	 * byte and the only NUL. */
	n = len - 9;
	if (untrusted_cmd[n] != 0 || qrexec_nul_index(untrusted_cmd, n) != n)
		return QREXEC_ENUL;
	colon = qrexec_find_byte(untrusted_cmd, n, ':');
	if (colon == n || !user_ok(untrusted_cmd, colon))
		return QREXEC_EUSER;
	c = colon + 1;
	if (qrexec_has_prefix(untrusted_cmd + c, n - c, NOGUI_PREFIX, NOGUI_PREFIX_LEN)) {
		nogui = true;
		c += NOGUI_PREFIX_LEN;
	}
	if (c == n)
		return QREXEC_ECOMMAND;
	out->connect_domain = domid;
	out->connect_port = port;
	qrexec_store_str(out->user, USER_NAME_MAX + 1, untrusted_cmd, colon);
	out->nogui = nogui;
	qrexec_store_str(out->command, MAX_QREXEC_CMD_LEN, untrusted_cmd + c, n - c);
	out->command_len = (uint32_t)(n - c);
	return QREXEC_OK;
}

int qrexec_rpc_cmd_parse(const uint8_t *untrusted_buf, size_t len, struct qrexec_rpc_cmd *out)
{
	const uint8_t *untrusted_svc, *untrusted_src;
	size_t n, sp, srclen;

	if (!qrexec_has_prefix(untrusted_buf, len, RPC_PREFIX, RPC_PREFIX_LEN))
		return QREXEC_ECOMMAND;
	untrusted_svc = untrusted_buf + RPC_PREFIX_LEN;
	n = len - RPC_PREFIX_LEN;
	/* The service charset has no space: the first one ends it. */
	sp = qrexec_find_byte(untrusted_svc, n, ' ');
	if (sp == n)
		return QREXEC_ECOMMAND;
	if (sp >= MAX_SERVICE_NAME_LEN || qrexec_service_check(untrusted_svc, sp) != QREXEC_OK)
		return QREXEC_ESERVICE;
	untrusted_src = untrusted_svc + sp + 1;
	srclen = n - sp - 1;
	if (!source_ok(untrusted_src, srclen))
		return QREXEC_ESOURCE;
	qrexec_service_store(untrusted_svc, sp, &out->service);
	qrexec_store_str(out->source, QUBE_NAME_MAX + 1, untrusted_src, srclen);
	return QREXEC_OK;
}

int qrexec_exec_encode(uint32_t type, uint32_t connect_domain, uint32_t connect_port, const char *user,
		       bool nogui, const char *command, uint8_t *buf, size_t cap, size_t *outlen)
{
	size_t ul = qrexec_cstr_len(user, USER_NAME_MAX + 1);
	size_t cl = qrexec_cstr_len(command, MAX_QREXEC_CMD_LEN);
	size_t g = nogui ? NOGUI_PREFIX_LEN : 0, clen, total;
	uint8_t *p;

	if ((type != MSG_EXEC_CMDLINE && type != MSG_JUST_EXEC) || ul == USER_NAME_MAX + 1 ||
	    cl == MAX_QREXEC_CMD_LEN || cl == 0 || qrexec_endpoint_check(connect_domain, connect_port) != QREXEC_OK)
		return QREXEC_EINVAL;
	clen = ul + 1 + g + cl + 1;        /* "user:[nogui:]command\0" */
	if (clen > MAX_QREXEC_CMD_LEN)
		return QREXEC_EINVAL;
	total = QREXEC_HDR_SIZE + 8 + clen;
	if (cap < total)
		return QREXEC_ENOSPACE;
	p = buf + QREXEC_HDR_SIZE + 8;
	qrexec_put_str(p, ul, user, ul);
	p[ul] = ':';
	if (nogui)
		qrexec_put_str(p + ul + 1, NOGUI_PREFIX_LEN, NOGUI_PREFIX, NOGUI_PREFIX_LEN);
	qrexec_put_str(p + ul + 1 + g, cl + 1, command, cl);
	if (!user_ok(p, ul) ||
	    (!nogui && qrexec_has_prefix(p + ul + 1, cl, NOGUI_PREFIX, NOGUI_PREFIX_LEN)))
		return QREXEC_EINVAL;
	qrexec_put_hdr(buf, type, (uint32_t)(total - QREXEC_HDR_SIZE));
	qrexec_put_u32(buf + QREXEC_HDR_SIZE, connect_domain);
	qrexec_put_u32(buf + QREXEC_HDR_SIZE + 4, connect_port);
	*outlen = total;
	return QREXEC_OK;
}

int qrexec_exec_rpc_encode(uint32_t connect_domain, uint32_t connect_port, const char *user,
			   const char *service, const char *source, uint8_t *buf, size_t cap, size_t *outlen)
{
	size_t ul = qrexec_cstr_len(user, USER_NAME_MAX + 1);
	size_t sl = qrexec_cstr_len(service, MAX_SERVICE_NAME_LEN);
	size_t rl = qrexec_cstr_len(source, QUBE_NAME_MAX + 1);
	size_t clen, total, o;
	uint8_t *p;

	if (ul == USER_NAME_MAX + 1 || sl == MAX_SERVICE_NAME_LEN || rl == QUBE_NAME_MAX + 1 ||
	    qrexec_endpoint_check(connect_domain, connect_port) != QREXEC_OK)
		return QREXEC_EINVAL;
	clen = ul + 1 + RPC_PREFIX_LEN + sl + 1 + rl + 1;   /* "user:QUBESRPC svc src\0" */
	if (clen > MAX_QREXEC_CMD_LEN)
		return QREXEC_EINVAL;
	total = QREXEC_HDR_SIZE + 8 + clen;
	if (cap < total)
		return QREXEC_ENOSPACE;
	p = buf + QREXEC_HDR_SIZE + 8;
	qrexec_put_str(p, ul, user, ul);
	p[ul] = ':';
	o = ul + 1;
	qrexec_put_str(p + o, RPC_PREFIX_LEN, RPC_PREFIX, RPC_PREFIX_LEN);
	o += RPC_PREFIX_LEN;
	qrexec_put_str(p + o, sl, service, sl);
	p[o + sl] = ' ';
	qrexec_put_str(p + o + sl + 1, rl + 1, source, rl);
	if (!user_ok(p, ul) || qrexec_service_check(p + o, sl) != QREXEC_OK ||
	    !source_ok(p + o + sl + 1, rl))
		return QREXEC_EINVAL;
	qrexec_put_hdr(buf, MSG_EXEC_CMDLINE, (uint32_t)(total - QREXEC_HDR_SIZE));
	qrexec_put_u32(buf + QREXEC_HDR_SIZE, connect_domain);
	qrexec_put_u32(buf + QREXEC_HDR_SIZE + 4, connect_port);
	*outlen = total;
	return QREXEC_OK;
}
