#!/usr/bin/env bash
# Installs the real protocol peers the interop tests run against (Debian packages). Tests never
# skip a missing peer: they fail. Needs root (CI runs as root); skips apt when all are present.
set -euo pipefail
PEERS=(bind9-dnsutils knot-dnsutils nsd unbound curl wget nghttp2-client swaks postfix lftp vsftpd fetchmail libnet-ssleay-perl libio-socket-ssl-perl bsdutils inetutils-telnetd socat isync mutt)
COMMANDS=(dig kdig nsd unbound curl wget nghttp swaks smtp-source lftp vsftpd fetchmail script telnetd socat mbsync mutt)
missing=0
for cmd in "${COMMANDS[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin" command -v "$cmd" >/dev/null 2>&1 || missing=1
done
# swaks speaks TLS only with these Perl modules.
perl -MIO::Socket::SSL -MNet::SSLeay -e 1 >/dev/null 2>&1 || missing=1
if [ "$missing" = 1 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "install-test-peers: need root to apt-get install ${PEERS[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Postfix is here for smtp-sink/smtp-source only: no system mailer configuration.
  echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${PEERS[@]}" >/dev/null
  # Debian's nsd and unbound packages start a system daemon on port 53; our tests run their own instances.
  # The same goes for postfix and vsftpd, and for the inetd that inetutils-telnetd pulls in (it
  # would serve telnet on port 23; the Telnet tests run telnetd under socat on 127.0.0.1 only).
  update-inetd --disable telnet 2>/dev/null || true
  for daemon in nsd unbound postfix vsftpd inetutils-inetd; do
    (systemctl stop "$daemon" 2>/dev/null || service "$daemon" stop 2>/dev/null || pkill -x "$daemon" 2>/dev/null) || true
  done
fi
echo "install-test-peers: ${PEERS[*]} present"
