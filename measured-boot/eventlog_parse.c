/* Measurement event log parser and encoder (eventlog_parse.h). */
#include "measured-boot/eventlog_parse.h"

#define NAME_OFF   40u   /* 4 pcr + 4 kind + 32 digest */
#define DIGEST_OFF 8u

/*@ predicate wire_printable(uint8_t *p, integer a, integer b) =
      \forall integer i; a <= i < b ==> 0x20 <= p[i] <= 0x7e;
    predicate wire_zero(uint8_t *p, integer a, integer b) =
      \forall integer i; a <= i < b ==> p[i] == 0;
*/

/*@ requires \valid_read(p + (0 .. 3));
    assigns \nothing;
    ensures \result == p[0] + 256 * p[1] + 65536 * p[2] + 16777216 * p[3]; */
static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] + 256u * (uint32_t)p[1] + 65536u * (uint32_t)p[2] + 16777216u * (uint32_t)p[3];
}

/*@ requires \valid(p + (0 .. 3));
    assigns p[0 .. 3]; */
static void put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v % 256u);
	p[1] = (uint8_t)(v / 256u % 256u);
	p[2] = (uint8_t)(v / 65536u % 256u);
	p[3] = (uint8_t)(v / 16777216u);
}

int evlog_kind_pcr(uint32_t kind)
{
	switch (kind) {
	case EVLOG_XEN:
	case EVLOG_XEN_CMDLINE:
		return 11;
	case EVLOG_KERNEL:
	case EVLOG_KERNEL_CMDLINE:
		return 12;
	case EVLOG_INITRAMFS:
		return 13;
	case EVLOG_DOM0_BINARIES:
		return 14;
	case EVLOG_POLICY:
	case EVLOG_CAPD_PUBLIC:
		return 15;
	default:
		return -1;
	}
}

/* Length of the printable prefix of p[0 .. EVLOG_NAME_SIZE). */
/*@ requires \valid_read(p + (0 .. EVLOG_NAME_SIZE - 1));
    assigns \nothing;
    ensures range: 0 <= \result <= EVLOG_NAME_SIZE;
    ensures printable: wire_printable(p, 0, \result);
    ensures stops: \result < EVLOG_NAME_SIZE ==> !(0x20 <= p[\result] <= 0x7e); */
static size_t printable_prefix(const uint8_t *p)
{
	size_t i = 0;

	/*@ loop invariant bound: 0 <= i <= EVLOG_NAME_SIZE;
	    loop invariant seen: wire_printable(p, 0, i);
	    loop assigns i;
	    loop variant EVLOG_NAME_SIZE - i; */
	while (i < EVLOG_NAME_SIZE && p[i] >= 0x20 && p[i] <= 0x7e)
		i++;
	return i;
}

/* Whether p[from .. EVLOG_NAME_SIZE) are all NUL. */
/*@ requires from <= EVLOG_NAME_SIZE;
    requires \valid_read(p + (0 .. EVLOG_NAME_SIZE - 1));
    assigns \nothing;
    ensures \result != 0 <==> wire_zero(p, from, EVLOG_NAME_SIZE); */
static int zero_from(const uint8_t *p, size_t from)
{
	size_t i = from;

	/*@ loop invariant bound: from <= i <= EVLOG_NAME_SIZE;
	    loop invariant zero: wire_zero(p, from, i);
	    loop assigns i;
	    loop variant EVLOG_NAME_SIZE - i; */
	while (i < EVLOG_NAME_SIZE) {
		if (p[i] != 0)
			return 0;
		i++;
	}
	return 1;
}

/*@ requires \valid_read(src + (0 .. EVLOG_DIGEST_SIZE - 1));
    requires \valid(dst + (0 .. EVLOG_DIGEST_SIZE - 1));
    requires \separated(src + (0 .. EVLOG_DIGEST_SIZE - 1), dst + (0 .. EVLOG_DIGEST_SIZE - 1));
    assigns dst[0 .. EVLOG_DIGEST_SIZE - 1];
    ensures copied: \forall integer k; 0 <= k < EVLOG_DIGEST_SIZE ==> dst[k] == src[k]; */
static void copy_digest(uint8_t *dst, const uint8_t *src)
{
	size_t i;

	/*@ loop invariant bound: 0 <= i <= EVLOG_DIGEST_SIZE;
	    loop invariant copied: \forall integer k; 0 <= k < i ==> dst[k] == src[k];
	    loop assigns i, dst[0 .. EVLOG_DIGEST_SIZE - 1];
	    loop variant EVLOG_DIGEST_SIZE - i; */
	for (i = 0; i < EVLOG_DIGEST_SIZE; i++)
		dst[i] = src[i];
}

