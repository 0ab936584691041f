import os from 'node:os'

import type Database from 'better-sqlite3'

import {TOOL_VERSION} from '../model/tool-version.js'
import type {Score} from '../engine/scores.js'
import {isCollected} from '../model/host-status.js'
import type {Snapshot} from '../model/snapshot.js'
import type {FinishOptions, RunMeta, RunRecord, RunState, RunWriter} from './contract.js'
import {currentOperator} from './current-operator.js'
import {processGone, processStart} from './process-identity.js'
import {encodeSnapshot} from './snapshot-codec.js'
import {StoreError} from './store-error.js'

/**
 * Writing runs into an open SQLite store: a run begins 'running', gets its snapshots, and becomes 'complete' with its
 * judgement, or 'interrupted'. Each function runs in the caller's transaction unless it says otherwise.
 */

/** A snapshot's time as UTC ISO-8601 (a file may say +07:00): stored times compare as text. */
function utc(time: string): string {
  const ms = Date.parse(time)
  if (Number.isNaN(ms)) throw new StoreError(`'${time}' is not a date-time`)
  return new Date(ms).toISOString()
}

/** A new run in state 'running', owned by this process; returns its id. */
export function insertRun(db: Database.Database, meta: RunMeta): number {
  const {next} = db.prepare('SELECT COALESCE(MAX(id), 0) + 1 AS next FROM runs').get() as {next: number}
  db.prepare(
    `INSERT INTO runs (id, state, source, hosts_file, tool_version, operator, writer_pid, writer_machine, writer_start, started_at)
         VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    next,
    meta.source,
    meta.hostsFile ?? null,
    meta.toolVersion ?? TOOL_VERSION,
    meta.operator ?? currentOperator(),
    process.pid,
    os.hostname(),
    processStart(process.pid),
    (meta.startedAt ?? new Date()).toISOString(),
  )
  return next
}

function hostId(db: Database.Database, name: string): number {
  db.prepare('INSERT INTO hosts (id, name) VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM hosts), ?) ON CONFLICT (name) DO NOTHING').run(name)
  return (db.prepare('SELECT id FROM hosts WHERE name = ?').get(name) as {id: number}).id
}

/** One host's snapshot in a run (one per host: a second is a StoreError). */
export function insertSnapshot(db: Database.Database, runId: number, snapshot: Snapshot): void {
  const host = hostId(db, snapshot.host.name)
  const dup = db.prepare('SELECT 1 FROM snapshots WHERE run_id = ? AND host_id = ?').get(runId, host)
  if (dup) throw new StoreError(`run ${runId} already has a snapshot of host '${snapshot.host.name}'`, 'a run holds one snapshot per host')
  const {encoding, size, body} = encodeSnapshot(snapshot)
  db.prepare(
    `INSERT INTO snapshots (run_id, host_id, status, reason, collected_at, encoding, size_bytes, body, unit_path)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(runId, host, snapshot.host.status, snapshot.host.reason ?? null, utc(snapshot.meta.collectedAt), encoding, size, body, snapshot.host.unit?.path ?? null)
}

/** Stores a running run's judgement (results, fleet findings, scores, waivers), if any, and marks it complete. */
export function finishRun(db: Database.Database, runId: number, options: FinishOptions): void {
  const state = db.prepare('SELECT state FROM runs WHERE id = ?').get(runId) as {state: RunState} | undefined
  if (state?.state !== 'running') throw new StoreError(`run ${runId} cannot be finished: it is ${state?.state ?? 'gone'}`)
  const e = options.evaluation
  if (e) {
    const insertResult = db.prepare(
      `INSERT INTO results (run_id, host_id, pack, check_id, severity, status, reason, waiver, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    const hostError = db.prepare('UPDATE snapshots SET check_error = ? WHERE run_id = ? AND host_id = ?')
    for (const h of e.hosts) {
      const host = hostId(db, h.host)
      if (h.error) hostError.run(h.error, runId, host)
      for (const r of h.results) {
        insertResult.run(runId, host, r.pack, r.check, r.severity, r.status, r.reason ?? null, r.waiver ? JSON.stringify(r.waiver) : null, r.note ?? null)
      }
    }
    const insertFleet = db.prepare('INSERT INTO fleet_findings (run_id, seq, pack, check_id, severity, status, finding) VALUES (?, ?, ?, ?, ?, ?, ?)')
    e.fleet.forEach((f, i) => insertFleet.run(runId, i + 1, f.pack, f.check, f.severity, f.status, JSON.stringify(f)))
    const insertScore = db.prepare(
      `INSERT INTO scores (run_id, scope_kind, scope_name, score, passed_weight, failed_weight, pass, fail, unknown, waived, not_applicable, hosts)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    const score = (kind: string, name: string, s: Score, hosts: number | null) =>
      insertScore.run(runId, kind, name, s.score, s.passedWeight, s.failedWeight, s.counts.pass, s.counts.fail, s.counts.unknown, s.counts.waived, s.counts.notApplicable, hosts)
    score('overall', '', e.scores.overall, e.scores.overall.hosts)
    for (const g of e.scores.groups) score('group', g.group, g, g.hosts)
    for (const h of e.scores.hosts) score('host', h.host, h, null)
    const insertWaiver = db.prepare(
      'INSERT INTO waivers (run_id, seq, check_id, host_patterns, group_names, reason, approver, expires, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    )
    const list = (l: readonly string[] | undefined) => (l ? JSON.stringify(l) : null)
    ;(options.waivers ?? []).forEach((w, i) => insertWaiver.run(runId, i + 1, w.check, list(w.hosts), list(w.groups), w.reason, w.approver, w.expires, w.source))
    const c = e.scores.overall.counts
    db.prepare('UPDATE runs SET checks_pass = ?, checks_fail = ?, checks_unknown = ?, checks_waived = ?, checks_not_applicable = ?, score = ?, waivers_kept = ? WHERE id = ?')
      .run(c.pass, c.fail, c.unknown, c.waived, c.notApplicable, e.scores.overall.score, options.waivers ? 1 : null, runId)
  }
  updateCounts(db, runId)
  db.prepare("UPDATE runs SET state = 'complete', finished_at = ? WHERE id = ?").run((options.finishedAt ?? new Date()).toISOString(), runId)
  updateSeen(db, runId)
}

/** A run's host counts (all, and collected), from its snapshots. */
export function updateCounts(db: Database.Database, runId: number): void {
  db.prepare(
    `UPDATE runs SET
           hosts_total = (SELECT COUNT(*) FROM snapshots WHERE run_id = ?),
           hosts_collected = (SELECT COUNT(*) FROM snapshots WHERE run_id = ? AND status IN ('ok', 'partial'))
         WHERE id = ?`,
  ).run(runId, runId, runId)
}

/** Hosts' first/last seen (collected) and last attempt, from a run that has just become complete. */
export function updateSeen(db: Database.Database, runId: number): void {
  const rows = db.prepare('SELECT s.host_id, s.status, s.collected_at, h.first_seen, h.last_seen, h.last_attempt FROM snapshots s JOIN hosts h ON h.id = s.host_id WHERE s.run_id = ?').all(runId) as {
    host_id: number
    status: string
    collected_at: string
    first_seen: string | null
    last_seen: string | null
    last_attempt: string | null
  }[]
  const update = db.prepare('UPDATE hosts SET first_seen = ?, last_seen = ?, last_attempt = ?, last_status = ? WHERE id = ?')
  for (const r of rows) {
    const collected = isCollected(r.status)
    const firstSeen = collected && (r.first_seen === null || r.collected_at < r.first_seen) ? r.collected_at : r.first_seen
    const lastSeen = collected && (r.last_seen === null || r.collected_at > r.last_seen) ? r.collected_at : r.last_seen
    const newer = r.last_attempt === null || r.collected_at >= r.last_attempt
    const current = db.prepare('SELECT last_status FROM hosts WHERE id = ?').get(r.host_id) as {last_status: string | null}
    update.run(firstSeen, lastSeen, newer ? r.collected_at : r.last_attempt, newer ? r.status : current.last_status, r.host_id)
  }
}

/** Marks a run that is still running interrupted, saying why (its own statement: commits at once outside a transaction). */
function markInterrupted(db: Database.Database, runId: number, note: string): void {
  db.prepare("UPDATE runs SET state = 'interrupted', finished_at = ?, note = ? WHERE id = ? AND state = 'running'").run(new Date().toISOString(), note, runId)
}

/** Runs left 'running' by a process of this machine that is gone become 'interrupted' (kept, never counted). */
export function recoverInterrupted(db: Database.Database): void {
  const running = db.prepare("SELECT id, writer_pid, writer_machine, writer_start FROM runs WHERE state = 'running'").all() as {
    id: number
    writer_pid: number | null
    writer_machine: string | null
    writer_start: number | null
  }[]
  for (const r of running) {
    if (r.writer_machine !== os.hostname() || r.writer_pid === null || !processGone(r.writer_pid, r.writer_start)) continue
    markInterrupted(db, r.id, `its writer (pid ${r.writer_pid}) ended before the run was finished`)
  }
}

/**
 * The writer of run `id`, just begun: each snapshot commits on its own; finish() stores the judgement and completes
 * the run in one transaction and returns `record()` of it; once finished or abandoned it writes no more.
 */
export function sqliteRunWriter(db: Database.Database, id: number, record: () => RunRecord): RunWriter {
  let open = true
  const ensureOpen = () => {
    if (!open) throw new StoreError(`run ${id} is no longer being written`)
  }
  return {
    id,
    addSnapshot: async (snapshot) => {
      ensureOpen()
      db.transaction(() => insertSnapshot(db, id, snapshot)).immediate()
    },
    finish: async (options = {}) => {
      ensureOpen()
      db.transaction(() => finishRun(db, id, options)).immediate()
      open = false
      return record()
    },
    abandon: async (note = 'abandoned by its writer') => {
      if (!open) return
      markInterrupted(db, id, note)
      open = false
    },
  }
}
