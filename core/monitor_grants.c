/* A removed qube's standing grants go with it (SPEC/capabilities.md):
 * capd binds names and qids, and a later qube that gets the same name
 * (and qid) must not inherit what the user allowed the removed one.  The
 * monitor removes a qube's volumes last in its removal; it then asks
 * capd, as uid 0, to revoke every grant naming the qube as source or
 * target.  If capd cannot be reached, the grants stay and the log says
 * to revoke them with qvm-cap. */
#include <errno.h>
#include <string.h>

#include "capd/capd_client.h"
#include "core/vmm_monitor.h"
#include "lib/io.h"
#include "lib/log.h"

void monitor_forget_grants(const char *name, uint32_t qid)
{
	static struct capd_grant_entry e[CAPD_LIST_BATCH];
	uint64_t after = 0;
	unsigned revoked = 0;
	bool more = true;

	while (more) {
		size_t n = 0;
		uint32_t reason = 0;
		int rc = capd_grant_list(NULL, after, e, &n, &more, &reason, now_ms() + CAPD_REQ_TIMEOUT_MS);

		if (rc < 0) {
			log_warnx("monitor: %s's standing grants could not be listed (%s): revoke them with qvm-cap",
				  name, strerror(-rc));
			return;
		}
		for (size_t i = 0; i < n; i++) {
			const struct capd_binding *b = &e[i].b;

			after = e[i].id;
			if (!((b->source_qid == qid && strcmp(b->source, name) == 0) ||
			      (b->target_qid == qid && strcmp(b->target, name) == 0)))
				continue;
			if ((rc = capd_grant_revoke(NULL, e[i].id, &reason, now_ms() + CAPD_REQ_TIMEOUT_MS)) < 0)
				log_warnx("monitor: grant %llu of %s could not be revoked (%s)", (unsigned long long)e[i].id,
					  name, strerror(-rc));
			else
				revoked++;
		}
	}
	if (revoked > 0)
		log_info("monitor: revoked %u standing grant(s) of the removed qube %s", revoked, name);
}
