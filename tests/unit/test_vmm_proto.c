/* VMM monitor request decoding (core/vmm_proto_parse.c): what the
 * registry process encodes decodes back, and every malformed request is
 * refused. */
#include <string.h>

#include "core/vmm_proto_parse.h"
#include "tests/lib/check.h"

static void put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void wire_qube(uint8_t *w, const char *name, uint32_t qid)
{
	const uint32_t v[8] = { qid, CLASS_APPVM, LABEL_RED, 400, 2, 4096, 60, 0 };
	memset(w, 0, sizeof(struct vmm_wire_qube));
	memcpy(w, name, strlen(name));
	for (int i = 0; i < 8; i++)
		put_u32(w + 32 + 4 * i, v[i]);
	memcpy(w + 64, "user", 4);
}

static uint8_t req[sizeof(struct vmm_wire_req)];

static void build(uint32_t op, uint32_t present)
{
	memset(req, 0, sizeof(req));
	put_u32(req, op);
	put_u32(req + 4, present);
	for (unsigned i = 0; i < 3; i++)
		if (present & (1u << i))
			wire_qube(req + 8 + i * 100, i ? "tmpl" : "work", 2 + i);
}

static int dec(struct vmm_request *r)
{
	return vmm_request_decode(req, sizeof(req), r);
}

int main(void)
{
	struct vmm_request r;

	build(VMM_OP_START, 3);
	CHECK(dec(&r) == 0);
	CHECK(r.op == VMM_OP_START);
	CHECK_STR(r.q[0].name, "work");
	CHECK_STR(r.q[1].name, "tmpl");
	CHECK(r.q[0].qid == 2 && r.q[0].memory_mb == 400 && r.q[0].pids_max == 4096);
	CHECK_STR(r.q[0].default_user, "user");

	build(VMM_OP_VOLUME_CLONE, 3);
	CHECK(dec(&r) == 0);
	build(VMM_OP_VOLUME_CLONE, 1);
	CHECK(dec(&r) == -1);
	build(VMM_OP_START, 2);                   /* q[0] missing */
	CHECK(dec(&r) == -1);
	build(0, 1);
	CHECK(dec(&r) == -1);
	build(VMM_OP_MAX + 1, 1);
	CHECK(dec(&r) == -1);
	CHECK(vmm_request_decode(req, sizeof(req) - 1, &r) == -1);

	/* Name-only operations: the rest of the record must be zero. */
	build(VMM_OP_KILL, 1);
	CHECK(dec(&r) == -1);
	memset(req + 8 + 32, 0, 100 - 32);
	CHECK(dec(&r) == 0);

	/* Field by field. */
	{
		static const struct { size_t off; uint32_t v; } bad[] = {
			{ 32, 0 }, { 32, QID_MAX + 1 }, { 36, CLASS_ADMINVM }, { 36, CLASS_COUNT },
			{ 40, LABEL_COUNT }, { 44, 31 }, { 48, 0 }, { 52, 15 }, { 56, 0 }, { 60, 2 },
		};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			build(VMM_OP_START, 1);
			put_u32(req + 8 + bad[i].off, bad[i].v);
			CHECK(dec(&r) == -1);
		}
	}
	build(VMM_OP_START, 1);
	memcpy(req + 8, "../x", 4);
	CHECK(dec(&r) == -1);
	build(VMM_OP_START, 1);
	req[8 + 31] = 'x';                        /* no NUL in the name field */
	CHECK(dec(&r) == -1);
	build(VMM_OP_START, 1);
	req[8 + 10] = 'x';                        /* garbage after the NUL */
	CHECK(dec(&r) == -1);
	build(VMM_OP_START, 1);
	memcpy(req + 8 + 64, "Root", 4);
	CHECK(dec(&r) == -1);
	build(VMM_OP_START, 1);
	req[8 + 100 + 5] = 1;                     /* an absent record not zero */
	CHECK(dec(&r) == -1);
	return check_exit();
}
