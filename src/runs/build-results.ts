import {eolDataOf} from '../engine/checks/eol-review.js'
import type {Pack} from '../engine/checks/pack.js'
import {fixKind} from '../engine/fixes/fix-kind.js'
import {cisText, levelText} from '../engine/checks/reference-text.js'
import type {HostResults} from '../engine/checks/run-checks.js'
import type {RunEvaluation} from '../engine/evaluate-run.js'
import {isStale} from '../engine/evidence.js'
import type {Score} from '../engine/scores.js'
import {isExpired, type Waiver} from '../engine/waivers.js'
import {isCollected} from '../model/host-status.js'
import {RESULTS_SCHEMA_VERSION, type CheckFix, type Fixable, type FixKind, type HostReport, type Results, type ResultsHistory, type RunInfo} from '../model/results.js'
import {isRead, type SectionStatus} from '../model/section.js'
import {selectionFlag} from '../model/section-selection.js'
import {sectionCatalog} from '../model/sections/index.js'
import {isInstalled, type PackageItem} from '../model/sections/packages.js'
import type {Snapshot} from '../model/snapshot.js'
import {hostReview, reviewLimitsOf, type ReviewLimits} from './host-review.js'
import {defined} from './defined.js'
import {hostFixable, runFixable} from './fixable-counts.js'

export interface BuildResultsInput {
  /** The run's snapshots: whole, or with `facts` only their host and meta. */
  snapshots: readonly Snapshot[]
  /** Each host's facts (hostFacts), in the order of `snapshots`, when they were read as each snapshot came; default read from `snapshots`. */
  facts?: readonly HostFacts[]
  packs: readonly Pack[]
  evaluation: RunEvaluation
  waivers?: readonly Waiver[]
  run: RunInfo
  /** Earlier runs from the store (historyFromStore). */
  history?: ResultsHistory
}


function references(r: Pack['checks'][number]['references']): string[] | undefined {
  if (!r) return undefined
  const out = [...(r.cis ?? []).map(cisText)]
  if (r.tcvn) out.push(`TCVN 11930:2017 ${r.tcvn.group}${r.tcvn.clause ? ` ${r.tcvn.clause}` : ''} (${r.tcvn.status})`)
  if (r.level) out.push(levelText(r.level))
  return out.length ? out : undefined
}

type KindOf = (pack: string, check: string) => FixKind | undefined

/** What a report shows of a host that its snapshot alone says: all of its HostReport but the judgement. */
export type HostFacts = Omit<HostReport, 'stale' | 'insufficient' | 'insufficientWhy' | 'results' | 'counts' | 'fixable' | 'score' | 'error'>

/** A package as a host's report lists it. */
export type ReportedPackage = HostReport['packages']['items'][number]

// plain objects (a fleet has ~1,000 packages per host): undefined fields vanish when written as JSON
export const reportedPackage = (p: PackageItem): ReportedPackage => ({name: p.name, version: p.version, architecture: p.architecture, manager: p.manager})

/**
 * A host's facts from its whole snapshot (`limits`: reviewLimitsOf the run's packs; `installed`: reportedPackage of
 * each installed package, when the caller made them, in the section's order). Pure. A run that lets its snapshots go
 * keeps these of each host for its results.
 */
