#!/usr/bin/env bash
# qrexec-policyd gives each sender (a qube's qrexec-daemon uid, or root)
# a share of its children: one sender's requests past the share wait,
# accepted, while another sender is served, and are served once the
# sender's own children end (qrexec/policyd/admission.h).
. "$(dirname "$0")/../lib/common.sh"
command -v python3 >/dev/null || skip "python3 not installed"
share=$(sed -n 's/^#define ADMIT_PER_SOURCE_MAX \([0-9]*\)u.*/\1/p' "$(dirname "$0")/../../qrexec/policyd/admission.h")
[ -n "$share" ] || fail "ADMIT_PER_SOURCE_MAX not found in admission.h"
start_bulkheadd
out=$(python3 "$(dirname "$0")/../lib/policyd-share.py" "$BULKHEAD_ROOT/run/bulkhead/qrexec/policy.sock" "$share" 4242) ||
	fail "$(printf '%s; ' "$out")"
printf '%s\n' "$out"
echo ok
