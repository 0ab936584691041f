import {existsSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import Database from 'better-sqlite3'

import {isFsError} from '../cli/fs-problem.js'
import {ensureDirSync} from '../files/make-dir.js'
import type {CheckResult} from '../engine/checks/run-checks.js'
import type {FleetFinding} from '../engine/fleet/types.js'
import type {Scores} from '../engine/scores.js'
import type {Waiver} from '../engine/waivers.js'
import type {Snapshot} from '../model/snapshot.js'
import type {FinishOptions, HostSeen, OpenOptions, RunHost, RunMeta, RunRecord, RunState, RunWriter, Store} from './contract.js'
import {LATEST_SCHEMA_VERSION} from './migrations.js'
import {resultOfRow, scoresOfRows, toRecord, waiverOfRow, type ResultRow, type RunRow, type ScoreRow, type SnapshotRow, type WaiverRow} from './rows.js'
import {PUSHED_TO, readBundle, receiveBundle, RECORD_PUSH, type Received, type RunBundle} from './run-transfer.js'
import {SnapshotReader} from './snapshot-reader.js'
import {readRollup, type RollupQuery, type RollupRows} from './rollup-rows.js'
import {sqliteAsync, sqliteRead, sqliteWrite} from './sqlite-async.js'
import {migrateSqlite, sqliteSchemaVersion} from './sqlite-migrate.js'
import {finishRun, insertRun, insertSnapshot, recoverInterrupted, sqliteRunWriter, updateCounts, updateSeen} from './sqlite-run-writer.js'
import {staleOf} from './stale-hosts.js'
import {StoreError} from './store-error.js'
import type {DamagedSnapshot} from './unreadable-snapshot.js'
import {cannotWrite, isUnwritable} from './unwritable-store.js'

/** The rows of one run's snapshots (run id bound), with what decode() needs. */
const SNAPSHOT_ROWS = 'SELECT h.name AS host, s.collected_at, s.encoding, s.body FROM snapshots s JOIN hosts h ON h.id = s.host_id WHERE s.run_id = ?'

/** The store in one SQLite file (see migrations.ts for its tables and README "The store"); its writing is sqlite-run-writer.ts. */
export class SqliteStore implements Store {
  private readonly reader: SnapshotReader

  private constructor(
    readonly file: string,
    private readonly db: Database.Database,
  ) {
    this.reader = new SnapshotReader(file)
  }

  /** Opens (and by default creates) a store, applies pending migrations, and marks runs whose writer died as interrupted. */
  static async open(file: string, options: OpenOptions = {}): Promise<SqliteStore> {
    const exists = existsSync(file)
    if (!exists && options.create === false) throw new StoreError(`no store at ${file}`, "runs are stored by 'hatang audit' and 'hatang import'")
    if (!exists) {
      try {
        ensureDirSync(path.dirname(path.resolve(file)))
        // an inventory of the organisation's machines: readable by its owner only (SQLite gives -wal and -shm the same mode)
        writeFileSync(file, '', {mode: 0o600, flag: 'wx'})
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw cannotWrite(file, error)
      }
    }
    let db: Database.Database | undefined
    try {
      db = new Database(file, {fileMustExist: true})
      db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`)
      // only takes effect on a database without tables yet: lets prune give the space of deleted runs back
      if (!exists) db.pragma('auto_vacuum = INCREMENTAL')
      db.pragma('journal_mode = WAL')
      db.pragma('foreign_keys = ON')
      db.pragma('synchronous = NORMAL')
    } catch (error) {
      db?.close()
      if (isFsError(error) || isUnwritable(error)) throw cannotWrite(file, error)
      throw new StoreError(`${file} cannot be opened as a hatang store (${(error as Error).message})`, 'name another file with --store')
    }
    try {
      await migrateSqlite(db, file, options.migrateTo ?? LATEST_SCHEMA_VERSION)
      recoverInterrupted(db)
    } catch (error) {
      db.close()
      throw error
    }
    return new SqliteStore(file, db)
  }

  async schemaVersion(): Promise<number> {
    return sqliteSchemaVersion(this.db)
  }

  // ---- writing

  async beginRun(meta: RunMeta): Promise<RunWriter> {
    const id = this.db.transaction(() => insertRun(this.db, meta)).immediate()
    return sqliteRunWriter(this.db, id, () => this.record(id)!)
  }

  async storeRun(meta: RunMeta, snapshots: readonly Snapshot[], options: FinishOptions = {}): Promise<RunRecord> {
    const id = this.db
      .transaction(() => {
        const runId = insertRun(this.db, meta)
        for (const s of snapshots) insertSnapshot(this.db, runId, s)
        finishRun(this.db, runId, options)
        return runId
      })
      .immediate()
    return this.record(id)!
  }

  async addToRun(runId: number, snapshots: readonly Snapshot[]): Promise<RunRecord> {
    this.db
      .transaction(() => {
        const run = this.record(runId)
        if (!run || run.state !== 'complete') throw this.unknownRun(runId)
        for (const s of snapshots) insertSnapshot(this.db, runId, s)
        updateCounts(this.db, runId)
        updateSeen(this.db, runId)
      })
      .immediate()
    return this.record(runId)!
  }

  // ---- reading

  async listRuns(options: {all?: boolean} = {}): Promise<RunRecord[]> {
    return this.records(options)
  }

  private records(options: {all?: boolean} = {}): RunRecord[] {
    const where = options.all ? '' : "WHERE state = 'complete'"
    return (this.db.prepare(`SELECT * FROM runs ${where} ORDER BY started_at DESC, id DESC`).all() as RunRow[]).map(toRecord)
  }

  async run(id: number): Promise<RunRecord | undefined> {
    return this.record(id)
  }

  private record(id: number): RunRecord | undefined {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined
    return row && toRecord(row)
  }

  async completeRun(id: number): Promise<RunRecord> {
    const run = this.record(id)
    if (!run || run.state !== 'complete') throw this.unknownRun(id, run?.state)
    return run
  }

  private unknownRun(id: number, state?: RunState): StoreError {
    const what = state ? `run ${id} is ${state}, not complete` : `no run ${id} in ${this.file}`
    return new StoreError(what, `'hatang runs list' shows the stored runs`)
  }

  async hosts(runId: number): Promise<RunHost[]> {
    return this.db
      .prepare(
        `SELECT h.name AS host, s.status, s.reason, s.collected_at AS collectedAt, s.check_error AS checkError, s.size_bytes AS sizeBytes
         FROM snapshots s JOIN hosts h ON h.id = s.host_id WHERE s.run_id = ? ORDER BY h.name`,
      )
      .all(runId) as RunHost[]
  }

  async snapshots(runId: number): Promise<Snapshot[]> {
    const rows = this.db.prepare(`${SNAPSHOT_ROWS} ORDER BY h.name`).all(runId) as SnapshotRow[]
    return rows.map((r) => this.decode(runId, r))
  }

  async snapshot(runId: number, host: string): Promise<Snapshot | undefined> {
    const row = this.db.prepare(`${SNAPSHOT_ROWS} AND h.name = ?`).get(runId, host) as SnapshotRow | undefined
    return row && this.decode(runId, row)
  }

  async damagedSnapshots(runId: number): Promise<DamagedSnapshot[]> {
    const rows = this.db.prepare(`${SNAPSHOT_ROWS} ORDER BY h.name`).iterate(runId) as IterableIterator<SnapshotRow>
    for (const row of rows) this.decode(runId, row)
    return this.damaged().filter((d) => d.run === runId)
  }

  damaged(): DamagedSnapshot[] {
    return this.reader.damaged()
  }

  private decode(runId: number, row: SnapshotRow): Snapshot {
    return this.reader.decode(runId, row)
  }

  async results(runId: number): Promise<CheckResult[]> {
    const rows = this.db
      .prepare(
        `SELECT h.name AS host, r.pack, r.check_id, r.severity, r.status, r.reason, r.waiver, r.note, r.why
         FROM results r JOIN hosts h ON h.id = r.host_id WHERE r.run_id = ? ORDER BY h.name, r.pack, r.check_id`,
      )
      .all(runId) as ResultRow[]
    return rows.map(resultOfRow)
  }

  async judged(runId: number): Promise<boolean> {
    return this.db.prepare("SELECT 1 FROM scores WHERE run_id = ? AND scope_kind = 'overall'").get(runId) !== undefined
  }

  async waivers(runId: number): Promise<Waiver[] | undefined> {
    const kept = this.db.prepare('SELECT waivers_kept FROM runs WHERE id = ?').get(runId) as {waivers_kept: number | null} | undefined
    if (!kept?.waivers_kept) return undefined
    return (this.db.prepare('SELECT * FROM waivers WHERE run_id = ? ORDER BY seq').all(runId) as WaiverRow[]).map(waiverOfRow)
  }

  async fleet(runId: number): Promise<FleetFinding[]> {
    const rows = this.db.prepare('SELECT finding FROM fleet_findings WHERE run_id = ? ORDER BY seq').all(runId) as {finding: string}[]
    return rows.map((r) => JSON.parse(r.finding) as FleetFinding)
  }

  async scores(runId: number): Promise<Scores | undefined> {
    return scoresOfRows(this.db.prepare('SELECT * FROM scores WHERE run_id = ? ORDER BY scope_kind, scope_name').all(runId) as ScoreRow[])
  }

  async lastSeen(): Promise<HostSeen[]> {
    return this.seen()
  }

  private seen(): HostSeen[] {
    return this.db
      .prepare(
        `SELECT name AS host, first_seen AS firstSeen, last_seen AS lastSeen, last_attempt AS lastAttempt, last_status AS lastStatus
         FROM hosts WHERE last_attempt IS NOT NULL ORDER BY name`,
      )
      .all() as HostSeen[]
  }

  async staleHosts(days: number, now: Date = new Date()): Promise<HostSeen[]> {
    return staleOf(this.seen(), days, now)
  }

  async rollupRows(query: RollupQuery): Promise<RollupRows> {
    return sqliteRead(this.db, () => readRollup(sqliteAsync(this.db), query))
  }

  // ---- pushing

  async runBundle(runId: number): Promise<RunBundle> {
    return sqliteWrite(this.db, () => readBundle(sqliteAsync(this.db), runId))
  }

  async receiveRun(bundle: RunBundle): Promise<Received> {
    return sqliteWrite(this.db, () => receiveBundle(sqliteAsync(this.db), bundle, {pid: process.pid, machine: os.hostname()}))
  }

  async pushedTo(target: string): Promise<{run: number; centreRun: number}[]> {
    return this.db.prepare(PUSHED_TO).all(target) as {run: number; centreRun: number}[]
  }

  async recordPush(runId: number, target: string, centreRun: number): Promise<void> {
    this.db.prepare(RECORD_PUSH).run(runId, target, centreRun, new Date().toISOString())
  }

  // ---- keeping

  async prune(keep: number): Promise<number[]> {
    if (!Number.isInteger(keep) || keep < 0) throw new StoreError(`--keep must be a whole number ≥ 0, not ${keep}`)
    const deleted = this.db
      .transaction(() => {
        const complete = this.records().map((r) => r.id)
        const interrupted = (this.db.prepare("SELECT id FROM runs WHERE state = 'interrupted'").all() as {id: number}[]).map((r) => r.id)
        const doomed = [...complete.slice(keep), ...interrupted].sort((a, b) => a - b)
        const del = this.db.prepare('DELETE FROM runs WHERE id = ?')
        for (const id of doomed) del.run(id)
        return doomed
      })
      .immediate()
    if (deleted.length > 0) this.db.pragma('incremental_vacuum')
    return deleted
  }

  /** SQLite's own integrity check (PRAGMA integrity_check). */
  async integrityCheck(): Promise<string> {
    return (this.db.prepare('PRAGMA integrity_check').all() as {integrity_check: string}[]).map((r) => r.integrity_check).join('\n')
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close()
  }
}
