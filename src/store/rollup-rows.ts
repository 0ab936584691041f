import type {PgSql} from './postgres-sql.js'
import {SCORE_SUM_COLUMNS, type ScoreSums} from './rows.js'

/**
 * What a roll-up reads of a store (hatang report --rollup), by the same statements on both engines (run on `PgSql`:
 * PostgreSQL's client, or SQLite's through sqliteAsync): complete runs, and of the latest ones their hosts with their
 * stored host scores, their failed checks and their fleet findings; per run and unit, the sums a trend needs. Snapshot
 * bodies are never read: the facts kept beside them are (src/model/snapshot-facts.ts). Plain rows; src/runs/rollup
 * makes the roll-up of them.
 */

export interface RollupRunRow {
  id: number
  uuid: string
  site: string | null
  hosts_file: string | null
  started_at: string
  finished_at: string | null
  tool_version: string
  /** Whether the run was judged (its overall score row is stored). */
  judged: number
}

export interface RollupHostFacts {
  run_id: number
  host: string
  unit_path: string | null
  status: string
  reason: string | null
  collected_at: string
  check_error: string | null
  facts: string | null
}

/** A host's stored score row (its weights and counts); null in each when the run was not judged. */
export type RollupHostRow = RollupHostFacts & {[K in keyof ScoreSums]: ScoreSums[K] | null}

/** One host's failed checks: `severity pack/check` entries joined by ',' (ids and severities hold no space or comma). */
export interface RollupFailRow {
  run_id: number
  host: string
  failed: string
}

export interface RollupFleetRow {
  run_id: number
  pack: string
  check_id: string
  severity: string
  status: string
}

/** One run's hosts of one unit (the unit's path, '' for none), their stored scores summed. */
export interface RollupUnitRunRow extends ScoreSums {
  run_id: number
  unit_path: string
  hosts: number
}

export interface RollupRows {
  /** Complete runs since the day asked for with a host under the unit, oldest first. */
  runs: RollupRunRow[]
  /** The latest of them for each site and hosts file (by start, then id), whose hosts the roll-up shows. */
  latest: number[]
  hosts: RollupHostRow[]
  fails: RollupFailRow[]
  fleet: RollupFleetRow[]
  unitRuns: RollupUnitRunRow[]
}

export interface RollupQuery {
  /** The unit's path (NFC); '' for every host. */
  unit: string
  /** Only runs started at or after this ISO-8601 time. */
  since?: string
}

/** The unit filter on snapshots `s` and its values: the unit itself or a unit below it (no LIKE: `_` is a unit's letter). */
function underUnit(unit: string): {sql: string; values: (string | number)[]} {
  if (unit === '') return {sql: '1 = 1', values: []}
  return {sql: '(s.unit_path = ? OR substr(s.unit_path, 1, ?) = ?)', values: [unit, [...unit].length + 1, `${unit}/`]}
}

const marks = (n: number) => Array.from({length: n}, () => '?').join(', ')
const numeric = <T extends object>(rows: T[], keys: readonly (keyof T)[]): T[] => {
  // PostgreSQL sums BIGINT as NUMERIC (text): numbers here, as SQLite gives them
  for (const r of rows) for (const k of keys) if (r[k] !== null && r[k] !== undefined) (r as Record<keyof T, unknown>)[k] = Number(r[k])
  return rows
}

/** Everything a roll-up reads, in the caller's one read transaction (one consistent picture). */
export async function readRollup(db: PgSql, q: RollupQuery): Promise<RollupRows> {
  const runs = await readRollupRuns(db, q)
  const latest = latestPerSite(runs)
  return {runs, latest, ...(await readRollupRows(db, q, runs, latest))}
}

/**
 * What a run is the latest of: its site and hosts file (a site auditing servers and workstations from two hosts files
 * by two crons has two latest runs); a run with no site is its own.
 */
export const seriesOf = (r: Pick<RollupRunRow, 'site' | 'hosts_file' | 'uuid'>): string => (r.site === null ? `\u0000${r.uuid}` : `${r.site}\u0000${r.hosts_file ?? ''}`)

/** The latest run of each site and hosts file (seriesOf), by start then id. Pure. */
export function latestPerSite(runs: readonly RollupRunRow[]): number[] {
  const bySite = new Map<string, RollupRunRow>()
  for (const r of runs) {
    const key = seriesOf(r)
    const was = bySite.get(key)
    if (!was || r.started_at > was.started_at || (r.started_at === was.started_at && r.id > was.id)) bySite.set(key, r)
  }
  return [...bySite.values()].map((r) => r.id).sort((a, b) => a - b)
}

