import type {CheckResult} from './checks/run-checks.js'
import {compareDpkgVersions} from '../model/versions/dpkg-version.js'
import {compareRpmVersions} from '../model/versions/rpm-version.js'
import {isCollected} from '../model/host-status.js'
import {isInstalled} from '../model/sections/packages.js'
import type {Severity} from '../model/severity.js'
import type {Snapshot} from '../model/snapshot.js'
import {isRead, type Section} from '../model/section.js'

/** One side of a diff: a run's id and time, its snapshots, and its stored check results (undefined: the run was not judged). */
export interface DiffSide {
  run: {id: number; startedAt: string}
  snapshots: readonly Snapshot[]
  results?: readonly CheckResult[]
}

/** A field whose value differs; null where a side does not report it. */
export interface FieldChange {
  section: 'system' | 'cpu' | 'memory' | 'disks' | 'os'
  field: string
  from: string | null
  to: string | null
}

export interface PackageRef {
  name: string
  architecture?: string
  manager: string
  version: string
}

export interface PackageChange {
  name: string
  architecture?: string
  manager: string
  from: string
  to: string
}

export interface HostDiff {
  host: string
  hardware: FieldChange[]
  os: FieldChange[]
  packages: {added: PackageRef[]; removed: PackageRef[]; upgraded: PackageChange[]; downgraded: PackageChange[]}
  /** Sections that could not be compared, and why (`packages: unavailable in run 4 (needs root)`). */
  notCompared: string[]
}

export interface FindingRef {
  host: string
  pack: string
  check: string
  severity: Severity
  reason?: string
}

export interface RunDiff {
  from: {id: number; startedAt: string}
  to: {id: number; startedAt: string}
  hosts: {appeared: string[]; disappeared: string[]; compared: number}
  /** Hosts present in both runs with at least one change or section not compared, by name. */
  changed: HostDiff[]
  /** Failures in the newer run that the older did not have, and failures of the older that now pass; null when a run was not judged. */
  findings: {new: FindingRef[]; fixed: FindingRef[]} | null
  /** Why findings is null. */
  findingsNote?: string
}

type AnySection = Section<unknown>

function usable(s: AnySection | undefined): boolean {
  return s !== undefined && isRead(s.status) && s.data !== undefined
}

function why(s: AnySection | undefined): string {
  return s ? `${s.status}${s.reason ? ` (${s.reason})` : ''}` : 'absent'
}

const text = (v: unknown): string | null => (v === undefined || v === null ? null : String(v))

/** Field-by-field changes of one section's scalar fields. */
function fieldChanges(section: FieldChange['section'], a: Record<string, unknown>, b: Record<string, unknown>, fields: readonly string[]): FieldChange[] {
  const out: FieldChange[] = []
  for (const f of fields) {
    const from = text(a[f])
    const to = text(b[f])
    if (from !== to) out.push({section, field: f, from, to})
  }
  return out
}

const SYSTEM_FIELDS = ['vendor', 'model', 'serial', 'sku', 'boardVendor', 'boardModel', 'boardSerial', 'biosVendor', 'biosVersion', 'biosDate'] as const
// mhz moves with load and power saving: not a hardware change
const CPU_FIELDS = ['model', 'vendor', 'sockets', 'cores', 'threads', 'maxMhz'] as const
const OS_FIELDS = ['family', 'distribution', 'versionId', 'version', 'codename', 'debianVersion', 'kernel', 'architecture'] as const
/** The kernel reserves a little more or less memory from one boot to the next: a change under 1 % of MemTotal is not new hardware. */
const MEMORY_TOLERANCE = 0.01

interface DiskLike {
  name: string
  serial?: string
  wwn?: string
  model?: string
  sizeBytes: number
}

interface ModuleLike {
  sizeBytes: number
  locator?: string
  bankLocator?: string
  serial?: string
  partNumber?: string
}

