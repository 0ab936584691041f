import {isCollected} from '../../model/host-status.js'
import type {Snapshot} from '../../model/snapshot.js'
import type {Section} from '../../model/section.js'
import {isInstalled} from '../../model/sections/packages.js'
import {evaluate, RegexCache, resolveTop, type Path} from '../checks/assertion.js'
import type {Check, Pack} from '../checks/pack.js'
import {applicability} from '../checks/run-checks.js'
import type {FleetCheck, FleetCompare, FleetScopeKind, FleetUnique, FleetWithin} from './fleet-check.js'
import type {FleetFinding} from './types.js'

/** Whether a snapshot holds a collected host (ok or partial); the others were not reached and carry no data. */

type Scope = FleetFinding['scope']
type Got = {ok: true; value: string} | {ok: false; reason: string}
type Base = Pick<FleetFinding, 'pack' | 'check' | 'severity'>

const segs = (p: Path): string[] => (Array.isArray(p) ? p : p.split('.'))
const label = (p: Path): string => segs(p).join('.')
const byName = (a: {host: string}, b: {host: string}) => a.host.localeCompare(b.host)

/** Why a value is missing: the section's own reason when it is partial. */
function missing(s: Snapshot, path: Path, what = label(path)): string {
  const section = (s.sections as unknown as Record<string, Section<unknown> | undefined>)[segs(path)[0]!]
  return `${what} is not reported${section?.status === 'partial' && section.reason ? ` (${section.reason})` : ''}`
}

/** A value as text, comparable across hosts: lists as their sorted distinct items, objects with sorted keys. */
function text(v: unknown, item?: string): string {
  if (Array.isArray(v)) {
    const items = [...new Set(v.map((x) => text(item && x !== null && typeof x === 'object' ? (x as Record<string, unknown>)[item] : x)))].sort()
    return items.length === 0 ? '(none)' : items.join(', ')
  }
  if (v !== null && typeof v === 'object') return JSON.stringify(Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))))
  return String(v)
}

function valueAt(s: Snapshot, path: Path, item?: string): Got {
  const r = resolveTop(s, path)
  if (!r.ok) return r
  if (r.value === undefined) return {ok: false, reason: missing(s, path)}
  return {ok: true, value: text(r.value, item)}
}

