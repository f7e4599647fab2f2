#include "core/errors.h"

#include <stdarg.h>
#include <stdio.h>

int err_set(struct bh_error *e, enum bh_exc exc, const char *fmt, ...)
{
	va_list ap;

	e->exc = exc;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

const char *exc_name(enum bh_exc exc)
{
	static const char *const names[EXC_COUNT] = {
		[EXC_NONE] = "QubesException",
		[EXC_QUBES] = "QubesException",
		[EXC_VM_NOT_FOUND] = "QubesVMNotFoundError",
		[EXC_NO_SUCH_PROP] = "QubesNoSuchPropertyError",
		[EXC_VALUE] = "QubesValueError",
		[EXC_PROP_ACCESS] = "QubesPropertyAccessError",
		[EXC_NOT_HALTED] = "QubesVMNotHaltedError",
		[EXC_NOT_STARTED] = "QubesVMNotStartedError",
		[EXC_IN_USE] = "QubesVMInUseError",
		[EXC_FEATURE_NOT_FOUND] = "QubesFeatureNotFoundError",
		[EXC_TAG_NOT_FOUND] = "QubesTagNotFoundError",
		[EXC_PERMISSION] = "PermissionDenied",
		[EXC_PROTOCOL] = "ProtocolError",
		[EXC_VM_ERROR] = "QubesVMError",
	};
	return (unsigned)exc < EXC_COUNT ? names[exc] : "QubesException";
}
