import type Database from 'better-sqlite3'

import type {Snapshot} from '../model/snapshot.js'
import type {FinishOptions, RunMeta, RunRecord, RunState, RunWriter} from './contract.js'
import {processGone} from './process-identity.js'
import {
  duplicateSnapshot,
  goneWriter,
  HOST_ID,
  HOST_LAST_STATUS,
  INSERT_HOST,
  INSERT_RUN,
  INSERT_SNAPSHOT,
  interruptedValues,
  judgementWrites,
  MARK_INTERRUPTED,
  NEXT_RUN_ID,
  RUN_COMPLETE,
  RUN_COUNTS,
  RUN_HOSTS_SEEN,
  RUN_STATE,
  RUNNING_WRITERS,
  runValues,
  seenValues,
  SNAPSHOT_EXISTS,
  snapshotValues,
  UPDATE_SEEN,
  unfinishable,
  type SeenRow,
  type WriterRow,
} from './run-statements.js'
import {prepared} from './sqlite-statements.js'
import {StoreError} from './store-error.js'

/**
 * Writing runs into an open SQLite store: a run begins 'running', gets its snapshots, and becomes 'complete' with its
 * judgement, or 'interrupted'. Each function runs in the caller's transaction unless it says otherwise. The statements
 * are run-statements.ts, shared with the PostgreSQL engine.
 */

/** A new run in state 'running', owned by this process; returns its id. */
export function insertRun(db: Database.Database, meta: RunMeta): number {
  const {next} = prepared(db, NEXT_RUN_ID).get() as {next: number}
  prepared(db, INSERT_RUN).run(...runValues(next, meta))
  return next
}

function hostId(db: Database.Database, name: string): number {
  prepared(db, INSERT_HOST).run(name)
  return (prepared(db, HOST_ID).get(name) as {id: number}).id
}

/** One host's snapshot in a run (one per host: a second is a StoreError). */
export function insertSnapshot(db: Database.Database, runId: number, snapshot: Snapshot): void {
  const host = hostId(db, snapshot.host.name)
  if (prepared(db, SNAPSHOT_EXISTS).get(runId, host)) throw duplicateSnapshot(runId, snapshot)
  prepared(db, INSERT_SNAPSHOT).run(...snapshotValues(runId, host, snapshot))
}

/** Stores a running run's judgement (results, fleet findings, scores, waivers), if any, and marks it complete. */
export function finishRun(db: Database.Database, runId: number, options: FinishOptions): void {
  const state = prepared(db, RUN_STATE).get(runId) as {state: RunState} | undefined
  if (state?.state !== 'running') throw unfinishable(runId, state?.state)
  if (options.evaluation) {
    for (const [sql, values] of judgementWrites(runId, options.evaluation, options.waivers, (name) => hostId(db, name))) prepared(db, sql).run(...values)
  }
  updateCounts(db, runId)
  prepared(db, RUN_COMPLETE).run((options.finishedAt ?? new Date()).toISOString(), runId)
  updateSeen(db, runId)
}

/** A run's host counts (all, and collected), from its snapshots. */
export function updateCounts(db: Database.Database, runId: number): void {
  prepared(db, RUN_COUNTS).run(runId, runId, runId)
}

/** Hosts' first/last seen (collected) and last attempt, from a run that has just become complete. */
export function updateSeen(db: Database.Database, runId: number): void {
  const rows = prepared(db, RUN_HOSTS_SEEN).all(runId) as SeenRow[]
  const update = prepared(db, UPDATE_SEEN)
  for (const r of rows) {
    const current = prepared(db, HOST_LAST_STATUS).get(r.host_id) as {last_status: string | null}
    update.run(...seenValues(r, current.last_status))
  }
}

/** Marks a run that is still running interrupted, saying why (its own statement: commits at once outside a transaction). */
function markInterrupted(db: Database.Database, runId: number, note: string): void {
  prepared(db, MARK_INTERRUPTED).run(...interruptedValues(runId, note))
}

/** Runs left 'running' by a process of this machine that is gone become 'interrupted' (kept, never counted). */
export function recoverInterrupted(db: Database.Database): void {
  for (const r of prepared(db, RUNNING_WRITERS).all() as WriterRow[]) {
    const why = goneWriter(r, processGone)
    if (why) markInterrupted(db, r.id, why)
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
