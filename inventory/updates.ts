import {compareDpkgVersions} from '../src/model/versions/dpkg-version.js'

import {ParseError} from './kit/parse-error.js'
import type {ProbeResult} from './kit/implementation.js'
import {defineProbe, type CommandOutput} from './kit/probe.js'
import {failure, isoFromEpochSeconds, lines, notInstalled, succeeded, toInt} from './kit/probe-helpers.js'
import {updatesSection, PENDING_METHODS, STALE_CACHE_SECONDS, UPDATE_MANAGERS, type AutomaticUpdatesData, type PendingUpdate, type RebootData, type SourceData, type UpdatesData} from '../src/model/sections/updates.js'

// ---------------------------------------------------------------------------------------------------------------
// pending: on apt systems, the package lists themselves when reading them gives exactly apt's answer (the
// "lists" method: dpkg-query plus the Packages lists, filtered on the target to installed names; the
// candidates are then chosen here as apt's policy would), else `apt list --upgradable` (which rebuilds
// apt's cache: ~0.7 s of CPU where the binary cache is switched off, as in Docker images); dnf/yum
// check-update from the cache.

/** Release-file fields the lists method reads. */
const RELEASE_FIELDS = ['Origin', 'Label', 'Suite', 'Codename', 'Version', 'NotAutomatic', 'ButAutomaticUpgrades']

/**
 * Reads a stream of `dpkg-query` lines, then `@@list FILE<TAB>RELEASE` sections holding each decompressed
 * Packages list; prints I (installed), L/R/F (list, its Release file, the Release fields) and P (the
 * package, version, architecture of every stanza whose name is installed) lines. Exit 3 with `#fallback
 * WHY` lines when apt could answer differently (phased updates, no Release file or Suite, an unreadable list).
 */
const LISTS_AWK = [
  'function flush() {',
  '  if (m == 1 && p != "" && (p in inst)) { print "P " p " " v " " a; if (ph != "") { print "#fallback phased update (Phased-Update-Percentage) of " p; bad = 1 } }',
  '  p = ""; v = ""; a = ""; ph = ""',
  '}',
  '/^@@list / {',
  '  flush(); m = 1; s = substr($0, 8); t = index(s, "\\t"); f = substr(s, 1, t - 1); r = substr(s, t + 1)',
  '  print "L " f',
  '  if (r == "") { print "#fallback no Release file for " f; bad = 1; next }',
  '  print "R " r; su = 0',
  '  while ((getline line < r) > 0) {',
  '    if (line ~ /^(MD5Sum|SHA1|SHA256|SHA512):/) break',
  `    if (line ~ /^(${RELEASE_FIELDS.join('|')}):/) { print "F " line; if (line ~ /^Suite:[ \\t]*[^ \\t]/) su = 1 }`,
  '  }',
  '  close(r)',
  '  if (!su) { print "#fallback no Suite in " r; bad = 1 }',
  '  next',
  '}',
  '/^@@fail/ { print "#fallback cannot read " f; bad = 1; next }',
  'm == 0 { if ($0 != "") { print "I " $0; n = $1; sub(/:.*/, "", n); inst[n] = 1 }; next }',
  '/^$/ { flush(); next }',
  '/^Package:/ { flush(); p = $2; next }',
  '/^Version:/ { v = $2; next }',
  '/^Architecture:/ { a = $2; next }',
  '/^Phased-Update-Percentage:/ { ph = $2; next }',
  'END { flush(); if (bad) exit 3 }',
].join('\n')

/**
 * Preferences apt would read: safe only when every pin is `Pin: origin HOST` for a host no list comes
 * from (inert, like this machine's pins for a disabled nodesource repository). Anything else: fall back.
 */
const PREFS_AWK = [
  '/^[ \\t]*(#|$)/ { next }',
  '/^(Package|Pin-Priority|Explanation):/ { next }',
  '/^Pin:[ \\t]*origin[ \\t]/ {',
  '  h = $0; sub(/^Pin:[ \\t]*origin[ \\t]+/, "", h); gsub(/"/, "", h); sub(/[ \\t]+$/, "", h); h = tolower(h)',
  '  if (h == "" || h ~ /[*?\\/]/) { print FILENAME ": a pin that may match: " $0; exit 1 }',
  '  n = split(hosts, hs, " "); for (i = 1; i <= n; i++) { x = tolower(hs[i]); sub(/:.*/, "", x); if (x == h) { print FILENAME ": pins origin " h; exit 1 } }',
  '  next',
  '}',
  '{ print FILENAME ": not an inert origin pin: " $0; exit 1 }',
].join('\n')

const APT_LIST_GLOBS = ['', '.lz4', '.gz', '.xz', '.zst', '.bz2', '.lzma'].map((x) => `"$L"*_Packages${x}`).join(' ')

