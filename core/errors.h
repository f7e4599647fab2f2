/* Errors of the dom0 core, named by the Qubes exception types the Admin
 * API reports (SPEC/core.md). */
#ifndef BH_ERRORS_H
#define BH_ERRORS_H

#include <stddef.h>

enum bh_exc {
	EXC_NONE, EXC_QUBES, EXC_VM_NOT_FOUND, EXC_NO_SUCH_PROP, EXC_VALUE,
	EXC_PROP_ACCESS, EXC_NOT_HALTED, EXC_NOT_STARTED, EXC_IN_USE,
	EXC_FEATURE_NOT_FOUND, EXC_TAG_NOT_FOUND, EXC_PERMISSION, EXC_PROTOCOL,
	EXC_VM_ERROR,
	EXC_COUNT
};

struct bh_error {
	enum bh_exc exc;
	char msg[256];    /* one line; never raw bytes from a request */
};

/* Records the error and returns -1, so callers can `return err_set(...)`. */
int err_set(struct bh_error *e, enum bh_exc exc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

const char *exc_name(enum bh_exc exc);

#endif
