import {isCollected} from '../../model/host-status.js'
import type {Snapshot} from '../../model/snapshot.js'
import {why} from '../../model/why.js'
import {evaluate, RegexCache, resolveTop, type Path} from '../checks/assertion.js'
import type {Check, Pack} from '../checks/pack.js'
import {applicability} from '../checks/run-checks.js'
import type {FleetCheck, FleetCompare, FleetScopeKind, FleetUnique, FleetWithin} from './fleet-check.js'
import type {FleetFinding} from './types.js'
import {compareAgainstReference, referenceContext, referencePackages, scopeReferences, type ReferenceContext} from './against-reference.js'
import {byName, entriesOf, label, missing, objectsOf, outlierText, packageValuesOf, signature, text, tooFew, valueAt, valuesOf, type Base, type Scope} from './fleet-values.js'

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
    const list = outlierText(outliers)
    const reason = `${outliers.length} of ${known.length} hosts differ from the majority ${majority!.value} (${list})`
    const w = why('fleet.majorityDiffers', {count: outliers.length, total: known.length, value: majority!.value, outliers: list})
    return {...base, scope, subject, status: 'fail', rule: 'majority', majority, outliers, unknown: sortedUnknown, reason, why: w}
  }
  if (known.length < 2) return {...base, scope, subject, status: 'unknown', rule: 'majority', ...(majority ? {majority} : {}), outliers, unknown: sortedUnknown, ...tooFew(known.length, known.length + unknown.length)}
  return {...base, scope, subject, status: 'pass', rule: 'majority', majority, outliers, unknown: sortedUnknown}
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

/**
 * The scopes of a comparison, each with its hosts; scopes holding the same hosts as an earlier one are dropped. Where
 * `judgedBy` names a reference for some of the scopes of one set of hosts, those are kept (each distinct reference
 * once) and the others dropped: hosts a group judges against its reference are not judged by a majority too.
 */
export function scopesOf(hosts: readonly Snapshot[], kinds: readonly FleetScopeKind[], judgedBy?: (scope: Scope) => string): {scope: Scope; hosts: Snapshot[]}[] {
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
  // one scope per set of hosts: the first, or, where some of them are judged against a reference (`judgedBy` not
  // empty), each of those with its own reference and none of the others
  const hostKey = (sc: {hosts: Snapshot[]}) => sc.hosts.map((h) => h.host.name).sort().join('\u0000')
  const referenced = new Set(scopes.filter((sc) => judgedBy?.(sc.scope)).map(hostKey))
  const seen = new Set<string>()
  return scopes.filter((sc) => {
    const by = judgedBy?.(sc.scope) ?? ''
    const hostsKey = hostKey(sc)
    if (referenced.has(hostsKey) && by === '') return false
    const key = `${hostsKey}\u0001${by}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

function runCompare(base: Base, c: FleetCompare, hosts: Snapshot[], notApplicable: Map<Snapshot, string>, ctx: ReferenceContext): FleetFinding[] {
  const out: FleetFinding[] = []
  // `per` is one path, or a list of paths (a list of strings is several paths, not one list path)
  const pers: Path[] = c.per === undefined ? [] : typeof c.per === 'string' ? [c.per] : (c.per as Path[])
  for (const {scope, hosts: members} of scopesOf(hosts, c.scope ?? ['group', 'role'], referenceKey(ctx))) {
    if (members.length < 2) continue
    const refs = scopeReferences(scope, ctx)
    if (refs) {
      out.push(...compareAgainstReference(base, c, scope, members, notApplicable, refs, ctx))
      continue
    }
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
    const unknown = [...unsplit]
    const known = valuesOf(hosts, path, c.item, unknown)
    return [finding(base, scope, subject, known, unknown)]
  }
  // an object: every key on its own; one finding per key that differs, else one for the whole
  const unknown = [...unsplit]
  const objects = objectsOf(hosts, path, unknown)
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
    const names = outliers.map((o) => o.host).sort().join(', ')
    const reason = `${clusters === 1 ? 'one value' : `${clusters} values`} shared by ${outliers.length} hosts: ${names}`
    const w = clusters === 1 ? why('fleet.sharedOne', {count: outliers.length, hosts: names}) : why('fleet.sharedMany', {clusters, count: outliers.length, hosts: names})
    return [{...base, scope, subject, status: 'fail', outliers, unknown, reason, why: w}]
  }
  if (known < 2) return [{...base, scope, subject, status: 'unknown', outliers, unknown, ...tooFew(known, known + unknown.length)}]
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
  if (outliers.length > 0) {
    const reason = `${outliers.length} hosts beyond ±${w.maxAbs}${unit}`
    const y = w.unit ? why('fleet.beyondUnit', {count: outliers.length, max: w.maxAbs, unit: w.unit}) : why('fleet.beyond', {count: outliers.length, max: w.maxAbs})
    return [{...base, scope, subject, status: 'fail', majority, outliers, unknown, reason, why: y}]
  }
  if (inside.length === 0) return [{...base, scope, subject, status: 'unknown', outliers, unknown, reason: 'no host reports it', why: why('fleet.noHostReports')}]
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
      ...(outliers.length > 0 ? {reason: `${outliers.length} of ${snapshots.length} hosts were not collected`, why: why('fleet.notCollected', {count: outliers.length, total: snapshots.length})} : {}),
    },
  ]
}

/** What a scope is judged against, as a key: scopes of the same hosts judged alike are compared once. */
const referenceKey = (ctx: ReferenceContext) => (scope: Scope) => {
  const refs = scopeReferences(scope, ctx)
  return refs ? JSON.stringify(refs.map((r) => ({...r, group: undefined}))) : ''
}

/** Packages of each group's reference missing on its hosts; groups without a reference give nothing. */
function runReferencePackages(base: Base, hosts: Snapshot[], notApplicable: Map<Snapshot, string>, ctx: ReferenceContext): FleetFinding[] {
  const out: FleetFinding[] = []
  for (const {scope, hosts: members} of scopesOf(hosts, ['group'], referenceKey(ctx))) {
    const refs = scopeReferences(scope, ctx)
    if (refs && scope.kind === 'group' && members.length >= 2) out.push(...referencePackages(base, scope, members, notApplicable, refs, ctx))
  }
  return out
}

/**
 * Every fleet check of the packs over a run's snapshots. Only collected hosts are compared (hosts that were not
 * reached are the `reached` check's findings); a host whose data is missing is `unknown` with the reason, never
 * counted as agreeing. A group whose snapshots record a reference is judged against it (against-reference.ts),
 * every other scope against its majority; each compare finding says which (`rule`). Linear in the number of hosts
 * per check. Pure.
 */
export function runFleetChecks(snapshots: readonly Snapshot[], packs: readonly Pack[], regexes = new RegexCache()): FleetFinding[] {
  const out: FleetFinding[] = []
  const ctx = referenceContext(snapshots)
  for (const pack of packs) {
    for (const check of pack.fleet ?? []) {
      const base: Base = {pack: pack.pack, check: check.id, severity: check.severity}
      if ('reached' in check) {
        out.push(...runReached(base, snapshots))
        continue
      }
      const {hosts, unknown} = candidates(check, snapshots, regexes)
      if ('compare' in check) out.push(...runCompare(base, check.compare, hosts, unknown, ctx))
      else if ('unique' in check) out.push(...runUnique(base, check.unique, hosts, unknown, regexes))
      else if ('within' in check) out.push(...runWithin(base, check.within, hosts, unknown))
      else out.push(...runReferencePackages(base, hosts, unknown, ctx))
    }
  }
  return out
}
