#!/bin/sh
# Captures a real EFI machine: the Debian 12 virtual machine of scripts/make-vm.sh, booted by qemu (three boots below)
# and reached over SSH on a loopback port (user network, restrict=on: the VM reaches nothing, only the forwarded port
# reaches it),
# through the project's own SSH transport with the VM's host key verified ($HATANG_VM/known_hosts):
# secureboot. OVMF with Secure Boot's firmware (SMM) and Microsoft's keys enrolled (OVMF_CODE_4M.secboot.fd + a copy of
#    OVMF_VARS_4M.ms.fd): shim (Microsoft-signed) -> GRUB and kernel (Debian-signed), Secure Boot on;
#    - debian-12-vm-secureboot: boot, kernelModules, storage and virtualization, the VM as booted (modprobe.d as installed: usb-storage
#      can load; lvm2 installed, no volume group);
#    - debian-12-vm-lvm-full: storage, with a volume group on the second disk 95 % allocated;
#    - debian-12-vm-lvm-room: storage, the same group 50 % allocated;
#    - debian-12-vm-usb-blocked: kernelModules, with /etc/modprobe.d/60-hatang.conf saying
#      `install usb-storage /bin/false` and `blacklist usb-storage`;
# efi. plain OVMF with no key enrolled (OVMF_CODE_4M.fd + a copy of OVMF_VARS_4M.fd): EFI, Secure Boot off;
#    - debian-12-vm-efi: boot.
# nvme. plain OVMF again, with a third disk on qemu's emulated NVMe controller (serial HATANG-NVME-0001, a blank
#    64 MiB file), whose SMART log smartctl reads; one disk at two times, in one boot:
#    - debian-12-vm-nvme: storage, the controller's critical warning 0 (smartctl: PASSED);
#    - debian-12-vm-nvme-warning: storage, after the controller's smart_critical_warning is set to 1 ("available
#      spare below threshold") through qemu's monitor (QMP qom-set), as a worn disk raises it (smartctl: FAILED).
# The VM is disposable: each boot runs on a copy-on-write overlay of the image and a blank second disk, all in a
# temporary folder removed on exit with the VM shut down. Accelerator: KVM where the CPU's own virtualization is
# there (kvm_intel/kvm_amd), else qemu's emulator (TCG; about a minute to boot) — OVMF cannot run under a KVM without
# it (this machine's kvm_pvm stops at OVMF's first FPU instruction: "KVM internal error ... emulation failure");
# HATANG_VM_ACCEL=kvm|tcg chooses.
# Needs root, qemu-system-x86 (>= 6.0 for smart_critical_warning), ovmf, openssh-client, python3 (a free port, QMP),
# scripts/make-vm.sh's image, npm run build. Names of boots as arguments capture only those (default: all three).
#   sh scripts/make-vm.sh && npm run build && sh scripts/capture-vm.sh [secureboot] [efi] [nvme]
set -eu
cd "$(dirname "$0")/.."
boots=${*:-secureboot efi nvme}
for b in $boots; do
  case $b in secureboot|efi|nvme) ;; *) echo "capture-vm: no boot named $b (secureboot, efi, nvme)" >&2; exit 2;; esac
done
wanted() { case " $boots " in *" $1 "*) return 0;; *) return 1;; esac; }
VM=${HATANG_VM:-/var/tmp/hatang-vm}
OVMF=${HATANG_OVMF:-/usr/share/OVMF}
for f in "$VM/disk.img" "$VM/keys/id_ed25519" "$VM/known_hosts"; do
  [ -e "$f" ] || { echo "capture-vm: no $f: run sh scripts/make-vm.sh first" >&2; exit 2; }
done
[ -e dist/scripts/capture-fixtures.js ] || { echo 'capture-vm: run npm run build first' >&2; exit 2; }
accel=${HATANG_VM_ACCEL:-}
if [ -z "$accel" ]; then
  if [ -w /dev/kvm ] && { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }; then accel=kvm; else accel=tcg; fi
fi
case $accel in kvm) cpu=host;; tcg) cpu=max;; *) echo "capture-vm: HATANG_VM_ACCEL must be kvm or tcg" >&2; exit 2;; esac

tmp=$(mktemp -d /var/tmp/hatang-vm-run.XXXXXX)
pid=
stop() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; fi
  pid=
}
trap 'stop; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

ssh_vm() {
  ssh -F /dev/null -o BatchMode=yes -o ConnectTimeout=5 -o LogLevel=ERROR -o StrictHostKeyChecking=yes \
    -o UserKnownHostsFile="$VM/known_hosts" -o GlobalKnownHostsFile=/dev/null -i "$VM/keys/id_ed25519" -p "$port" root@127.0.0.1 "$@"
}
capture() {
  name=$1
  shift
  rm -rf "test/fixtures/$name"
  node dist/scripts/capture-fixtures.js --name "$name" --ssh "root@127.0.0.1:$port" --identity "$VM/keys/id_ed25519" \
    --known-hosts "$VM/known_hosts" --script scripts/capture-vm.sh "$@"
}

