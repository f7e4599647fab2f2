# Build helpers used by every module.mk.
#
#   $(eval $(call bh_lib,NAME,SOURCES))           -> $(BUILD)/lib/libNAME.a
#   $(eval $(call bh_prog,NAME,SOURCES,LIBS,LDLIBS)) -> $(BUILD)/bin/NAME
#   $(eval $(call bh_test,NAME,SOURCES,LIBS,LDLIBS)) -> $(BUILD)/tests/NAME
#   $(eval $(call bh_qube_prog,NAME,SOURCES,LIBS,LDLIBS)) -> $(BUILD)/qube/bin/NAME
#   LIBS are library NAMEs built with bh_lib, listed most dependent first.

OBJ = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
LIBA = $(foreach l,$(1),$(BUILD)/lib/lib$(l).a)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

define bh_lib
$(BUILD)/lib/lib$(1).a: $(call OBJ,$(2))
	@mkdir -p $$(dir $$@)
	rm -f $$@ && ar rcs $$@ $$^
endef

define bh_prog
$(BUILD)/bin/$(1): $(call OBJ,$(2)) $(call LIBA,$(3))
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS) $$(LDFLAGS) -o $$@ $(call OBJ,$(2)) $(call LIBA,$(3)) $(4)
PROGRAMS += $(BUILD)/bin/$(1)
endef

define bh_test
$(BUILD)/tests/$(1): $(call OBJ,$(2)) $(call LIBA,$(3))
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS) $$(LDFLAGS) -o $$@ $(call OBJ,$(2)) $(call LIBA,$(3)) $(4)
TESTPROGS += $(BUILD)/tests/$(1)
endef

# Programs that run inside qubes: built into $(BUILD)/qube/bin, which the
# local backend bind-mounts read-only at /usr/lib/bulkhead in every qube.
define bh_qube_prog
$(BUILD)/qube/bin/$(1): $(call OBJ,$(2)) $(call LIBA,$(3))
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS) $$(LDFLAGS) -o $$@ $(call OBJ,$(2)) $(call LIBA,$(3)) $(4)
PROGRAMS += $(BUILD)/qube/bin/$(1)
INSTALL_QUBE += $(BUILD)/qube/bin/$(1)
endef

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
