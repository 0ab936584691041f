#!/bin/sh
# Captures the containers probe's fixtures (needs root, `npm run build`, podman from Debian and the trixie chroot of
# scripts/make-chroots.sh; no registry is reached):
# - debian-12-podman-pass: one plain container (bridge network, no mount) of an image built now;
# - debian-12-podman-fail: a container created --privileged --network host with a file bound at /var/run/docker.sock
#   inside, of an image whose creation date is set to 2023-01-01 (podman build --timestamp).
# The image is the trixie chroot imported; containers are created, not started (this sandbox refuses crun's
# setrlimit), which the probe lists all the same (`ps -a`). Only the hatang-* containers and images made here are
# removed after.
#   npm run build && sh scripts/capture-containers.sh
set -eu
chroot_dir=/var/tmp/hatang-chroots/trixie
dir=$(mktemp -d /tmp/hatang-capture-containers.XXXXXX)
cleanup() {
  podman rm -f hatang-plain hatang-privileged >/dev/null 2>&1 || true
  podman rmi -f localhost/hatang-old:fixture localhost/hatang-trixie:fixture >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
cleanup; dir=$(mktemp -d /tmp/hatang-capture-containers.XXXXXX)
if [ -n "$(podman ps -a -q)" ] || [ -n "$(podman images -q)" ]; then echo "podman has other containers or images: capture on a clean podman" >&2; exit 1; fi

tar -C "$chroot_dir" -c --exclude=./proc --exclude=./sys --exclude=./dev . | podman import --change 'CMD ["/bin/sleep","600"]' - localhost/hatang-trixie:fixture >/dev/null
podman create --name hatang-plain localhost/hatang-trixie:fixture >/dev/null
node dist/scripts/capture-fixtures.js --name debian-12-podman-pass --probe containers
podman rm -f hatang-plain >/dev/null

printf 'FROM localhost/hatang-trixie:fixture\nLABEL org.opencontainers.image.title=hatang-old\n' > "$dir/Containerfile"
podman build -q --timestamp 1672531200 -t localhost/hatang-old:fixture -f "$dir/Containerfile" "$dir" >/dev/null
podman rmi localhost/hatang-trixie:fixture >/dev/null 2>&1 || true
touch "$dir/docker.sock"
podman create --name hatang-privileged --privileged --network host -v "$dir/docker.sock:/var/run/docker.sock" localhost/hatang-old:fixture >/dev/null
node dist/scripts/capture-fixtures.js --name debian-12-podman-fail --probe containers
