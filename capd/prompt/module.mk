# bulkhead-ask: the dom0 prompt for a qrexec policy `ask` (issue #4).
# SPEC/qrexec-policy.md, "The prompt"; man/bulkhead-ask.1.
#   askcore: the pure parts (reply/scope/target parsers, argv checks, the
#            input state machine, the layout), testable without X; policyd
#            links it for ask_reply_parse (`askcore qpolicy qrexecproto bulkhead`).
#   askx11:  keyboard map, fonts and drawing with xcb; the XTest driver
#            (tests/prompt) links it to compute the prompt's own layout.
ASKCORE_SRCS := capd/prompt/ask_parse.c capd/prompt/ask_args.c capd/prompt/ask_state.c \
	capd/prompt/ask_layout.c
ASKX11_SRCS := capd/prompt/ask_keymap.c capd/prompt/ask_draw.c
$(eval $(call bh_lib,askcore,$(ASKCORE_SRCS)))
$(eval $(call bh_lib,askx11,$(ASKX11_SRCS)))
$(eval $(call bh_prog,bulkhead-ask,capd/prompt/bulkhead-ask.c capd/prompt/ask_x11.c capd/prompt/ask_tty.c \
	capd/prompt/ask_seccomp.c,askx11 askcore qrexecproto bulkhead,-lxcb -lseccomp))
INSTALL_BIN += $(BUILD)/bin/bulkhead-ask

# Unit tests (tests/module.mk links them against TEST_LIBS only): the
# prompt's tests get askcore's objects, placed before TEST_LIBS.
ASK_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_prompt*.c))
$(ASK_TESTS): $(call OBJ,$(ASKCORE_SRCS))
$(ASK_TESTS): LDFLAGS += $(call OBJ,$(ASKCORE_SRCS))
