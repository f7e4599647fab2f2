# The Xen backend (vmm_xen_backend, SPEC/xen.md): linked into bulkheadd
# only, with libxl and libxenstore (Debian libxen-dev).
VMMXEN_SRCS := core/xen/xen_backend.c core/xen/xen_plan.c core/xen/xen_volume.c \
	core/xen/xen_loop.c core/xen/xen_xs.c
$(eval $(call bh_lib,vmmxen,$(VMMXEN_SRCS)))
VMMXEN_LDLIBS := -lxenlight -lxenstore -lxentoollog

# The unit tests of its Xen-free parts (plans, xenstore entries, images,
# loop devices) link those objects, not the library (which needs libxl).
XEN_PURE_OBJS := $(call OBJ,core/xen/xen_plan.c core/xen/xen_volume.c core/xen/xen_loop.c)
$(BUILD)/tests/test_xen_plan $(BUILD)/tests/test_xen_volume: $(XEN_PURE_OBJS)
$(BUILD)/tests/test_xen_plan $(BUILD)/tests/test_xen_volume: LDFLAGS += $(XEN_PURE_OBJS)
