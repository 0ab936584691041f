# Sourced by the capture scripts whose labs are a chroot seen through an overlay (capture-logins.sh,
# capture-scheduled.sh). Needs root, unshare with overlayfs, and `npm run build`.
#
# overlay_lab LOWER WORK NAME SETUP NET PROBE...: in a private mount namespace (this machine's mounts are not
# changed), mounts the overlay of the chroot LOWER with its upper layer in WORK (removed by the caller), /dev and
# /proc in it; runs SETUP (sh -eu) inside it, with NET non-empty this machine's resolv.conf bound read-only over the
# overlay's for the time of SETUP (for apt); then captures the PROBEs there as the fixture NAME.
overlay_lab() {
  _lower=$1 _work=$2 _name=$3 _setup=$4 _net=$5
  shift 5
  _probes=
  for _p in "$@"; do _probes="$_probes --probe $_p"; done
  mkdir -p "$_work/upper" "$_work/work" "$_work/merged"
  unshare -m --propagation private sh -eu -c '
    mount -t overlay overlay -o "lowerdir=$1,upperdir=$2/upper,workdir=$2/work" "$2/merged"
    mount --bind /dev "$2/merged/dev"
    mount -t proc proc "$2/merged/proc"
    if [ -n "$5" ]; then
      [ -e "$2/merged/etc/resolv.conf" ] || touch "$2/merged/etc/resolv.conf"
      mount --bind -o ro /etc/resolv.conf "$2/merged/etc/resolv.conf"
    fi
    chroot "$2/merged" /bin/sh -eu -c "$3"
    [ -z "$5" ] || umount "$2/merged/etc/resolv.conf"
    exec node dist/scripts/capture-fixtures.js --name "$4" --chroot "$2/merged" $6
  ' sh "$_lower" "$_work" "$_setup" "$_name" "$_net" "$_probes"
}
