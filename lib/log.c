#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *progname = "bulkhead";

void log_init(const char *name)
{
	const char *slash = strrchr(name, '/');
	progname = slash ? slash + 1 : name;
}

const char *log_progname(void)
{
	return progname;
}

__attribute__((format(printf, 4, 0)))
static void vlog(const char *file, int line, int with_errno, const char *fmt, va_list ap)
{
	int saved = errno;
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (with_errno)
		fprintf(stderr, "%s: %s:%d: %s: %s\n", progname, file, line, msg, strerror(saved));
	else
		fprintf(stderr, "%s: %s:%d: %s\n", progname, file, line, msg);
	errno = saved;
}

void log_msg(const char *file, int line, int with_errno, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(file, line, with_errno, fmt, ap);
	va_end(ap);
}

void log_fatal(const char *file, int line, int with_errno, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(file, line, with_errno, fmt, ap);
	va_end(ap);
	exit(1);
}

char *log_escape(const void *buf, size_t len, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = buf;
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = p[i];
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			if (o + 1 >= outlen)
				break;
			out[o++] = (char)c;
		} else {
			if (o + 4 >= outlen)
				break;
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return out;
}
