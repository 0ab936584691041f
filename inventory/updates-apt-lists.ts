import {shQuote} from '../src/model/shell-quote.js'
import {compareDpkgVersions} from '../src/model/versions/dpkg-version.js'
import {FOREIGN_NAMES_KEPT, PENDING_METHODS, type PendingUpdate, type UpdatesData} from '../src/model/sections/updates.js'
import {ParseError} from './kit/parse-error.js'
import {lines} from './kit/probe-helpers.js'
import {INDEX_AWK} from './updates-apt-index.js'

// Pending updates on apt systems: the package lists themselves when reading them gives exactly apt's answer (the
// "lists" method: dpkg-query plus the Packages lists, filtered on the target to installed names; the candidates are
// then chosen here as apt's policy would), else `apt list --upgradable` (which rebuilds apt's cache: ~0.7 s of CPU
// where the binary cache is switched off, as in Docker images).

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

/** The unattended-upgrade settings the state reads (updates-automatic.ts), by the name apt-config shell gives them. */
export const APT_PERIODIC = [
  ['UU', 'APT::Periodic::Unattended-Upgrade'],
  ['UPL', 'APT::Periodic::Update-Package-Lists'],
  ['EN', 'APT::Periodic::Enable'],
] as const

const APT_LIST_GLOBS = ['', '.lz4', '.gz', '.xz', '.zst', '.bz2', '.lzma'].map((x) => `"$L"*_Packages${x}`).join(' ')

