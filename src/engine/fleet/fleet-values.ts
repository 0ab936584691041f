import type {Snapshot} from '../../model/snapshot.js'
import {isRead, type Section} from '../../model/section.js'
import {isInstalled} from '../../model/sections/packages.js'
import {resolveTop, type Path} from '../checks/assertion.js'
import {why} from '../../model/why.js'
import type {FleetFinding} from './types.js'

/** The values the fleet checks compare, read from snapshots as comparable text. Pure. */

export type Scope = FleetFinding['scope']
export type Got = {ok: true; value: string} | {ok: false; reason: string}
export type Base = Pick<FleetFinding, 'pack' | 'check' | 'severity'>

export const segs = (p: Path): string[] => (Array.isArray(p) ? p : p.split('.'))
export const label = (p: Path): string => segs(p).join('.')
export const byName = (a: {host: string}, b: {host: string}) => a.host.localeCompare(b.host)

/** Why a value is missing: the section's own reason when it is partial. */
export function missing(s: Snapshot, path: Path, what = label(path)): string {
  const section = (s.sections as unknown as Record<string, Section<unknown> | undefined>)[segs(path)[0]!]
  return `${what} is not reported${section?.status === 'partial' && section.reason ? ` (${section.reason})` : ''}`
}

/** A value as text, comparable across hosts: lists as their sorted distinct items, objects with sorted keys. */
export function text(v: unknown, item?: string): string {
  if (Array.isArray(v)) {
    const items = [...new Set(v.map((x) => text(item && x !== null && typeof x === 'object' ? (x as Record<string, unknown>)[item] : x)))].sort()
    return items.length === 0 ? '(none)' : items.join(', ')
  }
  if (v !== null && typeof v === 'object') return JSON.stringify(Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))))
  return String(v)
}

export function valueAt(s: Snapshot, path: Path, item?: string): Got {
  const r = resolveTop(s, path)
  if (!r.ok) return r
  if (r.value === undefined) return {ok: false, reason: missing(s, path)}
  return {ok: true, value: text(r.value, item)}
}

