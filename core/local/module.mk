# The local backend (vmm_local_backend) and its test driver, vmmctl.
VMMLOCAL_SRCS := core/local/local_backend.c core/local/local_cgroup.c core/local/local_userns.c \
	core/local/local_volume.c core/local/local_etc.c core/local/local_rootfs.c \
	core/local/local_child.c
$(eval $(call bh_lib,vmmlocal,$(VMMLOCAL_SRCS)))

# vmmctl is not test_*: the runner does not run it, tests drive it.
# core/vmm_names.c is linked as an object (library `core` is the registry's).
$(eval $(call bh_test,vmmctl,core/local/vmmctl.c core/vmm_names.c,vmmlocal bulkhead,))
