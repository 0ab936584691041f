#!/bin/sh
# Builds small real Debian systems in folders (debootstrap), so that scripts/capture-fixtures.ts can
# record probe output from other releases than the machine's own:
#   scripts/make-chroots.sh            # bullseye (11) and trixie (13) under /var/tmp/hatang-chroots
#   node dist/scripts/capture-fixtures.js --name debian-11-chroot --chroot /var/tmp/hatang-chroots/bullseye
# Needs root and debootstrap. /proc, /sys and /dev are bind-mounted for the capture.
set -eu
ROOT=${HATANG_CHROOTS:-/var/tmp/hatang-chroots}
MIRROR=${HATANG_MIRROR:-http://deb.debian.org/debian}
PACKAGES=openssh-server,iproute2,procps,kmod,nftables,iptables,sudo,cron,rsyslog,chrony,apparmor,auditd,cryptsetup-bin,lsb-release,unattended-upgrades
mkdir -p "$ROOT"
for suite in ${SUITES:-bullseye trixie}; do
  dir="$ROOT/$suite"
  if [ ! -x "$dir/bin/sh" ] || [ ! -e "$dir/.hatang-complete" ]; then
    rm -rf "$dir"
    include=$PACKAGES
    # trixie's minbase cannot order cron's systemd-sysusers pre-dependency during debootstrap
    [ "$suite" = trixie ] && include=$(echo "$PACKAGES" | sed 's/,cron,/,/')
    debootstrap --variant=minbase --include="$include" "$suite" "$dir" "$MIRROR"
    # a distinct identity, as a real installation would have
    rm -f "$dir/etc/machine-id" && chroot "$dir" systemd-machine-id-setup >/dev/null 2>&1 || \
      od -An -N16 -tx1 /dev/urandom | tr -d ' \n' > "$dir/etc/machine-id"
    echo "$suite-host" > "$dir/etc/hostname"
    touch "$dir/.hatang-complete"
  fi
  for fs in proc sys dev; do
    mountpoint -q "$dir/$fs" || mount --bind "/$fs" "$dir/$fs"
  done
done
echo "chroots ready under $ROOT"
