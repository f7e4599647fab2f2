/* libFuzzer target: bulkheadd's Admin API handling, the real
 * core/admin.c admin_handle() over a registry in memory (dom0, the
 * default template, an AppVM and a DispVM), committing to a file in a
 * temporary BULKHEAD_ROOT.  The VMM monitor channel is a socketpair whose
 * far end holds an answer for every call a request can make, each one
 * -ENODEV (a backend that is down: every qube reads as halted).
 *
 * Input: byte 0 chooses the caller (bit 0: qrexec-policyd, else root);
 * the rest is up to MAX_REQS requests separated by the bytes SEP.
 *
 * Asserts for every request:
 *  - the reply is well framed: "\x30\0" and content, or "\x32\0", an
 *    exception name, "\0\0", a message and its NUL, last;
 *  - a refused request leaves the serialized registry byte-identical;
 *  - after an accepted one, what admin_commit saved is the registry;
 *  - qrexec-policyd is answered only for its calls (SystemInfo, Start,
 *    Create.DispVM, and Kill and Remove of a disposable). */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/admin.h"
#include "core/admin_parse.h"
#include "core/store.h"
#include "core/vmm_client.h"
#include "lib/log.h"
#include "lib/paths.h"

#define MAX_REQS 8u
static const uint8_t SEP[3] = { 0xff, 0xfe, 0xfd };

static struct strbuf initial;   /* the starting registry, serialized */
static int vmm[2];              /* [0]: admin.c's end (vmm_client_init) */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char root[] = "/tmp/fuzz-admin-handle.XXXXXX";
	struct registry *reg;
	struct qube *work;
	struct bh_error err;

	(void)argc;
	(void)argv;
	log_init("bulkheadd");
	assert(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, vmm) == 0);
	vmm_client_init(vmm[0]);
	assert(mkdtemp(root) != NULL);
	setenv("BULKHEAD_ROOT", root, 1);
	reg = registry_new_default("local");
	assert(reg != NULL);
	work = registry_create(reg, CLASS_APPVM, "work", 0, "red", "", &err);
	assert(work != NULL);
	assert(qube_prop_set(reg, work, P_TEMPLATE_FOR_DISPVMS, (const uint8_t *)"True", 4, &err) == 0);
	assert(registry_create(reg, CLASS_DISPVM, "disp1", 0, "red", "work", &err) != NULL);
	sb_init(&initial, STORE_MAX_BYTES);
	assert(store_serialize(reg, &initial) == 0);
	registry_free(reg);
	return 0;
}

static void serialize(const struct registry *reg, struct strbuf *out)
{
	sb_init(out, STORE_MAX_BYTES);
	assert(store_serialize(reg, out) == 0);
}

static bool same(const struct strbuf *a, const struct strbuf *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->buf, b->buf, a->len) == 0);
}

static void check_exception(const struct strbuf *r)
{
	const char *p = r->buf + 2, *end = r->buf + r->len;
	size_t n = strnlen(p, (size_t)(end - p));

	assert(n >= 1 && p + n + 2 < end);
	for (size_t i = 0; i < n; i++)
		assert((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= 'a' && p[i] <= 'z'));
	assert(p[n + 1] == '\0');               /* the empty traceback */
	p += n + 2;
	assert(strnlen(p, (size_t)(end - p)) == (size_t)(end - p) - 1);   /* the message's NUL, last */
}

static bool policyd_may(const char *method)
{
	static const char *const ok[] = { "admin.bulkhead.SystemInfo", "admin.vm.Start", "admin.vm.Create.DispVM",
					   "admin.vm.Kill", "admin.vm.Remove" };

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcmp(method, ok[i]) == 0)
			return true;
	return false;
}

static void one(struct admin_server *srv, enum admin_caller caller, const uint8_t *req, size_t len)
{
	struct strbuf before, after, reply;
	static struct admin_request parsed;
	bool disposable = false, is_parsed = admin_request_parse(req, len, &parsed) == 0;

	if (is_parsed && parsed.dest[0]) {
		const struct qube *q = registry_find(srv->reg, parsed.dest);
		disposable = q != NULL && qube_class(q) == CLASS_DISPVM;
	}
	/* A call per qube at most (List, SystemInfo), a few more for one. */
	for (size_t i = 0; i < registry_count(srv->reg) + 8; i++) {
		struct vmm_wire_reply down = { -ENODEV, 0, 0, 0 };
		assert(write(vmm[1], &down, sizeof(down)) == sizeof(down));
	}
	serialize(srv->reg, &before);
	sb_init(&reply, ADMIN_MAX_REPLY);
	admin_handle(srv, caller, req, len, &reply);
	serialize(srv->reg, &after);
	/* The calls it made and the answers it did not take. */
	{
		uint8_t junk[4096];
		while (read(vmm[1], junk, sizeof(junk)) > 0)
			;
		while (read(vmm[0], junk, sizeof(junk)) > 0)
			;
	}
	assert(reply.err == 0 && reply.len >= 2 && reply.buf[1] == '\0');
	if ((uint8_t)reply.buf[0] == 0x32) {
		check_exception(&reply);
		assert(same(&before, &after));
	} else {
		assert((uint8_t)reply.buf[0] == 0x30 && is_parsed);
		assert(same(&srv->saved, &after));
		if (caller == ADMIN_POLICYD) {
			assert(policyd_may(parsed.method));
			if (strcmp(parsed.method, "admin.vm.Kill") == 0 || strcmp(parsed.method, "admin.vm.Remove") == 0)
				assert(disposable);
		}
	}
	sb_free(&before);
	sb_free(&after);
	sb_free(&reply);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct admin_server srv;
	struct bh_error err;
	enum admin_caller caller;
	size_t pos = 1;

	if (size < 1)
		return 0;
	caller = (data[0] & 1) ? ADMIN_POLICYD : ADMIN_ROOT;
	memset(&srv, 0, sizeof(srv));
	assert(bh_path(srv.store_path, sizeof(srv.store_path), "registry") == 0);
	srv.reg = store_parse(initial.buf, initial.len, "local", &err);
	assert(srv.reg != NULL);
	sb_init(&srv.saved, STORE_MAX_BYTES);
	sb_add(&srv.saved, initial.buf, initial.len);
	for (unsigned k = 0; k < MAX_REQS && pos <= size; k++) {
		const uint8_t *sep = memmem(data + pos, size - pos, SEP, sizeof(SEP));
		size_t end = sep ? (size_t)(sep - data) : size;

		one(&srv, caller, data + pos, end - pos);
		pos = end + sizeof(SEP);
	}
	registry_free(srv.reg);
	sb_free(&srv.saved);
	return 0;
}