/** Globs of package names (`linux-image-*`) as anchored regular expressions. */
const globCache = new Map<string, RegExp>()
export function glob(pattern: string): RegExp {
  let re = globCache.get(pattern)
  if (!re) {
    re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`)
    globCache.set(pattern, re)
  }
  return re
}

/**
 * The installed versions of the packages a check names (exact names and globs), per host: one pass over the host's
 * packages, kept per host and list (a host is compared in several scopes). Only the named packages are indexed.
 */
const packageValues = new WeakMap<Snapshot, WeakMap<readonly string[], Map<string, Got | undefined>>>()
export function packageValuesOf(s: Snapshot, specs: readonly string[]): Map<string, Got | undefined> {
  let perList = packageValues.get(s)
  if (!perList) packageValues.set(s, (perList = new WeakMap()))
  let values = perList.get(specs)
  if (values) return values
  values = new Map()
  const section = s.sections.packages as Snapshot['sections']['packages'] | undefined
  if (!section || !isRead(section.status) || !section.data) {
    const unknown: Got = {ok: false, reason: section ? `packages: ${section.status}${section.reason ? ` (${section.reason})` : ''}` : "no section 'packages' in the snapshot"}
    for (const spec of specs) values.set(spec, unknown)
  } else {
    const exact = new Set(specs.filter((x) => !/[*?]/.test(x)))
    const globs = specs.filter((x) => /[*?]/.test(x)).map((x) => [x, glob(x)] as const)
    const found = new Map<string, Map<string, Set<string>>>() // spec → package name → versions
    const add = (spec: string, name: string, version: string | undefined) => {
      const byName = found.get(spec) ?? new Map<string, Set<string>>()
      const versions = byName.get(name) ?? new Set<string>()
      if (version) versions.add(version)
      byName.set(name, versions)
      found.set(spec, byName)
    }
    for (const p of section.data.items) {
      if (!isInstalled(p)) continue
      if (exact.has(p.name)) add(p.name, p.name, p.version)
      for (const [spec, re] of globs) if (re.test(p.name)) add(spec, p.name, p.version)
    }
    for (const spec of specs) {
      const byName = found.get(spec)
      if (!byName) values.set(spec, undefined)
      else if (exact.has(spec)) values.set(spec, {ok: true, value: [...byName.get(spec)!].sort().join(', ')})
      else values.set(spec, {ok: true, value: [...byName.entries()].map(([n, v]) => `${n} ${[...v].sort().join(', ')}`).sort().join('; ')})
    }
  }
  perList.set(specs, values)
  return values
}

/** An object's text with its keys in order: equal for alike objects. Made once per object (a host is in several scopes). */
const signatures = new WeakMap<object, string>()
export function signature(o: Record<string, unknown>): string {
  let sig = signatures.get(o)
  if (sig === undefined) signatures.set(o, (sig = JSON.stringify(Object.keys(o).sort().map((k) => [k, o[k]]))))
  return sig
}

/** An object's values as comparable text, by key. */
export function entriesOf(o: Record<string, unknown>): Map<string, string> {
  // lists keep their order here: sshd's Ciphers or KexAlgorithms order is a preference
  return new Map(Object.entries(o).map(([k, v]) => [k, Array.isArray(v) ? v.map(String).join(' ') : text(v)]))
}

/** Outliers as one line: `web2: 1.2; web3: 1.1`. */
export const outlierText = (outliers: readonly {host: string; value: string}[]): string => outliers.map((o) => `${o.host}: ${o.value}`).join('; ')

/** A finding's reason when too few hosts report the value. */
export const tooFew = (known: number, total: number): Pick<FleetFinding, 'reason' | 'why'> => ({reason: `${known} of ${total} hosts report it`, why: why('fleet.tooFew', {known, total})})

/** A list of names, at most `max` of them, then how many more: `a, b, c … (+14)`. */
export function listText(names: readonly string[], max = 20): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} … (+${names.length - max})`
}

/** The names of the packages installed on a host (once per snapshot), or why they are unknown. */
const installed = new WeakMap<Snapshot, Set<string> | {reason: string}>()
export function installedNames(s: Snapshot): Set<string> | {reason: string} {
  let known = installed.get(s)
  if (known) return known
  const section = s.sections.packages as Snapshot['sections']['packages'] | undefined
  if (!section || !isRead(section.status) || !section.data)
    known = {reason: section ? `packages: ${section.status}${section.reason ? ` (${section.reason})` : ''}` : "no section 'packages' in the snapshot"}
  else known = new Set(section.data.items.filter(isInstalled).map((p) => p.name))
  installed.set(s, known)
  return known
}

/** Each host's value at a path (item of a list as `item`); a host without one goes to `unknown`, with why. */
export function valuesOf(hosts: readonly Snapshot[], path: Path, item: string | undefined, unknown: {host: string; reason: string}[]): {host: string; value: string}[] {
  const known: {host: string; value: string}[] = []
  for (const s of hosts) {
    const v = valueAt(s, path, item)
    if (v.ok) known.push({host: s.host.name, value: v.value})
    else unknown.push({host: s.host.name, reason: v.reason})
  }
  return known
}

/** Each host's object at a path (sshd settings), by host name; a host without one goes to `unknown`, with why. */
export function objectsOf(hosts: readonly Snapshot[], path: Path, unknown: {host: string; reason: string}[]): Map<string, Record<string, unknown>> {
  const objects = new Map<string, Record<string, unknown>>()
  for (const s of hosts) {
    const r = resolveTop(s, path)
    if (!r.ok) unknown.push({host: s.host.name, reason: r.reason})
    else if (r.value === null || typeof r.value !== 'object') unknown.push({host: s.host.name, reason: missing(s, path)})
    else objects.set(s.host.name, r.value as Record<string, unknown>)
  }
  return objects
}
