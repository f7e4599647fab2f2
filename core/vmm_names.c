/* Qubes' spelling of classes and power states, used on the Admin API. */
#include "core/vmm.h"

const char *qube_class_name(enum qube_class c)
{
	static const char *const names[CLASS_COUNT] = {
		"AdminVM", "TemplateVM", "AppVM", "StandaloneVM", "DispVM",
	};
	return (unsigned)c < CLASS_COUNT ? names[c] : "?";
}

const char *power_state_name(enum power_state s)
{
	static const char *const names[POWER_COUNT] = {
		"Halted", "Transient", "Running", "Paused", "Halting", "Dying", "Crashed",
	};
	return (unsigned)s < POWER_COUNT ? names[s] : "NA";
}
