import type {PackageItem} from '../../src/model/sections/packages.js'
import {shQuote} from '../../src/model/shell-quote.js'
import {BoundedMap} from './bounded-map.js'
import {ParseError} from './parse-error.js'
import type {CommandOutput} from './probe.js'
import {needs, tabRows} from './probe-helpers.js'
import {defineSharedCommand} from './shared-command.js'

/**
 * The dpkg query: every package dpkg-query -W lists (installed ones, and those removed with their
 * configuration kept, "rc"), one a line, tab-separated. The format works with dpkg ≥ 1.16.2 (Debian 7+).
 */
export const DPKG_FORMAT = '${binary:Package}\\t${Version}\\t${Architecture}\\t${db:Status-Abbrev}\\t${source:Package}\\n'

/**
 * What `dpkg-query -W -f=DPKG_FORMAT` prints, read by one awk from dpkg's status file: dpkg-query reads and checks
 * the whole database (8.3 ms of the target's CPU with 970 packages here), this awk the fields it needs (4.9 ms; the
 * first rule passes over the lines that start no field it reads).
 * Every package whose status is not "not-installed", in the file's order (dpkg writes it sorted as dpkg-query
 * prints); binary:Package qualified by its architecture as dpkg does (Multi-Arch: same, or an architecture neither
 * dpkg's own, which is that of the package "dpkg", nor "all"); db:Status-Abbrev from the Status words; source:Package
 * the Source field's name, else the package's. It prints nothing and fails (3) without a "dpkg" package to take the
 * native architecture from. Compared with dpkg-query on Debian 11, 12 and 13 and on a status file of every state
 * (test/unit/inventory/packages.test.ts).
 */
const STATUS_AWK = `/^[^PSVAM]/ { next }
/^Package:/ { flush(); p = $2; next }
/^$/ { flush(); next }
/^Status:/ { st = substr($0, 9); next }
/^Version:/ { ver = $2; next }
/^Architecture:/ { arc = $2; next }
/^Multi-Arch:/ { mult = $2; next }
/^Source:/ { src = $2; next }
function flush() {
  if (p != "" && st != "" && st !~ / not-installed$/) {
    split(st, w, " ")
    a = w[1] == "install" ? "i" : w[1] == "hold" ? "h" : w[1] == "deinstall" ? "r" : w[1] == "purge" ? "p" : "u"
    b = w[3] == "installed" ? "i" : w[3] == "config-files" ? "c" : w[3] == "half-installed" ? "H" : w[3] == "unpacked" ? "U" : w[3] == "half-configured" ? "F" : w[3] == "triggers-awaited" ? "W" : w[3] == "triggers-pending" ? "t" : "n"
    k++; n[k] = p; v[k] = ver; ar[k] = arc; ab[k] = a b (w[2] == "ok" ? " " : "R"); so[k] = src == "" ? p : src; ma[k] = mult
    if (p == "dpkg") nat = arc
  }
  p = ""; st = ""; ver = ""; arc = ""; src = ""; mult = ""
}
END {
  flush()
  if (nat == "") exit 3
  for (i = 1; i <= k; i++) {
    q = n[i]
    if (ar[i] != "" && (ma[i] == "same" || (ar[i] != nat && ar[i] != "all"))) q = q ":" ar[i]
    printf "%s\\t%s\\t%s\\t%s\\t%s\\n", q, v[i], ar[i], ab[i], so[i]
  }
}`

/**
 * The packages dpkg knows, read once a host for the probes that need them (packages, the malware scanners' packages,
 * and the pending updates that the controller computes from the apt lists), instead of once each. The awk above
 * reads /var/lib/dpkg/status; dpkg-query itself where that cannot stand for it: another admin directory named
 * (DPKG_ADMINDIR), changes dpkg has journaled but not yet written to the status file (/var/lib/dpkg/updates), no
 * awk, or no "dpkg" package. Exit 127 where dpkg-query is not installed.
 */
export const dpkgPackages = defineSharedCommand({
  id: 'dpkgPackages',
  platforms: ['Linux'],
  command: needs(
    'dpkg-query',
    [
      'if [ -z "${DPKG_ADMINDIR:-}" ] && [ -r /var/lib/dpkg/status ] && command -v awk >/dev/null 2>&1 && ! { set -- /var/lib/dpkg/updates/[0-9]*; [ -e "$1" ]; }; then',
      `  awk ${shQuote(STATUS_AWK)} /var/lib/dpkg/status && exit 0`,
      'fi',
      `exec dpkg-query -W -f=${shQuote(DPKG_FORMAT)}`,
    ].join('\n'),
  ),
  timeoutMs: 20_000,
})

/** dpkg's want / status / error letters (dpkg-query(1), "db:Status-Abbrev"), the error letter being a space when none. */
const STATUS = /^[uihrp][ncHUFWti]R?$/
const NAME = /^[A-Za-z0-9][A-Za-z0-9+.\-_]*(:[A-Za-z0-9_-]+)?$/

/** Parses `dpkg-query -W -f=DPKG_FORMAT`: the output of the shared dpkgPackages command above. */
export function parseDpkgQuery(text: string): PackageItem[] {
  return tabRows(text, 5, (f, n): PackageItem => {
    const [binary, version, architecture, abbrev, source] = f as [string, string, string, string, string]
    if (!NAME.test(binary)) throw new ParseError(`not a package name: ${JSON.stringify(binary.slice(0, 80))}`, n)
    // binary:Package adds ":arch" to Multi-Arch: same packages; the architecture has its own field
    const colon = binary.indexOf(':')
    const name = colon > 0 && binary.slice(colon + 1) === architecture ? binary.slice(0, colon) : binary
    const status = abbrev.trimEnd()
    if (!STATUS.test(status)) throw new ParseError(`not a dpkg status abbreviation: ${JSON.stringify(abbrev)}`, n)
    if (/\s/.test(version) || /\s/.test(architecture) || /\s/.test(source)) throw new ParseError('whitespace inside a field', n)
    return {
      name,
      ...(version ? {version} : {}),
      ...(architecture ? {architecture} : {}),
      manager: 'dpkg',
      status,
      ...(source ? {source} : {}),
    }
  })
}

const parsed = new WeakMap<CommandOutput, readonly PackageItem[]>()
/** The last lists parsed, by their text: hosts built alike (a fleet from one image) send the same list; a few are kept, since a sweep's hosts interleave. */
const byText = new BoundedMap<string, readonly PackageItem[]>(8)

/**
 * The packages of the shared dpkgPackages output (parseDpkgQuery), parsed once a host, and once for the hosts that
 * send the same list (~0.6 ms of the controller's CPU a host with ~1,000 packages): the packages section, the malware
 * scan (its scanners' packages) and the pending updates read them. The items are shared, between sections and
 * between hosts, and frozen: read them, never change them.
 */
export function dpkgItemsOf(out: CommandOutput): readonly PackageItem[] {
  let items = parsed.get(out)
  if (items === undefined) {
    items = byText.get(out.stdout)
    if (items === undefined) byText.set(out.stdout, (items = Object.freeze(parseDpkgQuery(out.stdout).map((item) => Object.freeze(item)))))
    parsed.set(out, items)
  }
  return items
}
