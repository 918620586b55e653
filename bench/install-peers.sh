#!/usr/bin/env bash
# Installs what the benchmarks drive (Debian packages): the load tools and the reference peers.
# Benchmarks are not tests, so this is separate from scripts/install-test-peers.sh. apt-get runs
# only when a command is missing (needs root then); otherwise this is a quick no-op.
set -euo pipefail
PEERS=(dnsperf nsd unbound nginx-light wrk postfix vsftpd curl dovecot-pop3d dovecot-imapd varnish)
COMMANDS=(dnsperf nsd unbound nginx wrk smtp-source vsftpd curl dovecot varnishd)
# Programs that are not on any PATH (Dovecot's protocol processes).
FILES=(/usr/lib/dovecot/pop3 /usr/lib/dovecot/imap)
missing=()
for cmd in "${COMMANDS[@]}"; do
  PATH="$PATH:/usr/sbin:/usr/local/sbin:/sbin" command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
done
for file in "${FILES[@]}"; do
  [ -x "$file" ] || missing+=("$file")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "bench/install-peers: missing ${missing[*]}; need root to apt-get install ${PEERS[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${PEERS[@]}" >/dev/null
  # Debian's nsd and unbound packages may start a system daemon on port 53; benchmarks run their own instances.
  for daemon in nsd unbound nginx postfix vsftpd dovecot varnish; do
    (systemctl stop "$daemon" 2>/dev/null || service "$daemon" stop 2>/dev/null || pkill -x "$daemon" 2>/dev/null) || true
  done
fi
PATH="$PATH:/usr/sbin" command -v taskset >/dev/null 2>&1 || echo "bench/install-peers: taskset missing (util-linux): runs will not be pinned" >&2
echo "bench/install-peers: ${PEERS[*]} present"
