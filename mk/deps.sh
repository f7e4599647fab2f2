#!/bin/sh
# Installs the Debian 12 packages Bulkhead needs.  Idempotent; silent when
# everything is present.  Run as root (CI and the project machines are).
set -eu
PKGS="build-essential clang pkg-config libseccomp-dev libsodium-dev libcap-dev
util-linux iproute2 procps bc"
missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "make deps: installing$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "make deps: need root to install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
