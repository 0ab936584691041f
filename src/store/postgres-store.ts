import os from 'node:os'

import pg from 'pg'

import type {CheckResult} from '../engine/checks/run-checks.js'
import type {FleetFinding} from '../engine/fleet/types.js'
import type {Scores} from '../engine/scores.js'
import type {Waiver} from '../engine/waivers.js'
import type {Snapshot} from '../model/snapshot.js'
import type {FinishOptions, HostSeen, OpenOptions, RunHost, RunMeta, RunRecord, RunState, RunWriter, Store} from './contract.js'
import {LATEST_SCHEMA_VERSION} from './migrations.js'
import {lookUpPassword} from './pgpass.js'
import {migratePostgres, postgresSchemaVersion} from './postgres-migrate.js'
import {postgresProblem} from './postgres-problem.js'
import {finishRun, insertRun, insertSnapshot, postgresRunWriter, recoverInterrupted, updateCounts, updateSeen} from './postgres-run-writer.js'
import {pgSql, type PgSql} from './postgres-sql.js'
import {readRollup, type RollupQuery, type RollupRows} from './rollup-rows.js'
import {postgresTarget, type PostgresTarget} from './postgres-target.js'
import {resultOfRow, scoresOfRows, toRecord, waiverOfRow, type ResultRow, type RunRow, type ScoreRow, type SnapshotRow, type WaiverRow} from './rows.js'
import {PUSHED_TO, readBundle, receiveBundle, RECORD_PUSH, type Received, type RunBundle} from './run-transfer.js'
import {SnapshotReader} from './snapshot-reader.js'
import {staleOf} from './stale-hosts.js'
import {StoreError} from './store-error.js'
import type {DamagedSnapshot} from './unreadable-snapshot.js'

// names sort as SQLite sorts them (by bytes), whatever the database's collation
const BY_BYTES = 'COLLATE "C"'
const SNAPSHOT_ROWS = 'SELECT h.name AS host, s.collected_at, s.encoding, s.body FROM snapshots s JOIN hosts h ON h.id = s.host_id WHERE s.run_id = ?'
const TABLES = ['fleet_findings', 'hosts', 'pushes', 'results', 'runs', 'schema_migrations', 'scores', 'snapshots', 'waivers']

// BIGINT columns and COUNT(*) as numbers (ids, sizes and counts stay far below 2^53), as SQLite gives them
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
}

/**
 * The store in a PostgreSQL database (README "The store"): the same tables (migrations.ts, spelt by postgres-dialect.ts),
 * the same statements (run-statements.ts) and rows (rows.ts) as the SQLite engine. Every write runs in one transaction
 * that first locks runs and hosts (EXCLUSIVE: readers go on, writers take turns, as SQLite's BEGIN IMMEDIATE), so a run
 * is seen only once finished and two writers never take the same id. The password comes from pgpass.ts, never the URL.
 */
export class PostgresStore implements Store {
  private readonly reader: SnapshotReader
  private readonly sql: PgSql

  private constructor(
    readonly file: string,
    private readonly target: PostgresTarget,
    private readonly pool: pg.Pool,
    private readonly lockTimeoutMs: number,
  ) {
    this.reader = new SnapshotReader(file)
    const raw = pgSql(pool)
    const guard = async <T>(p: Promise<T>) => {
      try {
        return await p
      } catch (error) {
        throw postgresProblem(error, target)
      }
    }
    this.sql = {all: (s, v) => guard(raw.all(s, v)), get: (s, v) => guard(raw.get(s, v)), run: (s, v) => guard(raw.run(s, v))}
  }

  /** Connects to the server the URL names, applies pending migrations, and marks runs whose writer died as interrupted. */
  static async open(url: string, options: OpenOptions = {}): Promise<PostgresStore> {
    const target = postgresTarget(url)
    // what the operator typed, asked once for every connection of the pool
    let typed: Promise<string> | undefined
    const pool = new pg.Pool({
      ...target.config,
      password: async () => {
        const password = lookUpPassword(target) ?? (options.askPassword ? (typed ??= options.askPassword(`Password for ${target.user}@${target.server}: `)) : undefined)
        if (password === undefined) {
          throw new StoreError(`no password is known for user '${target.user}' of the store's server ${target.server}`, 'set PGPASSWORD, or add a line for this server to ~/.pgpass (mode 0600), or run it on a terminal to type it')
        }
        return password
      },
      types,
      max: 4,
      connectionTimeoutMillis: 15_000,
      application_name: 'hatang',
    })
    // an idle connection that breaks: the next query says so
    pool.on('error', () => undefined)
    let client: pg.PoolClient | undefined
    try {
      client = await pool.connect()
      await migratePostgres(client, url, options.migrateTo ?? LATEST_SCHEMA_VERSION)
      await recoverInterrupted(pgSql(client))
    } catch (error) {
      client?.release()
      await pool.end().catch(() => undefined)
      throw postgresProblem(error, target)
    }
    client.release()
    return new PostgresStore(url, target, pool, options.busyTimeoutMs ?? 10_000)
  }