const APT_PENDING = [
  'echo "#manager apt"',
  'L= P= PP= SL= SP= DR= A= _why=',
  'eval "$(apt-config shell L Dir::State::lists/d P Dir::Etc::preferences/f PP Dir::Etc::preferencesparts/d SL Dir::Etc::sourcelist/f SP Dir::Etc::sourceparts/d DR APT::Default-Release A APT::Architecture 2>/dev/null)"',
  '[ -n "$A" ] || A=$(dpkg --print-architecture 2>/dev/null)',
  'if [ -z "$L" ] || [ -z "$A" ]; then _why="apt-config gave no lists directory or architecture"',
  'elif [ -n "$DR" ]; then _why="APT::Default-Release is set"',
  'else',
  '  _n=0; for f in ' + APT_LIST_GLOBS + '; do [ -f "$f" ] && _n=$((_n + 1)); done',
  '  [ "$_n" -eq 0 ] && _why="no package lists"',
  '  _ref=$(ls -td "$L" "${L}partial" /var/lib/apt/periodic/update-success-stamp 2>/dev/null | head -n 1)',
  '  [ -z "$_why" ] && [ -n "$(find "$SL" "$SP" -maxdepth 1 -newer "$_ref" 2>/dev/null | head -n 1)" ] && _why="sources changed since the lists were last updated"',
  '  if [ -z "$_why" ]; then',
  '    set --; [ -f "$P" ] && set -- "$P"; for f in "$PP"*; do [ -f "$f" ] && set -- "$@" "$f"; done',
  `    [ $# -gt 0 ] && _why=$(awk -v hosts="$(ls "$L" | sed -n 's/_.*//p' | sort -u | tr '\\n' ' ')" '${PREFS_AWK}' "$@" 2>&1 | head -n 1)`,
  '  fi',
  'fi',
  'if [ -z "$_why" ]; then',
  "  _inst=$(dpkg-query -W -f='${binary:Package} ${Version} ${Architecture} ${db:Status-Abbrev}\\n' 2>/dev/null) || _why=\"dpkg-query failed\"",
  'fi',
  'if [ -z "$_why" ]; then',
  // only the stanzas of installed names reach awk (1–2% of a Debian list, instead of every stanza); GNU
  // grep's -A takes a stanza's Version, Architecture and Phased-Update-Percentage lines with its Package line
  "  _pat=$(printf '%s\\n' \"$_inst\" | sed 's/[: ].*//; s/^/Package: /')",
  "  if [ \"$(printf 'Package: a\\nb\\n--\\n' | grep -F -x -A 3 --no-group-separator -e 'Package: a' 2>/dev/null)\" = \"$(printf 'Package: a\\nb')\" ]; then",
  '    _st() { grep -F -x -A 3 --no-group-separator -e "$_pat" -e @@fail; }',
  '  else _st() { cat; }; fi',
  "  _fl() { grep -e '^Package:' -e '^Version:' -e '^Architecture:' -e '^Phased-Update-Percentage:' -e '^@@fail' \"$@\"; }",
  '  _out=$({ printf \'%s\\n\' "$_inst"; for f in ' + APT_LIST_GLOBS + '; do',
  '    [ -f "$f" ] || continue',
  '    r=; b=${f%_Packages*}',
  '    while :; do',
  '      if [ -f "${b}_InRelease" ]; then r="${b}_InRelease"; break; elif [ -f "${b}_Release" ]; then r="${b}_Release"; break; fi',
  '      case $b in */*_*) b=${b%_*} ;; *) break ;; esac',
  '    done',
  '    printf \'@@list %s\\t%s\\n\' "$f" "$r"',
  // the tool of the format when there is one (lz4cat is 3x faster than apt-helper here), else apt's own
  // reader; a list read twice after a failure only repeats stanzas, which changes nothing
  '    case $f in',
  '      *.lz4|*.gz|*.xz|*.lzma|*.zst|*.bz2) { case $f in',
  '        *.lz4) lz4cat "$f" ;; *.gz) gzip -dc "$f" ;; *.xz|*.lzma) xz -dc "$f" ;; *.zst) zstd -dcq "$f" ;; *) bzip2 -dc "$f" ;;',
  '        esac 2>/dev/null || /usr/lib/apt/apt-helper cat-file "$f" 2>/dev/null || echo "@@fail"; } | _fl ;;',
  // uncompressed (apt's default): grep reads the file itself, no 50 MB copy through a pipe (a third of the cost)
  '      *) _fl "$f" 2>/dev/null; [ $? -le 1 ] || echo "@@fail" ;;',
  '    esac | _st',
  `  done; } | awk '${LISTS_AWK}')`,
  '  _rc=$?',
  '  if [ "$_rc" -eq 0 ]; then echo "#method lists"; echo "#arch $A"; printf \'%s\\n\' "$_out"; exit 0; fi',
  '  _why=$(printf \'%s\\n\' "$_out" | sed -n \'s/^#fallback //p\' | head -n 1)',
  '  [ -n "$_why" ] || _why="reading the lists failed (exit $_rc)"',
  'fi',
  'echo "#method apt-list"',
  'echo "#fallback $_why"',
  'exec apt list --upgradable',
].join('\n')

const PENDING = [
  `if command -v apt >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; then ${'\n'}${APT_PENDING}`,
  'elif command -v dnf >/dev/null 2>&1; then echo "#manager dnf"; dnf -C -q check-update',
  'elif command -v yum >/dev/null 2>&1; then echo "#manager yum"; yum -C -q check-update',
  'else exit 127; fi',
  // check-update exits 100 when there are updates
  '_rc=$?; [ "$_rc" -eq 100 ] && exit 0; exit "$_rc"',
].join('\n')

const SECURITY = [
  'if command -v apt >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; then exit 127',
  'elif command -v dnf >/dev/null 2>&1; then exec dnf -C -q updateinfo list --security',
  'elif command -v yum >/dev/null 2>&1; then exec yum -C -q updateinfo list security',
  'else exit 127; fi',
].join('\n')

