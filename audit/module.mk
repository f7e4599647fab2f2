# The auditor's tools (audit/README.md).
#   make lint    the convention lints (audit/lint; tests/integration/audit_lint.sh)
#   make audit   audit/report.md from the code and the committed records
#
# seccomp-dump prints the seccomp tables from the daemons' own table
# objects; `make all` builds it so it cannot rot.  bulkhead-ask's table is
# static: seccomp_dump.c includes its file (ask_seccomp.c), hence the
# extra prerequisite.
SECCOMP_TABLE_SRCS := core/bulkheadd_seccomp.c capd/capd_seccomp.c qrexec/daemon/daemon_seccomp.c \
	qrexec/policyd/policyd_seccomp.c
$(BUILD)/audit/seccomp-dump: $(call OBJ,audit/seccomp_dump.c $(SECCOMP_TABLE_SRCS)) $(call LIBA,bulkhead)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ -lseccomp
PROGRAMS += $(BUILD)/audit/seccomp-dump

.PHONY: lint audit
lint:
	audit/lint

# make proofs' results become the committed audit/proofs-record.tsv here,
# so that regenerating the report never needs Frama-C.
audit: $(BUILD)/audit/seccomp-dump
	audit/report --dump $(BUILD)/audit/seccomp-dump --proofs-results $(BUILD)/proofs/results.tsv >audit/report.md.tmp
	mv audit/report.md.tmp audit/report.md
