#!/bin/sh
# Captures the certificates probe's fixtures (needs root, openssl, unshare with overlayfs, the chroots of
# scripts/make-chroots.sh and `npm run build`):
# - debian-12-root, debian-12-user, debian-11-chroot, debian-13-chroot: the machines as they are;
# - debian-12-certs-good: this machine with real certificates generated here (openssl req/x509/ca) in the places
#   servers keep them, all valid and strong: an nginx site's RSA 2048 certificate and haproxy's RSA 3072 PEM (with its
#   private key in the same file, which the probe must never read out);
# - debian-12-certs and debian-12-certs-user (as nobody): the same plus a Let's Encrypt-like ECDSA certificate of a
#   local CA expiring in 20 days named by postfix (live/ and archive/ 0700 as certbot makes them), an apache site's
#   certificate expired in 2021 (openssl ca -startdate/-enddate), a weak RSA 1024/SHA-1 localhost.crt in /etc/pki,
#   the ca-bundle link (left out), a DER file (not PEM) and a dovecot configuration naming a file that does not exist.
# The files are written into an overlay over /etc mounted in a private mount namespace of the capture alone: this
# machine's /etc is not changed, and the overlay's upper layer (a temp folder) is removed after.
#   npm run build && sh scripts/capture-certificates.sh
set -eu
chroots=/var/tmp/hatang-chroots
node dist/scripts/capture-fixtures.js --name debian-12-root --probe certificates
node dist/scripts/capture-fixtures.js --name debian-12-user --user 65534 --probe certificates
node dist/scripts/capture-fixtures.js --name debian-11-chroot --chroot "$chroots/bullseye" --probe certificates
node dist/scripts/capture-fixtures.js --name debian-13-chroot --chroot "$chroots/trixie" --probe certificates

dir=$(mktemp -d /tmp/hatang-capture-certs.XXXXXX)
chmod 755 "$dir"
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/gen" "$dir/good" "$dir/good-work" "$dir/all" "$dir/all-work"
cd_gen() { (cd "$dir/gen" && "$@"); }
key() { openssl genpkey -quiet -algorithm "$@"; }

# valid and strong: an nginx site (RSA 2048, SHA-256, 397 days) and haproxy's PEM (RSA 3072 + its key in the same file)
cd_gen openssl req -x509 -newkey rsa:2048 -nodes -keyout intranet.key -out intranet.crt -days 397 -sha256 \
  -subj '/C=VN/O=Hatang Test/CN=intranet.example' -addext 'subjectAltName=DNS:intranet.example,DNS:www.intranet.example' 2>/dev/null
cd_gen openssl req -x509 -newkey rsa:3072 -nodes -keyout site.key -out site.crt -days 200 -sha256 \
  -subj '/CN=lb.example' -addext 'subjectAltName=DNS:lb.example,IP:127.0.0.1' 2>/dev/null
cat "$dir/gen/site.crt" "$dir/gen/site.key" > "$dir/gen/site.pem"
# expiring: a local CA's ECDSA P-256 leaf for 20 days, with its chain
cd_gen openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt -days 3650 -subj '/O=Hatang Test/CN=Hatang Test CA' 2>/dev/null
cd_gen openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout mail.key -out mail.csr -subj '/CN=mail.example' 2>/dev/null
printf 'subjectAltName=DNS:mail.example,DNS:smtp.example\n' > "$dir/gen/mail.ext"
cd_gen openssl x509 -req -in mail.csr -CA ca.crt -CAkey ca.key -set_serial 4660 -days 20 -sha256 -extfile mail.ext -out mail.crt 2>/dev/null
# expired: RSA 2048 valid in 2020 only (openssl ca takes explicit dates)
mkdir "$dir/gen/db" && touch "$dir/gen/db/index.txt" && echo 1000 > "$dir/gen/db/serial"
printf '[ca]\ndefault_ca = d\n[d]\ndatabase = db/index.txt\nnew_certs_dir = db\nserial = db/serial\ndefault_md = sha256\npolicy = p\ncopy_extensions = copy\n[p]\ncommonName = supplied\n' > "$dir/gen/ca.cnf"
cd_gen openssl req -new -newkey rsa:2048 -nodes -keyout portal.key -out portal.csr -subj '/CN=portal.example' -addext 'subjectAltName=DNS:portal.example' 2>/dev/null
cd_gen openssl ca -batch -config ca.cnf -selfsign -keyfile portal.key -in portal.csr -out portal.crt -startdate 20200101000000Z -enddate 20210101000000Z 2>/dev/null
# weak: RSA 1024 signed with SHA-1
cd_gen openssl req -x509 -newkey rsa:1024 -nodes -keyout localhost.key -out localhost.crt -days 365 -sha1 -subj '/CN=localhost.localdomain' 2>/dev/null
cd_gen openssl x509 -in intranet.crt -outform DER -out der-only.crt