/** The configured sources: `#manager`, then `==> FILE` and the file's lines without whole-line comments (`!denied FILE` when unreadable). */
const SOURCES = [
  'show() { if [ -r "$1" ]; then echo "==> $1"; grep -v "^[[:space:]]*[#;]" "$1"; echo; else echo "!denied $1"; fi; }',
  'if command -v apt-config >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; then',
  '  echo "#manager apt"; SL= SP=',
  '  eval "$(apt-config shell SL Dir::Etc::sourcelist/f SP Dir::Etc::sourceparts/d 2>/dev/null)"',
  '  [ -n "$SL" ] || SL=/etc/apt/sources.list; [ -n "$SP" ] || SP=/etc/apt/sources.list.d/',
  '  [ -f "$SL" ] && show "$SL"',
  '  for f in "$SP"*.list "$SP"*.sources; do [ -f "$f" ] && show "$f"; done',
  'elif command -v dnf >/dev/null 2>&1 || command -v yum >/dev/null 2>&1; then',
  '  echo "#manager dnf"',
  '  for f in /etc/yum.repos.d/*.repo /etc/distro.repos.d/*.repo; do [ -f "$f" ] && show "$f"; done',
  'else exit 127; fi',
  'exit 0',
].join('\n')

const UNITS = ['apt-daily-upgrade.timer', 'dnf-automatic.timer', 'dnf-automatic-install.timer', 'dnf5-automatic.timer', 'yum-cron.service']

/** Everything else, from files and cheap tools only: one `key value` line each. */
const STATE = [
  'echo "now $(date +%s)"',
  "sed -n 's/^btime /boot /p' /proc/stat 2>/dev/null",
  'echo "kernel $(uname -r)"',
  "stat -c 'mtime %Y %n' /var/lib/apt/lists /var/lib/apt/periodic/update-success-stamp /var/run/reboot-required" +
    ' /var/cache/dnf/*/repodata/repomd.xml /var/cache/libdnf5/*/repodata/repomd.xml /var/cache/yum/*/*/*/repomd.xml' +
    ' /boot/vmlinuz-* /boot/vmlinux-* 2>/dev/null',
  'set -- /var/lib/apt/lists/*_Packages*; [ -e "$1" ] && echo "aptlists $#"',
  'for d in /lib/modules/* /usr/lib/modules/*; do [ -d "$d" ] && echo "module ${d##*/}"; done',
  "[ -r /var/run/reboot-required.pkgs ] && sed 's/^/rebootpkg /' /var/run/reboot-required.pkgs",
  'if command -v needs-restarting >/dev/null 2>&1; then needs-restarting -r >/dev/null 2>&1; echo "needsrestarting $?"; fi',
  'for t in unattended-upgrade dnf-automatic yum-cron; do command -v $t >/dev/null 2>&1 && echo "tool $t"; done',
  'command -v apt-config >/dev/null 2>&1 && apt-config shell UU APT::Periodic::Unattended-Upgrade UPL APT::Periodic::Update-Package-Lists EN APT::Periodic::Enable | sed \'s/^/aptconf /\'',
  "[ -r /etc/dnf/automatic.conf ] && sed -n 's/^[[:space:]]*apply_updates[[:space:]]*=[[:space:]]*/dnfapply /p' /etc/dnf/automatic.conf",
  `if command -v systemctl >/dev/null 2>&1; then for u in ${UNITS.join(' ')}; do for p in /etc/systemd/system /lib/systemd/system /usr/lib/systemd/system; do if [ -e "$p/$u" ]; then echo "unit $u $(systemctl is-enabled "$u" 2>/dev/null)"; break; fi; done; done; fi`,
  'exit 0',
].join('\n')

// ---------------------------------------------------------------------------------------------------------------
// parsers

export interface PendingList {
  manager: (typeof UPDATE_MANAGERS)[number]
  packages: PendingUpdate[]
}

const SECURITY_ARCHIVE = /-security$|^[a-z]+\/updates$/

/** Parses `apt list --upgradable`: `name/archive[,archive] candidate arch [upgradable from: current]`. */
export function parseAptUpgradable(text: string): PendingUpdate[] {
  const out: PendingUpdate[] = []
  lines(text).forEach((line, i) => {
    if (line === '' || line.startsWith('Listing...') || line.startsWith('#')) return
    const m = /^([^\s/]+)\/(\S+) (\S+) (\S+) \[upgradable from: ([^\]\s]+)\]$/.exec(line)
    if (!m) throw new ParseError(`not an "apt list --upgradable" line: ${JSON.stringify(line.slice(0, 120))}`, i + 1)
    const origins = m[2]!.split(',').filter(Boolean)
    if (origins.length === 0) throw new ParseError('no archive', i + 1)
    out.push({
      name: m[1]!,
      architecture: m[4]!,
      current: m[5]!,
      candidate: m[3]!,
      security: origins.some((o) => SECURITY_ARCHIVE.test(o)),
      origins,
    })
  })
  return out
}

/**
 * Parses `dnf|yum -C -q check-update`: `name.arch  [epoch:]version-release  repo` lines, a long name
 * wrapped onto its own line, then an optional "Obsoleting Packages" section (not updates of their own).
 */
