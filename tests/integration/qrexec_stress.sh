#!/usr/bin/env bash
# The issue's heavy cases, qube to qube through the whole stack: a 1 GiB
# stream each way at once (full duplex) with checksums, and 100 calls in
# flight at the same time, each with its own input and output.
. "$(dirname "$0")/../lib/common.sh"
command -v nsenter >/dev/null || skip "nsenter (util-linux) not installed"
pol=$BULKHEAD_ROOT/etc/qubes/policy.d
mkdir -p "$pol"
printf 'test.Cat * work personal allow\ntest.Echo * work personal allow\n' >"$pol/30-test.policy"
start_bulkheadd
for q in work personal; do expect_ok qvm-create --label red "$q" >/dev/null; done
expect_ok qvm-start work personal >/dev/null
in_qube personal 0 sh -c 'mkdir -p /usr/local/etc/qubes-rpc && cd /usr/local/etc/qubes-rpc &&
  printf "#!/bin/sh\nexec cat\n" >test.Cat &&
  printf "#!/bin/sh\nread -r line; echo \"\$line from \$QREXEC_REMOTE_DOMAIN arg \$1\"\n" >test.Echo &&
  chmod +x test.Cat test.Echo' || fail "installing services"

note "1 GiB from work to personal's cat and back, both directions at once, sha256 on each side"
# In work: random bytes go out through a fifo-fed checksum and come back
# through another; nothing is stored (a qube's /tmp is memory).
sums=$(in_qube work 1000 sh -c '
	cd /tmp && rm -f in.fifo && mkfifo in.fifo || exit 1
	sha256sum <in.fifo >in.sum &
	head -c 1073741824 /dev/urandom | tee /tmp/in.fifo |
		/usr/lib/bulkhead/bin/qrexec-client-vm personal test.Cat | sha256sum >/tmp/out.sum
	rc=$?; wait
	echo "$rc $(cut -d" " -f1 /tmp/in.sum) $(cut -d" " -f1 /tmp/out.sum)"') ||
	fail "the 1 GiB call failed"
set -- $sums
[ "$1" = 0 ] || fail "1 GiB call: exit $1"
[ ${#2} -eq 64 ] && [ "$2" = "$3" ] || fail "1 GiB round trip corrupted: sent $2, got back $3"
note "1 GiB each way: checksums match"

note "100 concurrent calls, each answered with its own input and argument"
out=$(in_qube work 1000 sh -c '
	for i in $(seq 1 100); do
		( echo "call$i" | /usr/lib/bulkhead/bin/qrexec-client-vm personal test.Echo+a$i >/tmp/c.$i 2>&1;
		  echo $? >>/tmp/c.$i ) &
	done
	wait
	for i in $(seq 1 100); do
		[ "$(cat /tmp/c.$i)" = "$(printf "call%s from work arg a%s\n0" $i $i)" ] || { echo "call $i: $(cat /tmp/c.$i)"; exit 1; }
	done
	echo all-ok') || fail "concurrent calls: $out"
[ "$out" = all-ok ] || fail "concurrent calls: $out"
[ "$(grep -c 'work -> personal test.Echo+a[0-9]*: allow' "$BULKHEAD_ROOT/var/log/bulkhead/qrexec-policyd.log")" -eq 100 ] ||
	fail "policyd did not log 100 decisions"

note "the daemons are still serving"
[ "$(echo again | in_qube work 1000 /usr/lib/bulkhead/bin/qrexec-client-vm personal test.Echo+z)" = \
	"again from work arg z" ] || fail "a call after the stress"
echo ok
