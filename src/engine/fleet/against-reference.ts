import {PACKAGE_ABSENT, PACKAGE_PRESENT, referenceName, STANDARD_PATHS, type GroupReference} from '../../model/group-reference.js'
import {isCollected} from '../../model/host-status.js'
import type {Snapshot} from '../../model/snapshot.js'
import {why} from '../../model/why.js'
import type {FleetCompare} from './fleet-check.js'
import {byName, entriesOf, glob, installedNames, label, listText, missing, objectsOf, outlierText, packageValuesOf, text, tooFew, valueAt, valuesOf, type Base, type Got, type Scope} from './fleet-values.js'
import type {FleetFinding} from './types.js'

/**
 * Fleet checks of a group that declares a reference (hosts.yaml `reference:`, recorded in each member's snapshot):
 * the expected value is the reference's — a host of the group, or a standard file — and every host that differs is
 * an outlier (the reference host never is one). A value the reference lacks, or a reference that cannot be read, is
 * unknown, never a pass. Pure.
 */

/** What the run knows of references: each group's (several when its snapshots disagree), and every snapshot by name. */
export interface ReferenceContext {
  references: Map<string, GroupReference[]>
  byName: Map<string, Snapshot>
}

/** The references the snapshots record, by group: one per group, or the distinct ones when snapshots disagree. */
export function referenceContext(snapshots: readonly Snapshot[]): ReferenceContext {
  const seen = new Map<string, Map<string, GroupReference>>()
  const byName = new Map<string, Snapshot>()
  for (const s of snapshots) {
    byName.set(s.host.name, s)
    for (const r of s.host.references ?? []) {
      const list = seen.get(r.group) ?? seen.set(r.group, new Map()).get(r.group)!
      list.set(JSON.stringify(r), r)
    }
  }
  const references = new Map<string, GroupReference[]>()
  for (const [group, list] of seen) references.set(group, [...list.values()])
  return {references, byName}
}

/** The references of a scope: only a group declares one. */
export function scopeReferences(scope: Scope, ctx: ReferenceContext): GroupReference[] | undefined {
  return scope.kind === 'group' ? ctx.references.get(scope.name) : undefined
}

type Known = {host: string; value: string}[]
type Unknown = {host: string; reason: string}[]
interface Expected {
  value: string
  matches: (v: string) => boolean
}
const exactly = (value: string): Expected => ({value, matches: (v) => v === value})

/** How a finding names its reference. */
function tagOf(ref: GroupReference): Pick<FleetFinding, 'rule' | 'reference'> {
  return {rule: 'reference', reference: ref.host ? {kind: 'host', name: ref.host} : {kind: 'standard', name: referenceName(ref)}}
}

function unknownFinding(base: Base, scope: Scope, subject: string, tag: Pick<FleetFinding, 'rule' | 'reference'>, unknown: Unknown, reason: Pick<FleetFinding, 'reason' | 'why'>): FleetFinding {
  return {...base, scope, subject, status: 'unknown', ...tag, outliers: [], unknown: [...unknown].sort(byName), ...reason}
}

/** The snapshots of one group naming different references: nothing is judged until the group is collected again. */
function disagreeing(base: Base, scope: Scope, subject: string, refs: GroupReference[], unknown: Unknown): FleetFinding {
  const names = refs.map(referenceName).sort().join(', ')
  return unknownFinding(base, scope, subject, {rule: 'reference'}, unknown, {
    reason: `the snapshots of group ${scope.name} name different references (${names})`,
    why: why('fleet.referencesDisagree', {group: scope.name, references: names}),
  })
}

/** Why the reference host cannot be compared: no snapshot of it, not collected, or the check does not (or may not) apply. */
function referenceUnusable(host: string, members: readonly Snapshot[], notApplicable: ReadonlyMap<Snapshot, string>, ctx: ReferenceContext): Pick<FleetFinding, 'reason' | 'why'> {
  const s = ctx.byName.get(host)
  if (!s) return {reason: `the run holds no snapshot of the reference ${host}`, why: why('fleet.referenceAbsent', {reference: host})}
  if (!isCollected(s.host.status)) return {reason: `the reference ${host} was not collected (${s.host.status})`, why: why('fleet.referenceNotCollected', {reference: host, status: s.host.status})}
  if (members.includes(s) && notApplicable.has(s))
    return {reason: `whether this check applies to the reference ${host} is unknown (${notApplicable.get(s)})`, why: why('fleet.referenceApplicabilityUnknown', {reference: host})}
  return {reason: `this check does not apply to the reference ${host}`, why: why('fleet.referenceNotApplicable', {reference: host})}
}

