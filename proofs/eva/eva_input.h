/* What every Eva driver feeds its parser: a buffer whose bytes and length
 * are wholly the attacker's (any value, any length up to the buffer). */
#ifndef BH_EVA_INPUT_H
#define BH_EVA_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "__fc_builtin.h"

/* Larger than any message (qrexec's longest is 8 + 65535 bytes) and any
 * line, so that the length checks themselves are exercised. */
#define EVA_BUF_MAX 70000u

static uint8_t eva_buf[EVA_BUF_MAX];

/* Fresh unknown contents; *len is any value in 0..max (at most the
 * buffer: the parsers' contract is that len bytes are readable). */
static const uint8_t *eva_untrusted(size_t max, size_t *len)
{
	Frama_C_make_unknown((char *)eva_buf, EVA_BUF_MAX);
	*len = Frama_C_unsigned_long_interval(0, max < EVA_BUF_MAX ? max : EVA_BUF_MAX);
	return eva_buf;
}

#endif
