#!/bin/sh
# Captures the scheduled probe's pass and fail cases (needs root, the chroots of scripts/make-chroots.sh and
# `npm run build`), each in a disposable overlay of the bullseye chroot, in a private mount namespace of the capture
# alone (the chroot itself and this machine are not changed; the overlay's upper folder is removed after):
# - debian-11-scheduled-pass: root's crontab (written by the chroot's own `crontab`) runs restic to an sftp
#   repository, with its password in a file; a daily run-parts script runs pg_dump;
# - debian-11-scheduled-fail: no backup; /etc/cron.d/cleanup runs, as root, a script in /opt/jobs (mode 0777), and
#   www-data's crontab runs a script from /tmp.
#   npm run build && sh scripts/capture-scheduled.sh
set -eu
. scripts/overlay-lab.sh
chroot_dir=/var/tmp/hatang-chroots/bullseye
work=$(mktemp -d /var/tmp/hatang-capture-scheduled.XXXXXX)
trap 'rm -rf "$work"' EXIT

pass_setup='
echo "30 2 * * * /usr/bin/restic -r sftp:backup@192.0.2.10:/srv/restic backup /etc /home --password-file /root/.restic-pass" | crontab -u root -
printf "#!/bin/sh\nsu postgres -c \"pg_dumpall --clean\" | gzip > /var/backups/pg.sql.gz\n" > /etc/cron.daily/pg-backup
chmod 755 /etc/cron.daily/pg-backup'
fail_setup='
mkdir -p /opt/jobs && chmod 0777 /opt/jobs
printf "#!/bin/sh\nfind /var/tmp -mtime +7 -delete\n" > /opt/jobs/cleanup.sh && chmod 755 /opt/jobs/cleanup.sh
printf "SHELL=/bin/sh\n*/15 * * * * root /opt/jobs/cleanup.sh >/dev/null 2>&1\n" > /etc/cron.d/cleanup
echo "0 * * * * /tmp/stats.sh" | crontab -u www-data -'

capture() { # NAME SETUP
  overlay_lab "$chroot_dir" "$work/$1" "$1" "$2" '' scheduled
}
capture debian-11-scheduled-pass "$pass_setup"
capture debian-11-scheduled-fail "$fail_setup"
