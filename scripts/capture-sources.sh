#!/bin/sh
# Captures the sources probe where a repository is trusted without signatures and a package is held, without
# touching the bullseye chroot of scripts/make-chroots.sh: in a private mount namespace of the capture alone
# (unshare -m), a temporary sources.list.d is bound over the chroot's /etc/apt/sources.list.d (a one-line source
# with [trusted=yes], and a deb822 one signed by the Debian keyring but Enabled: no), and a copy of the chroot's
# /var/lib/dpkg over its own, in which `apt-mark hold` (run in the chroot) holds a package; /var/cache/apt is bound
# to a temporary folder too, so the chroot's files are not changed. Fixture: debian-11-sources-unsigned.
# Needs root, the chroots and npm run build.   sh scripts/capture-sources.sh
set -eu
cd "$(dirname "$0")/.."
root=/var/tmp/hatang-chroots/bullseye
dir=$(mktemp -d /tmp/hatang-capture-sources.XXXXXX)
trap 'rm -rf "$dir"' EXIT INT TERM
mkdir -p "$dir/sources.list.d" "$dir/cache"
cp -a "$root/var/lib/dpkg" "$dir/dpkg"
printf 'deb [trusted=yes] http://repo.example.internal/debian bullseye main\n' > "$dir/sources.list.d/internal.list"
printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bullseye-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\nEnabled: no\n' > "$dir/sources.list.d/backports.sources"
chmod 755 "$dir" "$dir/sources.list.d"
chmod 644 "$dir/sources.list.d/"*
unshare -m --propagation private sh -c '
  mount --bind "$1/sources.list.d" "$2/etc/apt/sources.list.d"
  mount --bind "$1/dpkg" "$2/var/lib/dpkg"
  mount --bind "$1/cache" "$2/var/cache/apt"
  chroot "$2" apt-mark hold e2fsprogs
  node dist/scripts/capture-fixtures.js --name debian-11-sources-unsigned --chroot "$2" --probe sources
' sh "$dir" "$root"