export function hostFacts(s: Snapshot, limits: ReviewLimits, installed?: readonly ReportedPackage[]): HostFacts {
  const x = s.sections
  const sys = x.system.data
  const virt = x.virtualization.data
  const virtText = virt ? (virt.container !== 'none' ? `container ${virt.container}` : virt.role === 'guest' ? `guest ${virt.technology ?? ''}`.trim() : virt.role === 'host' ? 'hypervisor host' : 'bare metal') : undefined
  const os = x.os.data
  const ips = (x.network.data?.interfaces ?? [])
    .filter((i) => i.kind !== 'loopback')
    .flatMap((i) => [...i.ipv4, ...i.ipv6].filter((a) => a.scope === undefined || a.scope === 'global' || a.scope === 'site').map((a) => a.address))
  const pk = x.packages
  const items = installed ?? (pk.data?.items ?? []).filter(isInstalled).map(reportedPackage)
  return defined({
    name: s.host.name,
    address: s.host.address,
    groups: s.host.groups ?? [],
    role: s.host.role,
    tags: s.host.tags ?? [],
    unit: s.host.unit,
    status: s.host.status,
    reason: s.host.reason,
    collectedAt: s.meta.collectedAt,
    transport: s.meta.transport,
    identity: defined({hostname: x.identity.data?.hostname, fqdn: x.identity.data?.fqdn, machineAppId: x.identity.data?.machineAppId, systemUuid: x.identity.data?.systemUuid}),
    hardware: defined({
      vendor: sys?.vendor,
      model: sys?.model,
      serial: sys?.serial ?? x.identity.data?.serial,
      chassis: sys?.chassisType,
      biosVendor: sys?.biosVendor,
      biosVersion: sys?.biosVersion,
      biosDate: sys?.biosDate,
      virtualization: virtText,
    }),
    os: defined({
      name: os?.prettyName ?? os?.name,
      distribution: os?.distribution,
      versionId: os?.versionId,
      family: os?.family,
      architecture: os?.architecture,
      kernel: os?.kernel,
      bootTime: os?.bootTime,
      uptimeSeconds: os?.uptimeSeconds,
      timezone: os?.timezone,
    }),
    cpu: defined({model: x.cpu.data?.model, vendor: x.cpu.data?.vendor, sockets: x.cpu.data?.sockets, cores: x.cpu.data?.cores, threads: x.cpu.data?.threads}),
    memory: defined({totalBytes: x.memory.data?.totalBytes, availableBytes: x.memory.data?.availableBytes, swapTotalBytes: x.memory.data?.swapTotalBytes}),
    disks: (x.disks.data?.disks ?? []).map((d) => defined({name: d.name, model: d.model, serial: d.serial, kind: d.kind, sizeBytes: d.sizeBytes})),
    filesystems: (x.filesystems.data?.mounts ?? [])
      .filter((m) => !m.pseudo)
      .map((m) => defined({target: m.target, source: m.source, fstype: m.fstype, sizeBytes: m.sizeBytes, usedBytes: m.usedBytes})),
    ips: [...new Set(ips)],
    services: (x.services.data?.services ?? []).map((v) => defined({name: v.name, state: v.state, enabled: v.enabled})),
    packages: {
      count: isRead(pk.status) ? items.length : null,
      managers: [...(pk.data?.managers ?? [])],
      items: [...items],
    },
    sections: Object.fromEntries(Object.entries(x as unknown as Record<string, {status: SectionStatus; reason?: string}>).map(([id, v]) => [id, defined({status: v.status, reason: v.reason})])),
    review: isCollected(s.host.status) ? hostReview(s, limits) : undefined,
  })
}

/** A host's facts joined with its judgement, fields in the order results.json has always had them. */
function hostReport(f: HostFacts, hr: HostResults | undefined, score: Score, stale: boolean, kindOf: KindOf): HostReport & {fixable: Fixable} {
  const results = (hr?.results ?? []).map((r) => defined({pack: r.pack, check: r.check, severity: r.severity, status: r.status, reason: r.reason, why: r.why, note: r.note, waiver: r.waiver}))
  return defined({
    name: f.name,
    address: f.address,
    groups: f.groups,
    role: f.role,
    tags: f.tags,
    unit: f.unit,
    status: f.status,
    reason: f.reason,
    collectedAt: f.collectedAt,
    stale,
    insufficient: hr?.insufficient,
    insufficientWhy: hr?.insufficientWhy,
    transport: f.transport,
    identity: f.identity,
    hardware: f.hardware,
    os: f.os,
    cpu: f.cpu,
    memory: f.memory,
    disks: f.disks,
    filesystems: f.filesystems,
    ips: f.ips,
    services: f.services,
    packages: f.packages,
    sections: f.sections,
    review: f.review,
    results,
    counts: hr?.counts ?? {pass: 0, fail: 0, unknown: 0, 'not-applicable': 0, waived: 0},
    fixable: hostFixable(results, kindOf),
    score: {score: score.score, coverage: score.coverage, passedWeight: score.passedWeight, failedWeight: score.failedWeight, counts: score.counts},
    error: hr?.error,
  })
}

/** What the snapshots were asked for when some sections were left out: each distinct flag, and every section skipped on some host (catalog order). */
function selectionOf(snapshots: readonly Snapshot[]): RunInfo['selection'] {
  const chosen = snapshots.flatMap((s) => (s.meta.selection ? [s.meta.selection] : []))
  if (chosen.length === 0) return undefined
  const skipped = new Set(chosen.flatMap((c) => c.skipped))
  return {asked: [...new Set(chosen.map(selectionFlag))], skipped: sectionCatalog.map((c) => c.id).filter((id) => skipped.has(id))}
}

const EMPTY_SCORE: Score = {score: null, coverage: null, passedWeight: 0, failedWeight: 0, counts: {pass: 0, fail: 0, unknown: 0, waived: 0, notApplicable: 0}}

