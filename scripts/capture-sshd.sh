#!/bin/sh
# Captures the sshd probe's fixtures (needs root, openssh-server, the chroots of scripts/make-chroots.sh and `npm run build`):
# - debian-12-root and debian-12-user: this machine with a drop-in (sshd_config.d/50-hatang-fixture.conf) bound over
#   /etc/ssh/sshd_config.d in a private mount namespace of the capture alone (the machine's own files are not changed),
#   and no sshd running;
# - debian-11-chroot and debian-13-chroot: the chroots;
# then, while a real sshd runs with command-line overrides, as seen on real hosts:
# - test/fixtures/sshd-cmdline/listener-o-args.cmdline: that listener's /proc/PID/cmdline, byte for byte (with a note);
# - test/fixtures/debian-12-sshd-daemon{,-user}/sshd.json: the probe's outputs as root and as nobody, which find that
#   daemon in /proc (it must be the only root sshd listener: the script refuses to run next to another one).
# The sshd listens on 127.0.0.1/127.0.0.2 only and is stopped after.
#   npm run build && sh scripts/capture-sshd.sh
set -eu
out=test/fixtures/sshd-cmdline
chroots=/var/tmp/hatang-chroots
if [ -n "$(ps -C sshd -o pid= 2>/dev/null)" ]; then echo "another sshd runs: stop it first (the probe must find only its own)" >&2; exit 1; fi
dir=$(mktemp -d /tmp/hatang-capture-sshd.XXXXXX)
chmod 755 "$dir"
# the sshd is gone before the script ends: a capture run next (capture-logins.sh) would find it ending in /proc
stop() {
  p=$(cat "$dir/pid" 2>/dev/null) || p=
  if [ -n "$p" ] && kill "$p" 2>/dev/null; then
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$dir"
}
trap stop EXIT

mkdir -m 755 "$dir/dropin"
printf '# hatang: fixture capture (harmless hardening)\nClientAliveInterval 300\nMaxAuthTries 4\n' > "$dir/dropin/50-hatang-fixture.conf"
chmod 644 "$dir/dropin/50-hatang-fixture.conf"
with_dropin() { unshare -m --propagation private sh -c 'mount --bind "$0" /etc/ssh/sshd_config.d && exec "$@"' "$dir/dropin" "$@"; }
with_dropin node dist/scripts/capture-fixtures.js --name debian-12-root --probe sshd
with_dropin node dist/scripts/capture-fixtures.js --name debian-12-user --user 65534 --probe sshd
node dist/scripts/capture-fixtures.js --name debian-11-chroot --chroot "$chroots/bullseye" --probe sshd
node dist/scripts/capture-fixtures.js --name debian-13-chroot --chroot "$chroots/trixie" --probe sshd

mkdir -p "$out" /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'Port %s\nListenAddress 127.0.0.1\nHostKey %s\nPidFile %s\nUsePAM no\nPasswordAuthentication no\nMaxAuthTries 4\n' \
  "$port" "$dir/host_key" "$dir/pid" > "$dir/sshd_config"
chmod 644 "$dir/sshd_config"
# the forms sshd accepts: -o K=V, -oK=V, -o "K V", a quoted value with a blank; MaxAuthTries also in the file
/usr/sbin/sshd -f "$dir/sshd_config" -o MaxAuthTries=2 -oX11Forwarding=yes -o 'ClientAliveInterval 77' \
  -o 'Banner "/tmp/no such banner"' -o ListenAddress=127.0.0.2
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s "$dir/pid" ] && break; sleep 0.2; done
pid=$(cat "$dir/pid")
cp "/proc/$pid/cmdline" "$out/listener-o-args.cmdline"
{
  echo "captured $(date -u +%Y-%m-%dT%H:%M:%SZ) by scripts/capture-sshd-daemon.sh: /proc/PID/cmdline of the listener of"
  echo "  /usr/sbin/sshd -f DIR/sshd_config -o MaxAuthTries=2 -oX11Forwarding=yes -o 'ClientAliveInterval 77' -o 'Banner \"/tmp/no such banner\"' -o ListenAddress=127.0.0.2"
  echo "where DIR was $dir (removed); $(/usr/sbin/sshd -V 2>&1 | head -n 1); $(uname -sr)"
} > "$out/listener-o-args.txt"
node dist/scripts/capture-fixtures.js --name debian-12-sshd-daemon --probe sshd
node dist/scripts/capture-fixtures.js --name debian-12-sshd-daemon-user --user 65534 --probe sshd