  /** Runs `fn` in one write transaction (runs and hosts locked against other writers); all of it commits, or nothing. */
  private async write<T>(fn: (db: PgSql) => Promise<T>): Promise<T> {
    return this.transaction(['BEGIN', `SET LOCAL lock_timeout = ${Math.max(1, Math.round(this.lockTimeoutMs))}`, 'LOCK TABLE runs, hosts IN EXCLUSIVE MODE'], fn)
  }

  /** Runs `fn` in one read-only transaction that sees one snapshot of the database (REPEATABLE READ). */
  private async read<T>(fn: (db: PgSql) => Promise<T>): Promise<T> {
    return this.transaction(['BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY'], fn)
  }

  /** Runs `fn` on one connection between the `begin` statements and COMMIT (ROLLBACK when anything fails). */
  private async transaction<T>(begin: readonly string[], fn: (db: PgSql) => Promise<T>): Promise<T> {
    let client: pg.PoolClient | undefined
    try {
      client = await this.pool.connect()
      for (const statement of begin) await client.query(statement)
      const result = await fn(pgSql(client))
      await client.query('COMMIT')
      return result
    } catch (error) {
      await client?.query('ROLLBACK').catch(() => undefined)
      throw postgresProblem(error, this.target)
    } finally {
      client?.release()
    }
  }

  async schemaVersion(): Promise<number> {
    const client = await this.pool.connect()
    try {
      return await postgresSchemaVersion(client)
    } finally {
      client.release()
    }
  }

  // ---- writing

  async beginRun(meta: RunMeta): Promise<RunWriter> {
    const id = await this.write((db) => insertRun(db, meta))
    return postgresRunWriter(id, (fn) => this.write(fn), this.sql, async () => (await this.run(id))!)
  }

  async storeRun(meta: RunMeta, snapshots: readonly Snapshot[], options: FinishOptions = {}): Promise<RunRecord> {
    const id = await this.write(async (db) => {
      const runId = await insertRun(db, meta)
      for (const s of snapshots) await insertSnapshot(db, runId, s)
      await finishRun(db, runId, options)
      return runId
    })
    return (await this.run(id))!
  }

  async addToRun(runId: number, snapshots: readonly Snapshot[]): Promise<RunRecord> {
    await this.write(async (db) => {
      const row = await db.get<RunRow>('SELECT * FROM runs WHERE id = ?', [runId])
      if (row?.state !== 'complete') throw this.unknownRun(runId)
      for (const s of snapshots) await insertSnapshot(db, runId, s)
      await updateCounts(db, runId)
      await updateSeen(db, runId)
    })
    return (await this.run(runId))!
  }

  // ---- reading

  async listRuns(options: {all?: boolean} = {}): Promise<RunRecord[]> {
    const where = options.all ? '' : "WHERE state = 'complete'"
    return (await this.sql.all<RunRow>(`SELECT * FROM runs ${where} ORDER BY started_at ${BY_BYTES} DESC, id DESC`)).map(toRecord)
  }

  async run(id: number): Promise<RunRecord | undefined> {
    const row = await this.sql.get<RunRow>('SELECT * FROM runs WHERE id = ?', [id])
    return row && toRecord(row)
  }

  async completeRun(id: number): Promise<RunRecord> {
    const run = await this.run(id)
    if (!run || run.state !== 'complete') throw this.unknownRun(id, run?.state)
    return run
  }

  private unknownRun(id: number, state?: RunState): StoreError {
    const what = state ? `run ${id} is ${state}, not complete` : `no run ${id} in ${this.file}`
    return new StoreError(what, `'hatang runs list' shows the stored runs`)
  }

  async hosts(runId: number): Promise<RunHost[]> {
    return this.sql.all<RunHost>(
      `SELECT h.name AS host, s.status, s.reason, s.collected_at AS "collectedAt", s.check_error AS "checkError", s.size_bytes AS "sizeBytes"
       FROM snapshots s JOIN hosts h ON h.id = s.host_id WHERE s.run_id = ? ORDER BY h.name ${BY_BYTES}`,
      [runId],
    )
  }

  async snapshots(runId: number): Promise<Snapshot[]> {
    const rows = await this.sql.all<SnapshotRow>(`${SNAPSHOT_ROWS} ORDER BY h.name ${BY_BYTES}`, [runId])
    return rows.map((r) => this.decode(runId, r))
  }

  async snapshot(runId: number, host: string): Promise<Snapshot | undefined> {
    const row = await this.sql.get<SnapshotRow>(`${SNAPSHOT_ROWS} AND h.name = ?`, [runId, host])
    return row && this.decode(runId, row)
  }

  async damagedSnapshots(runId: number): Promise<DamagedSnapshot[]> {
    const hosts = await this.sql.all<{name: string}>(`SELECT h.name FROM snapshots s JOIN hosts h ON h.id = s.host_id WHERE s.run_id = ? ORDER BY h.name ${BY_BYTES}`, [runId])
    // one at a time: a run's snapshots together may be large
    for (const h of hosts) await this.snapshot(runId, h.name)
    return this.damaged().filter((d) => d.run === runId)
  }

