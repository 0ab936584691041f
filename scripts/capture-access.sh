#!/bin/sh
# Captures the access probe's failing and passing fixtures (needs root, ssh-keygen of OpenSSH 9 (DSA), unshare, the
# trixie chroot of scripts/make-chroots.sh and `npm run build`). Each case is an overlay over the chroot, mounted in a
# private mount namespace of the capture alone and removed after: neither the chroot nor this machine is changed.
# The overlay gets an account alice (/bin/bash, home /home/alice), her authorized_keys and a sudoers.d file:
# - debian-13-access-fail: a 1024-bit RSA key (from=, no-pty) and a DSA key (command= with a password argument),
#   made here by ssh-keygen; /etc/sudoers.d/alice: `alice ALL=(ALL) NOPASSWD: ALL`;
# - debian-13-access-pass: an ed25519 key (restrict); /etc/sudoers.d/alice: `alice ALL=(ALL) ALL` and the service
#   account backup (nologin) allowed rsync without a password.
# test/fixtures/access-keys/ssh-keygen-l.txt records `ssh-keygen -lf` of the three keys: the fingerprints and sizes
# the parser must find.
#   npm run build && sh scripts/capture-access.sh
set -eu
chroot=/var/tmp/hatang-chroots/trixie
dir=$(mktemp -d /tmp/hatang-capture-access.XXXXXX)
trap 'rm -rf "$dir"' EXIT
mkdir -m 700 "$dir/keys"
ssh-keygen -q -t rsa -b 1024 -N '' -C 'alice@old-laptop' -f "$dir/keys/rsa1024"
ssh-keygen -q -t dsa -N '' -C 'backup-2009' -f "$dir/keys/dsa"
ssh-keygen -q -t ed25519 -N '' -C 'alice@laptop' -f "$dir/keys/ed25519"
mkdir -p test/fixtures/access-keys
for k in rsa1024 dsa ed25519; do ssh-keygen -lf "$dir/keys/$k.pub"; done > test/fixtures/access-keys/ssh-keygen-l.txt

printf 'from="10.0.0.0/8",no-pty %s\ncommand="/usr/local/bin/backup --password=hunter2",no-port-forwarding %s\n' \
  "$(cat "$dir/keys/rsa1024.pub")" "$(cat "$dir/keys/dsa.pub")" > "$dir/fail.keys"
printf 'alice ALL=(ALL) NOPASSWD: ALL\n' > "$dir/fail.sudoers"
printf '# restricted\nrestrict %s\n' "$(cat "$dir/keys/ed25519.pub")" > "$dir/pass.keys"
printf 'alice ALL=(ALL) ALL\nbackup ALL=(root) NOPASSWD: /usr/bin/rsync\n' > "$dir/pass.sudoers"

for case in fail pass; do
  unshare -m --propagation private sh -eu -c '
    d=$1; case=$2; chroot=$3; r=$d/$case/root
    mkdir -p "$d/$case/upper" "$d/$case/work" "$r"
    mount -t overlay overlay -o "lowerdir=$chroot,upperdir=$d/$case/upper,workdir=$d/$case/work" "$r"
    echo "alice:x:1001:1001:Alice:/home/alice:/bin/bash" >> "$r/etc/passwd"
    echo "alice:x:1001:" >> "$r/etc/group"
    mkdir -p "$r/home/alice/.ssh"
    cp "$d/$case.keys" "$r/home/alice/.ssh/authorized_keys"
    chown -R 1001:1001 "$r/home/alice"; chmod 700 "$r/home/alice" "$r/home/alice/.ssh"; chmod 600 "$r/home/alice/.ssh/authorized_keys"
    cp "$d/$case.sudoers" "$r/etc/sudoers.d/alice"; chmod 440 "$r/etc/sudoers.d/alice"
    exec node dist/scripts/capture-fixtures.js --name "debian-13-access-$case" --chroot "$r" --probe access
  ' sh "$dir" "$case" "$chroot"
done
