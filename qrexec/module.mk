# qrexec wire-protocol parsers and encoders: library `qrexecproto`
# (pure, no I/O; proved with Frama-C).  Depends on lib/names_parse.c
# (library `bulkhead`): link `qrexecproto bulkhead`.
QREXECPROTO_SRCS := qrexec/field_parse.c qrexec/hdr_parse.c qrexec/trigger_parse.c \
	qrexec/exec_parse.c qrexec/msg_parse.c
$(eval $(call bh_lib,qrexecproto,$(QREXECPROTO_SRCS)))

