#!/bin/sh
# Captures the probes that look for running daemons in the process table (time sync, audit, malware; services too
# when named) as debian-12-root and debian-12-user were first made: this machine with chrony running, and auditd,
# ClamAV, rkhunter and chkrootkit installed but not running. This machine is not changed:
# - the packages go into an overlay of / in a private mount namespace (unshare -m); its upper folder, under /var/tmp,
#   is removed afterwards, and no service is started by them (policy-rc.d);
# - chronyd runs from the overlay with -x (it never sets the clock) and a configuration of its own that only serves
#   its local reference (`local stratum 10`): it asks no server, nothing leaves the machine; chronyc reaches it over
#   its socket and 127.0.0.1. It is stopped (by its pid) before the namespace ends;
# - it runs in this machine's PID namespace: the process table captured is this machine's, chronyd included.
# Node runs inside the overlay, with this checkout bound into it, so fixtures land in test/fixtures.
# Needs root, overlayfs, apt (downloads from the machine's apt sources) and npm run build.
#   sh scripts/capture-processes.sh                 # timeSync, audit, malware
#   sh scripts/capture-processes.sh services        # or the probes named
set -eu
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo 'capture-processes.sh: needs root (overlay, packages in it)' >&2; exit 1; }
repo=$(pwd -P)
work=$(mktemp -d /var/tmp/hatang-capture-processes.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
probes=
for p in ${*:-timeSync audit malware}; do probes="$probes --probe $p"; done
mkdir -p "$work/upper" "$work/work" "$work/merged"
unshare -m --propagation private sh -eu -c '
  w=$1 repo=$2 probes=$3
  r=$w/merged
  mount -t overlay overlay -o "lowerdir=/,upperdir=$w/upper,workdir=$w/work" "$r"
  mount --bind /proc "$r/proc"
  mount --bind /dev "$r/dev"
  mount --bind /sys "$r/sys"
  mount --bind "$repo" "$r$repo"
  chroot "$r" sh -eu -c "
    printf \"#!/bin/sh\nexit 101\n\" > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chrony auditd clamav clamav-freshclam rkhunter chkrootkit >/dev/null
    rm -f /usr/sbin/policy-rc.d
    printf \"local stratum 10\nbindcmdaddress 127.0.0.1\nbindcmdaddress /run/chrony/chronyd.sock\npidfile /run/chrony/chronyd.pid\n\" > /etc/hatang-lab-chrony.conf
    mkdir -p /run/chrony && chown _chrony:_chrony /run/chrony && chmod 750 /run/chrony
    chronyd -x -f /etc/hatang-lab-chrony.conf
  "
  # stops chronyd and waits for it to end: the namespace (and its overlay) ends with it
  stop() {
    pid=$(cat "$r/run/chrony/chronyd.pid" 2>/dev/null) || return 0
    kill "$pid" 2>/dev/null || return 0
    for i in 1 2 3 4 5 6 7 8 9 10; do [ -d "/proc/$pid" ] || return 0; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
  }
  trap stop EXIT
  # chronyd serves its local reference once it has written its pid file and opened its socket
  for i in 1 2 3 4 5 6 7 8 9 10; do [ -S "$r/run/chrony/chronyd.sock" ] && break; sleep 0.5; done
  sleep 2
  chroot "$r" sh -eu -c "cd \"$repo\" && node dist/scripts/capture-fixtures.js --name debian-12-root $probes && node dist/scripts/capture-fixtures.js --name debian-12-user --user 65534 $probes"
' sh "$work" "$repo" "$probes"
