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
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $$@ $$^
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
PROGRAMS += $(FUZZERS)
endif

.PHONY: fuzz
fuzz: $(FUZZERS)
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_RECORD=$(CURDIR)/audit/fuzz-record.tsv \
		BULKHEAD_BUILD=$(CURDIR)/$(BUILD) BULKHEAD_ROOT=$$(mktemp -d) tests/integration/fuzz_smoke.sh

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
