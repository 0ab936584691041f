import type {CheckResult} from '../../engine/checks/run-checks.js'
import type {Pack} from '../../engine/checks/pack.js'
import {ageInDays, insufficientEvidence, isStale, type EvidenceRule} from '../../engine/evidence.js'
import {mergeScores, scored, scoreOf, type Score} from '../../engine/scores.js'
import {isCollected} from '../../model/host-status.js'
import {ROLLUP_SCHEMA_VERSION, type Bilingual, type Rollup, type RollupHost, type RollupSite, type RollupUnit, type SeverityCounts, type TrendPoint} from '../../model/rollup.js'
import {countsBySeverity, severityRank, type Severity} from '../../model/severity.js'
import type {SnapshotFacts} from '../../model/snapshot-facts.js'
import {ancestorPaths} from '../../model/unit.js'
import {seriesOf, type RollupRows} from '../../store/rollup-rows.js'
import type {ScoreSums} from '../../store/rows.js'
import {estateSync} from './estate-sync.js'

export interface RollupOptions {
  /** The unit's path ('' for the whole estate). */
  root: string
  since: string | null
  rule: EvidenceRule
  /** The packs: the titles of failed checks, and the standard of the estate's synchronization checks. */
  packs: readonly Pack[]
  store: string
  toolVersion: string
}

const ESTATE: Bilingual = {vi: 'Toàn bộ hệ thống', en: 'Whole estate'}
const EMPTY: Score = scored(0, 0, {pass: 0, fail: 0, unknown: 0, waived: 0, notApplicable: 0})

/** Whether `path` is `unit` or lies below it ('' holds everything). */
export const isUnder = (path: string, unit: string): boolean => unit === '' || path === unit || path.startsWith(`${unit}/`)
const parentOf = (path: string): string => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '')

/** The deepest unit holding every path ('' when they share none, or one is ''). */
function commonUnit(paths: readonly string[]): string {
  if (paths.length === 0 || paths.includes('')) return ''
  let common = paths[0]!.split('/')
  for (const p of paths.slice(1)) {
    const segs = p.split('/')
    let i = 0
    while (i < common.length && i < segs.length && common[i] === segs[i]) i++
    common = common.slice(0, i)
  }
  return common.join('/')
}

const rowScore = (r: {[K in keyof ScoreSums]: ScoreSums[K] | null}): Score =>
  scored(r.passed_weight ?? 0, r.failed_weight ?? 0, {pass: r.pass ?? 0, fail: r.fail ?? 0, unknown: r.unknown ?? 0, waived: r.waived ?? 0, notApplicable: r.not_applicable ?? 0})

/** A fleet finding as a result a score counts: by its severity, like a host's check (as evaluateRun scores it). */
const fleetResult = (f: {pack: string; check_id: string; severity: string; status: string}): CheckResult =>
  ({host: '', pack: f.pack, check: f.check_id, severity: f.severity as Severity, status: f.status as CheckResult['status']})

/**
 * Makes the roll-up of a store's rows (Store.rollupRows): each host of the latest run of every site under the root,
 * held to the evidence rule; each unit with its hosts' stored results pooled and the fleet findings of the runs whose
 * hosts all lie in it, exactly as a site's report pools its run (so a unit that is one site's run scores what its
 * report does); worst units first; a trend per unit from every run since the day asked for; the estate's
 * synchronization checks. Pure.
 */
