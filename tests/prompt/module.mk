# The XTest driver of tests/integration/prompt_x11.sh: synthetic keys and
# clicks on bulkhead-ask's window, and PNG screenshots (zlib).
$(eval $(call bh_test,ask-driver,tests/prompt/ask-driver.c,askx11 askcore qrexecproto bulkhead,-lxcb -lxcb-xtest -lz))
