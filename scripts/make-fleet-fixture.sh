#!/bin/sh
# Builds a small mixed fleet of real Debian systems from the chroots of scripts/make-chroots.sh, collects
# each with hatang (scripts/collect-fleet-fixture.ts) and writes the snapshots to test/fixtures/fleet/.
# The fleet, and the differences the fleet-sync pack must find in it (and nothing else):
#   web1 web2 web3  trixie,   group web   web2's openssh-server is a rebuilt .deb at an older version
#                                         web3's /etc/machine-id is a copy of web1's, and its two network cards
#                                         have web1's MAC addresses (a cloned VM)
#   db1 db2         trixie,   group db
#   db3             bullseye, group db    another Debian release in the same group
#   (and what a review reads, below: db1 backs up, web1's certificate expires soon, web2 has NOPASSWD ALL, db3 an
#   unused account)
#   web4 (to test/fixtures/fleet-unreached)   a host of the hosts file that is not reached (closed loopback port)
# Each copy gets its own hostname, machine-id and SSH host keys, as an installation would. The copies share
# this machine's kernel and hardware: they are collected in their own UTS and network namespaces and without
# /sys, so hostname and MAC addresses are theirs, and the hardware identity (DMI) is unknown, as in a container.
# Each host's network namespace (hatang-fleet-NAME) has two network cards, eth0 and eth1 (veth pairs whose other
# ends sit on a bridge in the namespace hatang-fleet-lan: one isolated LAN, no route out of it, nothing sent),
# eth0 with an address of 198.51.100.0/24 (TEST-NET-2) and a default route. This machine's own network is untouched.
# Needs root. The original chroots are only read; the copies are removed at the end.
#   sudo scripts/make-fleet-fixture.sh          (after npm run build)
set -eu
SRC=${HATANG_CHROOTS:-/var/tmp/hatang-chroots}
WORK=${HATANG_FLEET_WORK:-/var/tmp/hatang-fleet}
OUT=${OUT:-test/fixtures/fleet}
UNREACHED_OUT=${UNREACHED_OUT:-test/fixtures/fleet-unreached}
[ -x "$SRC/trixie/bin/sh" ] && [ -x "$SRC/bullseye/bin/sh" ] || { echo "run scripts/make-chroots.sh first" >&2; exit 2; }
cleanup() {
  for n in $(ip netns list 2>/dev/null | awk '$1 ~ /^hatang-fleet-/ {print $1}'); do ip netns del "$n"; done
  for d in "$WORK"/*; do
    [ -d "$d" ] || continue
    for fs in dev proc; do mountpoint -q "$d/$fs" && umount "$d/$fs"; done
  done
  rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT INT TERM
cleanup
mkdir -p "$WORK"

copy() { # copy SUITE NAME: a real copy (not hard links: the original must not change), without the mounted /proc, /sys, /dev
  cp -a --one-file-system "$SRC/$1" "$WORK/$2"
  echo "$2" > "$WORK/$2/etc/hostname"
  od -An -N16 -tx1 /dev/urandom | tr -d ' \n' > "$WORK/$2/etc/machine-id"
  for fs in dev proc; do mount --bind "/$fs" "$WORK/$2/$fs"; done
  rm -f "$WORK/$2"/etc/ssh/ssh_host_*
  chroot "$WORK/$2" ssh-keygen -A >/dev/null
  mkdir -p "$WORK/$2/run/sshd" # as systemd-tmpfiles makes it at boot: sshd -T needs it
}
for h in web1 web2 web3 db1 db2; do copy trixie "$h"; done
copy bullseye db3

# web2: openssh-server drifted to an older version, by really installing a rebuilt package
deb=$(ls "$WORK/web2"/var/cache/apt/archives/openssh-server_*.deb | head -n1)
rm -rf "$WORK/deb" && dpkg-deb -R "$deb" "$WORK/deb"
old=$(sed -n 's/^Version: //p' "$WORK/deb/DEBIAN/control")
new=$(echo "$old" | sed 's/+deb13u\([0-9]*\)$/+deb13u0/')
[ "$new" != "$old" ] || new="$old~drift"
sed -i "s/^Version: .*/Version: $new/" "$WORK/deb/DEBIAN/control"
dpkg-deb -b "$WORK/deb" "$WORK/web2/tmp/openssh-server-drift.deb" >/dev/null
printf '#!/bin/sh\nexit 101\n' > "$WORK/web2/usr/sbin/policy-rc.d" && chmod +x "$WORK/web2/usr/sbin/policy-rc.d"
chroot "$WORK/web2" dpkg -i /tmp/openssh-server-drift.deb >/dev/null
rm -f "$WORK/web2/usr/sbin/policy-rc.d" "$WORK/web2/tmp/openssh-server-drift.deb"
rm -rf "$WORK/deb"
echo "web2: openssh-server $old -> $(chroot "$WORK/web2" dpkg-query -W -f '${Version}' openssh-server)"

# web3: a clone of web1's machine-id
cp "$WORK/web1/etc/machine-id" "$WORK/web3/etc/machine-id"

# what a review reads (issue 15), set up as an administrator would:
#   db1   a nightly pg_dump by an enabled systemd timer (a backup recognised; the copies have no cron daemon, so
#         a crontab line would not run); the other hosts have none
#   web1  its own TLS certificate, expiring 20 days after the collection, named by an nginx site
#   web2  an account deploy that may run ALL without a password (/etc/sudoers.d/deploy), and an ed25519 key for it
#   db3   an account olduser with a password set in January 2020 that never logged in (unused, not disabled)
mkdir -p "$WORK/db1/etc/systemd/system/timers.target.wants"
printf '[Unit]\nDescription=Nightly dump of the app database\n\n[Service]\nType=oneshot\nUser=postgres\nExecStart=/usr/bin/pg_dump -Fc app -f /var/backups/app.dump\n' > "$WORK/db1/etc/systemd/system/pg-backup.service"
printf '[Unit]\nDescription=Nightly dump of the app database\n\n[Timer]\nOnCalendar=*-*-* 02:30\nPersistent=true\n\n[Install]\nWantedBy=timers.target\n' > "$WORK/db1/etc/systemd/system/pg-backup.timer"
ln -s ../pg-backup.timer "$WORK/db1/etc/systemd/system/timers.target.wants/pg-backup.timer"
mkdir -p "$WORK/web1/etc/ssl/web" "$WORK/web1/etc/nginx/sites-enabled"
openssl req -x509 -newkey rsa:2048 -nodes -keyout /dev/null -out "$WORK/web1/etc/ssl/web/web1.example.vn.pem" -days 20 -subj /CN=web1.example.vn -addext subjectAltName=DNS:web1.example.vn 2>/dev/null
printf 'server {\n  listen 443 ssl;\n  ssl_certificate /etc/ssl/web/web1.example.vn.pem;\n}\n' > "$WORK/web1/etc/nginx/sites-enabled/web1"
chroot "$WORK/web2" useradd -m -s /bin/bash deploy
printf 'deploy ALL=(ALL) NOPASSWD: ALL\n' > "$WORK/web2/etc/sudoers.d/deploy" && chmod 0440 "$WORK/web2/etc/sudoers.d/deploy"
mkdir -p "$WORK/web2/home/deploy/.ssh"
ssh-keygen -q -t ed25519 -N '' -C deploy@ci -f "$WORK/deploy-key" && cp "$WORK/deploy-key.pub" "$WORK/web2/home/deploy/.ssh/authorized_keys" && rm -f "$WORK/deploy-key" "$WORK/deploy-key.pub"
chroot "$WORK/db3" useradd -m -s /bin/bash olduser
echo 'olduser:Unused-2020' | chroot "$WORK/db3" chpasswd
chroot "$WORK/db3" chage -d 2020-01-15 olduser

# the LAN: a network namespace per host with two cards on one bridge; web3 has web1's MAC addresses
LAN=hatang-fleet-lan
ip netns add "$LAN"
ip -n "$LAN" link add br0 type bridge
ip -n "$LAN" link set br0 up
nic() { # nic HOST IFACE MAC
  ip -n "hatang-fleet-$1" link add "$2" type veth peer name "$1-$2" netns "$LAN"
  ip -n "hatang-fleet-$1" link set "$2" address "$3" up
  ip -n "$LAN" link set "$1-$2" master br0 up
}
i=10
for h in web1 web2 web3 db1 db2 db3; do
  i=$((i + 1))
  mac=$i; [ "$h" = web3 ] && mac=11
  ip netns add "hatang-fleet-$h"
  ip -n "hatang-fleet-$h" link set lo up
  nic "$h" eth0 "52:54:00:00:$mac:01"
  nic "$h" eth1 "52:54:00:00:$mac:02"
  ip -n "hatang-fleet-$h" addr add "198.51.100.$i/24" dev eth0
  ip -n "hatang-fleet-$h" route add default via 198.51.100.1
done

rm -rf "$OUT" "$UNREACHED_OUT" && mkdir -p "$OUT" "$UNREACHED_OUT"
node dist/scripts/collect-fleet-fixture.js --out "$OUT" --unreached-out "$UNREACHED_OUT" \
  web1:web:"$WORK/web1":hatang-fleet-web1 web2:web:"$WORK/web2":hatang-fleet-web2 web3:web:"$WORK/web3":hatang-fleet-web3 \
  db1:db:"$WORK/db1":hatang-fleet-db1 db2:db:"$WORK/db2":hatang-fleet-db2 db3:db:"$WORK/db3":hatang-fleet-db3