export function buildRollup(rows: RollupRows, facts: ReadonlyMap<string, SnapshotFacts>, options: RollupOptions): Rollup {
  const {root, rule} = options
  const runs = new Map(rows.runs.map((r) => [r.id, r]))
  const latest = new Set(rows.latest)
  const siteOf = (runId: number) => runs.get(runId)?.site ?? runs.get(runId)?.uuid ?? ''

  // a run's unit: the deepest one holding all its hosts; its fleet findings count there
  const runUnits = new Map<number, string[]>()
  for (const u of rows.unitRuns) runUnits.set(u.run_id, [...(runUnits.get(u.run_id) ?? []), u.unit_path])
  const runUnit = new Map([...runUnits.entries()].map(([id, paths]) => [id, commonUnit(paths)]))
  const fleetOf = new Map<number, CheckResult[]>()
  for (const f of rows.fleet) fleetOf.set(f.run_id, [...(fleetOf.get(f.run_id) ?? []), fleetResult(f)])
  // whether a run judged its hosts one by one (a run of fleet checks only did not: its hosts are not short of checks)
  const perHost = new Map<number, boolean>()
  for (const u of rows.unitRuns) if (u.pass + u.fail + u.unknown + u.waived + u.not_applicable > 0) perHost.set(u.run_id, true)

  // ---- hosts
  const failsOf = new Map<string, {keys: string[]; failed: SeverityCounts}>()
  const keyOf = new Map<string, {key: string; severity: string}>() // one string per check, shared by every host failing it
  for (const f of rows.fails) {
    const entry = {keys: [] as string[], failed: countsBySeverity()}
    for (const item of f.failed.split(',')) {
      let k = keyOf.get(item)
      if (!k) keyOf.set(item, (k = {key: item.slice(item.indexOf(' ') + 1), severity: item.slice(0, item.indexOf(' '))}))
      entry.keys.push(k.key)
      entry.failed[k.severity as Severity]++
    }
    entry.keys.sort()
    failsOf.set(`${f.run_id}\u0000${f.host}`, entry)
  }
  const hostScores = new Map<RollupHost, Score>()
  const hostFacts = new Map<RollupHost, SnapshotFacts>()
  // a host in two latest runs (moved from one hosts file to another, or to another site) counts once: its newest
  const newest = new Map<string, (typeof rows.hosts)[number]>()
  for (const h of rows.hosts) {
    const was = newest.get(h.host)
    const at = (r: (typeof rows.hosts)[number]) => runs.get(r.run_id)?.started_at ?? ''
    if (!was || at(h) > at(was) || (at(h) === at(was) && h.run_id > was.run_id)) newest.set(h.host, h)
  }
  const hosts: RollupHost[] = [...newest.values()].map((h) => {
    const judged = runs.get(h.run_id)?.judged === 1 && h.passed_weight !== null
    const score = judged ? rowScore(h) : EMPTY
    const collected = isCollected(h.status)
    const f = facts.get(`${h.run_id}\u0000${h.host}`) ?? {}
    const insufficient = !judged
      ? collected
        ? `run ${runs.get(h.run_id)?.uuid} was stored without a judgement: no check was run on this host`
        : `not collected (${h.status})`
      : insufficientEvidence({collected, status: h.status, collectedAt: h.collected_at, score, ...(h.check_error ? {error: h.check_error} : {}), perHost: perHost.get(h.run_id) ?? false}, rule)
    const fails = failsOf.get(`${h.run_id}\u0000${h.host}`)
    const host: RollupHost = {
      host: h.host,
      unit: h.unit_path ?? '',
      site: siteOf(h.run_id),
      run: runs.get(h.run_id)?.uuid ?? '',
      status: h.status,
      reason: h.reason ? h.reason.split('\n')[0]! : null,
      collectedAt: h.collected_at,
      score: score.score,
      coverage: score.coverage,
      insufficient: insufficient ?? null,
      failed: fails?.failed ?? countsBySeverity(),
      failing: fails?.keys ?? [],
      os: f.os ?? null,
      kernel: f.kernel ?? null,
      skewMs: f.skewMs ?? null,
    }
    hostScores.set(host, score)
    hostFacts.set(host, f)
    return host
  })
  hosts.sort((a, b) => a.unit.localeCompare(b.unit) || a.host.localeCompare(b.host))

  // ---- the tree: every unit of a host under the root, with the units between
  const names = new Map<string, Bilingual>([[root, root === '' ? ESTATE : {vi: root, en: root}]])
  const paths = new Set<string>([root])
  for (const h of rows.hosts) {
    const path = h.unit_path ?? ''
    const f = facts.get(`${h.run_id}\u0000${h.host}`)
    if (path !== '' && f?.unit) names.set(path, {vi: f.unit.vi, en: f.unit.en})
    for (const p of f?.unit?.parents ?? []) if (!names.has(p.path) || names.get(p.path)!.vi === p.path) names.set(p.path, {vi: p.vi, en: p.en})
    for (const p of [...ancestorPaths(path), path]) if (path !== '' && isUnder(p, root) && p !== '') paths.add(p)
  }
  const hostsUnder = (unit: string) => hosts.filter((h) => isUnder(h.unit, unit))
  const latestFleetUnder = (unit: string) => [...latest].filter((id) => isUnder(runUnit.get(id) ?? '', unit) && (root === '' || isUnder(runUnit.get(id) ?? '', root))).flatMap((id) => fleetOf.get(id) ?? [])

  const units = new Map<string, RollupUnit>()
  for (const path of paths) {
    const members = hostsUnder(path)
    const fleet = latestFleetUnder(path)
    const failed = countsBySeverity()
    for (const h of members) for (const s of Object.keys(failed) as Severity[]) failed[s] += h.failed[s]
    for (const f of fleet) if (f.status === 'fail') failed[f.severity]++
    const times = members.map((h) => h.collectedAt).sort()
    const oldest = times[0] ?? null
    units.set(path, {
      path,
      name: names.get(path) ?? {vi: path, en: path},
      parent: path === root ? null : parentOf(path),
      depth: path === root ? 0 : path.split('/').length - (root === '' ? 0 : root.split('/').length),
      score: mergeScores([...members.map((h) => hostScores.get(h)!), ...(fleet.length > 0 ? [scoreOf(fleet)] : [])]),
      hosts: {
        total: members.length,
        collected: members.filter((h) => isCollected(h.status)).length,
        notCollected: members.filter((h) => !isCollected(h.status)).length,
        insufficient: members.filter((h) => h.insufficient !== null).length,
      },
      failed,
      sites: [...new Set(members.map((h) => h.site))].sort(),
      oldest,
      newest: times[times.length - 1] ?? null,
      ageDays: oldest ? ageInDays(oldest, rule.now) : null,
      stale: oldest ? isStale({collected: true, collectedAt: oldest}, rule) : true,
      trend: trendOf(path, rows, runUnit, fleetOf, root),
      children: [],
      rank: 0,
    })
  }

  // ---- worst first: too little evidence, then the lowest score, then the most severe failures
  const worse = (a: RollupUnit, b: RollupUnit): number => {
    const short = (u: RollupUnit) => (u.hosts.insufficient > 0 || u.stale || u.score.coverage === null || u.score.coverage < rule.minCoverage ? 0 : 1)
    return (
      short(a) - short(b) ||
      (a.score.score ?? -1) - (b.score.score ?? -1) ||
      Object.keys(a.failed).reduce((d, s) => d || b.failed[s as Severity] - a.failed[s as Severity], 0) ||
      a.path.localeCompare(b.path)
    )
  }
  for (const u of units.values()) if (u.parent !== null) units.get(u.parent)!.children.push(u.path)
  for (const u of units.values()) u.children.sort((a, b) => worse(units.get(a)!, units.get(b)!))
  ;[...units.values()].filter((u) => u.parent !== null).sort(worse).forEach((u, i) => (u.rank = i + 1))
  const ordered: RollupUnit[] = []
  const walk = (path: string) => {
    const u = units.get(path)!
    ordered.push(u)
    for (const c of u.children) walk(c)
  }
  walk(root)

  // ---- sites, checks, sync
  const sites: RollupSite[] = [...latest].map((id) => {
    const r = runs.get(id)!
    const own = hosts.filter((h) => h.run === r.uuid)
    return {site: siteOf(id), ...(r.hosts_file ? {hostsFile: r.hosts_file} : {}), run: r.uuid, runId: r.id, startedAt: r.started_at, finishedAt: r.finished_at, toolVersion: r.tool_version, hosts: own.length, units: [...new Set(own.map((h) => h.unit))].sort()}
  }).sort((a, b) => a.site.localeCompare(b.site))
  const titles = new Map<string, Rollup['checks'][string]>(options.packs.flatMap((p) => [...p.checks, ...(p.fleet ?? [])].map((c) => [`${p.pack}/${c.id}`, {severity: c.severity, title: c.title}] as const)))
  const checks: Rollup['checks'] = {}
  for (const {key, severity} of keyOf.values()) checks[key] ??= titles.get(key) ?? {severity: severity as Severity, title: {vi: key, en: key}}
  const syncHosts = hosts.filter((h) => isCollected(h.status)).map((h) => ({host: h.host, unit: h.unit, facts: hostFacts.get(h)!}))

  return {
    schemaVersion: ROLLUP_SCHEMA_VERSION,
    now: rule.now.toISOString(),
    toolVersion: options.toolVersion,
    store: options.store,
    root,
    since: options.since,
    evidence: {minCoverage: rule.minCoverage, staleAfterDays: rule.staleAfterDays},
    units: ordered,
    sites,
    hosts,
    sync: estateSync(syncHosts, options.packs),
    checks: Object.fromEntries(Object.entries(checks).sort(([a, x], [b, y]) => severityRank(x.severity) - severityRank(y.severity) || a.localeCompare(b))),
  }
}

