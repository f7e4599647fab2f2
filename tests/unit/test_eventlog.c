/* The measurement event log (measured-boot/eventlog_parse.c, eventlog.c):
 * the byte layout of SPEC/measured-boot.md "Event log" (a record written
 * here by hand parses, and encodes back to the same bytes), every reject
 * class, the kind -> PCR map, replay against a hand-computed extend chain,
 * comparison with a reference, and a store/load round trip. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "measured-boot/eventlog.h"
#include "tests/lib/check.h"

/* A record laid out by hand from the SPEC table. */
static void raw_record(uint8_t *p, uint32_t pcr, uint32_t kind, uint8_t fill, const char *name)
{
	memset(p, 0, EVLOG_RECORD_SIZE);
	p[0] = (uint8_t)pcr;
	p[4] = (uint8_t)kind;
	memset(p + 8, fill, EVLOG_DIGEST_SIZE);
	memcpy(p + 40, name, strlen(name));
}

static void test_record_layout(void)
{
	uint8_t raw[EVLOG_RECORD_SIZE], back[EVLOG_RECORD_SIZE];
	struct evlog_record r;

	raw_record(raw, 12, EVLOG_KERNEL, 0xab, "/boot/vmlinuz");
	CHECK(evlog_record_parse(raw, sizeof raw, &r) == 0);
	CHECK(r.pcr == 12 && r.kind == EVLOG_KERNEL && r.digest[0] == 0xab && r.digest[31] == 0xab);
	CHECK_STR(r.name, "/boot/vmlinuz");
	evlog_record_encode(&r, back);
	CHECK(memcmp(raw, back, sizeof raw) == 0);
}

static void test_record_rejects(void)
{
	uint8_t raw[EVLOG_RECORD_SIZE + 1];
	struct evlog_record r;

	memset(&r, 0x5a, sizeof r);
	raw_record(raw, 12, EVLOG_KERNEL, 1, "k");
	CHECK(evlog_record_parse(raw, EVLOG_RECORD_SIZE - 1, &r) == EVLOG_ELENGTH);
	CHECK(evlog_record_parse(raw, EVLOG_RECORD_SIZE + 1, &r) == EVLOG_ELENGTH);
	raw_record(raw, 12, 0, 1, "k");
	CHECK(evlog_record_parse(raw, EVLOG_RECORD_SIZE, &r) == EVLOG_EKIND);
	raw_record(raw, 12, EVLOG_KIND_MAX + 1, 1, "k");
	CHECK(evlog_record_parse(raw, EVLOG_RECORD_SIZE, &r) == EVLOG_EKIND);
	raw_record(raw, 12, EVLOG_KERNEL, 1, "k");
	raw[7] = 1;   /* kind 0x01000003 */
	CHECK(evlog_record_parse(raw, EVLOG_RECORD_SIZE, &r) == EVLOG_EKIND);
	raw_record(raw, 15, EVLOG_KERNEL, 1, "k");   /* a kernel claimed in the policy PCR */
	CHECK(evlog_record_parse(raw, EVLOG_RECORD_SIZE, &r) == EVLOG_EPCR);
	raw_record(raw, 12, EVLOG_KERNEL, 1, "k");
	raw[3] = 1;   /* PCR 0x0100000c */
	CHECK(evlog_record_parse(raw, EVLOG_RECORD_SIZE, &r) == EVLOG_EPCR);
	raw_record(raw, 12, EVLOG_KERNEL, 1, "");
	CHECK(evlog_record_parse(raw, EVLOG_RECORD_SIZE, &r) == EVLOG_ENAME);
	raw_record(raw, 12, EVLOG_KERNEL, 1, "a\x1b[2Jb");
	CHECK(evlog_record_parse(raw, EVLOG_RECORD_SIZE, &r) == EVLOG_ENAME);
	raw_record(raw, 12, EVLOG_KERNEL, 1, "ab");
	raw[40 + 5] = 'x';   /* a byte after the NUL */
	CHECK(evlog_record_parse(raw, EVLOG_RECORD_SIZE, &r) == EVLOG_ENAME);
	raw_record(raw, 12, EVLOG_KERNEL, 1, "");
	memset(raw + 40, 'a', EVLOG_NAME_SIZE);   /* no NUL at all */
	CHECK(evlog_record_parse(raw, EVLOG_RECORD_SIZE, &r) == EVLOG_ENAME);
	raw[40 + EVLOG_NAME_SIZE - 1] = 0;        /* 127 bytes: the longest name */
	CHECK(evlog_record_parse(raw, EVLOG_RECORD_SIZE, &r) == 0);
	CHECK(strlen(r.name) == EVLOG_NAME_SIZE - 1);
}

static void test_record_untouched_on_reject(void)
{
	uint8_t raw[EVLOG_RECORD_SIZE];
	struct evlog_record r, before;

	memset(&r, 0x5a, sizeof r);
	before = r;
	raw_record(raw, 11, EVLOG_KERNEL, 1, "k");
	CHECK(evlog_record_parse(raw, sizeof raw, &r) == EVLOG_EPCR);
	CHECK(memcmp(&r, &before, sizeof r) == 0);
}

static void test_kind_pcr(void)
{
	static const int want[EVLOG_KIND_MAX + 2] = { -1, 11, 11, 12, 12, 13, 14, 15, 15, -1 };

	for (uint32_t k = 0; k <= EVLOG_KIND_MAX + 1; k++)
		CHECK(evlog_kind_pcr(k) == want[k]);
	CHECK(evlog_kind_pcr(0xffffffffu) == -1);
	CHECK_STR(evlog_kind_name(EVLOG_DOM0_BINARIES), "dom0-binaries");
	CHECK_STR(evlog_kind_name(0), "?");
}

