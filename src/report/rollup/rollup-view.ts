import {staleUnits, type Rollup, type RollupSync, type RollupUnit} from '../../model/rollup.js'
import {SEVERITIES} from '../../model/severity.js'
import type {Formatter, Labels, Lang} from '../locale.js'
import {gauge, trendLine} from '../svg-charts.js'

/** The fragment that opens a unit's drill-down: its path encoded, so no path can leave the fragment. */
export const unitHref = (path: string): string => `#unit=${encodeURIComponent(path)}`

/** One unit's figures as every table of the page shows them (score always with its coverage). */
export interface UnitRow {
  path: string
  href: string
  name: string
  depth: number
  rank: number
  score: number | null
  coverage: number | null
  /** Coverage below the evidence rule's floor (or none): the score beside it says little. */
  coverageLow: boolean
  hosts: RollupUnit['hosts']
  failed: number[]
  ageDays: number | null
  stale: boolean
  sites: string
}

export interface TreeNode {
  row: UnitRow
  open: boolean
  children: TreeNode[]
}

/** Everything the roll-up template shows of the aggregate (units, tree, sync, trend); the template only lays it out. */
export function rollupView(rollup: Rollup, lang: Lang, t: Labels, f: Formatter) {
  const L = (k: string) => t[k] ?? k
  const byPath = new Map(rollup.units.map((u) => [u.path, u]))
  const nameOf = (path: string) => byPath.get(path)?.name[lang] ?? path
  const min = rollup.evidence.minCoverage
  const row = (u: RollupUnit): UnitRow => ({
    path: u.path,
    href: unitHref(u.path),
    name: u.name[lang],
    depth: u.depth,
    rank: u.rank,
    score: u.score.score,
    coverage: u.score.coverage,
    coverageLow: u.score.coverage === null || u.score.coverage < min,
    hosts: u.hosts,
    failed: SEVERITIES.map((s) => u.failed[s]),
    ageDays: u.ageDays,
    stale: u.stale,
    sites: u.sites.join(', '),
  })
  const root = rollup.units[0]
  const seen = new Set<string>()
  const node = (u: RollupUnit): TreeNode => {
    seen.add(u.path)
    const children = u.children.filter((c) => byPath.has(c) && !seen.has(c)).map((c) => node(byPath.get(c)!))
    return {row: row(u), open: u.depth < 1, children}
  }
  const below = rollup.units.filter((u) => u !== root)
  const sync = (x: RollupSync) => ({
    ...x,
    units: x.units.map((d) => ({...d, name: nameOf(d.unit), href: unitHref(d.unit)})),
  })
  return {
    lang,
    t,
    f,
    sev: SEVERITIES,
    root: root && row(root),
    rootPath: rollup.root,
    now: f.dateTime(rollup.now),
    store: rollup.store,
    since: rollup.since,
    evidenceNote: L('rollup.evidenceNote').replace('%c', f.num(min)).replace('%d', f.num(rollup.evidence.staleAfterDays)),
    gauge: gauge(root?.score.score ?? null, L('rollup.score')),
    /** What the banner says: hosts judged on too little evidence and units whose data is stale. */
    warn: {insufficient: root?.hosts.insufficient ?? 0, notCollected: root?.hosts.notCollected ?? 0, staleUnits: staleUnits(rollup.units).map((u) => u.name[lang])},
    /** Worst first: every unit below the root by rank (the root alone when it has none). */
    ranked: (below.length ? below : root ? [root] : []).map(row).sort((a, b) => a.rank - b.rank),
    tree: root ? [node(root)] : [],
    sync: rollup.sync.map(sync),
    trends: rollup.units
      .filter((u) => u.trend.length > 0)
      .map((u) => ({
        row: row(u),
        svg: trendLine(
          u.trend.map((p) => ({
            label: f.date(`${p.day}T12:00:00Z`),
            value: p.score,
            title: `${f.date(`${p.day}T12:00:00Z`)}: ${L('col.score')} ${f.num(p.score, 1)} · ${L('col.coverage')} ${p.coverage === null ? '–' : `${f.num(p.coverage, 1)} %`} · ${f.num(p.hosts)} ${L('rollup.hostsWord')}`,
          })),
          `${L('rollup.trendOf')} ${u.name[lang]}`,
          240,
        ),
      })),
  }
}
export type RollupView = ReturnType<typeof rollupView>
