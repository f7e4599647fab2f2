# The hostile-qube suite's fake agent (tests/hostile/fake_agent.h), driven
# by tests/integration/qrexec_hostile.sh.  Not named test_*: tests/run
# would run it as a unit test.
$(eval $(call bh_test,fake-agent,tests/hostile/fake-agent.c tests/hostile/fa_io.c tests/hostile/attacks.c \
	tests/hostile/serve.c,qrexecrt qrexecproto bulkhead,))