export function parseCheckUpdate(text: string): PendingUpdate[] {
  const out: PendingUpdate[] = []
  let carried = ''
  for (const [i, raw] of lines(text).entries()) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#manager ')) continue
    if (/^Obsoleting Packages/i.test(line)) break
    if (/^(Last metadata expiration check|Security:)/.test(line)) continue
    const fields = (carried ? `${carried} ${line}` : line).split(/\s+/)
    if (fields.length === 1) {
      carried = fields[0]!
      continue
    }
    carried = ''
    if (fields.length !== 3) throw new ParseError(`expected "name.arch version repo": ${JSON.stringify(line.slice(0, 120))}`, i + 1)
    const [nameArch, candidate, repo] = fields as [string, string, string]
    const dot = nameArch.lastIndexOf('.')
    if (dot <= 0 || dot === nameArch.length - 1) throw new ParseError(`no architecture in ${JSON.stringify(nameArch.slice(0, 80))}`, i + 1)
    if (!/^(\d+:)?[^:-][^:]*-[^-]+$/.test(candidate)) throw new ParseError(`not a version-release: ${JSON.stringify(candidate.slice(0, 80))}`, i + 1)
    out.push({name: nameArch.slice(0, dot), architecture: nameArch.slice(dot + 1), candidate, security: false, origins: [repo]})
  }
  if (carried) throw new ParseError('output ends inside a wrapped line')
  return out
}

const NEVRA = /^(.+)-(?:\d+:)?[^-]+-[^-]+\.(x86_64|noarch|i686|i386|aarch64|ppc64le|ppc64|s390x|armv7hl|riscv64|src)$/

/** Parses `dnf updateinfo list --security` (dnf 4, dnf 5) and `yum updateinfo list security`: the names of the packages that advisories fix. */
export function parseSecurityAdvisories(text: string): Set<string> {
  const names = new Set<string>()
  for (const line of lines(text)) {
    for (const token of line.trim().split(/\s+/)) {
      const m = NEVRA.exec(token)
      if (m) names.add(`${m[1]}.${m[2]}`)
    }
  }
  return names
}

export interface InstalledDeb {
  name: string
  architecture: string
  version: string
  /** dpkg's db:Status-Abbrev: want, state, error flags ("ii ", "rc ", "hi "…). */
  status: string
}

export interface AptList {
  file: string
  release: string
  /** Release-file fields (Origin, Label, Suite, Codename, Version, NotAutomatic, ButAutomaticUpgrades). */
  fields: Record<string, string>
  packages: {name: string; version: string; architecture: string}[]
}

export interface AptListsOutput {
  nativeArch: string
  installed: InstalledDeb[]
  lists: AptList[]
}

/** Parses the `lists` method of the pending command: `#arch`, `I`nstalled, `L`ist, `R`elease, `F`ield and `P`ackage lines. */
export function parseAptLists(text: string): AptListsOutput {
  let nativeArch: string | undefined
  let method = false
  const installed: InstalledDeb[] = []
  const lists: AptList[] = []
  lines(text).forEach((line, i) => {
    if (line === '') return
    const sp = line.indexOf(' ')
    const tag = sp < 0 ? line : line.slice(0, sp)
    const rest = sp < 0 ? '' : line.slice(sp + 1)
    const list = lists.at(-1)
    switch (tag) {
      case '#manager':
        return
      case '#method':
        if (rest !== 'lists') throw new ParseError(`not the lists method: ${JSON.stringify(rest.slice(0, 40))}`, i + 1)
        method = true
        return
      case '#arch':
        if (!/^[a-z0-9-]+$/.test(rest)) throw new ParseError(`not an architecture: ${JSON.stringify(rest.slice(0, 40))}`, i + 1)
        nativeArch = rest
        return
      case 'I': {
        const m = /^([^\s:]+)(?::[a-z0-9-]+)? (\S+) ([a-z0-9-]+) ([a-z][a-zA-Z ][a-zA-Z ]?) *$/.exec(rest)
        if (!m) throw new ParseError(`expected "I NAME VERSION ARCH STATUS": ${JSON.stringify(line.slice(0, 120))}`, i + 1)
        installed.push({name: m[1]!, version: m[2]!, architecture: m[3]!, status: m[4]!.padEnd(3)})
        return
      }
      case 'L':
        if (!rest.startsWith('/')) throw new ParseError(`expected "L /path/to/list": ${JSON.stringify(line.slice(0, 120))}`, i + 1)
        lists.push({file: rest, release: '', fields: {}, packages: []})
        return
      case 'R':
        if (!list || !rest.startsWith('/')) throw new ParseError(`Release file outside a list: ${JSON.stringify(line.slice(0, 120))}`, i + 1)
        list.release = rest
        return
      case 'F': {
        const m = /^([A-Za-z-]+):[ \t]*(.*?)\s*$/.exec(rest)
        if (!list || !m) throw new ParseError(`expected "F Field: value" in a list: ${JSON.stringify(line.slice(0, 120))}`, i + 1)
        list.fields[m[1]!] = m[2]!
        return
      }
      case 'P': {
        const m = /^(\S+) (\S+) (\S+)$/.exec(rest)
        if (!list || !m) throw new ParseError(`expected "P NAME VERSION ARCH" in a list: ${JSON.stringify(line.slice(0, 120))}`, i + 1)
        list.packages.push({name: m[1]!, version: m[2]!, architecture: m[3]!})
        return
      }
      default:
        throw new ParseError(`unknown line ${JSON.stringify(line.slice(0, 80))}`, i + 1)
    }
  })
  if (!method || nativeArch === undefined) throw new ParseError('no "#method lists" and "#arch" lines')
  for (const l of lists) if (!l.release || !l.fields.Suite) throw new ParseError(`no Release file or Suite for ${l.file}`)
  return {nativeArch, installed, lists}
}

const yes = (v: string | undefined) => v !== undefined && /^yes$/i.test(v.trim())

/** apt's default pin priority of an archive: 1 for NotAutomatic, 100 with ButAutomaticUpgrades, else 500. */
export function archivePriority(fields: Record<string, string>): number {
  return yes(fields.NotAutomatic) ? (yes(fields.ButAutomaticUpgrades) ? 100 : 1) : 500
}

