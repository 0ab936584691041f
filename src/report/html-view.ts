import {isCollected} from '../model/host-status.js'
import type {HostReport, Results} from '../model/results.js'
import {bySeverity, isSevere, SEVERITIES, SEVERITY_WEIGHTS, type Severity} from '../model/severity.js'
import {fleetExpectedLabel, fleetRuleText} from './fleet-rule.js'
import type {Formatter, Labels, Lang} from './locale.js'
import {bars, donut, gauge, trendLine, type Slice} from './svg-charts.js'
import {piecesHtml, piecesMarked, readerReason, reasonPieces} from './why-text.js'
import {escapeXml} from './escape.js'
import type {Why} from '../model/why.js'
import {reviewOverview} from './review-overview.js'
import {DAY_MS} from '../model/days.js'
import {median} from '../model/median.js'

export type Category = 'atRisk' | 'findings' | 'compliant' | 'insufficient' | 'notCollected'
export const CATEGORIES: readonly Category[] = ['atRisk', 'findings', 'compliant', 'insufficient', 'notCollected']

/**
 * Where a host stands, for the committee: not collected; insufficient data (judged on too little evidence: never
 * compliant, whatever it passed); critical/high failures; other failures; or none.
 */
export function categoryOf(h: HostReport): Category {
  if (!isCollected(h.status)) return 'notCollected'
  if (h.insufficient) return 'insufficient'
  const fails = h.results.filter((r) => r.status === 'fail')
  if (fails.some((r) => isSevere(r.severity))) return 'atRisk'
  return fails.length ? 'findings' : 'compliant'
}

/** The scoring weights as the score note names them: every severity that weighs, most severe first. */
const weightsText = (L: (k: string) => string, f: Formatter) =>
  SEVERITIES.filter((s) => SEVERITY_WEIGHTS[s] > 0)
    .map((s) => `${L(`sev.${s}`).toLowerCase()} ${f.num(SEVERITY_WEIGHTS[s])}`)
    .join(', ')

const count = <T>(items: readonly T[], key: (t: T) => string) => {
  const m = new Map<string, number>()
  for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1)
  return [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
}

