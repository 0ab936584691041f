import {randomUUID} from 'node:crypto'
import os from 'node:os'

import type {Score} from '../engine/scores.js'
import type {RunEvaluation} from '../engine/evaluate-run.js'
import type {Waiver} from '../engine/waivers.js'
import {COLLECTED_STATUSES, isCollected} from '../model/host-status.js'
import type {Snapshot} from '../model/snapshot.js'
import {snapshotFacts} from '../model/snapshot-facts.js'
import {TOOL_VERSION} from '../model/tool-version.js'
import type {RunMeta} from './contract.js'
import {currentOperator} from './current-operator.js'
import {processStart} from './process-identity.js'
import {encodeSnapshot} from './snapshot-codec.js'
import {StoreError} from './store-error.js'

/**
 * The statements that write a run and the values they take, shared by both engines (SQLite runs them as written,
 * PostgreSQL with its placeholders numbered: postgres-dialect.ts). Pure, but for the process's own identity.
 */

type Value = string | number | Buffer | null

export const NEXT_RUN_ID = 'SELECT COALESCE(MAX(id), 0) + 1 AS next FROM runs'
export const INSERT_RUN = `INSERT INTO runs (id, state, source, hosts_file, tool_version, operator, writer_pid, writer_machine, writer_start, started_at, uuid, site)
         VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
export const INSERT_HOST = 'INSERT INTO hosts (id, name) VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM hosts), ?) ON CONFLICT (name) DO NOTHING'
export const HOST_ID = 'SELECT id FROM hosts WHERE name = ?'
export const SNAPSHOT_EXISTS = 'SELECT 1 FROM snapshots WHERE run_id = ? AND host_id = ?'
export const INSERT_SNAPSHOT = `INSERT INTO snapshots (run_id, host_id, status, reason, collected_at, encoding, size_bytes, body, unit_path, facts)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
export const RUN_STATE = 'SELECT state FROM runs WHERE id = ?'
export const INSERT_RESULT = `INSERT INTO results (run_id, host_id, pack, check_id, severity, status, reason, waiver, note, why) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
export const HOST_ERROR = 'UPDATE snapshots SET check_error = ? WHERE run_id = ? AND host_id = ?'
export const INSERT_FLEET = 'INSERT INTO fleet_findings (run_id, seq, pack, check_id, severity, status, finding) VALUES (?, ?, ?, ?, ?, ?, ?)'
export const INSERT_SCORE = `INSERT INTO scores (run_id, scope_kind, scope_name, score, passed_weight, failed_weight, pass, fail, unknown, waived, not_applicable, hosts)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
export const INSERT_WAIVER = 'INSERT INTO waivers (run_id, seq, check_id, host_patterns, group_names, reason, approver, expires, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'
export const RUN_JUDGEMENT = 'UPDATE runs SET checks_pass = ?, checks_fail = ?, checks_unknown = ?, checks_waived = ?, checks_not_applicable = ?, score = ?, waivers_kept = ? WHERE id = ?'
export const RUN_COMPLETE = "UPDATE runs SET state = 'complete', finished_at = ? WHERE id = ?"
export const RUN_COUNTS = `UPDATE runs SET
           hosts_total = (SELECT COUNT(*) FROM snapshots WHERE run_id = ?),
           hosts_collected = (SELECT COUNT(*) FROM snapshots WHERE run_id = ? AND status IN (${COLLECTED_STATUSES.map((s) => `'${s}'`).join(', ')}))
         WHERE id = ?`
export const RUN_HOSTS_SEEN = 'SELECT s.host_id, s.status, s.collected_at, h.first_seen, h.last_seen, h.last_attempt, h.last_status FROM snapshots s JOIN hosts h ON h.id = s.host_id WHERE s.run_id = ?'
export const HOST_LAST_STATUS = 'SELECT last_status FROM hosts WHERE id = ?'
export const UPDATE_SEEN = 'UPDATE hosts SET first_seen = ?, last_seen = ?, last_attempt = ?, last_status = ? WHERE id = ?'
export const MARK_INTERRUPTED = "UPDATE runs SET state = 'interrupted', finished_at = ?, note = ? WHERE id = ? AND state = 'running'"
export const RUNNING_WRITERS = "SELECT id, writer_pid, writer_machine, writer_start FROM runs WHERE state = 'running'"

/** A snapshot's time as UTC ISO-8601 (a file may say +07:00): stored times compare as text. */
function utc(time: string): string {
  const ms = Date.parse(time)
  if (Number.isNaN(ms)) throw new StoreError(`'${time}' is not a date-time`)
  return new Date(ms).toISOString()
}