/** Globs of package names (`linux-image-*`) as anchored regular expressions. */
const globCache = new Map<string, RegExp>()
function glob(pattern: string): RegExp {
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
function packageValuesOf(s: Snapshot, specs: readonly string[]): Map<string, Got | undefined> {
  let perList = packageValues.get(s)
  if (!perList) packageValues.set(s, (perList = new WeakMap()))
  let values = perList.get(specs)
  if (values) return values
  values = new Map()
  const section = s.sections.packages as Snapshot['sections']['packages'] | undefined
  if (!section || (section.status !== 'ok' && section.status !== 'partial') || !section.data) {
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

/** The value most hosts share (ties: the smaller text), and the hosts that differ. */
export function tally(values: readonly {host: string; value: string}[]): Pick<FleetFinding, 'majority' | 'outliers'> {
  const groups = new Map<string, string[]>()
  for (const {host, value} of values) {
    const list = groups.get(value)
    if (list) list.push(host)
    else groups.set(value, [host])
  }
  if (groups.size === 0) return {outliers: []}
  const [value, hosts] = [...groups.entries()].sort(([a, x], [b, y]) => y.length - x.length || (a < b ? -1 : a > b ? 1 : 0))[0]!
  return {
    majority: {value, hosts: [...hosts].sort()},
    outliers: values.filter((v) => v.value !== value).sort(byName),
  }
}

function finding(base: Base, scope: Scope, subject: string, known: {host: string; value: string}[], unknown: {host: string; reason: string}[]): FleetFinding {
  const {majority, outliers} = tally(known)
  const sortedUnknown = [...unknown].sort(byName)
  if (outliers.length > 0) {
    const reason = `${outliers.length} of ${known.length} hosts differ from ${majority!.value} (${outliers.map((o) => `${o.host}: ${o.value}`).join('; ')})`
    return {...base, scope, subject, status: 'fail', majority, outliers, unknown: sortedUnknown, reason}
  }
  if (known.length < 2) {
    return {...base, scope, subject, status: 'unknown', ...(majority ? {majority} : {}), outliers, unknown: sortedUnknown, reason: `${known.length} of ${known.length + unknown.length} hosts report it`}
  }
  return {...base, scope, subject, status: 'pass', majority, outliers, unknown: sortedUnknown}
}

/** The hosts a fleet check looks at: collected, and where its `applies` holds (unknown there: with the reason). */
function candidates(check: FleetCheck, snapshots: readonly Snapshot[], regexes: RegexCache): {hosts: Snapshot[]; unknown: Map<Snapshot, string>} {
  const hosts: Snapshot[] = []
  const unknown = new Map<Snapshot, string>()
  for (const s of snapshots) {
    if (!isCollected(s.host.status)) continue
    const a = check.applies ? applicability(check as unknown as Check, s, regexes) : {verdict: 'pass' as const}
    if (a.verdict === 'fail') continue
    hosts.push(s)
    if (a.verdict === 'unknown') unknown.set(s, a.reason ?? 'applicability unknown')
  }
  return {hosts, unknown}
}

/** The scopes of a comparison, each with its hosts; scopes holding the same hosts as an earlier one are dropped. */
export function scopesOf(hosts: readonly Snapshot[], kinds: readonly FleetScopeKind[]): {scope: Scope; hosts: Snapshot[]}[] {
  const out = new Map<string, {scope: Scope; hosts: Snapshot[]}>()
  const add = (kind: FleetScopeKind, name: string, s: Snapshot) => {
    const key = `${kind}\u0000${name}`
    const entry = out.get(key) ?? {scope: {kind, name}, hosts: []}
    entry.hosts.push(s)
    out.set(key, entry)
  }
  const ungrouped: Snapshot[] = []
  for (const s of hosts) {
    let placed = false
    if (kinds.includes('fleet')) (add('fleet', 'all', s), (placed = true))
    if (kinds.includes('group')) for (const g of new Set(s.host.groups ?? [])) (add('group', g, s), (placed = true))
    if (kinds.includes('role') && s.host.role) (add('role', s.host.role, s), (placed = true))
    if (!placed) ungrouped.push(s)
  }
  const order: Record<FleetScopeKind, number> = {group: 0, role: 1, fleet: 2}
  const scopes = [...out.values()].sort((a, b) => order[a.scope.kind] - order[b.scope.kind] || a.scope.name.localeCompare(b.scope.name))
  if (ungrouped.length > 0) scopes.push({scope: {kind: 'fleet', name: ungrouped.length === hosts.length ? 'all' : 'ungrouped'}, hosts: ungrouped})
  const seen = new Set<string>()
  return scopes.filter((sc) => {
    const key = sc.hosts.map((h) => h.host.name).sort().join('\u0000')
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

function runCompare(base: Base, c: FleetCompare, hosts: Snapshot[], notApplicable: Map<Snapshot, string>): FleetFinding[] {
  const out: FleetFinding[] = []
  // `per` is one path, or a list of paths (a list of strings is several paths, not one list path)
  const pers: Path[] = c.per === undefined ? [] : typeof c.per === 'string' ? [c.per] : (c.per as Path[])
  for (const {scope, hosts: members} of scopesOf(hosts, c.scope ?? ['group', 'role'])) {
    if (members.length < 2) continue
    // split the scope by `per`
    const parts = new Map<string, Snapshot[]>()
    const unsplit: {host: string; reason: string}[] = []
    for (const s of members) {
      const why = notApplicable.get(s)
      if (why) {
        unsplit.push({host: s.host.name, reason: why})
        continue
      }
      const key: string[] = []
      let reason: string | undefined
      for (const p of pers) {
        const v = valueAt(s, p)
        if (!v.ok) {
          reason = v.reason
          break
        }
        key.push(v.value)
      }
      if (reason) unsplit.push({host: s.host.name, reason})
      else {
        const k = key.join(' ')
        const list = parts.get(k)
        if (list) list.push(s)
        else parts.set(k, [s])
      }
    }
    if (parts.size === 0) parts.set('', [])
    for (const [key, part] of parts) {
      if (part.length + unsplit.length < 2) continue
      const suffix = pers.length > 0 && key !== '' ? ` [${key}]` : ''
      out.push(...compareHosts(base, c, scope, part, unsplit, suffix))
    }
  }
  return out
}

function compareHosts(base: Base, c: FleetCompare, scope: Scope, hosts: Snapshot[], unsplit: {host: string; reason: string}[], suffix: string): FleetFinding[] {
  if (c.packages) {
    const out: FleetFinding[] = []
    for (const spec of c.packages) {
      const known: {host: string; value: string}[] = []
      const unknown = [...unsplit]
      let installed = 0
      for (const s of hosts) {
        const v = packageValuesOf(s, c.packages).get(spec)
        if (v === undefined) known.push({host: s.host.name, value: 'not installed'})
        else if (v.ok) (known.push({host: s.host.name, value: v.value}), installed++)
        else unknown.push({host: s.host.name, reason: v.reason})
      }
      if (installed === 0 && unknown.length === unsplit.length) continue // installed nowhere: nothing to compare
      out.push(finding(base, scope, `package ${spec}${suffix}`, known, unknown))
    }
    return out
  }
  const path = c.path!
  const subject = `${c.subject ?? label(path)}${suffix}`
  if (!c.keys) {
    const known: {host: string; value: string}[] = []
    const unknown = [...unsplit]
    for (const s of hosts) {
      const v = valueAt(s, path, c.item)
      if (v.ok) known.push({host: s.host.name, value: v.value})
      else unknown.push({host: s.host.name, reason: v.reason})
    }
    return [finding(base, scope, subject, known, unknown)]
  }
  // an object: every key on its own; one finding per key that differs, else one for the whole
  const objects = new Map<string, Record<string, unknown>>()
  const unknown = [...unsplit]
  for (const s of hosts) {
    const r = resolveTop(s, path)
    if (!r.ok) unknown.push({host: s.host.name, reason: r.reason})
    else if (r.value === null || typeof r.value !== 'object') unknown.push({host: s.host.name, reason: missing(s, path)})
    else objects.set(s.host.name, r.value as Record<string, unknown>)
  }
  const raw = [...objects.values()]
  const sig = raw[0] ? signature(raw[0]) : undefined
  const keySet = new Set<string>()
  for (const o of raw) for (const k of Object.keys(o)) keySet.add(k)
  const keys = [...keySet].sort()
  const differing: FleetFinding[] = []
  // the common case, whole objects alike, needs no key-by-key look
  if (!raw.every((o) => signature(o) === sig)) {
    const maps = new Map([...objects.entries()].map(([host, o]) => [host, entriesOf(o)]))
    const first = maps.values().next().value!
    for (const k of keys) {
      const v0 = first.get(k)
      if ([...maps.values()].every((m) => m.get(k) === v0)) continue
      const known = [...maps.entries()].map(([host, m]) => ({host, value: m.get(k) ?? '(not set)'}))
      differing.push(finding(base, scope, `${c.subject ?? label(path)} ${k}${suffix}`, known, unknown))
    }
  }
  if (differing.length > 0) return differing
  const whole = [...objects.keys()].map((host) => ({host, value: `${keys.length} settings alike`}))
  return [finding(base, scope, subject, whole, unknown)]
}

/** An object's text with its keys in order: equal for alike objects. Made once per object (a host is in several scopes). */
const signatures = new WeakMap<object, string>()
function signature(o: Record<string, unknown>): string {
  let sig = signatures.get(o)
  if (sig === undefined) signatures.set(o, (sig = JSON.stringify(Object.keys(o).sort().map((k) => [k, o[k]]))))
  return sig
}

/** An object's values as comparable text, by key. */
function entriesOf(o: Record<string, unknown>): Map<string, string> {
  // lists keep their order here: sshd's Ciphers or KexAlgorithms order is a preference
  return new Map(Object.entries(o).map(([k, v]) => [k, Array.isArray(v) ? v.map(String).join(' ') : text(v)]))
}

function runUnique(base: Base, u: FleetUnique, hosts: Snapshot[], notApplicable: Map<Snapshot, string>, regexes: RegexCache): FleetFinding[] {
  if (hosts.length < 2) return [] // one host shares nothing
  const holders = new Map<string, Set<string>>()
  const unknown: {host: string; reason: string}[] = []
  let known = 0
  const ignore = new Set(u.ignore ?? [])
  for (const s of hosts) {
    const why = notApplicable.get(s)
    const r = why ? {ok: false as const, reason: why} : resolveTop(s, u.path)
    if (!r.ok || r.value === undefined) {
      unknown.push({host: s.host.name, reason: r.ok ? missing(s, u.path) : r.reason})
      continue
    }
    let values: unknown[]
    if (Array.isArray(r.value)) {
      values = r.value
        .filter((x, i) => !u.where || evaluate(u.where, s, regexes, {value: x, label: `${label(u.path)}[${i}]`}).verdict === 'pass')
        .map((x) => (u.item && x !== null && typeof x === 'object' ? (x as Record<string, unknown>)[u.item] : x))
    } else values = [r.value]
    known++
    for (const v of values) {
      if (v === undefined || v === null || v === '') continue
      const t = text(v)
      if (ignore.has(t)) continue
      const set = holders.get(t) ?? new Set()
      set.add(s.host.name)
      holders.set(t, set)
    }
  }
  // one outlier per host (a host holds several values of a list: several MACs, several host keys), with every
  // value it shares, so that counting outliers counts hosts
  const shared = new Map<string, string[]>()
  for (const [value, h] of holders) {
    if (h.size < 2) continue
    for (const host of h) shared.set(host, [...(shared.get(host) ?? []), value])
  }
  const outliers = [...shared.entries()]
    .map(([host, values]) => ({host, value: values.sort().join(', ')}))
    .sort((a, b) => a.value.localeCompare(b.value) || a.host.localeCompare(b.host))
  const scope: Scope = {kind: 'fleet', name: 'all'}
  const subject = u.subject ?? `${label(u.path)}${u.item ? `.${u.item}` : ''}`
  unknown.sort(byName)
  if (outliers.length > 0) {
    const clusters = [...holders.values()].filter((h) => h.size > 1).length
    return [{...base, scope, subject, status: 'fail', outliers, unknown, reason: `${clusters === 1 ? 'one value' : `${clusters} values`} shared by ${outliers.length} hosts: ${outliers.map((o) => o.host).sort().join(', ')}`}]
  }
  if (known < 2) return [{...base, scope, subject, status: 'unknown', outliers, unknown, reason: `${known} of ${known + unknown.length} hosts report it`}]
  return [{...base, scope, subject, status: 'pass', outliers, unknown}]
}

function runWithin(base: Base, w: FleetWithin, hosts: Snapshot[], notApplicable: Map<Snapshot, string>): FleetFinding[] {
  const unit = w.unit ? ` ${w.unit}` : ''
  const inside: {host: string; value: string}[] = []
  const outliers: {host: string; value: string}[] = []
  const unknown: {host: string; reason: string}[] = []
  for (const s of hosts) {
    const why = notApplicable.get(s)
    const r = why ? {ok: false as const, reason: why} : resolveTop(s, w.path)
    const n = r.ok ? r.value : undefined
    if (typeof n !== 'number') {
      unknown.push({host: s.host.name, reason: r.ok ? missing(s, w.path) : r.reason})
      continue
    }
    const m = w.margin ? resolveTop(s, w.margin) : undefined
    const margin = m?.ok && typeof m.value === 'number' ? m.value : 0
    if (Math.abs(n) - margin > w.maxAbs) outliers.push({host: s.host.name, value: `${n > 0 ? '+' : ''}${n}${unit}${margin ? ` (±${margin})` : ''}`})
    else inside.push({host: s.host.name, value: ''})
  }
  const scope: Scope = {kind: 'fleet', name: 'all'}
  const subject = w.subject ?? label(w.path)
  const majority = {value: `within ±${w.maxAbs}${unit}`, hosts: inside.map((h) => h.host).sort()}
  unknown.sort(byName)
  outliers.sort(byName)
  if (outliers.length > 0) return [{...base, scope, subject, status: 'fail', majority, outliers, unknown, reason: `${outliers.length} hosts beyond ±${w.maxAbs}${unit}`}]
  if (inside.length === 0) return [{...base, scope, subject, status: 'unknown', outliers, unknown, reason: 'no host reports it'}]
  return [{...base, scope, subject, status: 'pass', majority, outliers, unknown}]
}

function runReached(base: Base, snapshots: readonly Snapshot[]): FleetFinding[] {
  const collected = snapshots.filter((s) => isCollected(s.host.status)).map((s) => s.host.name).sort()
  const outliers = snapshots
    .filter((s) => !isCollected(s.host.status))
    .map((s) => ({host: s.host.name, value: `${s.host.status}${s.host.reason ? `: ${s.host.reason.split('\n')[0]}` : ''}`}))
    .sort(byName)
  const scope: Scope = {kind: 'fleet', name: 'all'}
  return [
    {
      ...base,
      scope,
      subject: 'hosts collected',
      status: outliers.length > 0 ? 'fail' : 'pass',
      majority: {value: 'collected', hosts: collected},
      outliers,
      unknown: [],
      ...(outliers.length > 0 ? {reason: `${outliers.length} of ${snapshots.length} hosts were not collected`} : {}),
    },
  ]
}

/**
 * Every fleet check of the packs over a run's snapshots. Only collected hosts are compared (hosts that were not
 * reached are the `reached` check's findings); a host whose data is missing is `unknown` with the reason, never
 * counted as agreeing. Linear in the number of hosts per check. Pure.
 */
export function runFleetChecks(snapshots: readonly Snapshot[], packs: readonly Pack[], regexes = new RegexCache()): FleetFinding[] {
  const out: FleetFinding[] = []
  for (const pack of packs) {
    for (const check of pack.fleet ?? []) {
      const base: Base = {pack: pack.pack, check: check.id, severity: check.severity}
      if ('reached' in check) {
        out.push(...runReached(base, snapshots))
        continue
      }
      const {hosts, unknown} = candidates(check, snapshots, regexes)
      if ('compare' in check) out.push(...runCompare(base, check.compare, hosts, unknown))
      else if ('unique' in check) out.push(...runUnique(base, check.unique, hosts, unknown, regexes))
      else out.push(...runWithin(base, check.within, hosts, unknown))
    }
  }
  return out
}
