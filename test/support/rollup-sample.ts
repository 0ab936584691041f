/**
 * A roll-up for the renderers' tests, built from real snapshots judged for real: `fleet()` varies this machine's
 * snapshot (releases, settings that pass or fail, hosts unreachable, stale collections), `evaluateRun` judges them with
 * the built-in packs, and every figure of the Rollup is computed from that judgement (scores pooled with `mergeScores`,
 * failed counts from the results, insufficient data from the evidence rule). Hosts are spread over leaf units (a
 * ministry's departments and provinces' offices), one or two sites each. A big roll-up reuses the judgement of the
 * first `distinct` snapshots for the hosts after them (same results, their own names), so 20,000 hosts cost no more
 * than a few hundred judged ones. No fleet findings: unit scores pool host results only.
 */
import {evaluateRun} from '../../src/engine/evaluate-run.js'
import {isStale} from '../../src/engine/evidence.js'
import {mergeScores, type Score} from '../../src/engine/scores.js'
import {isCollected} from '../../src/model/host-status.js'
import {ROLLUP_SCHEMA_VERSION, type Bilingual, type Rollup, type RollupHost, type RollupSync, type RollupUnit, type SeverityCounts} from '../../src/model/rollup.js'
import {countsBySeverity, SEVERITIES, type Severity} from '../../src/model/severity.js'
import {builtinPacks, fleet, hostName} from '../unit/report/fleet.js'

/** Texts a hostile inventory or host could carry: a spreadsheet formula, SQL, and HTML that runs if parsed. */
export const HOSTILE = {
  formula: `=cmd|' /C calc'!A0`,
  sql: `'; DROP TABLE hosts; --`,
  img: `<img src=x onerror=alert(1)>`,
} as const

export interface SampleOptions {
  hosts: number
  /** Leaf units (departments and provinces' offices), at least 2. */
  units: number
  /** Put HOSTILE's texts in a unit's name, host names, a site and a reason. */
  hostile?: boolean
  /** How many snapshots are judged; the hosts after them reuse their judgements. Default min(hosts, 60). */
  distinct?: number
}

const DAY = 86_400_000
const withFailed = (a: SeverityCounts, b: SeverityCounts): SeverityCounts => Object.fromEntries(SEVERITIES.map((s) => [s, a[s] + b[s]])) as SeverityCounts