function diskChanges(a: readonly DiskLike[], b: readonly DiskLike[]): FieldChange[] {
  // a disk is itself by serial (or WWN); its kernel name can change across boots
  const key = (d: DiskLike) => d.serial || d.wwn || `name:${d.name}`
  const describe = (d: DiskLike) => `${d.name}${d.model ? ` ${d.model}` : ''} ${d.sizeBytes} B${d.serial ? ` serial ${d.serial}` : ''}`
  const before = new Map(a.map((d) => [key(d), d]))
  const after = new Map(b.map((d) => [key(d), d]))
  const out: FieldChange[] = []
  for (const [k, d] of before) {
    const n = after.get(k)
    if (!n) out.push({section: 'disks', field: d.name, from: describe(d), to: null})
    else if (n.sizeBytes !== d.sizeBytes || (n.model ?? null) !== (d.model ?? null)) out.push({section: 'disks', field: d.name, from: describe(d), to: describe(n)})
  }
  for (const [k, d] of after) if (!before.has(k)) out.push({section: 'disks', field: d.name, from: null, to: describe(d)})
  return out
}

function memoryChanges(a: {totalBytes: number; modules?: readonly ModuleLike[]}, b: {totalBytes: number; modules?: readonly ModuleLike[]}): FieldChange[] {
  const out: FieldChange[] = []
  if (Math.abs(a.totalBytes - b.totalBytes) > MEMORY_TOLERANCE * Math.max(a.totalBytes, b.totalBytes)) {
    out.push({section: 'memory', field: 'totalBytes', from: String(a.totalBytes), to: String(b.totalBytes)})
  }
  if (a.modules && b.modules) {
    const slot = (m: ModuleLike, i: number) => [m.bankLocator, m.locator].filter(Boolean).join(' ') || `module ${i + 1}`
    const describe = (m: ModuleLike) => `${m.sizeBytes} B${m.partNumber ? ` ${m.partNumber}` : ''}${m.serial ? ` serial ${m.serial}` : ''}`
    const before = new Map(a.modules.map((m, i) => [slot(m, i), m]))
    const after = new Map(b.modules.map((m, i) => [slot(m, i), m]))
    for (const s of [...new Set([...before.keys(), ...after.keys()])].sort()) {
      const x = before.get(s)
      const y = after.get(s)
      const from = x ? describe(x) : null
      const to = y ? describe(y) : null
      if (from !== to) out.push({section: 'memory', field: s, from, to})
    }
  }
  return out
}

interface PackageLike {
  name: string
  version?: string
  architecture?: string
  manager: string
  status: string
}

/**
 * What diffHost reads of a snapshot, besides the host's name, status and reason: these sections whole, and of
 * `packages` its status, reason and the installed items' PackageLike fields. A run that lets its snapshots go keeps
 * this of each host to diff it later (src/runs/kept-snapshot.ts).
 */
export const DIFF_SECTIONS = ['system', 'cpu', 'memory', 'disks', 'os'] as const

function compareVersions(manager: string, a: string, b: string): number {
  return manager === 'rpm' ? compareRpmVersions(a, b) : compareDpkgVersions(a, b)
}

