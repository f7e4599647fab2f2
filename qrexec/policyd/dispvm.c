/* Disposable qubes for calls to @dispvm:TEMPLATE: made for one call,
 * started, and removed when the call's channel ends (policy allowed the
 * call; the qube is the target nothing else ever saw). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "lib/admin_client.h"
#include "lib/log.h"
#include "qrexec/policyd/policyd.h"

#define DISPVM_NAME_TRIES 16u     /* dispN names already taken: try another N */

int policyd_admin(const char *method, const char *dest, const char *arg, const char *payload, char *exc,
		  size_t exclen)
{
	struct admin_reply r;
	int rc = admin_call(method, dest, arg, payload, payload ? strlen(payload) : 0, &r);

	if (exc)
		snprintf(exc, exclen, "%s", rc == 0 && !r.ok ? r.exc_type : "");
	if (rc == 0 && !r.ok)
		rc = -1;
	admin_reply_free(&r);
	return rc < 0 ? -1 : 0;
}

int policyd_dispvm_create(const char *tmpl, const char *label, char *name, size_t namelen)
{
	char payload[96], exc[64];

	for (unsigned i = 0; i < DISPVM_NAME_TRIES; i++) {
		uint16_t n;

		/* Qubes' names: disp1 .. disp9999, chosen at random. */
		if (getrandom(&n, sizeof(n), 0) != sizeof(n))
			return -1;
		snprintf(name, namelen, "disp%u", 1u + n % 9999u);
		snprintf(payload, sizeof(payload), "name=%s label=%s", name, label && label[0] ? label : "red");
		if (policyd_admin("admin.vm.Create.DispVM", "dom0", tmpl, payload, exc, sizeof(exc)) == 0) {
			if (policyd_admin("admin.vm.Start", name, "", NULL, NULL, 0) == 0)
				return 0;
			log_warnx("cannot start the disposable %s", name);
			policyd_dispvm_destroy(name);
			return -1;
		}
		/* Only a name in use is worth another try. */
		if (strcmp(exc, "QubesValueError") != 0)
			break;
	}
	log_warnx("cannot create a disposable qube from %s", tmpl);
	return -1;
}

void policyd_dispvm_destroy(const char *name)
{
	/* Kill (not shutdown): nothing in it is worth keeping. */
	(void)policyd_admin("admin.vm.Kill", name, "", NULL, NULL, 0);
	if (policyd_admin("admin.vm.Remove", name, "", NULL, NULL, 0) < 0)
		log_warnx("the disposable %s could not be removed", name);
}
