# Benchmarks: built by `make all` (so they cannot rot), run only by
# `make bench` (bench/run), never by `make test`.
#
#   $(eval $(call bh_bench,NAME,SOURCES,LIBS,LDLIBS)) -> $(BUILD)/bench/bench-NAME
#
# bench/run runs every $(BUILD)/bench/bench-* it finds; each prints lines
# `name value unit baseline-name` (see bench/run).

define bh_bench
$(BUILD)/bench/bench-$(1): $(call OBJ,$(2)) $(call LIBA,$(3))
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS) $$(LDFLAGS) -o $$@ $(call OBJ,$(2)) $(call LIBA,$(3)) $(4)
PROGRAMS += $(BUILD)/bench/bench-$(1)
endef

# bench/stats.c: clock, percentiles and report lines, shared by all.
$(eval $(call bh_lib,benchstats,bench/stats.c))
# bench/instance.c: a scratch instance with its own daemon (root only).
$(eval $(call bh_lib,benchinst,bench/instance.c))
$(eval $(call bh_bench,socketpair,bench/socketpair.c,benchstats))
$(eval $(call bh_bench,core,bench/core.c,benchinst benchstats bulkhead))
$(eval $(call bh_bench,vchan,bench/vchan.c,benchstats vchanxen bulkhead,$$(VCHANXEN_LDLIBS)))
$(eval $(call bh_bench,policy,bench/policy.c,benchstats qpolicy bulkhead))
$(eval $(call bh_bench,qrexec,bench/qrexec.c,benchinst benchstats qrexecrt qpolicy capdclient capdproto qrexecproto bulkhead,-lsodium))
$(eval $(call bh_bench,capd,bench/capd.c,benchinst benchstats capdclient capdcore capdproto qrexecproto bulkhead,-lsodium))

# Xen (issue #6, SPEC/xen-system.md "Measurements"): the raw libxenvchan
# baseline's dom0 and qube programs (image/build.sh puts them into the
# images) and bench-xen, which boots the Xen system once (tests/xen/bench.sh
# in dom0) and prints its figures; it skips, saying why, without QEMU or Xen.
XENBENCH_LDLIBS := -lxenvchan -lxengnttab -lxenevtchn -lxenstore -lxentoolcore -lxentoollog
$(eval $(call bh_lib,xenbench,bench/xen/rawio.c bench/xen/spawn.c))
define bh_xenbench
$(BUILD)/bench/xen/xenbench-$(1): $(call OBJ,bench/xen/xenbench-$(1).c) $(call LIBA,xenbench benchstats)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS) $$(LDFLAGS) -o $$@ $(call OBJ,bench/xen/xenbench-$(1).c) $(call LIBA,xenbench benchstats) $(XENBENCH_LDLIBS)
PROGRAMS += $(BUILD)/bench/xen/xenbench-$(1)
endef
$(eval $(call bh_xenbench,dom0))
$(eval $(call bh_xenbench,qube))
$(BUILD)/bench/bench-xen: bench/xen/bench-xen.sh
	@mkdir -p $(dir $@)
	install -m 0755 $< $@
PROGRAMS += $(BUILD)/bench/bench-xen
