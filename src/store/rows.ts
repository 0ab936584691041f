import type {AppliedWaiver, CheckResult} from '../engine/checks/run-checks.js'
import type {Severity} from '../model/severity.js'
import type {Why} from '../model/why.js'
import {coverageOf, type Score, type Scores} from '../engine/scores.js'
import type {Waiver} from '../engine/waivers.js'
import type {RunRecord, RunState} from './contract.js'

/** The store's rows as its tables hold them (migrations.ts), and the records a caller sees made from them. Pure. */

export interface RunRow {
  id: number
  uuid: string
  site: string | null
  state: RunState
  source: string
  hosts_file: string | null
  tool_version: string
  operator: string | null
  started_at: string
  finished_at: string | null
  note: string | null
  hosts_total: number
  hosts_collected: number
  checks_pass: number
  checks_fail: number
  checks_unknown: number
  checks_waived: number
  checks_not_applicable: number
  score: number | null
}

/** The summable columns of a score row: its weights and counts. */
export const SCORE_SUM_COLUMNS = ['passed_weight', 'failed_weight', 'pass', 'fail', 'unknown', 'waived', 'not_applicable'] as const
export type ScoreSums = Record<(typeof SCORE_SUM_COLUMNS)[number], number>

export interface ScoreRow extends ScoreSums {
  scope_kind: 'overall' | 'group' | 'host'
  scope_name: string
  score: number | null
  hosts: number | null
}

/** A result with its host's name. */
export interface ResultRow {
  host: string
  pack: string
  check_id: string
  severity: Severity
  status: CheckResult['status']
  reason: string | null
  waiver: string | null
  note: string | null
  why: string | null
}

export interface WaiverRow {
  check_id: string
  host_patterns: string | null
  group_names: string | null
  reason: string
  approver: string
  expires: string
  source: string
}

/** A snapshot with its host's name and what decoding it needs. */
export interface SnapshotRow {
  host: string
  collected_at: string
  encoding: string
  body: Buffer
}

export function toRecord(r: RunRow): RunRecord {
  return {
    id: r.id,
    uuid: r.uuid,
    site: r.site,
    state: r.state,
    source: r.source,
    hostsFile: r.hosts_file,
    toolVersion: r.tool_version,
    operator: r.operator,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    note: r.note,
    hosts: {total: r.hosts_total, collected: r.hosts_collected},
    checks: {pass: r.checks_pass, fail: r.checks_fail, unknown: r.checks_unknown, waived: r.checks_waived, notApplicable: r.checks_not_applicable},
    score: r.score,
    coverage: coverageOf({pass: r.checks_pass, fail: r.checks_fail, unknown: r.checks_unknown, waived: r.checks_waived}),
  }
}

function scoreOfRow(r: ScoreRow): Score {
  const counts = {pass: r.pass, fail: r.fail, unknown: r.unknown, waived: r.waived, notApplicable: r.not_applicable}
  return {score: r.score, coverage: coverageOf(counts), passedWeight: r.passed_weight, failedWeight: r.failed_weight, counts}
}

/** A run's scores from its score rows (ordered by scope kind and name); undefined when it has no overall one (not judged). */
export function scoresOfRows(rows: readonly ScoreRow[]): Scores | undefined {
  const overall = rows.find((r) => r.scope_kind === 'overall')
  if (!overall) return undefined
  return {
    overall: {...scoreOfRow(overall), hosts: overall.hosts ?? 0},
    hosts: rows.filter((r) => r.scope_kind === 'host').map((r) => ({host: r.scope_name, ...scoreOfRow(r)})),
    groups: rows.filter((r) => r.scope_kind === 'group').map((r) => ({group: r.scope_name, hosts: r.hosts ?? 0, ...scoreOfRow(r)})),
  }
}

export function resultOfRow(r: ResultRow): CheckResult {
  return {
    host: r.host,
    pack: r.pack,
    check: r.check_id,
    severity: r.severity,
    status: r.status,
    ...(r.reason !== null ? {reason: r.reason} : {}),
    ...(r.waiver !== null ? {waiver: JSON.parse(r.waiver) as AppliedWaiver} : {}),
    ...(r.note !== null ? {note: r.note} : {}),
    ...(r.why !== null ? {why: JSON.parse(r.why) as Why} : {}),
  }
}

export function waiverOfRow(r: WaiverRow): Waiver {
  return {
    check: r.check_id,
    ...(r.host_patterns !== null ? {hosts: JSON.parse(r.host_patterns) as string[]} : {}),
    ...(r.group_names !== null ? {groups: JSON.parse(r.group_names) as string[]} : {}),
    reason: r.reason,
    approver: r.approver,
    expires: r.expires,
    source: r.source,
  }
}