export function sampleRollup(options: SampleOptions): Rollup {
  const m = Math.max(1, Math.min(options.hosts, options.distinct ?? 60))
  const base = fleet(m)
  const packs = builtinPacks()
  const now = new Date(Math.max(...base.map((s) => Date.parse(s.meta.collectedAt))) + 3_600_000)
  const evaluation = evaluateRun(base, packs, {now})
  const staleAfterDays = evaluation.evidence.staleAfterDays

  // the unit tree: the estate, a ministry and the provinces, and the leaves under them
  const names = new Map<string, Bilingual>([
    ['', {vi: 'Toàn bộ hệ thống', en: 'Whole estate'}],
    ['bo-noi-vu', {vi: 'Bộ Nội vụ', en: 'Ministry of Home Affairs'}],
    ['tinh', {vi: 'Các tỉnh, thành phố', en: 'Provinces'}],
  ])
  const leaves = Array.from({length: Math.max(2, options.units)}, (_, j) => {
    const path = j % 2 === 0 ? `bo-noi-vu/vu-${j}` : `tinh/so-noi-vu-${j}`
    const name = j % 2 === 0 ? {vi: `Vụ Tổ chức cán bộ ${j}`, en: `Department of Personnel ${j}`} : {vi: `Sở Nội vụ tỉnh ${j}`, en: `Provincial Department of Home Affairs ${j}`}
    names.set(path, options.hostile && j === 0 ? {vi: HOSTILE.formula, en: HOSTILE.formula} : options.hostile && j === 1 ? {vi: `${name.vi} ${HOSTILE.img}`, en: `${name.en} ${HOSTILE.img}`} : name)
    const sites = j % 3 === 0 ? [`site-${j}`, `site-${j}b`] : [options.hostile && j === 1 ? `site-${j} ${HOSTILE.img}` : `site-${j}`]
    return {path, sites}
  })
  const runOf = new Map(leaves.flatMap((l) => l.sites).map((s, i) => [s, `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`]))

  const scoreOfHost = new Map<RollupHost, Score>()
  const hosts: RollupHost[] = Array.from({length: options.hosts}, (_, i) => {
    const b = i % m
    const s = base[b]!
    const judged = evaluation.hosts[b]!
    const score = evaluation.scores.hosts[b]!
    const leaf = leaves[i % leaves.length]!
    const site = leaf.sites[Math.floor(i / leaves.length) % leaf.sites.length]!
    const fails = judged.results.filter((r) => r.status === 'fail')
    const failed = countsBySeverity()
    for (const r of fails) failed[r.severity]++
    const hostile = options.hostile && i === 0 ? HOSTILE.sql : options.hostile && i === 1 ? HOSTILE.img : undefined
    const reason = s.host.reason?.split('\n')[0] ?? null
    const h: RollupHost = {
      host: hostile ?? (i < m ? s.host.name : hostName(i)),
      unit: leaf.path,
      site,
      run: runOf.get(site)!,
      status: s.host.status,
      reason: reason && options.hostile ? `${reason} ${HOSTILE.img}` : reason,
      collectedAt: s.meta.collectedAt,
      score: score.score,
      coverage: score.coverage,
      insufficient: judged.insufficient ?? null,
      failed,
      failing: [...new Set(fails.map((r) => `${r.pack}/${r.check}`))],
      os: s.sections.os.data?.prettyName ?? null,
      kernel: s.sections.os.data?.kernel ?? null,
      skewMs: s.meta.clock?.skewMs ?? null,
    }
    scoreOfHost.set(h, score)
    return h
  }).sort((a, b) => a.unit.localeCompare(b.unit) || a.host.localeCompare(b.host))

  const within = (unit: string, path: string) => path === '' || unit === path || unit.startsWith(`${path}/`)
  const parentOf = (path: string) => (path === '' ? null : path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '')
  const units = new Map<string, RollupUnit>()
  for (const [path, name] of names) {
    const mine = hosts.filter((h) => within(h.unit, path))
    const times = mine.map((h) => h.collectedAt).sort()
    const oldest = times[0] ?? null
    const days = [...new Set(times.map((t) => t.slice(0, 10)))].sort()
    const score = mergeScores(mine.map((h) => scoreOfHost.get(h)!))
    units.set(path, {
      path,
      name,
      parent: parentOf(path),
      depth: path === '' ? 0 : path.split('/').length,
      score,
      hosts: {
        total: mine.length,
        collected: mine.filter((h) => isCollected(h.status)).length,
        notCollected: mine.filter((h) => !isCollected(h.status)).length,
        insufficient: mine.filter((h) => h.insufficient !== null).length,
      },
      failed: mine.reduce((n, h) => withFailed(n, h.failed), countsBySeverity()),
      sites: [...new Set(mine.map((h) => h.site))].sort(),
      oldest,
      newest: times.at(-1) ?? null,
      ageDays: oldest === null ? null : Math.floor((now.getTime() - Date.parse(oldest)) / DAY),
      stale: oldest !== null && isStale({collected: true, collectedAt: oldest}, {staleAfterDays, now}),
      // the unit as of the end of each day one of its hosts was collected: the hosts collected by then, pooled
      trend: days.map((day) => {
        const by = mine.filter((h) => h.collectedAt.slice(0, 10) <= day)
        const s = mergeScores(by.map((h) => scoreOfHost.get(h)!))
        return {day, score: s.score, coverage: s.coverage, hosts: by.length}
      }),
      children: [],
      rank: 0,
    })
  }
  // worst first: insufficient data, then the lowest score (none is lowest), then the most critical failures
  const ranked = [...units.values()].sort(
    (a, b) =>
      Number(b.hosts.insufficient > 0) - Number(a.hosts.insufficient > 0) ||
      (a.score.score ?? -1) - (b.score.score ?? -1) ||
      b.failed.critical - a.failed.critical ||
      a.path.localeCompare(b.path),
  )
  ranked.forEach((u, i) => (u.rank = i + 1))
  for (const u of ranked) if (u.parent !== null) units.get(u.parent)!.children.push(u.path)
  const ordered: RollupUnit[] = []
  const walk = (u: RollupUnit) => {
    ordered.push(u)
    for (const c of u.children) walk(units.get(c)!)
  }
  walk(units.get('')!)

  const sync = (check: string, subject: string, severity: Severity, valueOf: (h: RollupHost) => string | null): RollupSync => {
    const known = hosts.filter((h) => isCollected(h.status) && valueOf(h) !== null)
    const tally = new Map<string, number>()
    for (const h of known) tally.set(valueOf(h)!, (tally.get(valueOf(h)!) ?? 0) + 1)
    const top = [...tally.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]
    const differ = known.filter((h) => valueOf(h) !== top?.[0])
    const byUnit = new Map<string, RollupHost[]>()
    for (const h of differ) byUnit.set(h.unit, [...(byUnit.get(h.unit) ?? []), h])
    return {
      check,
      severity,
      subject,
      status: !top ? 'unknown' : differ.length ? 'fail' : 'pass',
      majority: top ? {value: top[0], hosts: top[1]} : null,
      units: [...byUnit.entries()].map(([unit, hs]) => {
        const values = new Map<string, string[]>()
        for (const h of hs) values.set(valueOf(h)!, [...(values.get(valueOf(h)!) ?? []), h.host])
        return {unit, hosts: hs.length, values: [...values.entries()].map(([value, names]) => ({value, hosts: names.slice(0, 3)}))}
      }),
      outliers: differ.length,
      unknown: hosts.length - known.length,
      reason: differ.length ? `${differ.length} hosts differ from the majority` : 'every host with data agrees',
    }
  }

  const titles = new Map<string, Rollup['checks'][string]>(packs.flatMap((p) => p.checks.map((c) => [`${p.pack}/${c.id}`, {severity: c.severity, title: c.title}])))
  const checks: Rollup['checks'] = {}
  for (const k of new Set(hosts.flatMap((h) => h.failing))) checks[k] = titles.get(k) ?? {severity: 'info', title: {vi: k, en: k}}

  return {
    schemaVersion: ROLLUP_SCHEMA_VERSION,
    now: now.toISOString(),
    toolVersion: '0.1.0',
    store: 'centre.example:5432/hatang',
    root: '',
    since: null,
    evidence: {minCoverage: evaluation.evidence.minCoverage, staleAfterDays},
    units: ordered,
    sites: [...runOf.entries()].map(([site, run], i) => {
      const mine = hosts.filter((h) => h.site === site)
      const times = mine.map((h) => h.collectedAt).sort()
      return {site, run, runId: i + 1, startedAt: times[0] ?? now.toISOString(), finishedAt: times.at(-1) ?? null, toolVersion: '0.1.0', hosts: mine.length, units: [...new Set(mine.map((h) => h.unit))]}
    }),
    hosts,
    sync: [sync('os-release', 'OS release', 'medium', (h) => h.os), sync('kernel', 'kernel', 'low', (h) => h.kernel)],
    checks,
  }
}