function packageChanges(a: readonly PackageLike[], b: readonly PackageLike[]): HostDiff['packages'] {
  const group = (items: readonly PackageLike[]) => {
    const m = new Map<string, {p: PackageLike; versions: string[]}>()
    for (const p of items) {
      if (!isInstalled(p)) continue
      const k = `${p.manager}\0${p.name}\0${p.architecture ?? ''}`
      const e = m.get(k) ?? {p, versions: []}
      e.versions.push(p.version ?? '')
      m.set(k, e)
    }
    return m
  }
  const ref = (p: PackageLike, version: string): PackageRef => ({name: p.name, ...(p.architecture ? {architecture: p.architecture} : {}), manager: p.manager, version})
  const before = group(a)
  const after = group(b)
  const out: HostDiff['packages'] = {added: [], removed: [], upgraded: [], downgraded: []}
  for (const [k, x] of before) {
    const y = after.get(k)
    if (!y) {
      for (const v of x.versions) out.removed.push(ref(x.p, v))
      continue
    }
    if (x.versions.length === 1 && y.versions.length === 1) {
      const from = x.versions[0]!
      const to = y.versions[0]!
      const order = compareVersions(x.p.manager, from, to)
      const change = {name: x.p.name, ...(x.p.architecture ? {architecture: x.p.architecture} : {}), manager: x.p.manager, from, to}
      if (order < 0) out.upgraded.push(change)
      else if (order > 0) out.downgraded.push(change)
      continue
    }
    // several versions side by side (rpm kernels): compare as sets
    for (const v of x.versions) if (!y.versions.includes(v)) out.removed.push(ref(x.p, v))
    for (const v of y.versions) if (!x.versions.includes(v)) out.added.push(ref(y.p, v))
  }
  for (const [k, y] of after) if (!before.has(k)) for (const v of y.versions) out.added.push(ref(y.p, v))
  const byName = (p: {name: string; architecture?: string; manager: string}, q: typeof p) =>
    p.name.localeCompare(q.name) || (p.architecture ?? '').localeCompare(q.architecture ?? '') || p.manager.localeCompare(q.manager)
  for (const list of [out.added, out.removed, out.upgraded, out.downgraded]) list.sort(byName)
  return out
}

/** What changed on one host between two snapshots of it. Pure. */
export function diffHost(a: Snapshot, b: Snapshot, runs: {from: number; to: number} = {from: 0, to: 0}): HostDiff {
  const down = [a, b].map((s, i) => (isCollected(s.host.status) ? undefined : `host not collected in run ${i === 0 ? runs.from : runs.to}: ${s.host.status}${s.host.reason ? ` (${s.host.reason.split('\n')[0]})` : ''}`))
  if (down.some(Boolean)) {
    return {host: b.host.name, hardware: [], os: [], packages: {added: [], removed: [], upgraded: [], downgraded: []}, notCompared: down.filter((d): d is string => d !== undefined)}
  }
  const sa = a.sections as unknown as Record<string, AnySection>
  const sb = b.sections as unknown as Record<string, AnySection>
  const notCompared: string[] = []
  const both = (id: string): [Record<string, unknown>, Record<string, unknown>] | undefined => {
    const x = sa[id]
    const y = sb[id]
    if (usable(x) && usable(y)) return [x!.data as Record<string, unknown>, y!.data as Record<string, unknown>]
    // unavailable alike in both runs (a VM without DMI): nothing to compare, nothing changed
    if (!usable(x) && !usable(y) && x?.status === y?.status && x?.reason === y?.reason) return undefined
    notCompared.push(`${id}: ${!usable(x) ? `${why(x)} in run ${runs.from}` : `${why(y)} in run ${runs.to}`}`)
    return undefined
  }
  const hardware: FieldChange[] = []
  const system = both('system')
  if (system) hardware.push(...fieldChanges('system', system[0], system[1], SYSTEM_FIELDS))
  const cpu = both('cpu')
  if (cpu) hardware.push(...fieldChanges('cpu', cpu[0], cpu[1], CPU_FIELDS))
  const memory = both('memory')
  if (memory) hardware.push(...memoryChanges(memory[0] as {totalBytes: number}, memory[1] as {totalBytes: number}))
  const disks = both('disks')
  if (disks) hardware.push(...diskChanges((disks[0].disks ?? []) as DiskLike[], (disks[1].disks ?? []) as DiskLike[]))
  const os = both('os')
  const packages = both('packages')
  return {
    host: b.host.name,
    hardware,
    os: os ? fieldChanges('os', os[0], os[1], OS_FIELDS) : [],
    packages: packages ? packageChanges((packages[0].items ?? []) as PackageLike[], (packages[1].items ?? []) as PackageLike[]) : {added: [], removed: [], upgraded: [], downgraded: []},
    notCompared,
  }
}

