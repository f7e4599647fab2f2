# Helpers for the bulkhead-aem tests (bash; source after common.sh and
# swtpm.sh).
#
#   AEM                     the tool under test
#   aem_expect_fail PATTERN CMD...   CMD must exit 1 with PATTERN (a grep
#                           -E regex) on stderr and nothing on stdout; prints
#                           stderr
#   blob_poke FILE OFF HEX  overwrite bytes of a blob file at offset OFF
#                           (the layout is measured-boot/aem_blob_parse.h's)
#   tpm_extend PCR BYTE     extend PCR with 32 bytes of BYTE (two hex digits)
AEM=$BULKHEAD_BUILD/bin/bulkhead-aem
[ -x "$AEM" ] || skip "no $AEM (build first)"
# Offsets in the blob file (measured-boot/aem_blob_parse.h).
BLOB_OFF_COUNTER=16
BLOB_OFF_PCRS=28

aem_expect_fail() {
	local pat=$1 rc out err
	shift
	err=$("$@" 2>&1 >"$BULKHEAD_ROOT/aem.stdout"); rc=$?
	out=$(cat "$BULKHEAD_ROOT/aem.stdout")
	[ "$rc" -eq 1 ] || fail "expected exit 1, got $rc: $* ($err)"
	[ -z "$out" ] || fail "a refused unseal printed on stdout: $out"
	printf '%s\n' "$err" | grep -qE -- "$pat" || fail "expected /$pat/ from $*, got: $err"
	printf '%s\n' "$err"
}

blob_poke() {
	python3 - "$1" "$2" "$3" <<'PY' || fail "blob_poke $*"
import sys
path, off, data = sys.argv[1], int(sys.argv[2]), bytes.fromhex(sys.argv[3])
b = bytearray(open(path, 'rb').read())
b[off:off + len(data)] = data
open(path, 'wb').write(b)
PY
}

tpm_extend() {
	"$TPM_HELPER" extend "$1" "$(printf "$2%.0s" $(seq 32))" >/dev/null || fail "extend PCR $1"
}

# aem_reboot DIR: a clean reboot, TPM2_Shutdown(CLEAR) then swtpm_reboot,
# as an operating system does.  swtpm_reboot alone is a power cut: the
# TPM then counts one more dictionary-attack failure if a DA-protected
# object (the PIN blob) was used since the last orderly shutdown.
aem_reboot() {
	python3 - "$1/sock" <<'PY' || fail "TPM2_Shutdown on $1"
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(sys.argv[1])
# TPM_ST_NO_SESSIONS, size 12, TPM_CC_Shutdown, TPM_SU_CLEAR
s.sendall(bytes.fromhex('80010000000c000001450000'))
rsp = s.recv(64)
if len(rsp) < 10 or rsp[6:10] != bytes(4):
    sys.exit("TPM2_Shutdown answered %s" % rsp.hex())
PY
	swtpm_reboot "$1"
}

# nv_undefine DIR INDEX: TPM2_NV_UndefineSpace with the (empty) owner
# authorization, as an attacker who has it could do.
nv_undefine() {
	python3 - "$1/sock" "$2" <<'PY' || fail "TPM2_NV_UndefineSpace $2"
import socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(sys.argv[1])
auth = struct.pack('>IHBH', 0x40000009, 0, 0, 0)          # TPM_RS_PW, empty
body = struct.pack('>II', 0x40000001, int(sys.argv[2], 16))  # TPM_RH_OWNER, index
body += struct.pack('>I', len(auth)) + auth
cmd = struct.pack('>HII', 0x8002, 10 + len(body), 0x122) + body
s.sendall(cmd)
rsp = s.recv(64)
if len(rsp) < 10 or rsp[6:10] != bytes(4):
    sys.exit("TPM2_NV_UndefineSpace answered %s" % rsp.hex())
PY
}
