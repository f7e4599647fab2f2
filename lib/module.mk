LIB_SRCS := lib/log.c lib/paths.c lib/io.c lib/atomicfile.c lib/strbuf.c \
	lib/names_parse.c lib/admin_client.c lib/sandbox.c lib/unixsock.c lib/vchan.c lib/vchan_socket.c \
	lib/spare.c lib/ratelimit.c lib/privdrop.c
$(eval $(call bh_lib,bulkhead,$(LIB_SRCS)))

# The Xen vchan transport, apart so that only programs that may run under
# Xen need Xen's libraries: such a program lists vchanxen before bulkhead
# in its LIBS and adds $(VCHANXEN_LDLIBS) (SPEC/vchan.md "Xen transport").
$(eval $(call bh_lib,vchanxen,lib/vchan_xen.c))
VCHANXEN_LDLIBS := -Wl,--undefined=vchan_xen_ops -lxenvchan -lxengnttab -lxenevtchn \
	-lxenstore -lxentoolcore -lxentoollog