/** The apt branch of the pending command: the lists when they give apt's answer, else `apt list --upgradable`. */
export const APT_PENDING = [
  'echo "#manager apt"',
  'L= P= PP= SL= SP= DR= A= _why=',
  // one apt-config for this command and the state's unattended-upgrade settings (APT_PERIODIC): printed as
  // `#aptconf NAME='VALUE'` (apt-config's own quoting), after `#aptconfig read` when it answered
  `_c=$(apt-config shell L Dir::State::lists/d P Dir::Etc::preferences/f PP Dir::Etc::preferencesparts/d SL Dir::Etc::sourcelist/f SP Dir::Etc::sourceparts/d DR APT::Default-Release A APT::Architecture ${APT_PERIODIC.map(([name, key]) => `${name} ${key}`).join(' ')} 2>/dev/null) && echo "#aptconfig read"`,
  `set -f; IFS='
'; for _l in $_c; do case $_l in ${APT_PERIODIC.map(([name]) => `${name}=*`).join('|')}) printf '#aptconf %s\\n' "$_l";; esac; done; unset IFS; set +f`,
  'eval "$_c"',
  '[ -n "$A" ] || A=$(dpkg --print-architecture 2>/dev/null)',
  'if [ -z "$L" ] || [ -z "$A" ]; then _why="apt-config gave no lists directory or architecture"',
  'elif [ -n "$DR" ]; then _why="APT::Default-Release is set"',
  'else',
  '  _n=0; for f in ' + APT_LIST_GLOBS + '; do [ -f "$f" ] && _n=$((_n + 1)); done',
  '  [ "$_n" -eq 0 ] && _why="no package lists"',
  // the newest of the lists folder, its partial folder and apt's success stamp (ls -t's choice, ties to the first),
  // then whether a sources file or folder entry is newer (find -maxdepth 1 -newer): by the shell's own tests
  '  _ref=; for _x in "$L" "${L}partial" /var/lib/apt/periodic/update-success-stamp; do [ -e "$_x" ] || continue; { [ -z "$_ref" ] || [ "$_x" -nt "$_ref" ]; } && _ref=$_x; done',
  '  if [ -z "$_why" ] && [ -n "$_ref" ]; then for _x in "$SL" "$SP" "$SP"* "$SP".[!.]* "$SP"..?*; do [ -e "$_x" ] && [ "$_x" -nt "$_ref" ] && { _why="sources changed since the lists were last updated"; break; }; done; fi',
  '  if [ -z "$_why" ]; then',
  '    set --; [ -f "$P" ] && set -- "$P"; for f in "$PP"*; do [ -f "$f" ] && set -- "$@" "$f"; done',
  // the hosts the lists come from (the names before their first _), by the shell's own glob; awk's first line only
  '    if [ $# -gt 0 ]; then _h=; for _x in "$L"*_*; do [ -e "$_x" ] || continue; _x=${_x##*/}; _h="$_h ${_x%%_*}"; done',
  `      _why=$(awk -v hosts="$_h" '${PREFS_AWK}' "$@" 2>&1); _why=\${_why%%'\n'*}`,
  '    fi',
  '  fi',
  'fi',
  // the Release file of a list (r) and its prefix (b): the list's name cut at "_" until a Release file has it
  '_rf() {',
  '  r=; b=${1%_Packages*}',
  '  while :; do',
  '    if [ -f "${b}_InRelease" ]; then r="${b}_InRelease"; break; elif [ -f "${b}_Release" ]; then r="${b}_Release"; break; fi',
  '    case $b in */*_*) b=${b%_*} ;; *) break ;; esac',
  '  done',
  '}',
  // the index method first: only the hashes of the lists are sent, the controller reads the lists (updates-apt-index.ts)
  'if [ -z "$_why" ] && [ -z "${HATANG_APT_ON_HOST:-}" ]; then',
  '  _out=$(for f in ' + APT_LIST_GLOBS + '; do',
  '    [ -f "$f" ] || continue',
  '    _rf "$f"',
  '    printf \'@@list %s\\t%s\\t%s\\n\' "$f" "$r" "${f#"$b"_}"',
  `  done | awk '${INDEX_AWK}')`,
  '  if [ $? -eq 0 ]; then echo "#method index"; echo "#arch $A"; printf \'%s\\n\' "$_out"; exit 0; fi',
  'fi',
  // the lists method filters the lists on the target to the installed names: it reads them itself
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
  '    _rf "$f"',
  '    printf \'@@list %s\\t%s\\n\' "$f" "$r"',
  // the tool of the format when there is one (lz4cat is 3x faster than apt-helper here), else apt's own
  // reader; a list read twice after a failure only repeats stanzas, which changes nothing
  '    case $f in',
  '      (*.lz4|*.gz|*.xz|*.lzma|*.zst|*.bz2) { case $f in',
  '        (*.lz4) lz4cat "$f" ;; (*.gz) gzip -dc "$f" ;; (*.xz|*.lzma) xz -dc "$f" ;; (*.zst) zstd -dcq "$f" ;; (*) bzip2 -dc "$f" ;;',
  '        esac 2>/dev/null || /usr/lib/apt/apt-helper cat-file "$f" 2>/dev/null || echo "@@fail"; } | _fl ;;',
  // uncompressed (apt's default): grep reads the file itself, no 50 MB copy through a pipe (a third of the cost)
  '      (*) _fl "$f" 2>/dev/null; [ $? -le 1 ] || echo "@@fail" ;;',
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

/** The apt branch of the pending command when apt alone can answer (a phased update the lists show): `apt list --upgradable`, saying why. */
export function aptListCommand(why: string): string {
  return `echo "#manager apt"; echo "#method apt-list"; printf '#fallback %s\\n' ${shQuote(why.replace(/[\r\n]+/g, ' '))}; exec apt list --upgradable`
}

/** An apt archive (suite) of security updates: bookworm-security, jammy-security; `bullseye/updates`-style before Debian 11. */
export const SECURITY_ARCHIVE = /-security$|^[a-z]+\/updates$/

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

export interface InstalledDeb {
  name: string
  architecture: string
  version: string
  /** dpkg's db:Status-Abbrev: want, state, error flags ("ii ", "rc ", "hi "…). */
  status: string
}

export interface AptList {
  file: string
  /** The index method: the hash, size and path its Release file gives for it (uncompressed). */
  index?: {sha256: string; size: number; path: string}
  release: string
  /** Release-file fields (Origin, Label, Suite, Codename, Version, NotAutomatic, ButAutomaticUpgrades). */
  fields: Record<string, string>
  packages: {name: string; version: string; architecture: string}[]
}

export interface AptListsOutput {
  method: 'lists' | 'index'
  nativeArch: string
  installed: InstalledDeb[]
  lists: AptList[]
}

/** Parses the `lists` method of the pending command: `#arch`, `I`nstalled, `L`ist, `R`elease, `F`ield and `P`ackage lines. */
export function parseAptLists(text: string): AptListsOutput {
  let nativeArch: string | undefined
  let method: AptListsOutput['method'] | undefined
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
      case '#aptconfig':
      case '#aptconf':
        return
      case '#method':
        if (rest !== 'lists' && rest !== 'index') throw new ParseError(`not the lists or index method: ${JSON.stringify(rest.slice(0, 40))}`, i + 1)
        method = rest
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
      case 'H': {
        const m = /^([0-9a-f]{64}) (\d+) (\S+)$/.exec(rest)
        if (!list || !m) throw new ParseError(`expected "H SHA256 SIZE PATH" in a list: ${JSON.stringify(line.slice(0, 120))}`, i + 1)
        list.index = {sha256: m[1]!, size: Number(m[2]), path: m[3]!}
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
  if (!method || nativeArch === undefined) throw new ParseError('no "#method lists|index" and "#arch" lines')
  for (const l of lists) if (!l.release || !l.fields.Suite) throw new ParseError(`no Release file or Suite for ${l.file}`)
  if (method === 'index') for (const l of lists) if (!l.index) throw new ParseError(`no SHA-256 for ${l.file}`)
  return {method, nativeArch, installed, lists}
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
  // installed = dpkg knows a current version (not "not-installed" nor "config-files")
  const hasCurrentVersion = (inst: InstalledDeb) => inst.status[1] !== 'n' && inst.status[1] !== 'c'
  // only the lists' versions of what is installed matter: a host has ~1,000 packages, its lists ~60,000
  const wanted = new Set(o.installed.filter(hasCurrentVersion).map((inst) => `${inst.name}:${archOf(inst.architecture)}`))
  const available = new Map<string, Avail[]>()
  for (const list of o.lists) {
    const priority = archivePriority(list.fields)
    const suite = list.fields.Suite!
    for (const p of list.packages) {
      const key = `${p.name}:${archOf(p.architecture)}`
      if (!wanted.has(key)) continue
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
    if (!hasCurrentVersion(inst)) continue
    const listed = available.get(`${inst.name}:${archOf(inst.architecture)}`)
    // most packages: the lists have the installed version and no other, so it stays (no version compared or sorted)
    if (!listed || (listed.length === 1 && listed[0]!.version === inst.version)) continue
    const versions = [...listed]
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

/**
 * The installed packages no list offers, from the lists method's own output: the pass prints a `P` line for every
 * stanza of an installed name, so an installed name (dpkg state `i`) with none is in no downloaded list. Nothing more is
 * read on the target for it.
 */
export function foreignFromLists(o: AptListsOutput): NonNullable<UpdatesData['foreign']> {
  const offered = new Set(o.lists.flatMap((l) => l.packages.map((p) => p.name)))
  const foreign = [...new Set(o.installed.filter((i) => i.status[1] === 'i' && !offered.has(i.name)).map((i) => i.name))].sort(byteOrder)
  return {count: foreign.length, names: foreign.slice(0, FOREIGN_NAMES_KEPT)}
}

/** The method line of the apt pending command: `index`, `lists` or `apt-list` (older captures print none: apt-list). */
export function aptMethodOf(text: string): (typeof PENDING_METHODS)[number] {
  return /^#method lists$/m.test(text) ? 'lists' : /^#method index$/m.test(text) ? 'index' : 'apt-list'
}

/**
 * The unattended-upgrade settings the pending command printed (`#aptconf NAME='VALUE'` lines after `#aptconfig read`,
 * APT_PENDING); undefined when apt-config did not answer, or the command did not get that far.
 */
export function aptConfigOf(pending: string | undefined): Map<string, string> | undefined {
  if (pending === undefined || !/^#aptconfig read$/m.test(pending)) return undefined
  const config = new Map<string, string>()
  for (const [i, line] of lines(pending).entries()) {
    if (!line.startsWith('#aptconf ')) continue
    const m = /^#aptconf ([A-Z]+)='(.*)'$/.exec(line)
    if (!m) throw new ParseError(`expected apt-config shell output: ${JSON.stringify(line.slice(0, 120))}`, i + 1)
    config.set(m[1]!, m[2]!)
  }
  return config
}
