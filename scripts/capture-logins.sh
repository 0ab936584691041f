#!/bin/sh
# Captures the lab fixtures of the logins and passwordPolicy sections (needs root, the bullseye chroot of
# scripts/make-chroots.sh and `npm run build`). Each lab is the chroot seen through an overlay in a private mount
# namespace: every change goes to a temporary upper layer, removed after; neither the chroot nor this machine is
# changed. The probes accounts, logins, passwordPolicy and sshd are captured in each, so that checks can be judged
# on what they read:
# - debian-11-logins-fail: ana (bash, a password set on 2020-01-15, never logged in), ana-svc sharing ana's UID 1500,
#   root with a password and "PermitRootLogin yes"; PAM with no password-quality module, pam_unix remember=2,
#   pam_faillock with deny = 10 in faillock.conf;
# - debian-11-logins-pass: binh (bash, logged in at capture time, `lastlog -S`), chi (password set on 2020-01-15,
#   never logged in, but locked), root without a password; PAM with pam_pwquality (minlen 14 and minclass 4 in
#   pwquality.conf, a credit in pwquality.conf.d), pam_pwhistory remember=5, pam_faillock with deny = 5 and
#   unlock_time = 900 in faillock.conf. Only files are written: no module is installed.
#   npm run build && sh scripts/capture-logins.sh
set -eu
base=${HATANG_CHROOTS:-/var/tmp/hatang-chroots}/bullseye
[ -x "$base/bin/sh" ] || { echo "no chroot at $base: run scripts/make-chroots.sh" >&2; exit 1; }
dir=$(mktemp -d /tmp/hatang-capture-logins.XXXXXX)
trap 'rm -rf "$dir"' EXIT

# lab NAME SETUP: runs SETUP (sh) inside the overlaid chroot, then captures the probes there as fixture NAME
lab() {
  mkdir -p "$dir/$1/upper" "$dir/$1/work" "$dir/$1/merged"
  unshare -m --propagation private sh -eu -c '
    mount -t overlay overlay -o "lowerdir=$1,upperdir=$2/upper,workdir=$2/work" "$2/merged"
    mount --bind /dev "$2/merged/dev"
    mount -t proc proc "$2/merged/proc"
    chroot "$2/merged" /bin/sh -eu -c "$3"
    node dist/scripts/capture-fixtures.js --name "$4" --chroot "$2/merged" --probe accounts --probe logins --probe passwordPolicy --probe sshd
  ' sh "$base" "$dir/$1" "$2" "$1"
}
# a throwaway password: only its hash lands in the overlay's /etc/shadow (the probes never read hashes)
pw='echo "$1:$(head -c 12 /dev/urandom | od -An -tx1 | tr -d " \n")" | chpasswd'

lab debian-11-logins-fail "
setpw() { $pw; }
useradd -m -s /bin/bash -u 1500 ana; setpw ana; chage -d 2020-01-15 ana
useradd -M -o -u 1500 -s /usr/sbin/nologin ana-svc
setpw root
sed -i 's/^#\?PermitRootLogin .*/PermitRootLogin yes/' /etc/ssh/sshd_config
sed -i 's/^\(password.*pam_unix.so.*\)$/\1 remember=2/' /etc/pam.d/common-password
sed -i '0,/^auth.*pam_unix.so/s//auth\trequired\t\t\tpam_faillock.so preauth\n&/' /etc/pam.d/common-auth
printf 'deny = 10\n' >> /etc/security/faillock.conf
"

lab debian-11-logins-pass "
setpw() { $pw; }
useradd -m -s /bin/bash binh; setpw binh; lastlog -S -u binh
useradd -m -s /bin/bash chi; setpw chi; chage -d 2020-01-15 chi; passwd -l chi
sed -i '0,/^password.*pam_unix.so/s//password\trequisite\t\t\tpam_pwquality.so retry=3\npassword\trequired\t\t\tpam_pwhistory.so remember=5 use_authtok\n&/' /etc/pam.d/common-password
mkdir -p /etc/security/pwquality.conf.d
printf 'minlen = 14\nminclass = 4\n' >> /etc/security/pwquality.conf
printf '# hatang lab\ndcredit = -1\n' > /etc/security/pwquality.conf.d/50-hatang.conf
sed -i '0,/^auth.*pam_unix.so/s//auth\trequired\t\t\tpam_faillock.so preauth\n&/' /etc/pam.d/common-auth
printf 'deny = 5\nunlock_time = 900\n' >> /etc/security/faillock.conf
"
