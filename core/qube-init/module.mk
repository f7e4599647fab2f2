# qube-init runs inside qubes, from the read-only /usr/lib/bulkhead bind of
# $(BUILD)/qube/, so it is built there rather than in bin/.
QUBE_INIT_SRCS := core/qube-init/qube-init.c

$(BUILD)/qube/bin/qube-init: $(call OBJ,$(QUBE_INIT_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(call OBJ,$(QUBE_INIT_SRCS))

PROGRAMS += $(BUILD)/qube/bin/qube-init
INSTALL_QUBE += $(BUILD)/qube/bin/qube-init