/** The priority of the installed version (dpkg's status file), as apt's policy gives it. */
const STATUS_PRIORITY = 100

const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/**
 * The packages `apt list --upgradable` would print, from the lists themselves, with apt's candidate
 * selection (pkgPolicy::GetCandidateVer without pins): walk the versions of name:arch from the highest
 * down, keep the first one of the highest priority seen so far (each archive's priority, the installed
 * version also 100 from the status file), and stop at the installed version (apt never picks a lower one
 * without a pin of 1000 or more). Pending = the candidate is newer than the installed version.
 */
export function pendingFromLists(o: AptListsOutput): PendingUpdate[] {
  const archOf = (a: string) => (a === 'all' ? o.nativeArch : a)
  interface Avail {
    version: string
    architecture: string
    priority: number
    suites: string[]
  }
  const available = new Map<string, Avail[]>()
  for (const list of o.lists) {
    const priority = archivePriority(list.fields)
    const suite = list.fields.Suite!
    for (const p of list.packages) {
      const key = `${p.name}:${archOf(p.architecture)}`
      let versions = available.get(key)
      if (!versions) available.set(key, (versions = []))
      const same = versions.find((v) => compareDpkgVersions(v.version, p.version) === 0)
      if (same) {
        same.priority = Math.max(same.priority, priority)
        if (!same.suites.includes(suite)) same.suites.push(suite)
      } else versions.push({version: p.version, architecture: p.architecture, priority, suites: [suite]})
    }
  }
  const out: PendingUpdate[] = []
  for (const inst of o.installed) {
    // installed = dpkg knows a current version (not "not-installed" nor "config-files")
    if (inst.status[1] === 'n' || inst.status[1] === 'c') continue
    const versions = [...(available.get(`${inst.name}:${archOf(inst.architecture)}`) ?? [])]
    if (versions.length === 0) continue
    if (!versions.some((v) => compareDpkgVersions(v.version, inst.version) === 0))
      versions.push({version: inst.version, architecture: inst.architecture, priority: 0, suites: []})
    versions.sort((a, b) => compareDpkgVersions(b.version, a.version))
    let best: Avail | undefined
    let max = 0
    for (const v of versions) {
      const isInstalled = compareDpkgVersions(v.version, inst.version) === 0
      const priority = isInstalled ? Math.max(v.priority, STATUS_PRIORITY) : v.priority
      if (priority > max) {
        best = v
        max = priority
      }
      if (isInstalled) break
    }
    if (!best || compareDpkgVersions(best.version, inst.version) <= 0) continue
    out.push({
      name: inst.name,
      architecture: best.architecture,
      current: inst.version,
      candidate: best.version,
      security: best.suites.some((s) => SECURITY_ARCHIVE.test(s)),
      // apt prints the archives in the order of sources.list, which the lists do not tell: sorted here
      origins: [...best.suites].sort(byteOrder),
    })
  }
  // apt list sorts its lines, which start with "name/": apt-transport-https before apt
  return out.sort((a, b) => byteOrder(`${a.name}/`, `${b.name}/`) || byteOrder(a.architecture ?? '', b.architecture ?? ''))
}

const DNF_SECURITY_REPO = /(^|[-_])(baseos|appstream)([-_]|$)|^rhel-\d+-server-rpms$|^updates$|^amazonlinux$|^amzn2-core$/i

/** One-line style: `deb [opt=v …] URI SUITE [COMPONENT…]`. */
function oneLineSource(file: string, line: string): SourceData | undefined {
  const text = line.replace(/\s#.*$/, '').trim()
  const m = /^(deb|deb-src)\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)(.*)$/.exec(text)
  if (!m) return undefined
  const type = m[1] as 'deb' | 'deb-src'
  const suite = m[3]!
  return {file, type, uri: m[2]!, suite, components: m[4]!.trim().split(/\s+/).filter(Boolean), security: type === 'deb' && SECURITY_ARCHIVE.test(suite)}
}

/** A deb822 stanza (Types, URIs, Suites, Components, Enabled): one source per type, URI and suite. */
function deb822Sources(file: string, fields: Map<string, string>): SourceData[] {
  if (/^(no|false|0)$/i.test(fields.get('enabled') ?? 'yes')) return []
  const list = (k: string) => (fields.get(k) ?? '').split(/\s+/).filter(Boolean)
  const components = list('components')
  const out: SourceData[] = []
  for (const type of list('types')) {
    if (type !== 'deb' && type !== 'deb-src') continue
    for (const uri of list('uris')) for (const suite of list('suites')) out.push({file, type, uri, suite, components, security: type === 'deb' && SECURITY_ARCHIVE.test(suite)})
  }
  return out
}

/**
 * Parses the `sources` command: the manager, then each file (`==> FILE` and its lines; `!denied FILE` when it
 * could not be read). apt: one-line `.list` files and deb822 `.sources` files (stanzas apart by blank lines,
 * `Enabled: no` skipped); dnf/yum: `.repo` INI sections whose `enabled` is not 0. Only enabled sources are returned.
 */