# qmp JSON: one command on the running VM's monitor (QMP socket), its answer printed; fails on an error answer
qmp() {
  python3 - "$tmp/qmp.sock" "$1" <<'EOF'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile('rw')
def answer():
    while True:
        m = json.loads(f.readline())
        if 'event' not in m:
            return m
answer()
for command in ('{"execute": "qmp_capabilities"}', sys.argv[2]):
    f.write(command + '\n')
    f.flush()
    r = answer()
print(json.dumps(r))
sys.exit(1 if 'error' in r else 0)
EOF
}

# boot secureboot|efi [nvme]: starts the VM on a fresh overlay and a blank second disk (and a blank NVMe disk with a
# fixed serial), with its QMP monitor on $tmp/qmp.sock, and waits for its sshd
boot() {
  rm -f "$tmp/disk.qcow2" "$tmp/data.img" "$tmp/nvme.img" "$tmp/vars.fd" "$tmp/qmp.sock"
  qemu-img create -q -f qcow2 -b "$VM/disk.img" -F raw "$tmp/disk.qcow2"
  truncate -s 256M "$tmp/data.img"
  nvme=
  if [ "${2:-}" = nvme ]; then
    truncate -s 64M "$tmp/nvme.img"
    nvme="-drive file=$tmp/nvme.img,if=none,format=raw,id=nvm -device nvme,id=nvme0,serial=HATANG-NVME-0001,drive=nvm"
  fi
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  if [ "$1" = secureboot ]; then
    code=$OVMF/OVMF_CODE_4M.secboot.fd
    cp "$OVMF/OVMF_VARS_4M.ms.fd" "$tmp/vars.fd"
    set -- -global driver=cfi.pflash01,property=secure,value=on
  else
    code=$OVMF/OVMF_CODE_4M.fd
    cp "$OVMF/OVMF_VARS_4M.fd" "$tmp/vars.fd"
    set --
  fi
  log=$tmp/serial-$port.log
  # shellcheck disable=SC2086 # $nvme: words of qemu's command line, $tmp has no blank (mktemp)
  qemu-system-x86_64 -accel "$accel" -cpu "$cpu" -machine q35,smm=on -m 1024 -smp 1 -nographic "$@" \
    -drive if=pflash,format=raw,unit=0,file="$code",readonly=on -drive if=pflash,format=raw,unit=1,file="$tmp/vars.fd" \
    -drive file="$tmp/disk.qcow2",if=virtio,format=qcow2 -drive file="$tmp/data.img",if=virtio,format=raw \
    $nvme -qmp unix:"$tmp/qmp.sock",server=on,wait=off \
    -netdev user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:"$port"-:22 -device virtio-net-pci,netdev=net0 \
    </dev/null >"$log" 2>&1 &
  pid=$!
  started=$(date +%s)
  until ssh_vm true 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null || [ $(($(date +%s) - started)) -gt 400 ]; then
      echo "capture-vm: the VM did not answer on ssh; its console said:" >&2
      tail -c 4000 "$log" | tr -d '\033' >&2
      exit 1
    fi
    sleep 3
  done
  echo "capture-vm: $(ssh_vm 'mokutil --sb-state 2>&1 | head -n 1; uname -r' | tr '\n' ' ')(booted in $(($(date +%s) - started)) s, $accel)"
}

# halt: powers the VM off and waits for qemu to end (kills it after a minute)
halt() {
  ssh_vm 'systemctl poweroff' 2>/dev/null || true
  n=0
  while kill -0 "$pid" 2>/dev/null && [ "$n" -lt 60 ]; do sleep 1; n=$((n + 1)); done
  stop
}

if wanted secureboot; then
boot secureboot
capture debian-12-vm-secureboot --probe boot --probe kernelModules --probe storage --probe virtualization
ssh_vm 'pvcreate -q /dev/vdb && vgcreate -q vmdata /dev/vdb && lvcreate -q -y -n full -l 95%VG vmdata && vgs --units b vmdata'
capture debian-12-vm-lvm-full --probe storage
ssh_vm 'lvremove -q -y vmdata/full && lvcreate -q -y -n half -l 50%VG vmdata && vgs --units b vmdata'
capture debian-12-vm-lvm-room --probe storage
ssh_vm 'printf "install usb-storage /bin/false\nblacklist usb-storage\n" > /etc/modprobe.d/60-hatang.conf && modprobe -n -v usb-storage'
capture debian-12-vm-usb-blocked --probe kernelModules
halt
fi

if wanted efi; then
boot efi
capture debian-12-vm-efi --probe boot
halt
fi

if wanted nvme; then
boot efi nvme
ssh_vm 'smartctl -H /dev/nvme0n1 | tail -n +4'
capture debian-12-vm-nvme --probe storage
qmp '{"execute": "qom-set", "arguments": {"path": "/machine/peripheral/nvme0", "property": "smart_critical_warning", "value": 1}}'
ssh_vm 'smartctl -H /dev/nvme0n1 | tail -n +4' || true
capture debian-12-vm-nvme-warning --probe storage
halt
fi
