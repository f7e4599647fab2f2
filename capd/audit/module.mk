# The audit log (SPEC/audit-log.md): library `auditlog` (the pure record
# parser, formatting and signing, the verifier, the single writer) and the
# tool bulkhead-audit.  capd, the log's writer, links auditlog before
# bulkhead, with -lsodium.
AUDITLOG_SRCS := capd/audit/audit_parse.c capd/audit/audit_format.c \
	capd/audit/audit_verify.c capd/audit/auditlog.c
$(eval $(call bh_lib,auditlog,$(AUDITLOG_SRCS)))
$(eval $(call bh_prog,bulkhead-audit,capd/audit/bulkhead_audit.c,auditlog bulkhead,-lsodium))
INSTALL_BIN += $(BUILD)/bin/bulkhead-audit

# tests/module.mk links every unit test against a fixed TEST_LIBS without
# auditlog; the audit tests get its objects here (objects, not the
# archive, so their place on the link line does not matter).
AUDIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_audit*.c))
$(AUDIT_TESTS): $(call OBJ,$(AUDITLOG_SRCS))
$(AUDIT_TESTS): LDFLAGS += $(call OBJ,$(AUDITLOG_SRCS))

# A test helper, not a test (tests/run runs only test_*): appends records
# for tests/integration/audit_*.sh.  Never installed.
$(eval $(call bh_test,audit-writer,tests/integration/audit_writer.c,auditlog bulkhead,-lsodium))
