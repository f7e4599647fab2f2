/* User input of bulkhead-aem (aem_input.h). */
#include "measured-boot/aem_input.h"

#include <errno.h>
#include <poll.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "lib/io.h"
#include "measured-boot/mbfile.h"

int aem_read_line(int fd, const char *prompt, char *buf, size_t max, const char **why)
{
	struct termios old, quiet;
	int tty = isatty(fd) && tcgetattr(fd, &old) == 0;
	uint64_t deadline = now_ms() + AEM_INPUT_TIMEOUT_MS;
	size_t n = 0;
	int ret = -1;

	if (tty) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		(void)tcsetattr(fd, TCSAFLUSH, &quiet);
		fprintf(stderr, "%s", prompt);
	}
	/* Byte by byte, so nothing past the line is consumed (the PIN may
	 * follow the secret on the same pipe) and no stdio buffer keeps a
	 * copy of the secret. */
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t now = now_ms();
		char c;
		ssize_t got;
		int pr;

		if (now >= deadline) {
			*why = "no input within the time limit";
			goto out;
		}
		pr = poll(&p, 1, (int)(deadline - now));
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0) {
			*why = pr == 0 ? "no input within the time limit" : strerror(errno);
			goto out;
		}
		got = read(fd, &c, 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			*why = strerror(errno);
			goto out;
		}
		if (got == 0 || c == '\n')
			break;
		if (n == max) {
			*why = "line too long";
			goto out;
		}
		if (c < 0x20 || c > 0x7e) {
			*why = "not printable ASCII";
			goto out;
		}
		buf[n++] = c;
	}
	if (n == 0) {
		*why = "empty";
		goto out;
	}
	buf[n] = '\0';
	ret = (int)n;
out:
	if (ret < 0)
		sodium_memzero(buf, max + 1);
	if (tty) {
		(void)tcsetattr(fd, TCSAFLUSH, &old);
		fprintf(stderr, "\n");
	}
	return ret;
}

/* A decimal PCR number 0..23 at *s, advancing *s. */
static int pcr_number(const char **s, unsigned *v)
{
	const char *p = *s;
	unsigned n = 0;

	if (*p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9' && p - *s < 2)
		n = n * 10 + (unsigned)(*p++ - '0');
	if ((*p >= '0' && *p <= '9') || (p - *s == 2 && (*s)[0] == '0') || n >= AEM_PCR_COUNT)
		return -1;
	*s = p;
	*v = n;
	return 0;
}

int aem_parse_pcr_list(const char *s, uint32_t *mask)
{
	uint32_t m = 0;

	for (;;) {
		unsigned a, b;

		if (pcr_number(&s, &a) < 0)
			return -1;
		b = a;
		if (*s == '-') {
			s++;
			if (pcr_number(&s, &b) < 0 || b < a)
				return -1;
		}
		for (unsigned i = a; i <= b; i++)
			m |= 1u << i;
		if (*s == '\0')
			break;
		if (*s++ != ',')
			return -1;
	}
	*mask = m;
	return 0;
}

void aem_format_pcr_list(uint32_t mask, char *out, size_t outlen)
{
	size_t o = 0;

	out[0] = '\0';
	for (unsigned i = 0; i < AEM_PCR_COUNT; i++) {
		if (!(mask >> i & 1))
			continue;
		int n = snprintf(out + o, outlen - o, "%s%u", o ? "," : "", i);
		if (n < 0 || (size_t)n >= outlen - o)
			return;
		o += (size_t)n;
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int aem_read_pcr_file(const char *path, uint32_t mask, uint8_t pcrs[AEM_PCR_COUNT][AEM_DIGEST_LEN],
	char *why, size_t whylen)
{
	/* The file comes from whoever prepared the update: checked here,
	 * line by line, before any value is used. */
	char untrusted_buf[AEM_PCRS_FILE_MAX];
	ssize_t len = mb_read_regular(path, (uint8_t *)untrusted_buf, sizeof(untrusted_buf), why, whylen);
	uint32_t seen = 0;
	size_t pos = 0, line = 0;
	int last = -1;

	if (len < 0)
		return -1;
	while ((size_t)len > pos) {
		const char *p = untrusted_buf + pos, *nl = memchr(p, '\n', (size_t)len - pos);
		unsigned n;

		line++;
		if (nl == NULL || pcr_number(&p, &n) < 0 || *p++ != ' ' || nl - p != 2 * AEM_DIGEST_LEN ||
		    !(mask >> n & 1) || (int)n <= last)
			goto bad;
		for (unsigned i = 0; i < AEM_DIGEST_LEN; i++) {
			int hi = hexval(p[2 * i]), lo = hexval(p[2 * i + 1]);
			if (hi < 0 || lo < 0)
				goto bad;
			pcrs[n][i] = (uint8_t)(hi * 16 + lo);
		}
		seen |= 1u << n;
		last = (int)n;
		pos = (size_t)(nl - untrusted_buf) + 1;
	}
	if (seen != mask) {
		snprintf(why, whylen, "%s: does not give every PCR of the blob's policy", path);
		return -1;
	}
	return 0;
bad:
	snprintf(why, whylen, "%s: line %zu: want \"<pcr> <64 lowercase hex>\" for a PCR of the policy, ascending",
		 path, line);
	return -1;
}

void aem_print_pcrs(uint32_t mask, const uint8_t pcrs[AEM_PCR_COUNT][AEM_DIGEST_LEN])
{
	for (unsigned i = 0; i < AEM_PCR_COUNT; i++) {
		if (!(mask >> i & 1))
			continue;
		printf("%u ", i);
		for (unsigned k = 0; k < AEM_DIGEST_LEN; k++)
			printf("%02x", pcrs[i][k]);
		printf("\n");
	}
}
