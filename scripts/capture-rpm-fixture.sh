#!/bin/sh
# Records the packages and updates probes against a REAL rpm database, on a machine with no rpm-based
# system: builds a few tiny rpms with rpmbuild (with and without epoch, noarch, x86_64 and i686 of one
# name, a gpg-pubkey entry from an imported key), installs them with `rpm -i --justdb` into a minimal
# root (static busybox, Debian's rpm and its libraries, %_dbpath /var/lib/rpm as on Fedora/RHEL), then
# runs the ordinary capture through chroot, so the fixture holds exactly what the probe commands print.
#
#   apt-get install rpm busybox-static gnupg   # Debian's packages
#   npx tsc -p tsconfig.build.json && sh scripts/capture-rpm-fixture.sh
#
# Writes test/fixtures/rpm-db/{platform.json,packages.json,updates.json}. Needs root (chroot).
set -eu
cd "$(dirname "$0")/.."
ROOT=${HATANG_RPM_ROOT:-/var/tmp/hatang-rpm-root}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
for tool in rpm rpmbuild busybox gpg chroot; do
  command -v "$tool" >/dev/null || { echo "capture-rpm-fixture: $tool is missing (apt-get install rpm busybox-static gnupg)" >&2; exit 2; }
done
rm -rf "$ROOT"
mkdir -p "$ROOT/bin" "$ROOT/dev" "$ROOT/etc/rpm" "$ROOT/var/lib/rpm" "$ROOT/tmp" "$ROOT/root"
mknod -m 666 "$ROOT/dev/null" c 1 3

# --- the root: a static shell and its applets, rpm and what it loads
cp "$(command -v busybox)" "$ROOT/bin/busybox"
chroot "$ROOT" /bin/busybox --install -s /bin
mkdir -p "$ROOT/usr/bin"
cp /usr/bin/rpm /usr/bin/rpmdb /usr/bin/rpmkeys "$ROOT/usr/bin/"
for lib in $(ldd /usr/bin/rpm | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p'); do
  mkdir -p "$ROOT$(dirname "$lib")"
  cp -L "$lib" "$ROOT$lib"
done
mkdir -p "$ROOT/usr/lib/rpm"
cp -a /usr/lib/rpm/rpmrc /usr/lib/rpm/macros /usr/lib/rpm/rpmpopt-* /usr/lib/rpm/platform "$ROOT/usr/lib/rpm/"
[ -d /usr/lib/rpm/macros.d ] && cp -a /usr/lib/rpm/macros.d "$ROOT/usr/lib/rpm/"
# Debian's rpm keeps its database in ~/.rpmdb (through bash); rpm-based systems keep it here
echo '%_dbpath /var/lib/rpm' > "$ROOT/etc/rpm/macros"
cat > "$ROOT/etc/os-release" <<'EOF'
NAME="hatang rpm fixture root"
ID=hatang-rpm-fixture
PRETTY_NAME="Minimal root with a real rpm database (Debian's rpm 4.18, static busybox), made by scripts/capture-rpm-fixture.sh"
EOF

# --- tiny packages, built for real
mkdir -p "$WORK/specs" "$WORK/home"
spec() { # name epoch version release arch
  {
    echo "Name: $1"
    [ "$2" = - ] || echo "Epoch: $2"
    echo "Version: $3"
    echo "Release: $4"
    echo "Summary: hatang rpm fixture package $1"
    echo "License: Apache-2.0"
    [ "$5" = noarch ] && echo "BuildArch: noarch"
    echo "%description"
    echo "A package with no files, made to record rpm -qa output."
    echo "%files"
  } > "$WORK/specs/$1-$5.spec"
  HOME="$WORK/home" rpmbuild --quiet --define "_topdir $WORK/build" --define '_build_id_links none' \
    --target "$5" --define '_binary_payload w9.gzdio' -bb "$WORK/specs/$1-$5.spec" >/dev/null
}
spec hatang-plain - 1.0 1 noarch
spec hatang-epoch 2 3.1.4 7.el9 noarch
spec hatang-zero-epoch 0 0.9 1.fc40 noarch
spec hatang-lib - 2.36 9.el9_4 x86_64
spec hatang-lib - 2.36 9.el9_4 i686
mkdir -p "$ROOT/tmp/rpms"
find "$WORK/build/RPMS" -name '*.rpm' -exec cp {} "$ROOT/tmp/rpms/" \;

# --- a signing key, imported as rpm does (a gpg-pubkey entry with no architecture)
export GNUPGHOME="$WORK/gnupg"
mkdir -p "$GNUPGHOME" && chmod 700 "$GNUPGHOME"
gpg --batch --quiet --pinentry-mode loopback --passphrase '' --quick-gen-key 'hatang fixture <fixture@localhost>' rsa2048 sign never 2>/dev/null
gpg --batch --armor --export > "$ROOT/tmp/key.asc"

chroot "$ROOT" rpm --initdb
chroot "$ROOT" rpm --import /tmp/key.asc
chroot "$ROOT" sh -c 'rpm -i --nodeps --justdb --ignorearch /tmp/rpms/*.rpm'
rm -rf "$ROOT/tmp/rpms" "$ROOT/tmp/key.asc"

node dist/scripts/capture-fixtures.js --name rpm-db --chroot "$ROOT" --probe packages --probe updates