/** The complete runs the roll-up considers, oldest first. */
async function readRollupRuns(db: PgSql, q: RollupQuery): Promise<RollupRunRow[]> {
  const unit = underUnit(q.unit)
  return numeric(
    await db.all<RollupRunRow>(
      `SELECT r.id, r.uuid, r.site, r.hosts_file, r.started_at, r.finished_at, r.tool_version,
              CASE WHEN EXISTS (SELECT 1 FROM scores o WHERE o.run_id = r.id AND o.scope_kind = 'overall') THEN 1 ELSE 0 END AS judged
         FROM runs r
        WHERE r.state = 'complete' AND r.started_at >= ?
          AND EXISTS (SELECT 1 FROM snapshots s WHERE s.run_id = r.id AND ${unit.sql})
        ORDER BY r.started_at, r.id`,
      [q.since ?? '', ...unit.values],
    ),
    ['id', 'judged'],
  )
}

/** The rows of `latest` runs under the unit (hosts, failed checks, fleet findings) and every run's sums per unit. */
async function readRollupRows(db: PgSql, q: RollupQuery, runs: readonly RollupRunRow[], latest: readonly number[]): Promise<Omit<RollupRows, 'runs' | 'latest'>> {
  const unit = underUnit(q.unit)
  const ids = runs.map((r) => r.id)
  if (latest.length === 0) return {hosts: [], fails: [], fleet: [], unitRuns: []}
  const hosts = await db.all<RollupHostRow>(
    `SELECT s.run_id, h.name AS host, s.unit_path, s.status, s.reason, s.collected_at, s.check_error, s.facts,
            sc.passed_weight, sc.failed_weight, sc.pass, sc.fail, sc.unknown, sc.waived, sc.not_applicable
       FROM snapshots s JOIN hosts h ON h.id = s.host_id
       LEFT JOIN scores sc ON sc.run_id = s.run_id AND sc.scope_kind = 'host' AND sc.scope_name = h.name
      WHERE s.run_id IN (${marks(latest.length)}) AND ${unit.sql}
      ORDER BY s.unit_path, h.name`,
    [...latest, ...unit.values],
  )
  // one row per host (not per failed check: 20,000 hosts fail ~500,000 checks), aggregated by the server
  const fails = await db.all<RollupFailRow>(
    `SELECT r.run_id, h.name AS host, group_concat(r.severity || ' ' || r.pack || '/' || r.check_id, ',') AS failed
       FROM results r JOIN hosts h ON h.id = r.host_id JOIN snapshots s ON s.run_id = r.run_id AND s.host_id = r.host_id
      WHERE r.run_id IN (${marks(latest.length)}) AND r.status = 'fail' AND ${unit.sql}
      GROUP BY r.run_id, h.name`,
    [...latest, ...unit.values],
  )
  const fleet = await db.all<RollupFleetRow>(
    `SELECT run_id, pack, check_id, severity, status FROM fleet_findings WHERE run_id IN (${marks(ids.length)}) ORDER BY run_id, seq`,
    ids,
  )
  // every host of each run, whatever its unit: a run's fleet findings belong to the unit holding all its hosts
  const unitRuns = await db.all<RollupUnitRunRow>(
    `SELECT s.run_id, COALESCE(s.unit_path, '') AS unit_path, COUNT(*) AS hosts,
            COALESCE(SUM(sc.passed_weight), 0) AS passed_weight, COALESCE(SUM(sc.failed_weight), 0) AS failed_weight,
            COALESCE(SUM(sc.pass), 0) AS pass, COALESCE(SUM(sc.fail), 0) AS fail, COALESCE(SUM(sc.unknown), 0) AS unknown,
            COALESCE(SUM(sc.waived), 0) AS waived, COALESCE(SUM(sc.not_applicable), 0) AS not_applicable
       FROM snapshots s JOIN hosts h ON h.id = s.host_id
       LEFT JOIN scores sc ON sc.run_id = s.run_id AND sc.scope_kind = 'host' AND sc.scope_name = h.name
      WHERE s.run_id IN (${marks(ids.length)})
      GROUP BY s.run_id, COALESCE(s.unit_path, '')`,
    ids,
  )
  return {
    hosts: numeric(hosts, ['run_id', ...SCORE_SUM_COLUMNS]),
    fails: numeric(fails, ['run_id']),
    fleet: numeric(fleet, ['run_id']),
    unitRuns: numeric(unitRuns, ['run_id', 'hosts', ...SCORE_SUM_COLUMNS]),
  }
}
