# capd, the capability daemon (issue #4; SPEC/capabilities.md).
#   capdproto   the wire decoders/encoders (capd_parse.c: pure, proved) and names
#   capdcore    capd's decisions: tokens (MAC), state, grants file, seccomp table
#   capdclient  what daemons and tools link to talk to capd
#   capd        the daemon; qvm-cap the administrator's CLI
# Link order: capdclient/capdcore, capdproto, qrexecproto, bulkhead.
CAPDPROTO_SRCS := capd/capd_parse.c capd/capd_names.c
CAPDCORE_SRCS  := capd/capd_token.c capd/capd_state.c capd/capd_grants.c capd/capd_seccomp.c
$(eval $(call bh_lib,capdproto,$(CAPDPROTO_SRCS)))
$(eval $(call bh_lib,capdcore,$(CAPDCORE_SRCS)))
$(eval $(call bh_lib,capdclient,capd/capd_client.c))

$(eval $(call bh_prog,capd,capd/capd.c capd/capd_serve.c capd/capd_audit.c,\
	capdcore capdproto auditlog qrexecproto bulkhead,-lseccomp -lsodium))
$(eval $(call bh_prog,qvm-cap,capd/qvm-cap.c core/tools/cli.c core/vmm_names.c,capdclient capdproto qrexecproto bulkhead))
INSTALL_BIN += $(BUILD)/bin/capd $(BUILD)/bin/qvm-cap

# tests/module.mk links every unit test against a fixed TEST_LIBS without
# capd's libraries; the capd tests get their objects here (objects, not
# archives, so their place on the link line does not matter).
CAPD_TEST_OBJS := $(call OBJ,$(CAPDCORE_SRCS) $(CAPDPROTO_SRCS) capd/capd_client.c)
CAPD_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_capd*.c))
$(CAPD_TESTS): $(CAPD_TEST_OBJS)
$(CAPD_TESTS): LDFLAGS += $(CAPD_TEST_OBJS)

# A test helper, not a test (tests/run runs only test_*): calls capd as any
# uid for tests/integration/capd_*.sh.  Never installed.
$(eval $(call bh_test,capd-tool,tests/integration/capd_tool.c,capdclient capdproto qrexecproto bulkhead))
