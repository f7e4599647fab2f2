# The qvm-* command-line tools.  Each is one C file plus the shared
# helpers: cli.c (options, errors, reply parsing) and, where tools share a
# whole command, prefs.c (qvm-prefs, qubes-prefs) or lifecycle.c (start,
# shutdown, kill, pause, unpause).  core/vmm_names.c gives Qubes' class and state names.
CLI_COMMON := core/tools/cli.c core/vmm_names.c

CLI_TOOLS := qvm-create qvm-start qvm-shutdown qvm-kill qvm-remove qvm-clone \
	qvm-ls qvm-prefs qvm-features qvm-tags qubes-prefs qvm-run qvm-pause qvm-unpause

cli_extra_qvm-prefs    := core/tools/prefs.c
cli_extra_qubes-prefs  := core/tools/prefs.c
cli_extra_qvm-start    := core/tools/lifecycle.c
cli_extra_qvm-shutdown := core/tools/lifecycle.c
cli_extra_qvm-kill     := core/tools/lifecycle.c
cli_extra_qvm-pause    := core/tools/lifecycle.c
cli_extra_qvm-unpause  := core/tools/lifecycle.c

$(foreach t,$(CLI_TOOLS),$(eval $(call bh_prog,$(t),core/tools/$(t).c $(cli_extra_$(t)) $(CLI_COMMON),bulkhead)))
INSTALL_BIN += $(addprefix $(BUILD)/bin/,$(CLI_TOOLS))