  damaged(): DamagedSnapshot[] {
    return this.reader.damaged()
  }

  private decode(runId: number, row: SnapshotRow): Snapshot {
    return this.reader.decode(runId, row)
  }

  async results(runId: number): Promise<CheckResult[]> {
    const rows = await this.sql.all<ResultRow>(
      `SELECT h.name AS host, r.pack, r.check_id, r.severity, r.status, r.reason, r.waiver, r.note, r.why
       FROM results r JOIN hosts h ON h.id = r.host_id WHERE r.run_id = ? ORDER BY h.name ${BY_BYTES}, r.pack ${BY_BYTES}, r.check_id ${BY_BYTES}`,
      [runId],
    )
    return rows.map(resultOfRow)
  }

  async judged(runId: number): Promise<boolean> {
    return (await this.sql.get("SELECT 1 FROM scores WHERE run_id = ? AND scope_kind = 'overall'", [runId])) !== undefined
  }

  async waivers(runId: number): Promise<Waiver[] | undefined> {
    const kept = await this.sql.get<{waivers_kept: number | null}>('SELECT waivers_kept FROM runs WHERE id = ?', [runId])
    if (!kept?.waivers_kept) return undefined
    return (await this.sql.all<WaiverRow>('SELECT * FROM waivers WHERE run_id = ? ORDER BY seq', [runId])).map(waiverOfRow)
  }

  async fleet(runId: number): Promise<FleetFinding[]> {
    const rows = await this.sql.all<{finding: string}>('SELECT finding FROM fleet_findings WHERE run_id = ? ORDER BY seq', [runId])
    return rows.map((r) => JSON.parse(r.finding) as FleetFinding)
  }

  async scores(runId: number): Promise<Scores | undefined> {
    return scoresOfRows(await this.sql.all<ScoreRow>(`SELECT * FROM scores WHERE run_id = ? ORDER BY scope_kind ${BY_BYTES}, scope_name ${BY_BYTES}`, [runId]))
  }

  async lastSeen(): Promise<HostSeen[]> {
    return this.sql.all<HostSeen>(
      `SELECT name AS host, first_seen AS "firstSeen", last_seen AS "lastSeen", last_attempt AS "lastAttempt", last_status AS "lastStatus"
       FROM hosts WHERE last_attempt IS NOT NULL ORDER BY name ${BY_BYTES}`,
    )
  }

  async staleHosts(days: number, now: Date = new Date()): Promise<HostSeen[]> {
    return staleOf(await this.lastSeen(), days, now)
  }

  async rollupRows(query: RollupQuery): Promise<RollupRows> {
    return this.read((db) => readRollup(db, query))
  }

  // ---- pushing

  async runBundle(runId: number): Promise<RunBundle> {
    return this.write((db) => readBundle(db, runId))
  }

  async receiveRun(bundle: RunBundle): Promise<Received> {
    return this.write((db) => receiveBundle(db, bundle, {pid: process.pid, machine: os.hostname()}))
  }

  async pushedTo(target: string): Promise<{run: number; centreRun: number}[]> {
    return this.sql.all<{run: number; centreRun: number}>(PUSHED_TO, [target])
  }

  async recordPush(runId: number, target: string, centreRun: number): Promise<void> {
    await this.sql.run(RECORD_PUSH, [runId, target, centreRun, new Date().toISOString()])
  }

  // ---- keeping

  async prune(keep: number): Promise<number[]> {
    if (!Number.isInteger(keep) || keep < 0) throw new StoreError(`--keep must be a whole number ≥ 0, not ${keep}`)
    return this.write(async (db) => {
      const complete = (await db.all<{id: number}>(`SELECT id FROM runs WHERE state = 'complete' ORDER BY started_at ${BY_BYTES} DESC, id DESC`)).map((r) => r.id)
      const interrupted = (await db.all<{id: number}>("SELECT id FROM runs WHERE state = 'interrupted'")).map((r) => r.id)
      const doomed = [...complete.slice(keep), ...interrupted].sort((a, b) => a - b)
      for (const id of doomed) await db.run('DELETE FROM runs WHERE id = ?', [id])
      return doomed
    })
  }

  /** What PostgreSQL can say of the store without extensions: every table of the schema there, no index left invalid. */
  async integrityCheck(): Promise<string> {
    const present = (await this.sql.all<{name: string}>('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()')).map((t) => t.name)
    const problems = TABLES.filter((t) => !present.includes(t)).map((t) => `table ${t} is missing`)
    const invalid = await this.sql.all<{name: string}>('SELECT indexrelid::regclass::text AS name FROM pg_index WHERE NOT indisvalid')
    problems.push(...invalid.map((i) => `index ${i.name} is invalid`))
    return problems.length > 0 ? problems.join('\n') : 'ok'
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end()
  }
}
