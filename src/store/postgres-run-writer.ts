import type {Snapshot} from '../model/snapshot.js'
import type {FinishOptions, RunMeta, RunRecord, RunState, RunWriter} from './contract.js'
import type {PgSql} from './postgres-sql.js'
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
import {StoreError} from './store-error.js'

/**
 * Writing runs into a PostgreSQL store, as sqlite-run-writer.ts does with the same statements (run-statements.ts).
 * Each function runs in the caller's write transaction (PostgresStore.write: runs and hosts locked, so ids taken as
 * MAX + 1 never collide between writers) unless it says otherwise.
 */

export async function insertRun(db: PgSql, meta: RunMeta): Promise<number> {
  const {next} = (await db.get<{next: number}>(NEXT_RUN_ID))!
  await db.run(INSERT_RUN, runValues(next, meta))
  return next
}

async function hostId(db: PgSql, name: string): Promise<number> {
  await db.run(INSERT_HOST, [name])
  return (await db.get<{id: number}>(HOST_ID, [name]))!.id
}

export async function insertSnapshot(db: PgSql, runId: number, snapshot: Snapshot): Promise<void> {
  const host = await hostId(db, snapshot.host.name)
  if (await db.get(SNAPSHOT_EXISTS, [runId, host])) throw duplicateSnapshot(runId, snapshot)
  await db.run(INSERT_SNAPSHOT, snapshotValues(runId, host, snapshot))
}

export async function finishRun(db: PgSql, runId: number, options: FinishOptions): Promise<void> {
  const state = await db.get<{state: RunState}>(RUN_STATE, [runId])
  if (state?.state !== 'running') throw unfinishable(runId, state?.state)
  if (options.evaluation) {
    const ids = new Map<string, number>()
    for (const h of options.evaluation.hosts) ids.set(h.host, await hostId(db, h.host))
    for (const [sql, values] of judgementWrites(runId, options.evaluation, options.waivers, (name) => ids.get(name)!)) await db.run(sql, values)
  }
  await updateCounts(db, runId)
  await db.run(RUN_COMPLETE, [(options.finishedAt ?? new Date()).toISOString(), runId])
  await updateSeen(db, runId)
}

export async function updateCounts(db: PgSql, runId: number): Promise<void> {
  await db.run(RUN_COUNTS, [runId, runId, runId])
}

export async function updateSeen(db: PgSql, runId: number): Promise<void> {
  for (const r of await db.all<SeenRow>(RUN_HOSTS_SEEN, [runId])) {
    const current = (await db.get<{last_status: string | null}>(HOST_LAST_STATUS, [r.host_id]))!
    await db.run(UPDATE_SEEN, seenValues(r, current.last_status))
  }
}

/** Marks a run that is still running interrupted (its own statement, committed at once). */
export async function markInterrupted(db: PgSql, runId: number, note: string): Promise<void> {
  await db.run(MARK_INTERRUPTED, interruptedValues(runId, note))
}

/** Runs left 'running' by a process of this machine that is gone become 'interrupted'. */
export async function recoverInterrupted(db: PgSql): Promise<void> {
  for (const r of await db.all<WriterRow>(RUNNING_WRITERS)) {
    const why = goneWriter(r, processGone)
    if (why) await markInterrupted(db, r.id, why)
  }
}

/** The writer of run `id` (see sqliteRunWriter): `write` runs a function in one write transaction. */
export function postgresRunWriter(
  id: number,
  write: <T>(fn: (db: PgSql) => Promise<T>) => Promise<T>,
  autocommit: PgSql,
  record: () => Promise<RunRecord>,
): RunWriter {
  let open = true
  const ensureOpen = () => {
    if (!open) throw new StoreError(`run ${id} is no longer being written`)
  }
  return {
    id,
    addSnapshot: async (snapshot) => {
      ensureOpen()
      await write((db) => insertSnapshot(db, id, snapshot))
    },
    finish: async (options = {}) => {
      ensureOpen()
      await write((db) => finishRun(db, id, options))
      open = false
      return record()
    },
    abandon: async (note = 'abandoned by its writer') => {
      if (!open) return
      await markInterrupted(autocommit, id, note)
      open = false
    },
  }
}