const noData = (ref: string, subject: string, detail: string): Pick<FleetFinding, 'reason' | 'why'> => ({
  reason: `the reference ${ref} does not report ${subject} (${detail})`,
  why: why('fleet.referenceNoData', {reference: ref, subject}),
})
const silent = (ref: GroupReference, subject: string): Pick<FleetFinding, 'reason' | 'why'> => ({
  reason: `the standard ${referenceName(ref)} does not state ${subject}`,
  why: why('fleet.standardSilent', {standard: referenceName(ref), subject}),
})

/** Hosts judged against the expected value: those that differ are the outliers; the reference host is never one. */
function judge(base: Base, scope: Scope, subject: string, ref: GroupReference, expected: Expected, known: Known, unknown: Unknown): FleetFinding {
  const tag = tagOf(ref)
  const compared = known.filter((k) => k.host !== ref.host)
  const outliers = compared.filter((k) => !expected.matches(k.value)).sort(byName)
  const agree = [...(ref.host ? [ref.host] : []), ...compared.filter((k) => expected.matches(k.value)).map((k) => k.host)].sort()
  const majority = {value: expected.value, hosts: agree}
  const sortedUnknown = [...unknown].sort(byName)
  if (outliers.length > 0) {
    const list = outlierText(outliers)
    const name = referenceName(ref)
    const total = compared.length
    const reason = `${outliers.length} of ${total} hosts differ from the ${ref.host ? 'reference' : 'standard'} ${name}, which ${ref.host ? 'has' : 'states'} ${expected.value} (${list})`
    const w = ref.host
      ? why('fleet.referenceDiffers', {count: outliers.length, total, reference: name, value: expected.value, outliers: list})
      : why('fleet.standardDiffers', {count: outliers.length, total, standard: name, value: expected.value, outliers: list})
    return {...base, scope, subject, status: 'fail', ...tag, majority, outliers, unknown: sortedUnknown, reason, why: w}
  }
  if (compared.length === 0) return {...base, scope, subject, status: 'unknown', ...tag, majority, outliers, unknown: sortedUnknown, ...tooFew(0, unknown.length)}
  return {...base, scope, subject, status: 'pass', ...tag, majority, outliers, unknown: sortedUnknown}
}

/** What a standard expects of a package: installed at this version, installed (any), or not installed. */
function packageExpectation(stated: string): Expected {
  if (stated === PACKAGE_PRESENT) return {value: stated, matches: (v) => v !== NOT_INSTALLED}
  if (stated === PACKAGE_ABSENT) return {value: stated, matches: (v) => v === NOT_INSTALLED}
  return exactly(stated)
}
const NOT_INSTALLED = 'not installed'

/**
 * A compare check over one group against its reference (`per` does not split it: the reference is what every host of
 * the group should be). `members` are the group's compared hosts; `notApplicable` those whose applicability is unknown.
 */
