#!/bin/sh
# Captures the boot probe where GRUB asks for a password and where it does not, without touching this machine's own
# /boot: a grub.cfg written in a temporary folder is bound over /boot in a private mount namespace of the capture
# alone (unshare -m; the machine's /boot is not changed), 0600 as grub-mkconfig leaves it:
# - debian-12-grub-password: the grub.cfg sets superusers and a password_pbkdf2 (a hash of a throwaway password
#   made here; the probe only counts such lines and never prints them), read as root;
# - debian-12-grub-password-user: the same, read as nobody (grub.cfg unreadable: needs root);
# - debian-12-grub-open: a grub.cfg with menu entries and no password, as root.
# Needs root and npm run build.   sh scripts/capture-boot.sh
set -eu
cd "$(dirname "$0")/.."
dir=$(mktemp -d /tmp/hatang-capture-boot.XXXXXX)
trap 'rm -rf "$dir"' EXIT INT TERM
mkdir -p "$dir/password/grub" "$dir/open/grub"
hash=$(python3 -c 'import hashlib,os; s=os.urandom(64); print("grub.pbkdf2.sha512.10000.%s.%s" % (s.hex().upper(), hashlib.pbkdf2_hmac("sha512", os.urandom(16), s, 10000).hex().upper()))')
entries='menuentry "Debian GNU/Linux" --class debian --class gnu-linux --class gnu --class os {
	linux	/boot/vmlinuz-6.1.0-18-amd64 root=UUID=0d1f7a8e-1111-4c2b-9a3e-3c2a1f0e9b77 ro quiet
	initrd	/boot/initrd.img-6.1.0-18-amd64
}'
printf '### BEGIN /etc/grub.d/00_header ###\nset default="0"\nset timeout=5\n### END /etc/grub.d/00_header ###\n%s\n### BEGIN /etc/grub.d/40_custom ###\nset superusers="admin"\npassword_pbkdf2 admin %s\n### END /etc/grub.d/40_custom ###\n' "$entries" "$hash" > "$dir/password/grub/grub.cfg"
printf '### BEGIN /etc/grub.d/00_header ###\nset default="0"\nset timeout=5\n### END /etc/grub.d/00_header ###\n%s\n' "$entries" > "$dir/open/grub/grub.cfg"
chmod 600 "$dir/password/grub/grub.cfg" "$dir/open/grub/grub.cfg"
chmod 755 "$dir" "$dir/password" "$dir/open" "$dir/password/grub" "$dir/open/grub"
with_boot() { unshare -m --propagation private sh -c 'mount --bind "$0" /boot && exec "$@"' "$@"; }
with_boot "$dir/password" node dist/scripts/capture-fixtures.js --name debian-12-grub-password --probe boot
with_boot "$dir/password" node dist/scripts/capture-fixtures.js --name debian-12-grub-password-user --user 65534 --probe boot
with_boot "$dir/open" node dist/scripts/capture-fixtures.js --name debian-12-grub-open --probe boot
