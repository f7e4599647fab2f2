# libFuzzer targets, one per parser, built with clang, ASan and UBSan into
# $(BUILD)/fuzz (normal build only: they carry their own sanitizers).
# Each links only the parser it fuzzes.  tests/integration/fuzz_smoke.sh
# runs them briefly in `make test`; `make fuzz FUZZ_SECONDS=N` runs longer.
FUZZ_CC    ?= clang
FUZZ_FLAGS := -std=c17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-D_GNU_SOURCE -I. -Ilib
FUZZ_SECONDS ?= 60

define bh_fuzz
$(BUILD)/fuzz/fuzz_$(1): tests/fuzz/fuzz_$(1).c $(2)
	@mkdir -p $$(dir $$@)
	$(FUZZ_CC) $$(FUZZ_FLAGS) -o $$@ $$^ $$(FUZZ_LDLIBS)
FUZZERS += $(BUILD)/fuzz/fuzz_$(1)
endef

FUZZERS :=
ifneq ($(SAN),1)
$(eval $(call bh_fuzz,admin_parse,core/admin_parse.c lib/names_parse.c))
$(eval $(call bh_fuzz,vmm_proto,core/vmm_proto_parse.c lib/names_parse.c))
$(eval $(call bh_fuzz,names,lib/names_parse.c))
$(eval $(call bh_fuzz,policy_line,qrexec/policy/policy_parse.c lib/names_parse.c))
$(eval $(call bh_fuzz,capd_parse,capd/capd_parse.c qrexec/field_parse.c lib/names_parse.c))
$(eval $(call bh_fuzz,policy_file,qrexec/policy/policy_parse.c qrexec/policy/policy_build.c qrexec/policy/policy_eval.c qrexec/policy/policy_print.c qrexec/policy/policy_facts.c lib/names_parse.c))
$(eval $(call bh_fuzz,audit_record,capd/audit/audit_parse.c))
$(eval $(call bh_fuzz,ask_parse,capd/prompt/ask_parse.c qrexec/field_parse.c lib/names_parse.c))
$(eval $(call bh_fuzz,eventlog,measured-boot/eventlog_parse.c))
$(eval $(call bh_fuzz,aem_blob,measured-boot/aem_blob_parse.c measured-boot/aem_blob.c measured-boot/mbfile.c lib/io.c lib/atomicfile.c))
PROGRAMS += $(FUZZERS)
endif

.PHONY: fuzz
# The run's root is a temporary directory, removed when the run ends
# whatever its result (also on HUP/INT/TERM); a failure's reproducers,
# which libFuzzer writes into it, are moved to $(BUILD)/fuzz-artifacts
# first.
FUZZ_KEEP := crash-* leak-* timeout-* oom-* slow-unit-*
fuzz: $(FUZZERS)
	@root=$$(mktemp -d) || exit 1; \
	trap 'for a in $(addprefix "$$root"/,$(FUZZ_KEEP)); do [ -e "$$a" ] || continue; \
		mkdir -p $(BUILD)/fuzz-artifacts && mv -f "$$a" $(BUILD)/fuzz-artifacts/ && \
		echo "kept $(BUILD)/fuzz-artifacts/$${a##*/}"; done; rm -rf "$$root"' EXIT; \
	trap 'exit 130' HUP INT TERM; \
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_RECORD=$(CURDIR)/audit/fuzz-record.tsv \
		BULKHEAD_BUILD=$(CURDIR)/$(BUILD) BULKHEAD_ROOT="$$root" tests/integration/fuzz_smoke.sh

# qrexec wire-protocol parsers (qrexec/*_parse.c), one target per family.
QREXEC_FUZZ_SRCS := qrexec/field_parse.c qrexec/hdr_parse.c qrexec/trigger_parse.c \
	qrexec/exec_parse.c qrexec/msg_parse.c lib/names_parse.c
QREXEC_FUZZERS := $(patsubst %,$(BUILD)/fuzz/fuzz_qrexec_%,hdr trigger exec)
ifneq ($(SAN),1)
$(eval $(call bh_fuzz,qrexec_hdr,$(QREXEC_FUZZ_SRCS)))
$(eval $(call bh_fuzz,qrexec_trigger,$(QREXEC_FUZZ_SRCS)))
$(eval $(call bh_fuzz,qrexec_exec,$(QREXEC_FUZZ_SRCS)))
PROGRAMS += $(QREXEC_FUZZERS)
fuzz: $(QREXEC_FUZZERS)
endif

