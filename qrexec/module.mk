# qrexec wire-protocol parsers and encoders: library `qrexecproto`
# (pure, no I/O; proved with Frama-C).  Depends on lib/names_parse.c
# (library `bulkhead`): link `qrexecproto bulkhead`.
QREXECPROTO_SRCS := qrexec/field_parse.c qrexec/hdr_parse.c qrexec/trigger_parse.c \
	qrexec/exec_parse.c qrexec/msg_parse.c
$(eval $(call bh_lib,qrexecproto,$(QREXECPROTO_SRCS)))

# tests/module.mk links unit tests against a fixed TEST_LIBS without
# qrexecproto: the parser tests get its objects here (objects, not the
# archive, so their place on the link line does not matter).
QREXECPROTO_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_qrexec_parse*.c))
$(QREXECPROTO_TESTS): $(call OBJ,$(QREXECPROTO_SRCS))
$(QREXECPROTO_TESTS): LDFLAGS += $(call OBJ,$(QREXECPROTO_SRCS))