/** INSERT_RUN's values: a new run owned by this process, with a new UUID, taken at `meta.site` (default this machine's hostname). */
export function runValues(id: number, meta: RunMeta): Value[] {
  return [
    id,
    meta.source,
    meta.hostsFile ?? null,
    meta.toolVersion ?? TOOL_VERSION,
    meta.operator ?? currentOperator(),
    process.pid,
    os.hostname(),
    processStart(process.pid),
    (meta.startedAt ?? new Date()).toISOString(),
    randomUUID(),
    meta.site || os.hostname(),
  ]
}

export function duplicateSnapshot(runId: number, snapshot: Snapshot): StoreError {
  return new StoreError(`run ${runId} already has a snapshot of host '${snapshot.host.name}'`, 'a run holds one snapshot per host')
}

/** INSERT_SNAPSHOT's values. */
export function snapshotValues(runId: number, hostId: number, snapshot: Snapshot): Value[] {
  const {encoding, size, body} = encodeSnapshot(snapshot)
  return [runId, hostId, snapshot.host.status, snapshot.host.reason ?? null, utc(snapshot.meta.collectedAt), encoding, size, body, snapshot.host.unit?.path ?? null, JSON.stringify(snapshotFacts(snapshot))]
}

export function unfinishable(runId: number, state: string | undefined): StoreError {
  return new StoreError(`run ${runId} cannot be finished: it is ${state ?? 'gone'}`)
}

/** What finishing a run writes, statement by statement, once its hosts' ids are known (`hostId`). */
export function judgementWrites(runId: number, e: RunEvaluation, waivers: readonly Waiver[] | undefined, hostId: (name: string) => number): [string, Value[]][] {
  const writes: [string, Value[]][] = []
  for (const h of e.hosts) {
    const host = hostId(h.host)
    if (h.error) writes.push([HOST_ERROR, [h.error, runId, host]])
    for (const r of h.results) {
      writes.push([INSERT_RESULT, [runId, host, r.pack, r.check, r.severity, r.status, r.reason ?? null, r.waiver ? JSON.stringify(r.waiver) : null, r.note ?? null, r.why ? JSON.stringify(r.why) : null]])
    }
  }
  e.fleet.forEach((f, i) => writes.push([INSERT_FLEET, [runId, i + 1, f.pack, f.check, f.severity, f.status, JSON.stringify(f)]]))
  const score = (kind: string, name: string, s: Score, hosts: number | null) =>
    writes.push([INSERT_SCORE, [runId, kind, name, s.score, s.passedWeight, s.failedWeight, s.counts.pass, s.counts.fail, s.counts.unknown, s.counts.waived, s.counts.notApplicable, hosts]])
  score('overall', '', e.scores.overall, e.scores.overall.hosts)
  for (const g of e.scores.groups) score('group', g.group, g, g.hosts)
  for (const h of e.scores.hosts) score('host', h.host, h, null)
  const list = (l: readonly string[] | undefined) => (l ? JSON.stringify(l) : null)
  ;(waivers ?? []).forEach((w, i) => writes.push([INSERT_WAIVER, [runId, i + 1, w.check, list(w.hosts), list(w.groups), w.reason, w.approver, w.expires, w.source]]))
  const c = e.scores.overall.counts
  writes.push([RUN_JUDGEMENT, [c.pass, c.fail, c.unknown, c.waived, c.notApplicable, e.scores.overall.score, waivers ? 1 : null, runId]])
  return writes
}

export interface SeenRow {
  host_id: number
  status: string
  collected_at: string
  first_seen: string | null
  last_seen: string | null
  last_attempt: string | null
  last_status: string | null
}

/** UPDATE_SEEN's values for a host of a run that has just become complete (first/last seen collected, last attempt). */
export function seenValues(r: SeenRow, lastStatus: string | null): Value[] {
  const collected = isCollected(r.status)
  const firstSeen = collected && (r.first_seen === null || r.collected_at < r.first_seen) ? r.collected_at : r.first_seen
  const lastSeen = collected && (r.last_seen === null || r.collected_at > r.last_seen) ? r.collected_at : r.last_seen
  const newer = r.last_attempt === null || r.collected_at >= r.last_attempt
  return [firstSeen, lastSeen, newer ? r.collected_at : r.last_attempt, newer ? r.status : lastStatus, r.host_id]
}

export interface WriterRow {
  id: number
  writer_pid: number | null
  writer_machine: string | null
  writer_start: number | null
}

/** MARK_INTERRUPTED's values. */
export function interruptedValues(runId: number, note: string): Value[] {
  return [new Date().toISOString(), note, runId]
}

/** Why a run's writer is known gone (a process of this machine that ended), or undefined when it may still be writing. */
export function goneWriter(r: WriterRow, gone: (pid: number, start: number | null) => boolean): string | undefined {
  if (r.writer_machine !== os.hostname() || r.writer_pid === null || !gone(r.writer_pid, r.writer_start)) return undefined
  return `its writer (pid ${r.writer_pid}) ended before the run was finished`
}
