#!/bin/sh
# Captures the updates probe AND, right after it on the same system, what `apt list --upgradable` prints,
# into test/fixtures/NAME/apt-list-upgradable.txt: the reference the "lists" method of the updates probe
# is tested against (same pending packages, versions and security flags as apt's own answer).
#
#   npx tsc -p tsconfig.build.json
#   sh scripts/capture-apt-list.sh debian-12-root
#   sh scripts/capture-apt-list.sh debian-12-user --user 65534
#   sh scripts/capture-apt-list.sh debian-11-chroot --chroot /var/tmp/hatang-chroots/bullseye
set -eu
cd "$(dirname "$0")/.."
name=${1:?usage: capture-apt-list.sh NAME [--user UID | --chroot DIR]}
shift
case "${1:-}" in
  --user) uid=$2 ;;
  --chroot) root=$2 ;;
  '') ;;
  *) echo "capture-apt-list: unknown option $1" >&2; exit 2 ;;
esac
node dist/scripts/capture-fixtures.js --name "$name" "$@" --probe updates
out=test/fixtures/$name/apt-list-upgradable.txt
case "${1:-}" in
  --user) setpriv --reuid="$uid" --regid="$uid" --clear-groups env LC_ALL=C apt list --upgradable >"$out.tmp" 2>/dev/null ;;
  --chroot) chroot "$root" env LC_ALL=C apt list --upgradable >"$out.tmp" 2>/dev/null ;;
  *) env LC_ALL=C apt list --upgradable >"$out.tmp" 2>/dev/null ;;
esac
mv "$out.tmp" "$out"
echo "$name: apt list --upgradable: $(grep -c 'upgradable from' "$out" || true) packages"
