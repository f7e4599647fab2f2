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