/**
 * The one result model every report renders from: the run's snapshots summarised per host, joined with the
 * evaluation (check results, fleet findings, scores), the packs' bilingual texts, the waivers and what the
 * data is worth (sections per host, stale and failed collections). Pure.
 */
export function buildResults(input: BuildResultsInput): Results {
  const {snapshots, packs, evaluation, run} = input
  const {staleAfterDays, minCoverage} = evaluation.evidence
  const rule = {staleAfterDays, now: new Date(evaluation.evidence.now)}
  const byHost = new Map(evaluation.hosts.map((h) => [h.host, h]))
  const scoreByHost = new Map(evaluation.scores.hosts.map((h) => [h.host, h]))
  const limits = reviewLimitsOf(input.packs)
  const fixes = new Map<string, CheckFix>(packs.flatMap((p) => p.checks.map((c) => [`${p.pack}/${c.id}`, fixKind(c)] as const)))
  const kindOf: KindOf = (pack, check) => fixes.get(`${pack}/${check}`)?.kind
  const facts = input.facts ?? snapshots.map((s) => hostFacts(s, limits))
  const hosts = facts.map((f) => hostReport(f, byHost.get(f.name), scoreByHost.get(f.name) ?? EMPTY_SCORE, isStale({collected: isCollected(f.status), collectedAt: f.collectedAt}, rule), kindOf))

  const sections: Results['dataQuality']['sections'] = {}
  const byStatus: Record<string, number> = {}
  const issues: Results['dataQuality']['issues'] = []
  for (const h of hosts) {
    byStatus[h.status] = (byStatus[h.status] ?? 0) + 1
    const failed = !isCollected(h.status)
    if (failed) issues.push(defined({host: h.name, kind: 'failed' as const, status: h.status, reason: h.reason}))
    else if (h.stale) issues.push({host: h.name, kind: 'stale', status: 'stale', reason: h.collectedAt})
    if (h.insufficient) issues.push(defined({host: h.name, kind: 'insufficient' as const, status: 'insufficient', reason: h.insufficient, why: h.insufficientWhy}))
    for (const [id, sec] of Object.entries(h.sections)) {
      const c = (sections[id] ??= {ok: 0, partial: 0, unavailable: 0, error: 0, timeout: 0})
      if (sec.status === 'skipped') c.skipped = (c.skipped ?? 0) + 1
      else c[sec.status]++
      if (!failed && sec.status !== 'ok') issues.push(defined({host: h.name, kind: 'section' as const, section: id, status: sec.status, reason: sec.reason}))
    }
  }
  const applied = (w: Waiver) =>
    evaluation.hosts.reduce((n, h) => n + h.results.filter((r) => r.waiver && r.waiver.source === w.source).length, 0)
  const now = new Date(run.startedAt)
  return {
    kind: 'hatang-results',
    schemaVersion: RESULTS_SCHEMA_VERSION,
    run: defined({...run, selection: run.selection ?? selectionOf(snapshots)}),
    packs: packs.map((p) => {
      const eolData = eolDataOf([p]).map((d) => ({name: d.name, reviewed: d.reviewed}))
      return {pack: p.pack, version: p.version, title: {vi: p.title.vi, en: p.title.en}, checks: p.checks.length, ...(eolData.length ? {eolData} : {})}
    }),
    checks: packs.flatMap((p) =>
      p.checks.map((c) =>
        defined({
          pack: p.pack,
          id: c.id,
          severity: c.severity,
          title: {vi: c.title.vi, en: c.title.en},
          rationale: {vi: c.rationale.vi, en: c.rationale.en},
          remediation: {vi: c.remediation.vi, en: c.remediation.en},
          references: references(c.references),
          fix: fixes.get(`${p.pack}/${c.id}`),
        }),
      ),
    ),
    hosts,
    fleet: evaluation.fleet.map((f) => defined({...f, scope: {...f.scope}, outliers: [...f.outliers], unknown: [...f.unknown]})),
    scores: {overall: {...evaluation.scores.overall}, groups: evaluation.scores.groups.map((g) => ({...g}))},
    waivers: (input.waivers ?? []).map((w) => defined({check: w.check, hosts: w.hosts, groups: w.groups, reason: w.reason, approver: w.approver, expires: w.expires, source: w.source, expired: isExpired(w, now), applied: applied(w)})),
    dataQuality: {hosts: hosts.length, byStatus, staleAfterDays, minCoverage, insufficient: hosts.filter((h) => h.insufficient).length, sections, issues, fixable: runFixable(hosts)},
    ...(input.history ? {history: input.history} : {}),
  }
}
