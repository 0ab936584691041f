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
 * The packages dpkg knows, read once a host for the probes that need them (packages, the malware scanners' packages,
 * and the pending updates that the controller computes from the apt lists): one `dpkg-query`, ~10 ms of the target's CPU with ~800 packages, instead of
 * one each. Exit 127 where dpkg-query is not installed.
 */
export const dpkgPackages = defineSharedCommand({
  id: 'dpkgPackages',
  platforms: ['Linux'],
  command: needs('dpkg-query', `dpkg-query -W -f=${shQuote(DPKG_FORMAT)}`),
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