export function parseSources(text: string): {manager: 'apt' | 'dnf'; sources: SourceData[]; denied: string[]} {
  const all = lines(text)
  const head = /^#manager (apt|dnf)$/.exec(all[0] ?? '')
  if (!head) throw new ParseError('expected "#manager apt" or "#manager dnf" on the first line', 1)
  const manager = head[1] as 'apt' | 'dnf'
  const sources: SourceData[] = []
  const denied: string[] = []
  let file: string | undefined
  let fields = new Map<string, string>()
  let lastKey: string | undefined
  let repo: {id: string; values: Map<string, string>} | undefined
  const flush = () => {
    if (file && file.endsWith('.sources') && fields.size > 0) sources.push(...deb822Sources(file, fields))
    if (file && repo && !/^(0|no|false)$/i.test(repo.values.get('enabled') ?? '1')) {
      const uri = repo.values.get('baseurl')?.split(/[\s,]+/)[0] || repo.values.get('mirrorlist') || repo.values.get('metalink')
      sources.push({file, type: 'repo', ...(uri ? {uri} : {}), components: [], id: repo.id, ...(repo.values.get('name') ? {name: repo.values.get('name')!} : {}), security: DNF_SECURITY_REPO.test(repo.id)})
    }
    fields = new Map()
    lastKey = undefined
    repo = undefined
  }
  for (const [i, raw] of all.slice(1).entries()) {
    const n = i + 2
    const start = /^==> (\/\S*)$/.exec(raw)
    if (start) {
      flush()
      file = start[1]!
      continue
    }
    const den = /^!denied (\/\S*)$/.exec(raw)
    if (den) {
      flush()
      file = undefined
      denied.push(den[1]!)
      continue
    }
    if (file === undefined) {
      if (raw.trim() === '') continue
      throw new ParseError('a line before the first "==> FILE"', n)
    }
    const line = raw.replace(/\r$/, '')
    if (manager === 'dnf') {
      const section = /^\s*\[([^\]]+)\]\s*$/.exec(line)
      if (section) {
        flush()
        repo = {id: section[1]!.trim(), values: new Map()}
      } else if (repo) {
        const kv = /^\s*([A-Za-z_0-9]+)\s*=\s*(.*?)\s*$/.exec(line)
        if (kv) repo.values.set(kv[1]!.toLowerCase(), kv[2]!)
      }
    } else if (file.endsWith('.sources')) {
      if (line.trim() === '') flush()
      else if (/^\s/.test(line) && lastKey) fields.set(lastKey, `${fields.get(lastKey)} ${line.trim()}`)
      else {
        const kv = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line)
        if (!kv) throw new ParseError(`${file}: not a deb822 field: ${JSON.stringify(line.slice(0, 80))}`, n)
        lastKey = kv[1]!.toLowerCase()
        fields.set(lastKey, kv[2]!.trim())
      }
    } else {
      const src = oneLineSource(file, line)
      if (src) sources.push(src)
    }
  }
  flush()
  return {manager, sources, denied}
}

/** The method line of the apt pending command: `lists` or `apt-list` (older captures print none: apt-list). */
export function aptMethodOf(text: string): (typeof PENDING_METHODS)[number] {
  return /^#method lists$/m.test(text) ? 'lists' : 'apt-list'
}

export interface UpdateState {
  nowEpoch?: number
  bootEpoch?: number
  runningKernel?: string
  /** path → mtime (seconds since the epoch). */
  mtimes: Map<string, number>
  aptListFiles: number
  modules: string[]
  rebootPackages: string[]
  needsRestarting?: number
  tools: Set<string>
  aptConfig: Map<string, string>
  dnfApplyUpdates?: string
  units: Map<string, string>
}

/** Parses the `state` command: one `key value` line each. */
export function parseUpdateState(text: string): UpdateState {
  const s: UpdateState = {mtimes: new Map(), aptListFiles: 0, modules: [], rebootPackages: [], tools: new Set(), aptConfig: new Map(), units: new Map()}
  let known = 0
  lines(text).forEach((line, i) => {
    if (line.trim() === '') return
    const sp = line.indexOf(' ')
    const key = sp < 0 ? line : line.slice(0, sp)
    const value = sp < 0 ? '' : line.slice(sp + 1)
    known++
    switch (key) {
      case 'now':
        s.nowEpoch = epoch(value, i)
        break
      case 'boot':
        s.bootEpoch = epoch(value, i)
        break
      case 'kernel':
        if (value.trim()) s.runningKernel = value.trim()
        break
      case 'mtime': {
        const m = /^(\d+) (\/.*)$/.exec(value)
        if (!m) throw new ParseError(`expected "mtime SECONDS PATH": ${JSON.stringify(line.slice(0, 120))}`, i + 1)
        s.mtimes.set(m[2]!, Number(m[1]))
        break
      }
      case 'aptlists':
        s.aptListFiles = toInt(value) ?? bad(line, i)
        break
      case 'module':
        if (value && !s.modules.includes(value)) s.modules.push(value)
        break
      case 'rebootpkg':
        if (value.trim() && !s.rebootPackages.includes(value.trim())) s.rebootPackages.push(value.trim())
        break
      case 'needsrestarting':
        s.needsRestarting = toInt(value) ?? bad(line, i)
        break
      case 'tool':
        s.tools.add(value)
        break
      case 'aptconf': {
        const m = /^([A-Z]+)='(.*)'$/.exec(value)
        if (!m) throw new ParseError(`expected apt-config shell output: ${JSON.stringify(line.slice(0, 120))}`, i + 1)
        s.aptConfig.set(m[1]!, m[2]!)
        break
      }
      case 'dnfapply':
        s.dnfApplyUpdates = value.trim()
        break
      case 'unit': {
        const [unit, state] = value.split(' ')
        if (!unit) bad(line, i)
        s.units.set(unit!, state ?? '')
        break
      }
      default:
        known--
        throw new ParseError(`unknown line ${JSON.stringify(line.slice(0, 80))}`, i + 1)
    }
  })
  if (known === 0 || s.runningKernel === undefined || s.nowEpoch === undefined) throw new ParseError('no "now" and "kernel" lines')
  return s
}

