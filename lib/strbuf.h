/* A growable byte buffer with a hard maximum: appending past the maximum
 * fails (and latches the error) instead of growing without bound. */
#ifndef BH_STRBUF_H
#define BH_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *buf;     /* owned; NUL-terminated after every append */
	size_t len;
	size_t cap;
	size_t max;    /* largest len allowed */
	int err;       /* first error (-ENOMEM, -EMSGSIZE), sticky */
};

void sb_init(struct strbuf *sb, size_t max);
void sb_free(struct strbuf *sb);
void sb_reset(struct strbuf *sb);
void sb_add(struct strbuf *sb, const void *data, size_t len);
void sb_adds(struct strbuf *sb, const char *s);
void sb_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_addc(struct strbuf *sb, char c);

#endif