# Daemon message loops: the daemon's own files; qrexec-daemon's channel
# on the in-memory vchan (lib/vchan_mem.c, linked only by tests), capd's
# connection and qrexec-policyd's request a socketpair.
FUZZ_LIB_SRCS := lib/log.c lib/io.c lib/paths.c lib/unixsock.c lib/ratelimit.c lib/names_parse.c
QREXEC_DAEMON_FUZZ_SRCS := qrexec/daemon/serve.c qrexec/daemon/ports.c qrexec/lib/dom0req.c \
	qrexec/lib/capcall.c capd/capd_client.c capd/capd_parse.c capd/capd_names.c \
	$(filter-out lib/names_parse.c,$(QREXEC_FUZZ_SRCS)) $(FUZZ_LIB_SRCS) \
	lib/vchan.c lib/vchan_socket.c lib/vchan_mem.c
LOOP_FUZZERS :=
ifneq ($(SAN),1)
$(eval $(call bh_fuzz,qrexec_daemon,$(QREXEC_DAEMON_FUZZ_SRCS)))
$(BUILD)/fuzz/fuzz_qrexec_daemon: FUZZ_LDLIBS := -lsodium
LOOP_FUZZERS += $(BUILD)/fuzz/fuzz_qrexec_daemon
$(eval $(call bh_fuzz,capd_serve,capd/capd_serve.c capd/capd_audit.c $(CAPDCORE_SRCS) $(CAPDPROTO_SRCS) \
	$(AUDITLOG_SRCS) qrexec/field_parse.c lib/strbuf.c lib/atomicfile.c $(FUZZ_LIB_SRCS)))
$(BUILD)/fuzz/fuzz_capd_serve: FUZZ_LDLIBS := -lsodium -lseccomp
LOOP_FUZZERS += $(BUILD)/fuzz/fuzz_capd_serve
$(eval $(call bh_fuzz,admin_handle,core/admin.c core/admin_parse.c core/registry.c core/store.c core/props.c \
	core/errors.c core/vmm_client.c core/vmm_names.c core/vmm_proto_parse.c lib/strbuf.c lib/atomicfile.c \
	$(FUZZ_LIB_SRCS)))
$(BUILD)/fuzz/fuzz_admin_handle: FUZZ_LDLIBS := -lsodium
LOOP_FUZZERS += $(BUILD)/fuzz/fuzz_admin_handle
$(eval $(call bh_fuzz,policyd_request,qrexec/policyd/request.c $(filter-out lib/names_parse.c,$(QREXEC_FUZZ_SRCS)) \
	$(FUZZ_LIB_SRCS)))
LOOP_FUZZERS += $(BUILD)/fuzz/fuzz_policyd_request
# qrexec-agent's control loop (its channel on the in-memory vchan, the
# handler start through its start_handler seam: nothing is forked).
$(eval $(call bh_fuzz,qrexec_agent,qrexec/agent/control.c qrexec/agent/exec.c qrexec/agent/vm.c \
	qrexec/lib/run_call.c qrexec/lib/service.c qrexec/lib/pump.c $(filter-out lib/names_parse.c,$(QREXEC_FUZZ_SRCS)) \
	$(FUZZ_LIB_SRCS) lib/spare.c lib/vchan.c lib/vchan_socket.c lib/vchan_mem.c))
LOOP_FUZZERS += $(BUILD)/fuzz/fuzz_qrexec_agent
# qrexec-policyd's decision path: handle.c with capd, the Admin API and
# the runner faked at policyd.h (cap.c, dispvm.c, runner.c not linked),
# the target daemons a thread on their sockets.
$(eval $(call bh_fuzz,policyd_decision,qrexec/policyd/handle.c qrexec/policyd/request.c qrexec/policyd/ask.c \
	qrexec/policy/policy_parse.c qrexec/policy/policy_build.c qrexec/policy/policy_eval.c \
	qrexec/policy/policy_print.c qrexec/policy/policy_facts.c qrexec/policy/policy_load.c \
	capd/prompt/ask_parse.c capd/capd_parse.c qrexec/lib/dom0req.c \
	$(filter-out lib/names_parse.c,$(QREXEC_FUZZ_SRCS)) $(FUZZ_LIB_SRCS) lib/vchan.c lib/vchan_socket.c))
$(BUILD)/fuzz/fuzz_policyd_decision: FUZZ_LDLIBS := -lpthread
LOOP_FUZZERS += $(BUILD)/fuzz/fuzz_policyd_decision
$(LOOP_FUZZERS): FUZZ_FLAGS += -fsanitize-coverage-ignorelist=tests/fuzz/loop-cov-ignore.txt
TESTPROGS += $(LOOP_FUZZERS)
fuzz: $(LOOP_FUZZERS)
endif

# Seed recorders (tests/fuzz/record-seeds.sh): the tests' own clients and
# attackers, on the in-memory channel, writing what they send.  Normal
# build flags; never installed.
$(eval $(call bh_test,record-agent,tests/fuzz/record_agent.c tests/hostile/fa_io.c tests/hostile/attacks.c \
	lib/vchan_mem.c,qrexecrt qrexecproto bulkhead))
$(eval $(call bh_test,record-dom0,tests/fuzz/record_dom0.c,qrexecproto bulkhead))