function epoch(value: string, i: number): number {
  const n = toInt(value)
  if (n === undefined || n < 0) throw new ParseError(`not seconds since the epoch: ${JSON.stringify(value.slice(0, 40))}`, i + 1)
  return n
}

function bad(line: string, i: number): never {
  throw new ParseError(`malformed line ${JSON.stringify(line.slice(0, 80))}`, i + 1)
}

/** The leading numbers of a kernel release: 6.1.0-26-amd64 → [6, 1, 0, 26]; 5.14.0-427.13.1.el9_4.x86_64 → [5, 14, 0, 427, 13, 1]. */
export function kernelNumbers(release: string): number[] {
  const m = /^\d+(?:[.-]\d+)*/.exec(release)
  return m ? m[0].split(/[.-]/).map(Number) : []
}

/** Compares two kernel releases by their leading numbers (flavours of the same version compare equal). */
export function compareKernels(a: string, b: string): number {
  const x = kernelNumbers(a)
  const y = kernelNumbers(b)
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? -1) - (y[i] ?? -1)
    if (d !== 0) return d
  }
  return 0
}

/** Reboot signals: reboot-required, needs-restarting -r, a newer kernel installed, the running kernel's image replaced since boot. */
export function rebootFrom(s: UpdateState): RebootData {
  const running = s.runningKernel!
  const reasons: string[] = []
  let no = false
  const flagFile = [...s.mtimes.keys()].find((p) => /\/run\/reboot-required$/.test(p))
  if (flagFile) reasons.push(`${flagFile} exists`)
  if (s.needsRestarting === 1) reasons.push('needs-restarting -r says so')
  else if (s.needsRestarting === 0) no = true
  const images = new Map<string, number>()
  for (const [p, t] of s.mtimes) {
    const m = /^\/boot\/vmlinu[xz]-(.+)$/.exec(p)
    if (m) images.set(m[1]!, t)
  }
  const installed = (images.size > 0 ? [...images.keys()] : [...s.modules]).filter((k) => kernelNumbers(k).length > 0)
  installed.sort((a, b) => compareKernels(a, b) || (a < b ? -1 : a > b ? 1 : 0))
  const newest = installed.at(-1)
  if (newest !== undefined) {
    if (compareKernels(newest, running) > 0) reasons.push(`kernel ${newest} installed, ${running} running`)
    else if (installed.includes(running)) no ||= s.needsRestarting === undefined
    const image = images.get(running)
    if (image !== undefined && s.bootEpoch !== undefined && image > s.bootEpoch) reasons.push(`kernel image of ${running} replaced since boot`)
  }
  const required = reasons.length > 0 ? true : no ? false : undefined
  return {
    ...(required === undefined ? {} : {required}),
    reasons,
    packages: s.rebootPackages,
    runningKernel: running,
    installedKernels: installed,
    ...(newest ? {newestKernel: newest} : {}),
  }
}

const OFF_STATES = new Set(['disabled', 'masked', 'masked-runtime', 'static', 'indirect', 'bad', ''])

export function automaticUpdatesFrom(s: UpdateState, manager: (typeof UPDATE_MANAGERS)[number] | undefined): AutomaticUpdatesData {
  const unit = (names: string[]) => names.find((u) => s.units.has(u))
  const prefersDnf = manager === 'dnf' || manager === 'yum'
  if (s.tools.has('unattended-upgrade') && !prefersDnf) {
    const uu = s.aptConfig.get('UU')
    const upl = s.aptConfig.get('UPL')
    const off = (v: string | undefined) => v === undefined || v === '' || v === '0'
    const u = unit(['apt-daily-upgrade.timer'])
    const state = u ? s.units.get(u) : undefined
    const timerOff = state !== undefined && OFF_STATES.has(state)
    return {
      mechanism: 'unattended-upgrades',
      enabled: !off(uu) && s.aptConfig.get('EN') !== '0' && !timerOff,
      ...(u ? {unit: u} : {}),
      ...(state ? {unitState: state} : {}),
      unattendedUpgrade: uu ?? '',
      updatePackageLists: upl ?? '',
    }
  }
  const dnfUnit = unit(['dnf-automatic-install.timer', 'dnf-automatic.timer', 'dnf5-automatic.timer'])
  if (s.tools.has('dnf-automatic') || dnfUnit) {
    const enabledUnit = ['dnf-automatic-install.timer', 'dnf-automatic.timer', 'dnf5-automatic.timer'].find((u) => s.units.get(u) === 'enabled')
    const u = enabledUnit ?? dnfUnit
    const apply = s.dnfApplyUpdates === undefined ? undefined : /^(1|yes|true|on)$/i.test(s.dnfApplyUpdates)
    return {
      mechanism: 'dnf-automatic',
      ...(s.units.size > 0 || u ? {enabled: enabledUnit !== undefined} : {}),
      ...(u ? {unit: u, unitState: s.units.get(u) || 'unknown'} : {}),
      ...(enabledUnit === 'dnf-automatic-install.timer' ? {applyUpdates: true} : apply === undefined ? {} : {applyUpdates: apply}),
    }
  }
  if (s.tools.has('yum-cron')) {
    const state = s.units.get('yum-cron.service')
    return {
      mechanism: 'yum-cron',
      ...(state === undefined ? {} : {enabled: state === 'enabled', unit: 'yum-cron.service', unitState: state || 'unknown'}),
    }
  }
  return {mechanism: 'none', enabled: false}
}

