import type {Rollup} from '../../model/rollup.js'
import {SEVERITIES} from '../../model/severity.js'
import {cell, csv} from '../csv-cells.js'
import type {Lang} from '../locale.js'

const failedColumns = SEVERITIES.map((s) => `failed_${s}`)

/**
 * One row per unit of the roll-up, root first then depth-first (the tree's order): its path and name in the report's
 * language, where it sits, its score with its coverage, its hosts, failed checks by severity, sites, how old its data
 * is, and its rank (1 = the worst unit).
 */
export function renderRollupUnitsCsv(rollup: Rollup, lang: Lang): string {
  return csv(
    ['unit', 'unit_name', 'depth', 'parent', 'score', 'coverage_percent', 'hosts', 'hosts_collected', 'hosts_not_collected', 'hosts_insufficient', ...failedColumns, 'sites', 'oldest', 'age_days', 'stale', 'rank'],
    rollup.units.map((u) => [
      cell(u.path),
      cell(u.name[lang]),
      u.depth,
      cell(u.parent),
      u.score.score,
      u.score.coverage,
      u.hosts.total,
      u.hosts.collected,
      u.hosts.notCollected,
      u.hosts.insufficient,
      ...SEVERITIES.map((s) => u.failed[s]),
      cell(u.sites.join('; ')),
      u.oldest,
      u.ageDays,
      u.stale ? 'yes' : 'no',
      u.rank,
    ]),
  )
}

/** One row per host of the roll-up (by unit then name): where it is, the run it comes from, its verdict with its coverage. */
export function renderRollupHostsCsv(rollup: Rollup, lang: Lang): string {
  const names = new Map(rollup.units.map((u) => [u.path, u.name[lang]]))
  return csv(
    ['unit', 'unit_name', 'host', 'site', 'run', 'status', 'reason', 'collected_at', 'score', 'coverage_percent', 'insufficient_data', ...failedColumns, 'os', 'kernel', 'skew_ms'],
    rollup.hosts.map((h) => [
      cell(h.unit),
      cell(names.get(h.unit) ?? h.unit),
      cell(h.host),
      cell(h.site),
      cell(h.run),
      cell(h.status),
      cell(h.reason),
      h.collectedAt,
      h.score,
      h.coverage,
      cell(h.insufficient),
      ...SEVERITIES.map((s) => h.failed[s]),
      cell(h.os),
      cell(h.kernel),
      h.skewMs,
    ]),
  )
}
