/**
 * apt's configuration is asked of apt-config (an `apt-config` and the `dpkg` it starts: ~8 ms of CPU on today's
 * machine, the awk below ~1.6 ms) only where it may differ from apt's defaults for what the sources commands read (sources.ts,
 * updates-sources.ts): APT_CONFIG set, an apt.conf(.d) file that cannot be read, or a line of one (not a `//` or `#`
 * comment) that could name the sources' paths (`etc`, `sourcelist`, `sourceparts`, the root `Dir`), the insecure
 * settings (`allow`) or a directive (`#include`, `#clear`): one awk. Else apt's defaults (sources.list,
 * sources.list.d/, both settings off). Sets `cfg` (non-empty: ask apt-config) and the positional parameters.
 */
export const APT_CONFIG_MAY_DIFFER = [
  '  cfg=${APT_CONFIG:+1}; set --',
  '  for f in /etc/apt/apt.conf /etc/apt/apt.conf.d/*; do [ -f "$f" ] || continue; if [ -r "$f" ]; then set -- "$@" "$f"; else cfg=1; fi; done',
  `  [ -n "$cfg" ] || [ $# -eq 0 ] || cfg=$(awk '{ l = tolower($0); sub(/^[ \\t]+/, "", l) } l ~ /^#(include|clear)/ || (l !~ /^(\\/\\/|#)/ && l ~ /etc|allow|sourcelist|sourceparts|dir[ \\t{"]/) { print 1; exit }' "$@")`,
].join('\n')