/** Whether a host's diff has anything to show (a diff lists only the hosts that changed). */
export function hasChanges(h: HostDiff): boolean {
  const p = h.packages
  return h.hardware.length + h.os.length + p.added.length + p.removed.length + p.upgraded.length + p.downgraded.length + h.notCompared.length > 0
}

const findingKey = (r: Pick<CheckResult, 'host' | 'pack' | 'check'>) => `${r.host}\0${r.pack}\0${r.check}`
const findingRef = (r: CheckResult): FindingRef => ({host: r.host, pack: r.pack, check: r.check, severity: r.severity, ...(r.reason ? {reason: r.reason} : {}), ...(r.why ? {why: r.why} : {})})

/**
 * Findings between two judged runs. New: failing now, not failing before (a host that appeared brings its
 * failures). Fixed: failing before, passing now (a host that disappeared fixes nothing; a check now waived,
 * unknown or not evaluated is not fixed).
 */
function findingChanges(a: readonly CheckResult[], b: readonly CheckResult[]): {new: FindingRef[]; fixed: FindingRef[]} {
  const before = new Map(a.map((r) => [findingKey(r), r]))
  const after = new Map(b.map((r) => [findingKey(r), r]))
  const fresh = b.filter((r) => r.status === 'fail' && before.get(findingKey(r))?.status !== 'fail').map(findingRef)
  const fixed = a.filter((r) => r.status === 'fail' && after.get(findingKey(r))?.status === 'pass').map(findingRef)
  return {new: fresh, fixed}
}

/**
 * One side of a diff as a store holds it: the run, its host names and results; each host's snapshot is loaded by
 * the caller when it is compared (a store holds hundreds of snapshots of ~300 KB: two in memory at a time).
 */
export interface DiffSideInfo {
  run: {id: number; startedAt: string}
  hosts: readonly string[]
  results?: readonly CheckResult[]
}

/** Which hosts two runs share (to compare), and which appeared or are gone: each list sorted. */
export function hostsOfDiff(a: DiffSideInfo, b: DiffSideInfo): RunDiff['hosts'] & {common: string[]} {
  const before = new Set(a.hosts)
  const after = new Set(b.hosts)
  const common = [...after].filter((h) => before.has(h)).sort()
  return {appeared: [...after].filter((h) => !before.has(h)).sort(), disappeared: [...before].filter((h) => !after.has(h)).sort(), compared: common.length, common}
}

/** The diff of runs A and B once each common host's diffHost is known (in hostsOfDiff's order). Pure. */
export function assembleDiff(a: DiffSideInfo, b: DiffSideInfo, hostDiffs: readonly HostDiff[]): RunDiff {
  const {common: _common, ...hosts} = hostsOfDiff(a, b)
  const unjudged = [a, b].filter((s) => s.results === undefined).map((s) => s.run.id)
  return {
    from: a.run,
    to: b.run,
    hosts,
    changed: hostDiffs.filter(hasChanges),
    findings: unjudged.length === 0 ? findingChanges(a.results!, b.results!) : null,
    ...(unjudged.length > 0 ? {findingsNote: `run ${unjudged.join(' and run ')} ${unjudged.length > 1 ? 'were' : 'was'} not judged (no check results stored)`} : {}),
  }
}

/** What changed from run A to run B: hosts, hardware, OS, packages and findings. Pure. */
export function diffRuns(a: DiffSide, b: DiffSide): RunDiff {
  const info = (side: DiffSide): DiffSideInfo => ({run: side.run, hosts: side.snapshots.map((s) => s.host.name), ...(side.results ? {results: side.results} : {})})
  const byName = (side: DiffSide) => new Map(side.snapshots.map((s) => [s.host.name, s]))
  const [before, after] = [byName(a), byName(b)]
  const {common} = hostsOfDiff(info(a), info(b))
  return assembleDiff(info(a), info(b), common.map((h) => diffHost(before.get(h)!, after.get(h)!, {from: a.run.id, to: b.run.id})))
}
