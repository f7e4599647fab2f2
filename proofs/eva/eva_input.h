/* What every Eva driver feeds its parser: a buffer whose bytes and length
 * are wholly the attacker's (any value, any length up to the buffer). */
#ifndef BH_EVA_INPUT_H
#define BH_EVA_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "__fc_builtin.h"

/* Large enough for every fixed-size message and for lines past their
 * limits, so that the length checks themselves are exercised. */
#define EVA_BUF_MAX 5000u

static uint8_t eva_buf[EVA_BUF_MAX];

/* Fresh unknown contents; *len is any value in 0..max. */
static const uint8_t *eva_untrusted(size_t max, size_t *len)
{
	Frama_C_make_unknown((char *)eva_buf, EVA_BUF_MAX);
	*len = Frama_C_unsigned_long_interval(0, max);
	return eva_buf;
}

#endif
