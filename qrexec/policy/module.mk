# The qrexec policy engine: library `qpolicy` (parse, load, evaluate,
# print; a facts table) and the tool qrexec-policy-check.
# SPEC/qrexec-policy.md.
QPOLICY_SRCS := qrexec/policy/policy_parse.c qrexec/policy/policy_build.c \
	qrexec/policy/policy_load.c qrexec/policy/policy_eval.c \
	qrexec/policy/policy_print.c qrexec/policy/policy_facts.c qrexec/policy/policy_admin_facts.c
$(eval $(call bh_lib,qpolicy,$(QPOLICY_SRCS)))
$(eval $(call bh_prog,qrexec-policy-check,qrexec/policy/qrexec_policy_check.c,qpolicy bulkhead))
INSTALL_BIN += $(BUILD)/bin/qrexec-policy-check

# tests/module.mk links every unit test against a fixed TEST_LIBS that
# does not name qpolicy; the policy tests get its objects here instead.
# Objects (not the archive) so their place on the link line, before
# TEST_LIBS, does not matter.
QPOLICY_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_policy*.c))
$(QPOLICY_TESTS): $(call OBJ,$(QPOLICY_SRCS))
$(QPOLICY_TESTS): LDFLAGS += $(call OBJ,$(QPOLICY_SRCS))