// ---------------------------------------------------------------------------------------------------------------

function managerOf(out: CommandOutput): (typeof UPDATE_MANAGERS)[number] | undefined {
  const m = /^#manager (apt|dnf|yum)$/m.exec(out.stdout)
  return m ? (m[1] as (typeof UPDATE_MANAGERS)[number]) : undefined
}

const days = (seconds: number) => Math.floor(seconds / 86400)

export const updatesProbe = defineProbe({
  section: updatesSection,
  platforms: ['Linux'],
  commands: {
    pending: PENDING,
    security: SECURITY,
    state: STATE,
    sources: SOURCES,
  },
  timeoutMs: 30_000,
  weight: 10,
  interpret(out): ProbeResult<UpdatesData> {
    const pendingOut = out.pending
    if (notInstalled(pendingOut)) return {status: 'unavailable', reason: 'not installed: no apt, dnf or yum'}
    const stateFail = failure(out.state, 'state')
    if (stateFail) return stateFail
    const state = parseUpdateState(out.state!.stdout)
    const manager = pendingOut?.ran ? managerOf(pendingOut) : undefined
    if (!manager) return failure(pendingOut, 'pending updates') ?? {status: 'error', reason: 'pending updates: no "#manager" line'}
    const missing: string[] = []

    let packages: PendingUpdate[] | undefined
    let method: (typeof PENDING_METHODS)[number] | undefined
    let aptLists: AptListsOutput | undefined
    const aptWhat = pendingOut && aptMethodOf(pendingOut.stdout) === 'lists' ? 'reading the apt lists' : 'apt list --upgradable'
    const fail = failure(pendingOut, manager === 'apt' ? aptWhat : `${manager} check-update`)
    if (fail) missing.push(fail.reason ?? 'pending updates')
    else if (manager === 'apt') {
      method = aptMethodOf(pendingOut!.stdout)
      if (method === 'lists') packages = pendingFromLists((aptLists = parseAptLists(pendingOut!.stdout)))
      else packages = parseAptUpgradable(pendingOut!.stdout)
    }
    else {
      packages = parseCheckUpdate(pendingOut!.stdout)
      if (succeeded(out.security)) {
        const secure = parseSecurityAdvisories(out.security.stdout)
        for (const p of packages) p.security = secure.has(`${p.name}.${p.architecture}`)
      } else {
        missing.push(failure(out.security, 'security advisories')?.reason ?? 'security advisories')
        packages = undefined
      }
    }

    // the cache's age
    let updated: number | undefined
    if (manager === 'apt') {
      const times = ['/var/lib/apt/lists', '/var/lib/apt/periodic/update-success-stamp'].map((p) => state.mtimes.get(p)).filter((t) => t !== undefined)
      if (state.aptListFiles > 0 && times.length > 0) updated = Math.max(...times)
    } else {
      const times = [...state.mtimes].filter(([p]) => p.endsWith('/repomd.xml')).map(([, t]) => t)
      if (times.length > 0) updated = Math.min(...times)
    }
    const updatedAt = isoFromEpochSeconds(updated)
    const age = updated !== undefined && state.nowEpoch !== undefined ? Math.max(0, state.nowEpoch - updated) : undefined
    const stale = updatedAt === undefined || age === undefined || age > STALE_CACHE_SECONDS
    if (packages && manager === 'apt' && state.aptListFiles === 0) {
      missing.push('no package lists (apt-get update never ran): pending updates unknown')
      packages = undefined
    } else if (packages && stale) {
      missing.push(
        age === undefined
          ? 'package cache age unknown: pending updates may be missing'
          : `stale package cache: last refreshed ${days(age)} days ago, pending updates may be missing`,
      )
    }

    // the sources: a count of pending security updates is evidence only when a security source is configured and its lists are there
    let sources: SourceData[] | undefined
    let securityKnown = packages !== undefined
    if (succeeded(out.sources)) {
      const parsed = parseSources(out.sources.stdout)
      if (parsed.denied.length > 0) missing.push(`needs root: ${parsed.denied.join(', ')}`)
      else sources = parsed.sources
    } else if (!notInstalled(out.sources)) missing.push(failure(out.sources, 'package sources')?.reason ?? 'package sources')
    const securitySource = sources?.some((x) => x.security)
    if (packages && securitySource === false) {
      securityKnown = false
      missing.push(
        `no security source configured (${manager === 'apt' ? 'no *-security suite among the apt sources' : 'no BaseOS, AppStream or updates repository enabled'}): pending security updates unknown`,
      )
    } else if (packages && securitySource && aptLists && !aptLists.lists.some((l) => SECURITY_ARCHIVE.test(l.fields.Suite ?? ''))) {
      securityKnown = false
      missing.push('the security suite\'s package lists were never downloaded (apt-get update): pending security updates unknown')
    }

    const data: UpdatesData = {
      manager,
      ...(method ? {method} : {}),
      ...(packages ? {pending: packages.length, ...(securityKnown ? {security: packages.filter((p) => p.security).length} : {}), packages} : {}),
      ...(sources ? {sources, securitySource: securitySource!} : {}),
      ...(updatedAt ? {cacheUpdatedAt: updatedAt} : {}),
      ...(age === undefined ? {} : {cacheAgeSeconds: age}),
      cacheStale: stale,
      reboot: rebootFrom(state),
      automaticUpdates: automaticUpdatesFrom(state, manager),
    }
    return missing.length > 0 ? {status: 'partial', reason: missing.join('; '), data} : {status: 'ok', data}
  },
})
