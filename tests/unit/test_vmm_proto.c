/* VMM monitor request decoding (core/vmm_proto_parse.c): what the
 * registry process encodes (core/vmm_client.c) decodes back, and every
 * malformed request is refused with the output left as it was. */
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/vmm_client.h"
#include "core/vmm_proto_parse.h"
#include "tests/lib/check.h"

#define SLOT sizeof(struct vmm_wire_qube)
#define OFF(f) offsetof(struct vmm_wire_qube, f)

static void put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A full slot: memory 400, maxmem 800, qrexec_timeout 900. */
static void wire_qube(uint8_t *w, const char *name, uint32_t qid)
{
	const uint32_t v[] = { qid, CLASS_APPVM, LABEL_RED, 400, 800, 2, 4096, 60, 900, 0 };

	memset(w, 0, SLOT);
	memcpy(w, name, strlen(name));
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		put_u32(w + OFF(qid) + 4 * i, v[i]);
	memcpy(w + OFF(default_user), "user", 4);
}

static uint8_t req[sizeof(struct vmm_wire_req)];

static void build(uint32_t op, uint32_t present)
{
	memset(req, 0, sizeof(req));
	put_u32(req, op);
	put_u32(req + 4, present);
	for (unsigned i = 0; i < 3; i++)
		if (present & (1u << i))
			wire_qube(req + 8 + i * SLOT, i ? "tmpl" : "work", 2 + i);
}

static int dec(struct vmm_request *r)
{
	return vmm_request_decode(req, sizeof(req), r);
}

/* A refused request leaves *out byte for byte as it was. */
static int refused_unchanged(void)
{
	struct vmm_request r, before;

	memset(&r, 0xa5, sizeof(r));
	before = r;
	return dec(&r) == -1 && memcmp(&r, &before, sizeof(r)) == 0;
}

/* q[0] of a START with field `off` set to v: accepted or not. */
static int start_with(size_t off, uint32_t v, struct vmm_request *r)
{
	build(VMM_OP_START, 1);
	put_u32(req + 8 + off, v);
	return dec(r);
}

