#!/usr/bin/env bash
# tests/run: once
# audit/lint (the untrusted_ naming lint and the banned-functions lint):
# clean on the tree; on a copy of the tree with a violation injected it
# fails and names the file and line, for each kind of violation.
. "$(dirname "$0")/../lib/common.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)

note "the tree is clean"
out=$("$top/audit/lint" 2>&1) || fail "audit/lint fails on the tree: $out"
printf '%s\n' "$out"
printf '%s\n' "$out" | grep -q '^untrusted_ lint: [1-9][0-9]* reads in [1-9][0-9]* dom0 files: .* 0 violations$' ||
	fail "no untrusted_ summary line"

# A fresh copy of the tracked tree (not a git checkout: the lint then
# reads every file there), to which the caller makes one change.  Prints the lint's output;
# the caller checks its exit status.
copy=$BULKHEAD_ROOT/tree
fresh_copy() {
	rm -rf "$copy"
	mkdir -p "$copy"
	if [ -d "$top/.git" ]; then
		(cd "$top" && git ls-files -z | xargs -0 cp --parents -t "$copy") || fail "cannot copy the tree"
	else   # an exported tree: everything but the build
		(cd "$top" && tar --exclude=./build --exclude=./var -cf - .) | tar -xf - -C "$copy" ||
			fail "cannot copy the tree"
	fi
}
inject() {   # FILE TEXT: appends TEXT (lines) to FILE in the copy
	printf '%s\n' "$2" >>"$copy/$1"
}
line_of() {  # FILE PATTERN: the last line of FILE in the copy matching PATTERN
	grep -n -- "$2" "$copy/$1" | tail -n 1 | cut -d: -f1
}
must_fail_at() {   # WHERE WHAT: the lint on the copy exits 1 and names WHERE
	local out rc
	out=$("$copy/audit/lint" 2>&1); rc=$?
	[ "$rc" -eq 1 ] || fail "$2: lint exited $rc, not 1: $out"
	printf '%s\n' "$out" | grep -q "^$1: " || fail "$2: lint does not name $1: $out"
	echo "$2: $(printf '%s\n' "$out" | grep "^$1: ")"
}

note "a read into a plain buffer in dom0 code fails"
fresh_copy
inject core/admin.c '
int audit_lint_injected(int fd);
int audit_lint_injected(int fd)
{
	char buf[16];
	return (int)read(fd, buf, sizeof(buf));
}'
must_fail_at "core/admin.c:$(line_of core/admin.c 'read(fd, buf')" "plain read"

note "the same read into an untrusted_ buffer passes"
sed -i 's/char buf\[16\];/char untrusted_buf[16];/; s/read(fd, buf, sizeof(buf))/read(fd, untrusted_buf, sizeof(untrusted_buf))/' \
	"$copy/core/admin.c"
out=$("$copy/audit/lint" 2>&1) || fail "renamed read still fails: $out"

note "a vchan read across lines into a plain field fails"
fresh_copy
inject qrexec/daemon/serve.c '
struct audit_lint_s { char hdr[8]; };
int audit_lint_injected(struct vchan *v, struct audit_lint_s *s);
int audit_lint_injected(struct vchan *v, struct audit_lint_s *s)
{
	return vchan_recv(v,
			  s->hdr, sizeof(s->hdr), 0);
}'
must_fail_at "qrexec/daemon/serve.c:$(line_of qrexec/daemon/serve.c 'return vchan_recv(v,')" "vchan_recv"

note "a stale allowlist entry fails"
fresh_copy
inject audit/untrusted-allow.txt 'core/admin.c | read(fd, nothing, 1) | a read that does not exist'
must_fail_at "audit/untrusted-allow.txt:$(line_of audit/untrusted-allow.txt 'nothing, 1')" "stale entry"

note "an allowlist entry without a reason fails"
fresh_copy
inject audit/untrusted-allow.txt 'core/admin.c | read(fd, nothing, 1) |'
must_fail_at "audit/untrusted-allow.txt:$(line_of audit/untrusted-allow.txt 'nothing, 1')" "no reason"

note "a banned function fails, in qube-side code too"
fresh_copy
inject qrexec/agent/exec.c '
void audit_lint_injected(char *d, const char *s);
void audit_lint_injected(char *d, const char *s)
{
	strcpy(d, s);
}'
must_fail_at "qrexec/agent/exec.c:$(line_of qrexec/agent/exec.c 'strcpy(d, s)')" "strcpy"

note "a libc call mocked with #define fails"
fresh_copy
inject lib/log.c '#define read fake_read'
must_fail_at "lib/log.c:$(line_of lib/log.c 'define read fake_read')" "mock"
echo "ok"