export function compareAgainstReference(base: Base, c: FleetCompare, scope: Scope, members: readonly Snapshot[], notApplicable: ReadonlyMap<Snapshot, string>, refs: GroupReference[], ctx: ReferenceContext): FleetFinding[] {
  const subjectAll = c.subject ?? (c.packages ? 'packages' : label(c.path!))
  const unsure: Unknown = members.filter((s) => notApplicable.has(s) && s.host.name !== refs[0]?.host).map((s) => ({host: s.host.name, reason: notApplicable.get(s)!}))
  if (refs.length > 1) return [disagreeing(base, scope, subjectAll, refs, unsure)]
  const ref = refs[0]!
  const tag = tagOf(ref)
  let refSnap: Snapshot | undefined
  if (ref.host) {
    refSnap = members.find((s) => s.host.name === ref.host)
    if (!refSnap || notApplicable.has(refSnap)) return [unknownFinding(base, scope, subjectAll, tag, unsure, referenceUnusable(ref.host, members, notApplicable, ctx))]
  }
  const hosts = members.filter((s) => !notApplicable.has(s))
  const std = ref.standard

  if (c.packages) {
    const out: FleetFinding[] = []
    const unstated: string[] = []
    for (const spec of c.packages) {
      const known: Known = []
      const unknown = [...unsure]
      let installed = 0
      for (const s of hosts) {
        const v = packageValuesOf(s, c.packages).get(spec)
        if (v === undefined) known.push({host: s.host.name, value: NOT_INSTALLED})
        else if (v.ok) (known.push({host: s.host.name, value: v.value}), installed++)
        else unknown.push({host: s.host.name, reason: v.reason})
      }
      const subject = `package ${spec}`
      if (refSnap) {
        const v = packageValuesOf(refSnap, c.packages).get(spec)
        if (v !== undefined && !v.ok) out.push(unknownFinding(base, scope, subject, tag, unknown, noData(ref.host!, subject, v.reason)))
        else if (installed > 0 || unknown.length > unsure.length) out.push(judge(base, scope, subject, ref, exactly(v === undefined ? NOT_INSTALLED : v.value), known, unknown))
        continue
      }
      const stated = std?.packages?.[spec]
      if (stated !== undefined) out.push(judge(base, scope, subject, ref, packageExpectation(stated), known, unknown))
      else if (installed > 0) unstated.push(spec)
    }
    if (unstated.length > 0) out.push(unknownFinding(base, scope, `packages ${unstated.join(', ')}`, tag, unsure, silent(ref, `packages ${unstated.join(', ')}`)))
    return out
  }

  const path = c.path!
  const subject = c.subject ?? label(path)
  if (!c.keys) {
    let expected: Got
    if (refSnap) expected = valueAt(refSnap, path, c.item)
    else {
      const part = STANDARD_PATHS[label(path)]
      const stated = part === undefined ? undefined : std?.[part]
      if (stated === undefined) return [unknownFinding(base, scope, subject, tag, unsure, silent(ref, subject))]
      expected = {ok: true, value: text(stated)}
    }
    if (!expected.ok) return [unknownFinding(base, scope, subject, tag, unsure, noData(ref.host!, subject, expected.reason))]
    const unknown = [...unsure]
    const known = valuesOf(hosts, path, c.item, unknown)
    return [judge(base, scope, subject, ref, exactly(expected.value), known, unknown)]
  }

  // an object (sshd settings): every key the reference has (a host: every key any host has) compared on its own
  const unknown = [...unsure]
  const maps = new Map([...objectsOf(hosts, path, unknown)].map(([host, o]) => [host, entriesOf(o)]))
  let expected: Map<string, string>
  if (refSnap) {
    const own = maps.get(refSnap.host.name)
    if (!own) return [unknownFinding(base, scope, subject, tag, unknown.filter((u) => u.host !== ref.host), noData(ref.host!, subject, unknown.find((u) => u.host === ref.host)?.reason ?? missing(refSnap, path)))]
    expected = own
  } else {
    const part = STANDARD_PATHS[label(path)]
    const stated = part === undefined ? undefined : std?.[part]
    if (stated === undefined || typeof stated !== 'object' || Array.isArray(stated)) return [unknownFinding(base, scope, subject, tag, unsure, silent(ref, subject))]
    expected = new Map(Object.entries(stated))
  }
  const keys = refSnap ? [...new Set([...maps.values()].flatMap((m) => [...m.keys()]))].sort() : [...expected.keys()].sort()
  const differing: FleetFinding[] = []
  for (const k of keys) {
    const want = expected.get(k) ?? '(not set)'
    const known = [...maps.entries()].map(([host, m]) => ({host, value: m.get(k) ?? '(not set)'}))
    const f = judge(base, scope, `${subject} ${k}`, ref, exactly(want), known, unknown)
    if (f.status === 'fail') differing.push(f)
  }
  if (differing.length > 0) return differing
  const whole = `${keys.length} settings as ${referenceName(ref)}`
  return [judge(base, scope, subject, ref, exactly(whole), [...maps.keys()].map((host) => ({host, value: whole})), unknown)]
}

/**
 * Packages the reference has that hosts of its group lack (a host reference: every package installed on it; a standard:
 * those it states present or at a version), and, for a standard, packages it states absent that hosts have. Groups
 * without a reference give no finding: a key package installed on only some hosts is sync.key-packages' finding.
 */
