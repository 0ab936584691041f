#!/bin/sh
# Builds a disposable Debian 12 (bookworm) virtual machine that boots by EFI through Debian's signed chain
# (Microsoft-signed shim -> Debian-signed GRUB -> Debian-signed kernel), so that scripts/capture-vm.sh can record
# what this machine cannot show: EFI with Secure Boot on and off, a kernel that loads modules, LVM.
# Everything is made under $HATANG_VM (default /var/tmp/hatang-vm), never in the repository, and without mounting:
#   root/           the system, by debootstrap ($HATANG_MIRROR as in make-chroots.sh)
#   disk.img        GPT: 1 = ESP (FAT, mkfs.vfat -C + mcopy: EFI/BOOT/BOOTX64.EFI = shim, grubx64.efi = signed GRUB,
#                   grub.cfg, the kernel and its initrd), 2 = root (ext4, mkfs.ext4 -d from root/)
#   keys/           root's login key (id_ed25519) and the VM's sshd host key, made here
#   known_hosts     the host key's public half for [127.0.0.1]:*, so that captures verify the host key
# Needs root, debootstrap, mtools, dosfstools, gdisk (sgdisk), e2fsprogs, openssh-client (ssh-keygen); a root made
# before a package joined PACKAGES gets it by apt in the folder (network to $HATANG_MIRROR).
#   sh scripts/make-vm.sh          (then: npm run build && sh scripts/capture-vm.sh)
set -eu
VM=${HATANG_VM:-/var/tmp/hatang-vm}
MIRROR=${HATANG_MIRROR:-http://deb.debian.org/debian}
PACKAGES=linux-image-amd64,initramfs-tools,systemd-sysv,udev,openssh-server,kmod,lvm2,mokutil,shim-signed,grub-efi-amd64-signed,efibootmgr,iproute2,procps,smartmontools
root=$VM/root
mkdir -p "$VM" "$VM/keys"
chmod 700 "$VM/keys"

if [ ! -e "$root/.hatang-complete" ]; then
  rm -rf "$root"
  debootstrap --variant=minbase --include="$PACKAGES" bookworm "$root" "$MIRROR"
  touch "$root/.hatang-complete"
fi
# packages added to PACKAGES after the root was made (smartmontools): installed into it by apt, from the same mirror,
# without recommends as debootstrap's --include; no service starts in the folder (policy-rc.d, removed after)
missing=
for p in $(echo "$PACKAGES" | tr , ' '); do
  chroot "$root" dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q ' installed$' || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "make-vm: installing into $root:$missing"
  trap 'rm -f "$root/usr/sbin/policy-rc.d"' EXIT
  printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
  chmod 755 "$root/usr/sbin/policy-rc.d"
  chroot "$root" apt-get -q update
  # shellcheck disable=SC2086 # one word a package
  DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get -q -y --no-install-recommends install $missing
  chroot "$root" apt-get clean
  rm -f "$root/usr/sbin/policy-rc.d"
fi

# keys: made once, kept with the image (the known_hosts file must keep matching it)
[ -e "$VM/keys/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C hatang-vm-root -f "$VM/keys/id_ed25519"
[ -e "$VM/keys/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C hatang-vm-host -f "$VM/keys/ssh_host_ed25519_key"
printf '[127.0.0.1]:* %s\n' "$(cut -d' ' -f1,2 "$VM/keys/ssh_host_ed25519_key.pub")" > "$VM/known_hosts"

# the system: its identity, network (DHCP from qemu's user network), sshd with our host key only, root's key
uuid=$(cat /proc/sys/kernel/random/uuid)
echo hatang-vm > "$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\thatang-vm\n' > "$root/etc/hosts"
: > "$root/etc/machine-id"
od -An -N16 -tx1 /dev/urandom | tr -d ' \n' > "$root/etc/machine-id"
printf 'UUID=%s / ext4 errors=remount-ro 0 1\n' "$uuid" > "$root/etc/fstab"
mkdir -p "$root/etc/systemd/network"
printf '[Match]\nName=en*\n\n[Network]\nDHCP=ipv4\n' > "$root/etc/systemd/network/80-vm.network"
chroot "$root" systemctl enable systemd-networkd >/dev/null 2>&1
rm -f "$root"/etc/ssh/ssh_host_*
cp "$VM/keys/ssh_host_ed25519_key" "$VM/keys/ssh_host_ed25519_key.pub" "$root/etc/ssh/"
chmod 600 "$root/etc/ssh/ssh_host_ed25519_key"
printf 'HostKey /etc/ssh/ssh_host_ed25519_key\n' > "$root/etc/ssh/sshd_config.d/hatang-vm.conf"
mkdir -p "$root/root/.ssh"
chmod 700 "$root/root/.ssh"
cp "$VM/keys/id_ed25519.pub" "$root/root/.ssh/authorized_keys"
chmod 600 "$root/root/.ssh/authorized_keys"
# the initrd finds the root by UUID through udev and needs virtio's block driver (MODULES=most has it)
kernel=$(ls "$root"/boot/vmlinuz-* | sort -V | tail -n 1)
initrd=$root/boot/initrd.img-${kernel##*/vmlinuz-}
[ -e "$initrd" ] || chroot "$root" update-initramfs -c -k "${kernel##*/vmlinuz-}"

# the ESP, built as a file: shim as the removable-media loader, Debian's signed GRUB beside it (no fbx64.efi, so shim
# starts grubx64.efi at once), the signed kernel and its initrd; grub.cfg where the signed GRUB may look for it
tmp=$(mktemp -d "$VM/build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
esp_id=48A7A4E5
cat > "$tmp/grub.cfg" <<EOF
set timeout=0
set default=0
search --no-floppy --fs-uuid --set=root 48A7-A4E5
menuentry "Debian GNU/Linux 12 (hatang VM lab)" {
	linux /vmlinuz root=UUID=$uuid ro console=ttyS0
	initrd /initrd.img
}
EOF
mkfs.vfat -C -F 32 -n HATANG-ESP -i $esp_id "$tmp/esp.img" 131072 >/dev/null
export MTOOLS_SKIP_CHECK=1
mmd -i "$tmp/esp.img" ::/EFI ::/EFI/BOOT ::/EFI/debian ::/boot ::/boot/grub
mcopy -i "$tmp/esp.img" "$root/usr/lib/shim/shimx64.efi.signed" ::/EFI/BOOT/BOOTX64.EFI
mcopy -i "$tmp/esp.img" "$root/usr/lib/shim/mmx64.efi.signed" ::/EFI/BOOT/mmx64.efi
mcopy -i "$tmp/esp.img" "$root/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed" ::/EFI/BOOT/grubx64.efi
for d in EFI/BOOT EFI/debian boot/grub; do mcopy -i "$tmp/esp.img" "$tmp/grub.cfg" "::/$d/grub.cfg"; done
mcopy -i "$tmp/esp.img" "$kernel" ::/vmlinuz
mcopy -i "$tmp/esp.img" "$initrd" ::/initrd.img

# the root filesystem from the folder, then one GPT disk: ESP at 1 MiB (128 MiB), root after it (3 GiB)
mkfs.ext4 -q -F -U "$uuid" -L hatang-root -d "$root" "$tmp/root.img" 3G
esp_start=2048
root_start=$((esp_start + 131072 * 2))
sectors=$((root_start + 3 * 1024 * 1024 * 2 + 2048))
rm -f "$tmp/disk.img"
truncate -s $((sectors * 512)) "$tmp/disk.img"
sgdisk -o -n 1:$esp_start:$((root_start - 1)) -t 1:ef00 -c 1:ESP -n "2:$root_start:0" -t 2:8304 -c 2:root "$tmp/disk.img" >/dev/null 2>&1
dd if="$tmp/esp.img" of="$tmp/disk.img" bs=1M seek=$((esp_start * 512)) oflag=seek_bytes conv=notrunc,sparse status=none
dd if="$tmp/root.img" of="$tmp/disk.img" bs=1M seek=$((root_start * 512)) oflag=seek_bytes conv=notrunc,sparse status=none
mv "$tmp/disk.img" "$VM/disk.img"
echo "VM image ready: $VM/disk.img (kernel ${kernel##*/}; login key $VM/keys/id_ed25519, host key in $VM/known_hosts)"
