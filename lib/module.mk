LIB_SRCS := lib/log.c lib/paths.c lib/io.c lib/atomicfile.c lib/strbuf.c \
	lib/names_parse.c lib/admin_client.c lib/sandbox.c
$(eval $(call bh_lib,bulkhead,$(LIB_SRCS)))