# the good tree, then the whole one, each written in an overlay over /etc (in this namespace only) while the probe reads it
good='
install -d -m 755 /etc/nginx/sites-available /etc/nginx/sites-enabled /etc/haproxy/certs /etc/ssl/certs
install -m 644 "$G/intranet.crt" /etc/ssl/certs/intranet.example.crt
install -m 600 "$G/intranet.key" /etc/ssl/private/intranet.example.key
printf "server {\n    listen 443 ssl;\n    server_name intranet.example;\n    ssl_certificate /etc/ssl/certs/intranet.example.crt;\n    ssl_certificate_key /etc/ssl/private/intranet.example.key;\n}\n" > /etc/nginx/sites-available/intranet
ln -s ../sites-available/intranet /etc/nginx/sites-enabled/intranet
install -m 600 "$G/site.pem" /etc/haproxy/certs/site.pem
printf "frontend https\n    bind :443 ssl crt /etc/haproxy/certs/site.pem alpn h2,http/1.1\n    default_backend web\n" > /etc/haproxy/haproxy.cfg
'
rest='
install -d -m 700 /etc/letsencrypt/live /etc/letsencrypt/archive
install -d -m 755 /etc/letsencrypt/live/mail.example /etc/letsencrypt/archive/mail.example /etc/postfix
install -m 644 "$G/mail.crt" /etc/letsencrypt/archive/mail.example/cert1.pem
cat "$G/mail.crt" "$G/ca.crt" > /etc/letsencrypt/archive/mail.example/fullchain1.pem
ln -s ../../archive/mail.example/cert1.pem /etc/letsencrypt/live/mail.example/cert.pem
ln -s ../../archive/mail.example/fullchain1.pem /etc/letsencrypt/live/mail.example/fullchain.pem
printf "smtpd_tls_cert_file = /etc/letsencrypt/live/mail.example/fullchain.pem\nsmtpd_tls_key_file = /etc/letsencrypt/live/mail.example/privkey.pem\n" > /etc/postfix/main.cf
install -d -m 755 /etc/apache2/sites-enabled /etc/ssl/legacy /etc/pki/tls/certs /etc/pki/ca-trust/extracted/pem /etc/dovecot/conf.d
install -m 644 "$G/portal.crt" /etc/ssl/legacy/portal.crt
printf "<VirtualHost *:443>\n    ServerName portal.example\n    SSLEngine on\n    SSLCertificateFile \"/etc/ssl/legacy/portal.crt\"\n</VirtualHost>\n" > /etc/apache2/sites-enabled/portal.conf
install -m 644 "$G/localhost.crt" /etc/pki/tls/certs/localhost.crt
install -m 644 "$G/ca.crt" /etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem
ln -s /etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem /etc/pki/tls/certs/ca-bundle.crt
install -m 644 "$G/der-only.crt" /etc/ssl/certs/der-only.crt
printf "ssl = required\nssl_cert = </etc/dovecot/private/dovecot.pem\n" > /etc/dovecot/conf.d/10-ssl.conf
'
in_overlay() { # UPPER SETUP CAPTURE-ARGS...
  upper=$1 setup=$2
  shift 2
  G="$dir/gen" unshare -m --propagation private sh -c \
    'mount -t overlay overlay -o "lowerdir=/etc,upperdir=$0,workdir=$0-work" /etc && eval "$1" && shift && exec "$@"' \
    "$upper" "$setup" "$@"
}
in_overlay "$dir/good" "$good" node dist/scripts/capture-fixtures.js --name debian-12-certs-good --probe certificates
in_overlay "$dir/all" "$good$rest" node dist/scripts/capture-fixtures.js --name debian-12-certs --probe certificates
rm -rf "$dir/all" "$dir/all-work" && mkdir "$dir/all" "$dir/all-work"
in_overlay "$dir/all" "$good$rest" node dist/scripts/capture-fixtures.js --name debian-12-certs-user --user 65534 --probe certificates
