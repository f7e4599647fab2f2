#include "capd/capd_names.h"

#include "capd/capd_proto.h"

static const char *const status_names[CAPD_R_MAX + 1] = {
	[CAPD_OK] = "ok",
	[CAPD_R_WRONG_CALLER] = "wrong-caller",
	[CAPD_R_WRONG_TARGET] = "wrong-target",
	[CAPD_R_FORGED] = "forged",
	[CAPD_R_STALE] = "stale",
	[CAPD_R_EXPIRED] = "expired",
	[CAPD_R_REPLAYED] = "replayed",
	[CAPD_R_REVOKED] = "revoked",
	[CAPD_R_NO_GRANT] = "no-grant",
	[CAPD_R_FULL] = "full",
	[CAPD_R_NOT_FOUND] = "not-found",
	[CAPD_R_STORE] = "store-failed",
};

static const char *const msg_names[CAPD_MSG_MAX + 1] = {
	[CAPD_MINT] = "MINT",
	[CAPD_MINT_FROM_GRANT] = "MINT_FROM_GRANT",
	[CAPD_REDEEM] = "REDEEM",
	[CAPD_GRANT_CREATE] = "GRANT_CREATE",
	[CAPD_GRANT_LIST] = "GRANT_LIST",
	[CAPD_GRANT_REVOKE] = "GRANT_REVOKE",
	[CAPD_AUDIT] = "AUDIT",
};

const char *capd_status_name(uint32_t status)
{
	return status <= CAPD_R_MAX ? status_names[status] : "unknown";
}

const char *capd_scope_name(uint32_t scope)
{
	switch (scope) {
	case CAPD_SCOPE_CALLS:   return "calls";
	case CAPD_SCOPE_MINUTES: return "minutes";
	case CAPD_SCOPE_ALWAYS:  return "always";
	default:                 return "unknown";
	}
}

const char *capd_msg_name(uint32_t type)
{
	return type >= CAPD_MSG_MIN && type <= CAPD_MSG_MAX ? msg_names[type] : "unknown";
}