static size_t build_log(uint8_t *buf, int n)
{
	evlog_header_encode(buf);
	for (int i = 0; i < n; i++)
		raw_record(buf + EVLOG_HEADER_SIZE + (size_t)i * EVLOG_RECORD_SIZE, i % 2 ? 12 : 13,
			   i % 2 ? EVLOG_KERNEL : EVLOG_INITRAMFS, (uint8_t)i, "x");
	return EVLOG_HEADER_SIZE + (size_t)n * EVLOG_RECORD_SIZE;
}

static void test_log_parse(void)
{
	static uint8_t buf[EVLOG_SIZE_MAX + EVLOG_RECORD_SIZE];
	static struct evlog l;
	size_t len;

	CHECK(memcmp(buf, "", 0) == 0);
	len = build_log(buf, 3);
	CHECK(memcmp(buf, "BHEVLOG1\1\0\0\0\x0b\0\0\0", 16) == 0);
	CHECK(evlog_parse(buf, len, &l) == 0 && l.count == 3);
	CHECK(evlog_parse(buf, EVLOG_HEADER_SIZE, &l) == 0 && l.count == 0);
	CHECK(evlog_parse(buf, len - 1, &l) == EVLOG_ELENGTH && l.count == 0);
	CHECK(evlog_parse(buf, EVLOG_HEADER_SIZE - 1, &l) == EVLOG_EHEADER);
	len = build_log(buf, EVLOG_RECORDS_MAX);
	CHECK(evlog_parse(buf, len, &l) == 0 && l.count == EVLOG_RECORDS_MAX);
	len = build_log(buf, EVLOG_RECORDS_MAX + 1);
	CHECK(evlog_parse(buf, len, &l) == EVLOG_ELENGTH);
	len = build_log(buf, 2);
	buf[8] = 2;   /* version 2 */
	CHECK(evlog_parse(buf, len, &l) == EVLOG_EHEADER);
	len = build_log(buf, 2);
	buf[12] = 0x0c;   /* SHA-384 */
	CHECK(evlog_parse(buf, len, &l) == EVLOG_EHEADER);
	len = build_log(buf, 2);
	buf[EVLOG_HEADER_SIZE + EVLOG_RECORD_SIZE + 4] = 7;   /* record #1: kind policy in PCR 12 */
	CHECK(evlog_parse(buf, len, &l) == EVLOG_EPCR && l.count == 0);
}

static void extend(uint8_t pcr[32], const uint8_t d[32])
{
	uint8_t both[64];

	memcpy(both, pcr, 32);
	memcpy(both + 32, d, 32);
	crypto_hash_sha256(pcr, both, sizeof both);
}

static void test_replay_and_diff(void)
{
	static uint8_t buf[EVLOG_SIZE_MAX];
	static struct evlog a, b;
	uint8_t pcrs[EVLOG_PCRS][EVLOG_DIGEST_SIZE], p12[32] = { 0 }, p13[32] = { 0 }, zero[32] = { 0 };
	size_t len = build_log(buf, 4);

	CHECK(evlog_parse(buf, len, &a) == 0);
	evlog_replay(&a, pcrs);
	extend(p13, a.rec[0].digest);
	extend(p12, a.rec[1].digest);
	extend(p13, a.rec[2].digest);
	extend(p12, a.rec[3].digest);
	CHECK(memcmp(pcrs[12], p12, 32) == 0 && memcmp(pcrs[13], p13, 32) == 0);
	CHECK(memcmp(pcrs[11], zero, 32) == 0 && memcmp(pcrs[0], zero, 32) == 0);

	b = a;
	CHECK(evlog_first_diff(&a, &b) == -1);
	b.rec[2].digest[5] ^= 1;
	CHECK(evlog_first_diff(&a, &b) == 2);
	b = a;
	b.count = 3;
	CHECK(evlog_first_diff(&a, &b) == 3 && evlog_first_diff(&b, &a) == 3);
	b = a;
	b.rec[1].name[0] = 'y';
	CHECK(evlog_first_diff(&a, &b) == 1);
	CHECK(evlog_first_in(&a, 1u << 12) == 1 && evlog_first_in(&a, 1u << 15) == -1);
}

static void test_store_load(void)
{
	static uint8_t buf[EVLOG_SIZE_MAX];
	static struct evlog a, b;
	char dir[] = "/tmp/bh-evlog.XXXXXX", path[64], err[EVLOG_ERR_MAX], line[256];

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/sub/eventlog", dir);
	CHECK(evlog_parse(buf, build_log(buf, 5), &a) == 0);
	CHECK(evlog_store(path, &a) == 0);
	CHECK(evlog_load(path, &b, err, sizeof err) == 0);
	CHECK(b.count == 5 && evlog_first_diff(&a, &b) == -1);
	evlog_format(&b.rec[1], line, sizeof line);
	CHECK_STR(line, "12 kernel 0101010101010101010101010101010101010101010101010101010101010101 x");
	snprintf(path, sizeof path, "%s/none", dir);
	CHECK(evlog_load(path, &b, err, sizeof err) == -1 && strstr(err, "No such file") != NULL);
	snprintf(path, sizeof path, "%s/sub/eventlog", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/sub", dir);
	rmdir(path);
	rmdir(dir);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_record_layout();
	test_record_rejects();
	test_record_untouched_on_reject();
	test_kind_pcr();
	test_log_parse();
	test_replay_and_diff();
	test_store_load();
	return check_exit();
}
