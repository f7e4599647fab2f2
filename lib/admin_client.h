/* Client side of the Admin API, for the qvm-* tools and tests. */
#ifndef BH_ADMIN_CLIENT_H
#define BH_ADMIN_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

struct admin_reply {
	bool ok;               /* 0x30 reply */
	struct strbuf content; /* ok: the content; exception: the message */
	char exc_type[64];     /* exception type, e.g. "QubesVMNotFoundError" */
};

/* Performs one call as source "dom0".  dest may be "" (meaning dom0), arg
 * may be "".  Returns 0 when a well-formed reply arrived (look at r->ok),
 * or -errno when bulkheadd could not be reached or the reply was malformed.
 * The caller frees r with admin_reply_free() whatever the result. */
int admin_call(const char *method, const char *dest, const char *arg,
	       const void *payload, size_t payload_len, struct admin_reply *r)
	__attribute__((warn_unused_result));

void admin_reply_free(struct admin_reply *r);

/* For tools: performs the call and on any failure prints one line
 * "PROG: message" to stderr.  Returns 0 ok, 1 refused/failed. */
int admin_call_or_report(const char *method, const char *dest, const char *arg,
			 const void *payload, size_t payload_len, struct admin_reply *r)
	__attribute__((warn_unused_result));

#endif
