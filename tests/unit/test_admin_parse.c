/* Admin request parser (core/admin_parse.c): every accept and reject
 * class, and that a rejected request leaves the output untouched. */
#include <stdint.h>
#include <string.h>

#include "core/admin_parse.h"
#include "tests/lib/check.h"

static int parse(const char *buf, size_t len, struct admin_request *r)
{
	return admin_request_parse((const uint8_t *)buf, len, r);
}

static int all_nul(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != '\0')
			return 0;
	return 1;
}

#define REQ(lit) lit, sizeof(lit) - 1
#define KV(s) admin_kv_parse((const uint8_t *)(s), strlen(s), kv)

int main(void)
{
	struct admin_request r, sentinel;

	CHECK(parse(REQ("dom0\0admin.vm.List\0dom0\0\0"), &r) == 0);
	CHECK_STR(r.source, "dom0");
	CHECK_STR(r.method, "admin.vm.List");
	CHECK_STR(r.dest, "dom0");
	CHECK_STR(r.arg, "");
	CHECK(r.payload_len == 0);

	CHECK(parse(REQ("dom0\0admin.vm.property.Set\0work\0memory\0" "800"), &r) == 0);
	CHECK_STR(r.arg, "memory");
	CHECK(r.payload_len == 3);
	CHECK(r.payload_off == sizeof("dom0\0admin.vm.property.Set\0work\0memory\0") - 1);
	/* Payload may hold any bytes, NULs included. */
	CHECK(parse(REQ("dom0\0admin.vm.feature.Set\0work\0f\0a\0b\xff"), &r) == 0);
	CHECK(r.payload_len == 4);
	CHECK(parse(REQ("dom0\0admin.x\0\0\0"), &r) == 0);
	CHECK_STR(r.dest, "");
	/* Accepted fields are NUL-padded to the end of their arrays: nothing
	 * of what *out held before survives after the string. */
	memset(&r, 0x5a, sizeof(r));
	CHECK(parse(REQ("dom0\0admin.vm.List\0work\0a\0"), &r) == 0);
	CHECK(all_nul(r.source + 4, sizeof(r.source) - 4) && all_nul(r.method + 13, sizeof(r.method) - 13));
	CHECK(all_nul(r.dest + 4, sizeof(r.dest) - 4) && all_nul(r.arg + 1, sizeof(r.arg) - 1));

	memset(&sentinel, 0x5a, sizeof(sentinel));
	r = sentinel;
	/* Missing NULs: truncated anywhere. */
	CHECK(parse(REQ("dom0"), &r) == ADMIN_PARSE_EFIELD);
	CHECK(parse(REQ("dom0\0admin.vm.List"), &r) == ADMIN_PARSE_EFIELD);
	CHECK(parse(REQ("dom0\0admin.vm.List\0dom0\0"), &r) == ADMIN_PARSE_EFIELD);
	CHECK(parse("", 0, &r) == ADMIN_PARSE_EFIELD);
	/* Bad fields. */
	CHECK(parse(REQ("Dom 0\0admin.vm.List\0dom0\0\0"), &r) == ADMIN_PARSE_ESOURCE);
	CHECK(parse(REQ("\0admin.vm.List\0dom0\0\0"), &r) == ADMIN_PARSE_ESOURCE);
	CHECK(parse(REQ("dom0\0vm.List\0dom0\0\0"), &r) == ADMIN_PARSE_EMETHOD);
	CHECK(parse(REQ("dom0\0admin.\0dom0\0\0"), &r) == ADMIN_PARSE_EMETHOD);
	CHECK(parse(REQ("dom0\0admin.vm/List\0dom0\0\0"), &r) == ADMIN_PARSE_EMETHOD);
	CHECK(parse(REQ("dom0\0admin.vm.List\0../etc\0\0"), &r) == ADMIN_PARSE_EDEST);
	CHECK(parse(REQ("dom0\0admin.vm.List\0none\0\0"), &r) == ADMIN_PARSE_EDEST);
	CHECK(parse(REQ("dom0\0admin.vm.feature.Get\0work\0a b\0"), &r) == ADMIN_PARSE_EARG);
	CHECK(parse(REQ("dom0\0admin.vm.feature.Get\0work\0a/b\0"), &r) == ADMIN_PARSE_EARG);
	CHECK(parse(REQ("dom0\0admin.vm.feature.Get\0work\0\x80\0"), &r) == ADMIN_PARSE_EARG);
	CHECK(memcmp(&r, &sentinel, sizeof(r)) == 0);

	/* Field length limits, exactly at and one past. */
	{
		static uint8_t buf[ADMIN_MAX_REQUEST + 1];
		size_t n = 0;
		memcpy(buf, "dom0\0admin.vm.List\0dom0\0", 24);
		n = 24;
		memset(buf + n, 'a', ADMIN_ARG_MAX);
		n += ADMIN_ARG_MAX;
		buf[n++] = 0;
		CHECK(admin_request_parse(buf, n, &r) == 0);
		memset(buf + 24, 'a', ADMIN_ARG_MAX + 1);
		buf[24 + ADMIN_ARG_MAX + 1] = 0;
		CHECK(admin_request_parse(buf, 24 + ADMIN_ARG_MAX + 2, &r) == ADMIN_PARSE_EFIELD);
		CHECK(admin_request_parse(buf, ADMIN_MAX_REQUEST + 1, &r) == ADMIN_PARSE_ETOOBIG);
	}

	/* k=v payloads. */
	{
		struct admin_kv kv[ADMIN_KV_MAX];
		CHECK(KV("name=work label=red") == 2);
		CHECK_STR(kv[0].key, "name");
		CHECK_STR(kv[0].value, "work");
		CHECK_STR(kv[1].key, "label");
		CHECK_STR(kv[1].value, "red");
		CHECK(KV("") == 0);
		CHECK(KV("name=a name=b") == -1);
		CHECK(KV("name=a ") == -1);
		CHECK(KV(" name=a") == -1);
		CHECK(KV("name=a  label=b") == -1);
		CHECK(KV("name=") == -1);
		CHECK(KV("=a") == -1);
		CHECK(KV("name") == -1);
		CHECK(KV("Name=a") == -1);
		CHECK(KV("name=a;b") == -1);
		CHECK(KV("name=a\nlabel=b") == -1);
		/* Keys and values of TOKEN_NAME_MAX bytes, and one more. */
		{
			char big[2 * (TOKEN_NAME_MAX + 1) + 2];

			memset(big, 'k', TOKEN_NAME_MAX);
			big[TOKEN_NAME_MAX] = '=';
			memset(big + TOKEN_NAME_MAX + 1, 'v', TOKEN_NAME_MAX);
			big[2 * TOKEN_NAME_MAX + 1] = '\0';
			CHECK(KV(big) == 1);
			CHECK(strlen(kv[0].key) == TOKEN_NAME_MAX && strlen(kv[0].value) == TOKEN_NAME_MAX);
			big[2 * TOKEN_NAME_MAX + 1] = 'v';
			big[2 * TOKEN_NAME_MAX + 2] = '\0';
			CHECK(KV(big) == -1);
			memset(big, 'k', TOKEN_NAME_MAX + 1);
			big[TOKEN_NAME_MAX + 1] = '=';
			big[TOKEN_NAME_MAX + 2] = 'v';
			big[TOKEN_NAME_MAX + 3] = '\0';
			CHECK(KV(big) == -1);
		}
		CHECK(KV("a=1 a_b=2 a=3") == -1);
		CHECK(KV("name=a=b") == -1);
		CHECK(KV("a=1 b=2 c=3 d=4 e=5 f=6 g=7 h=8 i=9 j=1 k=1 l=1 m=1 n=1 o=1 "
						      "p=1 q=1 r=1 s=1 t=1 u=1 v=1 w=1 x=1 y=1 z=1 aa=1 ab=1 ac=1 "
						      "ad=1 ae=1 af=1 ag=1") == -1);
	}
	return check_exit();
}