/** Everything the HTML template shows, computed from the results; the template only lays it out. */
export function htmlView(results: Results, lang: Lang, t: Labels, f: Formatter) {
  const L = (k: string) => t[k] ?? k
  const checkKey = (pack: string, id: string) => `${pack}/${id}`
  const checks = new Map(results.checks.map((c) => [checkKey(c.pack, c.id), c]))
  const title = (pack: string, id: string) => checks.get(checkKey(pack, id))?.title[lang] ?? id
  const hosts = results.hosts

  const cats = new Map<Category, number>(CATEGORIES.map((c) => [c, 0]))
  for (const h of hosts) cats.set(categoryOf(h), cats.get(categoryOf(h))! + 1)
  const catSlices: Slice[] = CATEGORIES.map((c) => ({label: L(`cat.${c}`), value: cats.get(c)!, cls: `cat-${c}`}))

  const fails = hosts.flatMap((h) => h.results.filter((r) => r.status === 'fail'))
  const sevSlices: Slice[] = SEVERITIES.map((s) => ({label: L(`sev.${s}`), value: fails.filter((r) => r.severity === s).length, cls: `sev-${s}`}))

  const risks = new Map<string, {pack: string; check: string; severity: Severity; hosts: number}>()
  for (const r of fails) {
    const k = checkKey(r.pack, r.check)
    const e = risks.get(k) ?? {pack: r.pack, check: r.check, severity: r.severity, hosts: 0}
    e.hosts++
    risks.set(k, e)
  }
  const topRisks = [...risks.values()]
    .sort((a, b) => SEVERITY_WEIGHTS[b.severity] * b.hosts - SEVERITY_WEIGHTS[a.severity] * a.hosts || b.hosts - a.hosts || a.check.localeCompare(b.check))
    .slice(0, 10)
    .map((r) => {
      const c = checks.get(checkKey(r.pack, r.check))
      return {...r, title: title(r.pack, r.check), remediation: c?.remediation[lang] ?? '', fix: c?.fix && {kind: c.fix.kind, file: c.fix.file, reason: c.fix.reason?.[lang]}}
    })

  const fleetByScope = new Map<string, Results['fleet']>()
  for (const x of results.fleet) {
    const k = `${L(`sync.scope.${x.scope.kind}`)}: ${x.scope.name}`
    fleetByScope.set(k, [...(fleetByScope.get(k) ?? []), x])
  }

  const collected = hosts.filter((h) => isCollected(h.status))
  const year = Date.parse(results.run.startedAt)
  const models = new Map<string, {count: number; ages: number[]}>()
  for (const h of collected) {
    const name = [h.hardware.vendor, h.hardware.model].filter(Boolean).join(' ') || h.hardware.virtualization || L('inv.unknownModel')
    const e = models.get(name) ?? {count: 0, ages: []}
    e.count++
    if (h.hardware.biosDate && !Number.isNaN(Date.parse(h.hardware.biosDate))) e.ages.push((year - Date.parse(h.hardware.biosDate)) / (365.25 * DAY_MS))
    models.set(name, e)
  }
  const sum = (xs: (number | undefined | null)[]) => xs.reduce<number>((n, x) => n + (x ?? 0), 0)

  const sectionReasons = count(
    results.dataQuality.issues.filter((i) => i.kind === 'section'),
    (i) => `${i.section}\u0000${i.status}\u0000${i.reason ?? ''}`,
  ).map(([k, n]) => {
    const [section, status, reason] = k.split('\u0000') as [string, string, string]
    return {section, status, reason, hosts: n}
  })

  const rows = hosts.map((h, i) => {
    const failed = h.results.filter((r) => r.status === 'fail')
    return {
      i,
      name: h.name,
      groups: h.groups.join(', '),
      /** The unit's name in the report's language, its path shown on hover. */
      unit: h.unit?.[lang] ?? '',
      unitPath: h.unit?.path ?? '',
      os: h.os.name ?? '',
      ip: h.address ?? h.ips[0] ?? '',
      category: categoryOf(h),
      status: h.status,
      score: h.score.score,
      coverage: h.score.coverage,
      insufficient: readerReason({reason: h.insufficient, why: h.insufficientWhy}, lang),
      failed: failed.length,
      severe: failed.filter((r) => isSevere(r.severity)).length,
      /** Failed findings fixable automatically and manually (absent in results older than 1.6.0, and for a host not collected: not known). */
      fixable: isCollected(h.status) ? h.fixable : undefined,
      collectedAt: h.collectedAt,
    }
  })

  return {
    lang,
    results,
    rows,
    /** The end-of-life data sets the packs read, each with the day it was last reviewed (a day, shown as written). */
    eolReviews: [...new Map(results.packs.flatMap((p) => p.eolData ?? []).map((d) => [d.name, d])).values()],
    /** Whether any host has a unit: the hosts table then has a unit column. */
    hasUnits: hosts.some((h) => h.unit !== undefined),
    /**
     * Failed findings fixable automatically vs manually, for the run and per unit (names in the report's language);
     * undefined for results older than 1.6.0, which do not say: the report then says nothing of fixes.
     */
    fixable: results.dataQuality.fixable && {...results.dataQuality.fixable, units: results.dataQuality.fixable.units.map((u) => ({...u, name: u[lang]}))},
    overallGauge: gauge(results.scores.overall.score, L('summary.score')),
    /** How the score is computed, with the weights it uses (`%w` in the label: "critical 10, high 5, …"). */
    scoreNote: L('summary.scoreNote').replace('%w', weightsText(L, f)),
    /** The overall coverage, and whether it is below the floor: the score above it then says little. */
    coverage: {value: results.scores.overall.coverage, low: results.scores.overall.coverage === null || results.scores.overall.coverage < results.dataQuality.minCoverage, min: results.dataQuality.minCoverage},
    catSlices,
    catChart: donut(catSlices, String(hosts.length), L('summary.hostsByStatus')),
    sevSlices,
    sevChart: bars(sevSlices, L('summary.findingsBySeverity')),
    topRisks,
    fleetByScope: [...fleetByScope.entries()],
    /** A fleet finding's rule ("against the reference web1"), the label of its expected value, its reason: in the report's language. */
    fleetRule: (x: Results['fleet'][number]) => fleetRuleText(x, t),
    fleetExpected: (x: Results['fleet'][number]) => fleetExpectedLabel(x, t),
    fleetReason: (x: Results['fleet'][number]) => readerReason(x, lang),
    osVersions: count(collected, (h) => h.os.name ?? L('common.unknown')),
    models: [...models.entries()].sort((a, b) => b[1].count - a[1].count || a[0].localeCompare(b[0])).map(([name, e]) => ({name, count: e.count, age: e.ages.length ? median(e.ages) : null})),
    totals: {
      memory: sum(collected.map((h) => h.memory.totalBytes)),
      disk: sum(collected.flatMap((h) => h.disks.map((d) => d.sizeBytes))),
      cpus: sum(collected.map((h) => h.cpu.threads)),
      packages: sum(collected.map((h) => h.packages.count)),
    },
    review: reviewOverview(collected),
    sectionReasons,
    /** How many hosts were collected (isCollected): the data quality card. */
    collectedHosts: collected.length,
    failedHosts: results.dataQuality.issues.filter((i) => i.kind === 'failed'),
    insufficientHosts: results.dataQuality.issues.filter((i) => i.kind === 'insufficient').map((i) => ({...i, reasonHtml: piecesHtml(reasonPieces(i, lang), escapeXml)})),
    staleHosts: results.dataQuality.issues.filter((i) => i.kind === 'stale'),
    history: historyView(results, L, f, title, lang),
    title,
    f,
  }
}
export type HtmlView = ReturnType<typeof htmlView>

