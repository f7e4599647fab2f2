/* Names of capd's statuses and scopes, as the log, the audit records,
 * qvm-cap and SPEC/capabilities.md spell them. */
#ifndef BH_CAPD_NAMES_H
#define BH_CAPD_NAMES_H

#include <stdint.h>

/* "ok", "wrong-caller", "forged", ...: one word per CAPD_R_*; "unknown"
 * for anything else.  Static strings. */
const char *capd_status_name(uint32_t status);

/* "calls", "minutes", "always"; "unknown" for anything else. */
const char *capd_scope_name(uint32_t scope);

/* "MINT", "REDEEM", ... for a request type; "unknown" otherwise. */
const char *capd_msg_name(uint32_t type);

#endif