export function referencePackages(base: Base, scope: Scope, members: readonly Snapshot[], notApplicable: ReadonlyMap<Snapshot, string>, refs: GroupReference[], ctx: ReferenceContext): FleetFinding[] {
  const subject = 'packages'
  const unsure: Unknown = members.filter((s) => notApplicable.has(s) && s.host.name !== refs[0]?.host).map((s) => ({host: s.host.name, reason: notApplicable.get(s)!}))
  if (refs.length > 1) return [disagreeing(base, scope, subject, refs, unsure)]
  const ref = refs[0]!
  const tag = tagOf(ref)
  let required: string[]
  let excluded: string[] = []
  if (ref.host) {
    const refSnap = members.find((s) => s.host.name === ref.host)
    if (!refSnap || notApplicable.has(refSnap)) return [unknownFinding(base, scope, subject, tag, unsure, referenceUnusable(ref.host, members, notApplicable, ctx))]
    const own = installedNames(refSnap)
    if (!(own instanceof Set)) return [unknownFinding(base, scope, subject, tag, unsure, noData(ref.host, subject, own.reason))]
    required = [...own].sort()
  } else {
    const stated = Object.entries(ref.standard?.packages ?? {})
    if (stated.length === 0) return [unknownFinding(base, scope, subject, tag, unsure, silent(ref, subject))]
    required = stated.filter(([, v]) => v !== PACKAGE_ABSENT).map(([k]) => k)
    excluded = stated.filter(([, v]) => v === PACKAGE_ABSENT).map(([k]) => k)
  }
  const has = (names: Set<string>, spec: string) => (/[*?]/.test(spec) ? [...names].some((n) => glob(spec).test(n)) : names.has(spec))
  const lacking: Known = []
  const unwanted: Known = []
  const unknown = [...unsure]
  let compared = 0
  for (const s of members) {
    if (s.host.name === ref.host || notApplicable.has(s)) continue
    const names = installedNames(s)
    if (!(names instanceof Set)) {
      unknown.push({host: s.host.name, reason: names.reason})
      continue
    }
    compared++
    const lacks = required.filter((spec) => !has(names, spec))
    if (lacks.length > 0) lacking.push({host: s.host.name, value: listText(lacks)})
    const extra = excluded.filter((spec) => has(names, spec))
    if (extra.length > 0) unwanted.push({host: s.host.name, value: listText(extra)})
  }
  const name = referenceName(ref)
  const finding = (subj: string, outliers: Known, expected: string, w: (count: number, list: string) => Pick<FleetFinding, 'reason' | 'why'>): FleetFinding => {
    const sortedUnknown = [...unknown].sort(byName)
    const others = [...members.map((s) => s.host.name).filter((h) => h !== ref.host && !outliers.some((o) => o.host === h) && !unknown.some((u) => u.host === h))]
    const majority = {value: expected, hosts: [...(ref.host ? [ref.host] : []), ...others].sort()}
    if (outliers.length > 0) return {...base, scope, subject: subj, status: 'fail', ...tag, majority, outliers: outliers.sort(byName), unknown: sortedUnknown, ...w(outliers.length, outlierText(outliers))}
    if (compared === 0) return {...base, scope, subject: subj, status: 'unknown', ...tag, majority, outliers: [], unknown: sortedUnknown, ...tooFew(0, unknown.length)}
    return {...base, scope, subject: subj, status: 'pass', ...tag, majority, outliers: [], unknown: sortedUnknown}
  }
  const out: FleetFinding[] = []
  if (required.length > 0)
    out.push(
      finding(subject, lacking, `${required.length} packages`, (count, list) =>
      ref.host
        ? {reason: `${count} of ${compared} hosts lack packages the reference ${name} has (${list})`, why: why('fleet.referenceLacksPackages', {count, total: compared, reference: name, outliers: list})}
          : {reason: `${count} of ${compared} hosts lack packages the standard ${name} requires (${list})`, why: why('fleet.standardLacksPackages', {count, total: compared, standard: name, outliers: list})},
      ),
    )
  if (excluded.length > 0)
    out.push(
      finding('packages excluded', unwanted, listText(excluded), (count, list) => ({
        reason: `${count} of ${compared} hosts have packages the standard ${name} excludes (${list})`,
        why: why('fleet.standardExcludedPackages', {count, total: compared, standard: name, outliers: list}),
      })),
    )
  return out
}
