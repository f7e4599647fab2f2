/* Facts about qubes for policy evaluation, read from bulkheadd's Admin
 * API in one call (admin.bulkhead.SystemInfo), whose reply is facts text
 * (policy_facts.h) checked by the same parser as a facts file. */
#include <stdio.h>
#include <string.h>

#include "lib/admin_client.h"
#include "lib/log.h"
#include "qrexec/policy/policy_facts.h"

int policy_facts_from_admin(struct policy_facts_table *t)
{
	struct admin_reply r;
	char err[256];
	int rc = admin_call("admin.bulkhead.SystemInfo", "dom0", "", NULL, 0, &r);

	if (rc < 0 || !r.ok || !r.content.buf) {
		fprintf(stderr, "%s: cannot read qubes from bulkheadd (%s); use --facts FILE\n",
			log_progname(), rc < 0 ? strerror(-rc) : "admin.bulkhead.SystemInfo refused");
		admin_reply_free(&r);
		return -1;
	}
	rc = policy_facts_table_parse(t, r.content.buf, "bulkheadd", err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "%s: unexpected facts from %s\n", log_progname(), err);
	admin_reply_free(&r);
	return rc;
}
