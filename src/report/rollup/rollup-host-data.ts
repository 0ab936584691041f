import type {Rollup} from '../../model/rollup.js'
import {SEVERITIES} from '../../model/severity.js'
import type {Formatter, Labels, Lang} from '../locale.js'

/** A host row as the page's script reads it: arrays, not objects, repeated texts as indexes into `strings`. */
export type HostRow = [
  name: string,
  site: number,
  status: string,
  reason: number | null,
  collectedAt: number | null,
  score: number | null,
  coverage: number | null,
  insufficient: number | null,
  failed: number[],
  failing: number[],
  os: number | null,
  kernel: number | null,
  skewMs: number | null,
]

/**
 * What the page's script needs for the drill-down, split so that no host row is in the DOM at load: the units (their
 * figures, children by index), the checks hosts failed (with their titles in the reader's language), the sites and the
 * repeated texts once, and the host rows per unit (`buckets[i]`: the hosts whose own unit is units[i]; a host of a
 * unit outside the tree goes to the root's).
 */
export function rollupHostData(rollup: Rollup, lang: Lang, t: Labels, f: Formatter) {
  const strings: string[] = []
  const ids = new Map<string, number>()
  const S = (text: string | null | undefined): number | null => {
    if (text === null || text === undefined || text === '') return null
    let id = ids.get(text)
    if (id === undefined) ids.set(text, (id = strings.push(text) - 1))
    return id
  }
  const unitIndex = new Map(rollup.units.map((u, i) => [u.path, i]))
  const checkKeys = Object.keys(rollup.checks)
  const checkIndex = new Map(checkKeys.map((k, i) => [k, i]))
  const sites: [string, string][] = []
  const siteIds = new Map<string, number>()
  const site = (name: string, run: string) => {
    const k = `${name}\u0000${run}`
    let id = siteIds.get(k)
    if (id === undefined) siteIds.set(k, (id = sites.push([name, run]) - 1))
    return id
  }
  const buckets: HostRow[][] = rollup.units.map(() => [])
  for (const h of rollup.hosts) {
    const bucket = buckets[unitIndex.get(h.unit) ?? 0]
    if (!bucket) continue
    bucket.push([
      h.host,
      site(h.site, h.run),
      h.status,
      S(h.reason),
      S(f.dateTime(h.collectedAt)),
      h.score,
      h.coverage,
      S(h.insufficient),
      SEVERITIES.map((s) => h.failed[s]),
      h.failing.map((k) => checkIndex.get(k) ?? -1),
      S(h.os),
      S(h.kernel),
      h.skewMs,
    ])
  }
  const units = rollup.units.map((u) => ({
    p: u.path,
    n: u.name[lang],
    c: u.children.map((c) => unitIndex.get(c)).filter((i): i is number => i !== undefined),
    s: u.score.score,
    cv: u.score.coverage,
    h: [u.hosts.total, u.hosts.collected, u.hosts.notCollected, u.hosts.insufficient],
    f: SEVERITIES.map((s) => u.failed[s]),
    si: u.sites,
    o: u.oldest === null ? null : f.dateTime(u.oldest),
    a: u.ageDays,
    st: u.stale,
    r: u.rank,
  }))
  return {
    meta: {
      labels: Object.fromEntries(Object.entries(t).filter(([k]) => /^(rollup|host|sev|status|col|common|detail)\./.test(k))),
      sev: SEVERITIES,
      minCoverage: rollup.evidence.minCoverage,
      units,
      checks: checkKeys.map((k) => [k, rollup.checks[k]!.severity, rollup.checks[k]!.title[lang]]),
      sites,
      strings,
    },
    buckets,
  }
}