/* Copies a checked wire name (n printable bytes, then NULs) whole. */
/*@ requires \valid_read(src + (0 .. EVLOG_NAME_SIZE - 1));
    requires \valid(dst + (0 .. EVLOG_NAME_SIZE - 1));
    requires \separated(src + (0 .. EVLOG_NAME_SIZE - 1), dst + (0 .. EVLOG_NAME_SIZE - 1));
    requires n_range: 1 <= n < EVLOG_NAME_SIZE;
    requires checked: wire_printable(src, 0, n) && wire_zero(src, n, EVLOG_NAME_SIZE);
    assigns dst[0 .. EVLOG_NAME_SIZE - 1];
    ensures name_ok: evlog_name_ok(dst); */
static void copy_name(char *dst, const uint8_t *src, size_t n)
{
	size_t i;

	(void)n; /* used by the contract */
	/*@ loop invariant bound: 0 <= i <= EVLOG_NAME_SIZE;
	    loop invariant head: \forall integer k; 0 <= k < i && k < n ==> 0x20 <= dst[k] <= 0x7e;
	    loop invariant tail: \forall integer k; n <= k < i ==> dst[k] == 0;
	    loop assigns i, dst[0 .. EVLOG_NAME_SIZE - 1];
	    loop variant EVLOG_NAME_SIZE - i; */
	for (i = 0; i < EVLOG_NAME_SIZE; i++)
		dst[i] = (char)src[i];
}

int evlog_record_parse(const uint8_t *buf, size_t len, struct evlog_record *out)
{
	uint32_t pcr, kind;
	size_t n;

	if (len != EVLOG_RECORD_SIZE)
		return EVLOG_ELENGTH;
	pcr = get_u32(buf);
	kind = get_u32(buf + 4);
	if (kind < 1 || kind > EVLOG_KIND_MAX)
		return EVLOG_EKIND;
	if ((int64_t)pcr != (int64_t)evlog_kind_pcr(kind))
		return EVLOG_EPCR;
	n = printable_prefix(buf + NAME_OFF);
	if (n == 0 || n >= EVLOG_NAME_SIZE || !zero_from(buf + NAME_OFF, n))
		return EVLOG_ENAME;
	out->pcr = pcr;
	out->kind = kind;
	copy_digest(out->digest, buf + DIGEST_OFF);
	copy_name(out->name, buf + NAME_OFF, n);
	return 0;
}

/*@ requires \valid_read(buf + (0 .. EVLOG_HEADER_SIZE - 1));
    assigns \nothing; */
static int header_ok(const uint8_t *buf)
{
	return buf[0] == 'B' && buf[1] == 'H' && buf[2] == 'E' && buf[3] == 'V' && buf[4] == 'L' &&
	       buf[5] == 'O' && buf[6] == 'G' && buf[7] == '1' && get_u32(buf + 8) == EVLOG_VERSION &&
	       get_u32(buf + 12) == EVLOG_HASH_SHA256;
}

int evlog_header_parse(const uint8_t *buf, size_t len, uint32_t *count)
{
	size_t body;

	if (len < EVLOG_HEADER_SIZE || !header_ok(buf))
		return EVLOG_EHEADER;
	body = len - EVLOG_HEADER_SIZE;
	if (body % EVLOG_RECORD_SIZE != 0 || body / EVLOG_RECORD_SIZE > EVLOG_RECORDS_MAX)
		return EVLOG_ELENGTH;
	*count = (uint32_t)(body / EVLOG_RECORD_SIZE);
	return 0;
}

void evlog_header_encode(uint8_t *out)
{
	out[0] = 'B';
	out[1] = 'H';
	out[2] = 'E';
	out[3] = 'V';
	out[4] = 'L';
	out[5] = 'O';
	out[6] = 'G';
	out[7] = '1';
	put_u32(out + 8, EVLOG_VERSION);
	put_u32(out + 12, EVLOG_HASH_SHA256);
}

void evlog_record_encode(const struct evlog_record *r, uint8_t *out)
{
	size_t i;

	put_u32(out, r->pcr);
	put_u32(out + 4, r->kind);
	/*@ loop invariant bound: 0 <= i <= EVLOG_NAME_SIZE;
	    loop assigns i, out[DIGEST_OFF .. EVLOG_RECORD_SIZE - 1];
	    loop variant EVLOG_NAME_SIZE - i; */
	for (i = 0; i < EVLOG_NAME_SIZE; i++) {
		if (i < EVLOG_DIGEST_SIZE)
			out[DIGEST_OFF + i] = r->digest[i];
		/*@ assert byte: 0 <= r->name[i] <= 0x7e; */
		out[NAME_OFF + i] = (uint8_t)r->name[i];
	}
}
