#include "core/props.h"

#include <stdio.h>
#include <string.h>

#include "lib/names_parse.h"

/* Order follows enum prop_id. */
const struct prop_def prop_table[P_COUNT] = {
	[P_NAME]     = { "name", PT_STR, CLS_ALL, PF_READONLY, NULL, 0, 0 },
	[P_CLASS]    = { "class", PT_STR, CLS_ALL, PF_READONLY, NULL, 0, 0 },
	[P_QID]      = { "qid", PT_INT, CLS_ALL, PF_READONLY, NULL, 0, QID_MAX },
	[P_LABEL]    = { "label", PT_LABEL, CLS_ALL, PF_STORED, "red", 0, 0 },
	[P_TEMPLATE] = { "template", PT_VM, CLS(CLASS_APPVM) | CLS(CLASS_DISPVM),
			 PF_STORED | PF_HALTED, NULL, 0, 0 },
	[P_NETVM]    = { "netvm", PT_VM, CLS_NOT_ADMIN, PF_STORED | PF_HALTED, NULL, 0, 0 },
	[P_PROVIDES_NETWORK] = { "provides_network", PT_BOOL, CLS_NOT_ADMIN, PF_STORED | PF_HALTED,
				 "False", 0, 0 },
	[P_MEMORY]   = { "memory", PT_INT, CLS_NOT_ADMIN, PF_STORED | PF_HALTED, "400", 32, 65536 },
	[P_MAXMEM]   = { "maxmem", PT_INT, CLS_NOT_ADMIN, PF_STORED | PF_HALTED, "4000", 0, 65536 },
	[P_VCPUS]    = { "vcpus", PT_INT, CLS_NOT_ADMIN, PF_STORED | PF_HALTED, "2", 1, 256 },
	[P_PIDS_MAX] = { "pids_max", PT_INT, CLS_NOT_ADMIN, PF_STORED | PF_HALTED, "4096", 16, 65536 },
	[P_AUTOSTART] = { "autostart", PT_BOOL, CLS_NOT_ADMIN, PF_STORED, "False", 0, 0 },
	[P_DEFAULT_DISPVM] = { "default_dispvm", PT_VM, CLS_NOT_ADMIN, PF_STORED, NULL, 0, 0 },
	[P_TEMPLATE_FOR_DISPVMS] = { "template_for_dispvms", PT_BOOL, CLS(CLASS_APPVM),
				     PF_STORED, "False", 0, 0 },
	[P_DEFAULT_USER] = { "default_user", PT_STR, CLS_NOT_ADMIN, PF_STORED, "user", 0, 0 },
	[P_QREXEC_TIMEOUT] = { "qrexec_timeout", PT_INT, CLS_NOT_ADMIN, PF_STORED, "60", 1, 3600 },
	[P_SHUTDOWN_TIMEOUT] = { "shutdown_timeout", PT_INT, CLS_NOT_ADMIN, PF_STORED, "60", 1, 3600 },
};

const struct prop_def global_prop_table[G_COUNT] = {
	[G_DEFAULT_TEMPLATE] = { "default_template", PT_VM, 0, PF_STORED, "", 0, 0 },
	[G_DEFAULT_NETVM]    = { "default_netvm", PT_VM, 0, PF_STORED, "", 0, 0 },
	[G_DEFAULT_DISPVM]   = { "default_dispvm", PT_VM, 0, PF_STORED, "", 0, 0 },
	[G_BACKEND]          = { "backend", PT_STR, 0, PF_READONLY, NULL, 0, 0 },
};

static int lookup(const struct prop_def *table, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(table[i].name, name) == 0)
			return i;
	return -1;
}

int prop_lookup(const char *name)
{
	return lookup(prop_table, P_COUNT, name);
}

int global_prop_lookup(const char *name)
{
	return lookup(global_prop_table, G_COUNT, name);
}

const char *prop_type_name(enum prop_type t)
{
	static const char *const names[] = { "str", "int", "bool", "label", "vm" };
	return names[t];
}

static int fail(char *why, size_t whylen, const char *def_name, const char *reason)
{
	snprintf(why, whylen, "invalid value for property '%s': %s", def_name, reason);
	return -1;
}

int prop_check_value(const struct prop_def *def, const uint8_t *value, size_t len,
		     char *out, size_t outlen, char *why, size_t whylen)
{
	uint64_t n = 0;

	if (len + 1 > outlen)
		return fail(why, whylen, def->name, "too long");
	switch (def->type) {
	case PT_INT:
		/* Decimal, no sign, no leading zero, within [min, max]. */
		if (len == 0 || len > 10 || (len > 1 && value[0] == '0'))
			return fail(why, whylen, def->name, "expected a decimal number");
		for (size_t i = 0; i < len; i++) {
			if (value[i] < '0' || value[i] > '9')
				return fail(why, whylen, def->name, "expected a decimal number");
			n = n * 10 + (uint64_t)(value[i] - '0');
		}
		if (n < def->min || n > def->max) {
			char r[64];
			snprintf(r, sizeof(r), "must be between %u and %u", def->min, def->max);
			return fail(why, whylen, def->name, r);
		}
		break;
	case PT_BOOL:
		if (!((len == 4 && memcmp(value, "True", 4) == 0) ||
		      (len == 5 && memcmp(value, "False", 5) == 0)))
			return fail(why, whylen, def->name, "expected True or False");
		break;
	case PT_LABEL:
		if (label_from_name(value, len) < 0)
			return fail(why, whylen, def->name, "unknown label");
		break;
	case PT_VM:
		if (len != 0 && names_check(NAME_QUBE, value, len) < 0 &&
		    !(len == 4 && memcmp(value, "dom0", 4) == 0))
			return fail(why, whylen, def->name, "not a valid qube name");
		break;
	case PT_STR:
		/* The only settable str property is default_user. */
		if (names_check(NAME_USER, value, len) < 0)
			return fail(why, whylen, def->name, "expected a user name [a-z_][a-z0-9_-]*");
		break;
	}
	memcpy(out, value, len);
	out[len] = '\0';
	return 0;
}

bool prop_bool(const char *v)
{
	return v != NULL && strcmp(v, "True") == 0;
}

uint32_t prop_uint(const char *v)
{
	uint32_t n = 0;

	/* Only ever called on values prop_check_value() accepted. */
	for (; v && *v >= '0' && *v <= '9'; v++)
		n = n * 10 + (uint32_t)(*v - '0');
	return n;
}