/** A package list longer than this starts folded. */
const OPEN_UP_TO = 12

/** Whole days from `iso` to `until`, or null when never. */
export function daysSince(iso: string | null | undefined, until: string): number | null {
  if (!iso) return null
  return Math.max(0, Math.floor((Date.parse(until) - Date.parse(iso)) / DAY_MS))
}

/** The history part of the page: the trend chart, changes since the last run in counts and tables, hosts not seen lately. */
export function historyView(results: Results, L: (k: string) => string, f: Formatter, title: (pack: string, id: string) => string, lang: Lang) {
  const hist = results.history
  if (!hist) return undefined
  const start = results.run.startedAt
  const trend = hist.trend.length
    ? trendLine(
        hist.trend.map((r) => ({
          label: f.date(r.startedAt),
          value: r.score,
          title: `${L('trend.run')} ${r.run} — ${f.dateTime(r.startedAt)}: ${f.num(r.score, 1)}${r.coverage === undefined ? '' : ` · ${L('summary.coverage')} ${r.coverage === null ? '–' : `${f.num(r.coverage, 1)} %`}`}`,
        })),
        L('trend.title'),
      )
    : ''
  const c = hist.changes
  const sum = (n: (h: NonNullable<typeof c>['changed'][number]) => number) => (c ? c.changed.reduce((t, h) => t + n(h), 0) : 0)
  const finding = (x: {host: string; pack: string; check: string; severity: string; reason?: string; why?: Why}) => ({...x, title: title(x.pack, x.check), reasonHtml: piecesHtml(reasonPieces(x, lang), escapeXml)})
  const changes = c && {
    since: c.since,
    counts: {
      appeared: c.hosts.appeared.length,
      disappeared: c.hosts.disappeared.length,
      changedHosts: c.changed.filter((h) => h.hardware.length + h.os.length + h.packages.added.length + h.packages.removed.length + h.packages.upgraded.length + h.packages.downgraded.length > 0).length,
      os: c.changed.filter((h) => h.os.length > 0).length,
      hardware: c.changed.filter((h) => h.hardware.length > 0).length,
      added: sum((h) => h.packages.added.length),
      removed: sum((h) => h.packages.removed.length),
      upgraded: sum((h) => h.packages.upgraded.length),
      downgraded: sum((h) => h.packages.downgraded.length),
      findingsNew: c.findings?.new.length ?? null,
      findingsFixed: c.findings?.fixed.length ?? null,
    },
    appeared: c.hosts.appeared,
    disappeared: c.hosts.disappeared,
    os: c.changed.flatMap((h) => h.os.map((x) => ({host: h.host, ...x}))),
    hardware: c.changed.flatMap((h) => h.hardware.map((x) => ({host: h.host, ...x}))),
    packages: c.changed
      .map((h) => {
        const p = h.packages
        const rows = [
          ...p.added.map((x) => ({kind: 'added', name: x.name, arch: x.architecture ?? '', from: '', to: x.version})),
          ...p.removed.map((x) => ({kind: 'removed', name: x.name, arch: x.architecture ?? '', from: x.version, to: ''})),
          ...p.upgraded.map((x) => ({kind: 'upgraded', name: x.name, arch: x.architecture ?? '', from: x.from, to: x.to})),
          ...p.downgraded.map((x) => ({kind: 'downgraded', name: x.name, arch: x.architecture ?? '', from: x.from, to: x.to})),
        ]
        return {host: h.host, added: p.added.length, removed: p.removed.length, upgraded: p.upgraded.length, downgraded: p.downgraded.length, rows, open: rows.length <= OPEN_UP_TO}
      })
      .filter((h) => h.rows.length > 0),
    notCompared: c.changed.flatMap((h) => h.notCompared.map((text) => ({host: h.host, text}))),
    findingsNew: (c.findings?.new ?? []).map(finding).sort(bySeverity),
    findingsFixed: (c.findings?.fixed ?? []).map(finding).sort(bySeverity),
    findingsNote: c.findingsNote,
  }
  const findingLists = changes
    ? [
        {kind: 'new', label: 'changes.findingsNew', rows: changes.findingsNew},
        {kind: 'fixed', label: 'changes.findingsFixed', rows: changes.findingsFixed},
      ]
        .filter((l) => l.rows.length > 0)
        .map((l) => ({...l, open: l.rows.length <= OPEN_UP_TO}))
    : []
  const seen = hist.seen.map((h) => ({...h, days: daysSince(h.lastSeen, start)}))
  const inRun = new Set(results.hosts.map((h) => h.name))
  return {
    trend,
    runs: hist.trend.length,
    changes,
    /** New and fixed findings, each folded when long. */
    findingLists,
    /** Hosts the store knows not collected for longer than staleAfterDays, this run's included. */
    stale: seen.filter((h) => h.stale).map((h) => ({...h, inRun: inRun.has(h.host)})),
    staleAfterDays: hist.staleAfterDays,
    /** Host → whole days since it was last collected, for this run's hosts that were not collected. */
    lastSeen: Object.fromEntries(
      results.hosts.filter((h) => !isCollected(h.status)).map((h) => [h.name, seen.find((x) => x.host === h.name)?.days ?? null]),
    ) as Record<string, number | null>,
  }
}

