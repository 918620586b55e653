#!/usr/bin/env bash
# Installs the real protocol peers the interop tests run against (Debian packages). Tests never
# skip a missing peer: they fail. Needs root (CI runs as root); skips apt when all are present.
set -euo pipefail
PEERS=(bind9-dnsutils nsd)
COMMANDS=(dig nsd)
missing=0
for cmd in "${COMMANDS[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin" command -v "$cmd" >/dev/null 2>&1 || missing=1
done
if [ "$missing" = 1 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "install-test-peers: need root to apt-get install ${PEERS[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${PEERS[@]}" >/dev/null
  # Debian's nsd package starts a system daemon on port 53; our tests run their own instances.
  (systemctl stop nsd 2>/dev/null || service nsd stop 2>/dev/null || pkill -x nsd 2>/dev/null) || true
fi
echo "install-test-peers: ${PEERS[*]} present"
