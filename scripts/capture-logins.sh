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
# - debian-13-lastlog2 (the trixie chroot; Debian 13 has no lastlog): Debian's lastlog2, libpam-lastlog2 and
#   pamtester installed in the overlay (apt over the network, the host's resolv.conf bound read-only for the
#   install), a PAM service "hatang-lab" (pam_faillock preauth/authfail around pam_unix, pam_lastlog2 in session):
#   the host's time zone Asia/Ho_Chi_Minh (+0700); an opens a session from pts/0 and 192.0.2.10, binh one on tty1,
#   dung one from 203.0.113.4 with no terminal (real lastlog2 records of the capture time);
#   chi never logs in (password set at capture time), so lastlog2 does not list it; wrong passwords: 3 for binh,
#   1 for an, recorded in pam_faillock's tally. (`lastlog2 --set` of 2.41 cannot create the database: PAM does.)
#   npm run build && sh scripts/capture-logins.sh [LAB...]   (only the labs named, else all)
set -eu
only=" $* "
chroots=${HATANG_CHROOTS:-/var/tmp/hatang-chroots}
for c in bullseye trixie; do
  [ -x "$chroots/$c/bin/sh" ] || { echo "no chroot at $chroots/$c: run scripts/make-chroots.sh" >&2; exit 1; }
done
. scripts/overlay-lab.sh
dir=$(mktemp -d /tmp/hatang-capture-logins.XXXXXX)
trap 'rm -rf "$dir"' EXIT

# lab NAME SETUP [CHROOT [NET]]: runs SETUP (sh) inside the overlaid chroot (bullseye unless named; with NET, the
# host's resolv.conf bound read-only over the overlay's during SETUP, for apt), then captures the probes there as
# fixture NAME
lab() {
  [ "$only" = "  " ] || case "$only" in *" $1 "*) ;; *) return 0 ;; esac
  overlay_lab "$chroots/${3:-bullseye}" "$dir/$1" "$1" "$2" "${4:-}" accounts logins passwordPolicy sshd
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

lab debian-13-lastlog2 "
setpw() { $pw; }
apt-get update -q >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends lastlog2 libpam-lastlog2 pamtester >/dev/null
useradd -m -s /bin/bash an; setpw an
useradd -m -s /bin/bash binh; setpw binh
useradd -m -s /bin/bash chi; setpw chi
useradd -m -s /bin/bash dung; setpw dung
ln -sf /usr/share/zoneinfo/Asia/Ho_Chi_Minh /etc/localtime
printf '%s\\n' 'auth required pam_faillock.so preauth' 'auth sufficient pam_unix.so' 'auth [default=die] pam_faillock.so authfail' \\
  'account required pam_unix.so' 'session optional pam_lastlog2.so' 'session required pam_permit.so' > /etc/pam.d/hatang-lab
pamtester -I tty=pts/0 -I rhost=192.0.2.10 hatang-lab an open_session >/dev/null
pamtester -I tty=tty1 hatang-lab binh open_session >/dev/null
pamtester -I rhost=203.0.113.4 hatang-lab dung open_session >/dev/null
for u in binh binh binh an; do echo wrong | pamtester -I rhost=198.51.100.7 hatang-lab \$u authenticate >/dev/null 2>&1 || true; done
" trixie net
