# Every tests/unit/test_*.c is one test program linked against all of
# Bulkhead's libraries.
UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))
TEST_LIBS  := core vmmlocal bulkhead
$(foreach t,$(UNIT_TESTS),$(eval $(call bh_test,$(t),tests/unit/$(t).c,$(TEST_LIBS),-lseccomp -lsodium)))
