# Every tests/unit/test_*.c is one test program linked against all of
# Bulkhead's libraries.
UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))
TEST_LIBS  := core vmmlocal qrexecrt qrexecproto bulkhead
$(foreach t,$(UNIT_TESTS),$(eval $(call bh_test,$(t),tests/unit/$(t).c,$(TEST_LIBS),-lseccomp -lsodium)))

# The seccomp test checks the tables daemons install; qrexec-daemon's is
# an object of that program, not of a library.
$(BUILD)/tests/test_seccomp: $(call OBJ,qrexec/daemon/daemon_seccomp.c)
$(BUILD)/tests/test_seccomp: LDFLAGS += $(call OBJ,qrexec/daemon/daemon_seccomp.c)