/* The encoder's bytes, read from the other end of a socketpair. */
static void encoder_round_trip(void)
{
	struct vmm_qube q = { .name = "work", .qid = 7, .klass = CLASS_STANDALONEVM, .label = LABEL_GREEN,
		.memory_mb = 256, .maxmem_mb = 1024, .vcpus = 3, .pids_max = 100,
		.shutdown_timeout_s = 45, .qrexec_timeout_s = 1200, .has_netvm = true,
		.default_user = "alice" };
	struct vmm_wire_reply ok = { 0 }, rep;
	struct vmm_request r;
	int sv[2];

	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
	vmm_client_init(sv[0]);
	CHECK(write(sv[1], &ok, sizeof(ok)) == (ssize_t)sizeof(ok));   /* the reply, ahead */
	CHECK(vmm_call(VMM_OP_START, &q, NULL, NULL, &rep) == 0);
	CHECK(recv(sv[1], req, sizeof(req), 0) == (ssize_t)sizeof(req));
	CHECK(dec(&r) == 0);
	CHECK_STR(r.q[0].name, "work");
	CHECK(r.q[0].qid == 7 && r.q[0].klass == CLASS_STANDALONEVM && r.q[0].label == LABEL_GREEN);
	CHECK(r.q[0].memory_mb == 256 && r.q[0].maxmem_mb == 1024);
	CHECK(r.q[0].vcpus == 3 && r.q[0].pids_max == 100 && r.q[0].shutdown_timeout_s == 45);
	CHECK(r.q[0].qrexec_timeout_s == 1200 && r.q[0].has_netvm);
	CHECK_STR(r.q[0].default_user, "alice");

	/* An encoder given maxmem below memory: the monitor refuses it. */
	q.maxmem_mb = 255;
	CHECK(write(sv[1], &ok, sizeof(ok)) == (ssize_t)sizeof(ok));
	CHECK(vmm_call(VMM_OP_START, &q, NULL, NULL, &rep) == 0);
	CHECK(recv(sv[1], req, sizeof(req), 0) == (ssize_t)sizeof(req));
	CHECK(refused_unchanged());

	/* Name-only: zero after the name. */
	CHECK(write(sv[1], &ok, sizeof(ok)) == (ssize_t)sizeof(ok));
	CHECK(vmm_call_name(VMM_OP_KILL, "work", &rep) == 0);
	CHECK(recv(sv[1], req, sizeof(req), 0) == (ssize_t)sizeof(req));
	CHECK(dec(&r) == 0);
	CHECK(r.op == VMM_OP_KILL && r.q[0].qid == 0 && r.q[0].maxmem_mb == 0 && r.q[0].qrexec_timeout_s == 0);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	struct vmm_request r;

	CHECK(sizeof(struct vmm_wire_req) == 332 && SLOT == 108);
	build(VMM_OP_START, 3);
	CHECK(dec(&r) == 0);
	CHECK(r.op == VMM_OP_START);
	CHECK_STR(r.q[0].name, "work");
	CHECK_STR(r.q[1].name, "tmpl");
	CHECK(r.q[0].qid == 2 && r.q[0].memory_mb == 400 && r.q[0].maxmem_mb == 800 && r.q[0].pids_max == 4096);
	CHECK(r.q[0].vcpus == 2 && r.q[0].shutdown_timeout_s == 60 && r.q[0].qrexec_timeout_s == 900);
	CHECK(!r.q[0].has_netvm);
	CHECK_STR(r.q[0].default_user, "user");

	build(VMM_OP_VOLUME_CLONE, 3);
	CHECK(dec(&r) == 0);
	build(VMM_OP_VOLUME_CLONE, 1);
	CHECK(refused_unchanged());
	build(VMM_OP_START, 2);                   /* q[0] missing */
	CHECK(refused_unchanged());
	build(0, 1);
	CHECK(refused_unchanged());
	build(VMM_OP_MAX + 1, 1);
	CHECK(refused_unchanged());
	CHECK(vmm_request_decode(req, sizeof(req) - 1, &r) == -1);
	CHECK(vmm_request_decode(req, 308, &r) == -1);  /* the old size */

	/* Name-only operations: the rest of the record must be zero. */
	build(VMM_OP_KILL, 1);
	CHECK(refused_unchanged());
	memset(req + 8 + 32, 0, SLOT - 32);
	CHECK(dec(&r) == 0);
	CHECK(r.q[0].qid == 0 && r.q[0].memory_mb == 0 && r.q[0].maxmem_mb == 0 && r.q[0].qrexec_timeout_s == 0);
	put_u32(req + 8 + OFF(qrexec_timeout_s), 60);
	CHECK(refused_unchanged());

	/* Field by field: each just out of its range is refused, *out as it was. */
	{
		static const struct { size_t off; uint32_t v; } bad[] = {
			{ OFF(qid), 0 }, { OFF(qid), QID_MAX + 1 },
			{ OFF(klass), CLASS_ADMINVM }, { OFF(klass), CLASS_COUNT },
			{ OFF(label), LABEL_COUNT },
			{ OFF(memory_mb), 31 }, { OFF(memory_mb), 65537 },
			{ OFF(memory_mb), 801 },          /* above maxmem 800 */
			{ OFF(maxmem_mb), 0 }, { OFF(maxmem_mb), 399 },   /* below memory 400 */
			{ OFF(maxmem_mb), 65537 }, { OFF(maxmem_mb), UINT32_MAX },
			{ OFF(vcpus), 0 }, { OFF(vcpus), 257 },
			{ OFF(pids_max), 15 }, { OFF(pids_max), 65537 },
			{ OFF(shutdown_timeout_s), 0 }, { OFF(shutdown_timeout_s), 3601 },
			{ OFF(qrexec_timeout_s), 0 }, { OFF(qrexec_timeout_s), 3601 },
			{ OFF(qrexec_timeout_s), UINT32_MAX },
			{ OFF(has_netvm), 2 },
		};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			build(VMM_OP_START, 1);
			put_u32(req + 8 + bad[i].off, bad[i].v);
			CHECK(refused_unchanged());
		}
		/* In a template's slot too. */
		build(VMM_OP_START, 3);
		put_u32(req + 8 + SLOT + OFF(maxmem_mb), 399);
		CHECK(refused_unchanged());
		build(VMM_OP_START, 3);
		put_u32(req + 8 + SLOT + OFF(qrexec_timeout_s), 0);
		CHECK(refused_unchanged());
	}

	/* The edges of the ranges arrive as they were sent. */
	CHECK(start_with(OFF(maxmem_mb), 400, &r) == 0 && r.q[0].maxmem_mb == 400);   /* == memory */
	CHECK(start_with(OFF(maxmem_mb), 65536, &r) == 0 && r.q[0].maxmem_mb == 65536);
	CHECK(start_with(OFF(memory_mb), 800, &r) == 0 && r.q[0].memory_mb == 800 && r.q[0].maxmem_mb == 800);
	CHECK(start_with(OFF(memory_mb), 32, &r) == 0 && r.q[0].memory_mb == 32);
	CHECK(start_with(OFF(qrexec_timeout_s), 1, &r) == 0 && r.q[0].qrexec_timeout_s == 1);
	CHECK(start_with(OFF(qrexec_timeout_s), 3600, &r) == 0 && r.q[0].qrexec_timeout_s == 3600);
	build(VMM_OP_START, 1);
	put_u32(req + 8 + OFF(memory_mb), 65536);
	put_u32(req + 8 + OFF(maxmem_mb), 65536);
	CHECK(dec(&r) == 0 && r.q[0].memory_mb == 65536 && r.q[0].maxmem_mb == 65536);

	build(VMM_OP_START, 1);
	memcpy(req + 8, "../x", 4);
	CHECK(refused_unchanged());
	build(VMM_OP_START, 1);
	req[8 + 31] = 'x';                        /* no NUL in the name field */
	CHECK(refused_unchanged());
	build(VMM_OP_START, 1);
	req[8 + 10] = 'x';                        /* garbage after the NUL */
	CHECK(refused_unchanged());
	build(VMM_OP_START, 1);
	memcpy(req + 8 + OFF(default_user), "Root", 4);
	CHECK(refused_unchanged());
	build(VMM_OP_START, 1);
	req[8 + SLOT - 1] = 'x';                  /* no NUL in the user field */
	CHECK(refused_unchanged());
	build(VMM_OP_START, 1);
	req[8 + SLOT + 5] = 1;                    /* an absent record not zero */
	CHECK(refused_unchanged());
	build(VMM_OP_START, 1);
	req[sizeof(req) - 1] = 1;                 /* the last byte of the last slot */
	CHECK(refused_unchanged());

	encoder_round_trip();
	return check_exit();
}