/**
 * What the page's script needs to draw a host's details on demand: per host only what the details show
 * (failures and unknowns with the check's texts by index, not every pass), the check catalogue in the
 * reader's language once, and the labels.
 */
export function hostData(results: Results, lang: Lang, t: Labels, f: Formatter) {
  const index = new Map(results.checks.map((c, i) => [`${c.pack}/${c.id}`, i]))
  // failure reasons, notes and section reasons repeat from host to host: each is written once, in `strings`
  const strings: string[] = []
  const ids = new Map<string, number>()
  const S = (text: string | undefined): number | undefined => {
    if (text === undefined || text === '') return undefined
    let id = ids.get(text)
    if (id === undefined) ids.set(text, (id = strings.push(text) - 1))
    return id
  }
  const hosts = results.hosts.map((h) => ({
    n: h.name,
    st: h.status,
    why: h.reason,
    at: f.dateTime(h.collectedAt),
    g: h.groups,
    u: h.unit?.[lang],
    role: h.role,
    id: h.identity,
    hw: h.hardware,
    os: {...h.os, bootTime: h.os.bootTime ? f.dateTime(h.os.bootTime) : undefined},
    cpu: h.cpu,
    mem: h.memory.totalBytes === undefined ? undefined : f.bytes(h.memory.totalBytes),
    disks: h.disks.map((d) => [d.name, d.model ?? d.kind ?? '', f.bytes(d.sizeBytes)]),
    fs: h.filesystems.map((m) => [m.target, m.fstype, f.bytes(m.sizeBytes), m.sizeBytes ? Math.round((100 * (m.usedBytes ?? 0)) / m.sizeBytes) : null]),
    ips: h.ips,
    sv: h.services.filter((s) => s.state !== 'stopped' || s.enabled).map((s) => [s.name, s.state]),
    pk: h.packages.count,
    sec: Object.entries(h.sections).filter(([, s]) => s.status !== 'ok').map(([id, s]) => [id, s.status, S(s.reason) ?? null]),
    res: h.results
      .filter((r) => r.status === 'fail' || r.status === 'unknown' || r.status === 'waived')
      // [check index, f(ail) | u(nknown) | w(aived), reason, note, waiver], strings by index, trailing nulls left out
      .map((r) => {
        const row: (number | string | null)[] = [index.get(`${r.pack}/${r.check}`) ?? -1, r.status[0]!, S(piecesMarked(reasonPieces(r, lang))) ?? null, S(r.note) ?? null, S(r.waiver ? `${r.waiver.reason} — ${r.waiver.approver}, ${r.waiver.expires}` : undefined) ?? null]
        while (row.at(-1) === null) row.pop()
        return row
      }),
    pass: h.counts.pass,
    score: h.score.score,
    cov: h.score.coverage,
    ins: piecesMarked(reasonPieces({reason: h.insufficient, why: h.insufficientWhy}, lang)),
    err: h.error,
    rv: h.review,
  }))
  return {
    labels: Object.fromEntries(Object.entries(t).filter(([k]) => /^(detail|status|sev|host|col|common|sec|cat|rv)\./.test(k))),
    // x: the fix, [1, its file] when automatic, [0, why or null] when manual; absent when the results do not say (before 1.6.0)
    checks: results.checks.map((c) => ({id: c.id, pack: c.pack, s: c.severity, t: c.title[lang], r: c.rationale[lang], m: c.remediation[lang], x: c.fix && (c.fix.kind === 'auto' ? [1, c.fix.file ?? null] : [0, c.fix.reason?.[lang] ?? null])})),
    hosts,
    strings,
  }
}
