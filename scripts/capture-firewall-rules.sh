#!/bin/sh
# Captures the firewall probe where real rules are loaded, without touching this machine's own firewall: in a
# network namespace of its own (hatang-rules, removed at the end), with an nftables table whose input policy is
# drop and one iptables-nft rule, as root (debian-12-rules) and as nobody (debian-12-rules-user).
# Needs root, nft, iptables and ufw installed (apt-get install nftables iptables ufw), and npm run build.
#   sh scripts/capture-firewall-rules.sh
set -eu
cd "$(dirname "$0")/.."
NS=hatang-rules
for t in nft iptables ufw; do command -v $t >/dev/null || { echo "capture-firewall-rules: $t is not installed" >&2; exit 2; }; done
ip netns del $NS 2>/dev/null || true
ip netns add $NS
trap 'ip netns del $NS' EXIT INT TERM
ip netns exec $NS nft -f - <<'RULES'
table inet hatang_fixture {
  chain input {
    type filter hook input priority filter; policy drop;
    ct state established,related accept comment "fixture: {braces} in a comment"
    iifname "lo" accept
    tcp dport { 22, 443 } accept
  }
  chain forward {
    type filter hook forward priority filter; policy drop;
  }
}
RULES
ip netns exec $NS iptables -A INPUT -p tcp --dport 2222 -j ACCEPT
node dist/scripts/capture-fixtures.js --name debian-12-rules --netns $NS --probe firewall
node dist/scripts/capture-fixtures.js --name debian-12-rules-user --netns $NS --user 65534 --probe firewall