/**
 * A unit's trend: at the end of each day on which a run of one of its sites started, the unit as the latest run of
 * each of its sites up to that day shows it (the same pooling as its score). Pure.
 */
function trendOf(unit: string, rows: RollupRows, runUnit: ReadonlyMap<number, string>, fleetOf: ReadonlyMap<number, CheckResult[]>, root: string): TrendPoint[] {
  const runs = new Map(rows.runs.map((r) => [r.id, r]))
  const parts = rows.unitRuns.filter((u) => isUnder(u.unit_path, unit) && (u.unit_path !== '' || unit === ''))
  const ids = [...new Set(parts.map((p) => p.run_id))].filter((id) => runs.has(id)).sort((a, b) => runs.get(a)!.started_at.localeCompare(runs.get(b)!.started_at) || a - b)
  const days = [...new Set(ids.map((id) => runs.get(id)!.started_at.slice(0, 10)))].sort()
  const points: TrendPoint[] = []
  for (const day of days) {
    const asOf = new Map<string, number>() // site and hosts file → its latest run that day or before
    for (const id of ids) if (runs.get(id)!.started_at.slice(0, 10) <= day) asOf.set(seriesOf(runs.get(id)!), id)
    const current = new Set(asOf.values())
    const mine = parts.filter((p) => current.has(p.run_id))
    const fleet = [...current].filter((id) => isUnder(runUnit.get(id) ?? '', unit) && (root === '' || isUnder(runUnit.get(id) ?? '', root))).flatMap((id) => fleetOf.get(id) ?? [])
    const s = mergeScores([...mine.map(rowScore), ...(fleet.length > 0 ? [scoreOf(fleet)] : [])])
    points.push({day, score: s.score, coverage: s.coverage, hosts: mine.reduce((n, p) => n + p.hosts, 0)})
  }
  return points
}
