# The dom0 core: library `core` (registry, store, Admin API, VMM channel)
# and the daemon bulkheadd.
CORE_SRCS := core/errors.c core/props.c core/registry.c core/store.c \
	core/admin_parse.c core/admin.c core/vmm_names.c core/vmm_proto_parse.c \
	core/vmm_client.c core/vmm_monitor.c core/bulkheadd_seccomp.c
$(eval $(call bh_lib,core,$(CORE_SRCS)))
# bulkheadd alone links the Xen backend and libxl (core/xen/module.mk).
$(eval $(call bh_prog,bulkheadd,core/bulkheadd.c core/monitor_grants.c,core vmmxen vmmlocal capdclient capdproto \
	qrexecproto bulkhead,-lseccomp -lsodium $$(VMMXEN_LDLIBS)))
INSTALL_BIN += $(BUILD)/bin/bulkheadd
