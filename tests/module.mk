# Every tests/unit/test_*.c is one test program linked against all of
# Bulkhead's libraries.
UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))
TEST_LIBS  := core vmmlocal qrexecrt qrexecproto bulkhead
$(foreach t,$(UNIT_TESTS),$(eval $(call bh_test,$(t),tests/unit/$(t).c,$(TEST_LIBS),-lseccomp -lsodium)))

# The seccomp test checks the tables daemons install; qrexec-daemon's is
# an object of that program, not of a library.
$(BUILD)/tests/test_seccomp: $(call OBJ,qrexec/daemon/daemon_seccomp.c)
$(BUILD)/tests/test_seccomp: LDFLAGS += $(call OBJ,qrexec/daemon/daemon_seccomp.c)

# test_vchan_xen drives the loops of qrexec-daemon and qrexec-agent
# (objects of those programs) over its model of libxenvchan.
VCHAN_XEN_TEST_OBJS := $(call OBJ,qrexec/daemon/serve.c qrexec/daemon/ports.c qrexec/agent/loop.c \
	qrexec/agent/control.c qrexec/agent/exec.c qrexec/agent/vm.c)
$(BUILD)/tests/test_vchan_xen: $(VCHAN_XEN_TEST_OBJS) $(call LIBA,capdclient capdproto)
$(BUILD)/tests/test_vchan_xen: LDFLAGS += $(VCHAN_XEN_TEST_OBJS) $(call LIBA,qrexecrt capdclient capdproto qrexecproto bulkhead)
