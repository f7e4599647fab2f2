/* bulkhead-aem's operator input (measured-boot/aem_input.c): PCR lists,
 * PCR value files (every malformed line refused with its line number, an
 * incomplete or extra set refused) and the secret/PIN line reader (one
 * line of printable ASCII, nothing past it consumed, limits enforced). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "measured-boot/aem_input.h"
#include "tests/lib/check.h"

static void test_pcr_list(void)
{
	static const struct { const char *s; uint32_t mask; } ok[] = {
		{ "0", 1u }, { "23", 1u << 23 }, { "8,9", 3u << 8 }, { "11-15", 0x1fu << 11 },
		{ "0-23", 0xffffffu }, { "1,3-4,7", 1u << 1 | 3u << 3 | 1u << 7 }, { "5-5", 1u << 5 },
	};
	static const char *const bad[] = { "", "24", "-1", "1-", "-", "3-2", "08", "1,,2", "1,", ",1", "a",
		"1 ", " 1", "100", "0x1", "1-24" };
	uint32_t m;
	char out[96];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		m = 0;
		CHECK(aem_parse_pcr_list(ok[i].s, &m) == 0 && m == ok[i].mask);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = 12345;
		if (aem_parse_pcr_list(bad[i], &m) == 0)
			fprintf(stderr, "accepted '%s'\n", bad[i]);
		CHECK(aem_parse_pcr_list(bad[i], &m) < 0 && m == 12345);
	}
	aem_format_pcr_list(1u << 1 | 3u << 11, out, sizeof(out));
	CHECK_STR(out, "1,11,12");
}

static const char *tmpfile_with(const char *content)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/test_aem_input.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || write(fd, content, strlen(content)) != (ssize_t)strlen(content))
		abort();
	close(fd);
	return path;
}

static int pcr_file(const char *content, uint32_t mask, uint8_t pcrs[AEM_PCR_COUNT][AEM_DIGEST_LEN], char *why)
{
	const char *p = tmpfile_with(content);
	int r = aem_read_pcr_file(p, mask, pcrs, why, 256);

	unlink(p);
	return r;
}

#define H64A "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define H64B "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff0001"

static void test_pcr_file(void)
{
	uint8_t pcrs[AEM_PCR_COUNT][AEM_DIGEST_LEN];
	char why[256];
	const uint32_t mask = 1u << 11 | 1u << 12;

	memset(pcrs, 0, sizeof(pcrs));
	CHECK(pcr_file("11 " H64A "\n12 " H64B "\n", mask, pcrs, why) == 0);
	CHECK(pcrs[11][0] == 0x01 && pcrs[11][31] == 0xef && pcrs[12][30] == 0x00 && pcrs[12][31] == 0x01);
	CHECK(pcrs[10][0] == 0 && pcrs[13][0] == 0);
	CHECK(pcr_file("11 " H64A "\n", mask, pcrs, why) < 0 && strstr(why, "every PCR") != NULL);
	CHECK(pcr_file("12 " H64B "\n11 " H64A "\n", mask, pcrs, why) < 0 && strstr(why, "line 2") != NULL);
	CHECK(pcr_file("11 " H64A "\n11 " H64A "\n12 " H64B "\n", mask, pcrs, why) < 0 && strstr(why, "line 2"));
	CHECK(pcr_file("11 " H64A "\n13 " H64B "\n", mask, pcrs, why) < 0 && strstr(why, "line 2") != NULL);
	CHECK(pcr_file("11 " H64A "\n12 " H64B, mask, pcrs, why) < 0 && strstr(why, "line 2") != NULL);
	CHECK(pcr_file("11 " H64A "0\n12 " H64B "\n", mask, pcrs, why) < 0 && strstr(why, "line 1") != NULL);
	CHECK(pcr_file("11 " "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef" "\n12 " H64B "\n",
		       mask, pcrs, why) < 0 && strstr(why, "line 1") != NULL);
	CHECK(pcr_file("11  " H64A "\n12 " H64B "\n", mask, pcrs, why) < 0 && strstr(why, "line 1") != NULL);
	CHECK(pcr_file("011 " H64A "\n12 " H64B "\n", mask, pcrs, why) < 0 && strstr(why, "line 1") != NULL);
	CHECK(pcr_file("", mask, pcrs, why) < 0);
	CHECK(aem_read_pcr_file("/nonexistent/x", mask, pcrs, why, sizeof(why)) < 0 &&
	      strstr(why, "No such file") != NULL);
}

/* Reads lines from a pipe holding input. */
static void test_read_line(void)
{
	char buf[AEM_PIN_MAX + 1], rest[16];
	const char *why = NULL;
	int p[2];

	if (pipe(p) < 0)
		abort();
	const char in[] = "1234\nnext\n\n" "a\tb\n";
	if (write(p[1], in, sizeof(in) - 1) != (ssize_t)sizeof(in) - 1)
		abort();
	CHECK(aem_read_line(p[0], "", buf, AEM_PIN_MAX, &why) == 4 && strcmp(buf, "1234") == 0);
	CHECK(aem_read_line(p[0], "", buf, AEM_PIN_MAX, &why) == 4 && strcmp(buf, "next") == 0);
	CHECK(aem_read_line(p[0], "", buf, AEM_PIN_MAX, &why) < 0 && strcmp(why, "empty") == 0);
	CHECK(aem_read_line(p[0], "", buf, AEM_PIN_MAX, &why) < 0 && strcmp(why, "not printable ASCII") == 0);
	CHECK(buf[0] == '\0');   /* a refused line is wiped */
	/* The reader stops at the refused byte (the tool then exits). */
	CHECK(aem_read_line(p[0], "", buf, AEM_PIN_MAX, &why) == 1 && strcmp(buf, "b") == 0);
	/* Exactly max bytes pass, one more does not. */
	memset(rest, 'x', sizeof(rest));
	if (write(p[1], rest, 4) != 4 || write(p[1], "\n", 1) != 1 || write(p[1], rest, 5) != 5 ||
	    write(p[1], "\n", 1) != 1)
		abort();
	CHECK(aem_read_line(p[0], "", buf, 4, &why) == 4);
	CHECK(aem_read_line(p[0], "", buf, 4, &why) < 0 && strcmp(why, "line too long") == 0);
	/* The end of input ends the last line. */
	close(p[1]);
	CHECK(aem_read_line(p[0], "", buf, 4, &why) < 0 && strcmp(why, "empty") == 0);
	close(p[0]);
}

int main(void)
{
	test_pcr_list();
	test_pcr_file();
	test_read_line();
	return check_exit();
}
