import {accessSync, constants, existsSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import Database from 'better-sqlite3'

import {ExitCode} from '../cli/exit-codes.js'
import {fsProblem, isFsError} from '../cli/fs-problem.js'
import {ensureDirSync} from '../files/make-dir.js'
import {TOOL_VERSION} from '../model/tool-version.js'
import type {AppliedWaiver, CheckResult} from '../engine/checks/run-checks.js'
import type {Severity} from '../model/severity.js'
import type {RunEvaluation} from '../engine/evaluate-run.js'
import type {FleetFinding} from '../engine/fleet/types.js'
import {coverageOf, type Score, type Scores} from '../engine/scores.js'
import type {Waiver} from '../engine/waivers.js'
import type {Snapshot} from '../model/snapshot.js'
import {LATEST_SCHEMA_VERSION, MIGRATIONS} from './migrations.js'
import {processGone, processStart} from './process-identity.js'
import {decodeSnapshot, encodeSnapshot} from './snapshot-codec.js'
import {StoreError} from './store-error.js'
import {unreadableSnapshot, type DamagedSnapshot} from './unreadable-snapshot.js'

/**
 * running: rows are being written; never shown as a result. complete: finished in one final transaction, the
 * only state readers count. interrupted: its writer died (or gave up) before finishing; kept for inspection,
 * excluded from lists, diffs and last-seen times, removed by prune.
 */
export type RunState = 'running' | 'complete' | 'interrupted'

export interface RunMeta {
  /** What made the run: sweep, audit, import… */
  source: string
  hostsFile?: string
  /** Who ran it; default the user this process runs as. */
  operator?: string
  toolVersion?: string
  startedAt?: Date
}

export interface CheckCounts {
  pass: number
  fail: number
  unknown: number
  waived: number
  notApplicable: number
}

export interface RunRecord {
  id: number
  state: RunState
  source: string
  hostsFile: string | null
  toolVersion: string
  operator: string | null
  startedAt: string
  finishedAt: string | null
  /** Why a run was interrupted. */
  note: string | null
  hosts: {total: number; collected: number}
  checks: CheckCounts
  /** The overall score of the run's results; null when it was not judged (or nothing weighed). */
  score: number | null
  /** Checks judged ÷ checks applicable, in % (see coverageOf); null when not judged or nothing applied. */
  coverage: number | null
}

/** One host of a run: how its collection went, without decompressing the snapshot. */
export interface RunHost {
  host: string
  status: string
  reason: string | null
  collectedAt: string
  /** Set when no check applied to the host (HostResults.error). */
  checkError: string | null
  sizeBytes: number
}

/** Whether a host is alive: the last time it was collected (ok or partial) and the last time it was tried, in complete runs. */
export interface HostSeen {
  host: string
  firstSeen: string | null
  lastSeen: string | null
  lastAttempt: string | null
  lastStatus: string | null
}

export interface FinishOptions {
  /** The run's judgement (evaluateRun); without it the run stores snapshots only. */
  evaluation?: RunEvaluation
  /** The waivers it was judged with (every one, those that matched nothing too), kept with the judgement; [] for none. */
  waivers?: readonly Waiver[]
  finishedAt?: Date
}

/** Writes one run. Each addSnapshot commits on its own; the run is visible to readers only once finish() commits. */
export interface RunWriter {
  readonly id: number
  /** Stores one host's snapshot (sweep's onHostDone may call it as each host finishes). Synchronous. */
  addSnapshot(snapshot: Snapshot): void
  /** Stores the judgement and marks the run complete, all in one transaction. */
  finish(options?: FinishOptions): RunRecord
  /** Marks the run interrupted (kept, excluded from readers), e.g. when the audit is stopped. */
  abandon(note?: string): void
}

export interface OpenOptions {
  /** Make the file (and its folder) when it does not exist; default true. */
  create?: boolean
  /** Apply migrations only up to this version (tests make an old database this way). */
  migrateTo?: number
  /** How long a writer waits for another one's lock, ms (SQLite busy_timeout). */
  busyTimeoutMs?: number
}

const COLLECTED = new Set(['ok', 'partial'])

interface RunRow {
  id: number
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

interface ScoreRow {
  scope_kind: 'overall' | 'group' | 'host'
  scope_name: string
  score: number | null
  passed_weight: number
  failed_weight: number
  pass: number
  fail: number
  unknown: number
  waived: number
  not_applicable: number
  hosts: number | null
}

function toRecord(r: RunRow): RunRecord {
  return {
    id: r.id,
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

function currentOperator(): string | null {
  try {
    return os.userInfo().username
  } catch {
    return process.env.USER ?? null
  }
}

const iso = (d: Date) => d.toISOString()

/** Whether SQLite says it cannot open or write the file (read-only file or filesystem, a folder it cannot write in, a full disk, I/O). */
export function isUnwritable(error: unknown): boolean {
  const code = (error as {code?: unknown} | undefined)?.code
  return typeof code === 'string' && /^SQLITE_(CANTOPEN|READONLY|FULL|IOERR)/.test(code)
}

/** The store's file (or its folder) cannot be made or written: an output error (exit 5) naming the path and what to do. */
export function cannotWrite(file: string, error: unknown): StoreError {
  return new StoreError(`cannot write the store ${file}: ${whyUnwritable(file, error)}`, 'nothing was changed; choose a writable place with --store (or HATANG_STORE)', ExitCode.Output)
}

/** Why: the filesystem's own word for the file or its folder (SQLite only says 'unable to open database file'), else SQLite's. */
function whyUnwritable(file: string, error: unknown): string {
  if (isFsError(error)) return fsProblem(error, file)
  for (const target of [path.dirname(path.resolve(file)), file]) {
    try {
      accessSync(target, constants.W_OK)
    } catch (problem) {
      if (isFsError(problem) && problem.code !== 'ENOENT') return fsProblem(problem, target)
    }
  }
  return (error as Error).message
}

/** A snapshot's time as UTC ISO-8601 (a file may say +07:00): stored times compare as text. */
function utc(time: string): string {
  const ms = Date.parse(time)
  if (Number.isNaN(ms)) throw new StoreError(`'${time}' is not a date-time`)
  return iso(new Date(ms))
}

/** The rows of one run's snapshots (run id bound), with what decode() needs. */
const SNAPSHOT_ROWS = 'SELECT h.name AS host, s.collected_at, s.encoding, s.body FROM snapshots s JOIN hosts h ON h.id = s.host_id WHERE s.run_id = ?'

interface SnapshotRow {
  host: string
  collected_at: string
  encoding: string
  body: Buffer
}

/** The run store: one SQLite file (see migrations.ts for its tables and README "The store"). */
export class Store {
  private readonly damagedRows = new Map<string, DamagedSnapshot>()

  private constructor(
    readonly file: string,
    private readonly db: Database.Database,
  ) {}

  /** Opens (and by default creates) a store, applies pending migrations, and marks runs whose writer died as interrupted. */
  static open(file: string, options: OpenOptions = {}): Store {
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
    const store = new Store(file, db)
    try {
      store.migrate(options.migrateTo ?? LATEST_SCHEMA_VERSION)
      store.recover()
    } catch (error) {
      db.close()
      throw error
    }
    return store
  }

  /** The schema version of the open database. */
  schemaVersion(): number {
    const row = this.db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as {v: number | null}
    return row.v ?? 0
  }

  private migrate(target: number): void {
    const tables = (this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {name: string}[]).map((t) => t.name)
    if (tables.length > 0 && !tables.includes('schema_migrations')) {
      throw new StoreError(`${this.file} is an SQLite database but not a hatang store (it has no schema_migrations table)`, 'name another file with --store')
    }
    this.db.transaction(() => {
      this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)')
      const current = this.schemaVersion()
      if (current > LATEST_SCHEMA_VERSION) {
        throw new StoreError(
          `${this.file} has store schema version ${current}, newer than this hatang (${TOOL_VERSION}) knows (${LATEST_SCHEMA_VERSION})`,
          'upgrade hatang to read it, or name another file with --store',
        )
      }
      const record = this.db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
      for (const m of MIGRATIONS) {
        if (m.version <= current || m.version > target) continue
        for (const sql of m.statements) this.db.exec(sql)
        record.run(m.version, m.name, iso(new Date()))
      }
    }).immediate()
  }

  /** Runs left 'running' by a process of this machine that is gone become 'interrupted' (kept, never counted). */
  private recover(): void {
    const running = this.db.prepare("SELECT id, writer_pid, writer_machine, writer_start FROM runs WHERE state = 'running'").all() as {
      id: number
      writer_pid: number | null
      writer_machine: string | null
      writer_start: number | null
    }[]
    const mark = this.db.prepare("UPDATE runs SET state = 'interrupted', finished_at = ?, note = ? WHERE id = ? AND state = 'running'")
    for (const r of running) {
      if (r.writer_machine !== os.hostname() || r.writer_pid === null || !processGone(r.writer_pid, r.writer_start)) continue
      mark.run(iso(new Date()), `its writer (pid ${r.writer_pid}) ended before the run was finished`, r.id)
    }
  }

  // ---- writing

  /** Starts a run in state 'running': invisible to readers until its writer's finish(). */
  beginRun(meta: RunMeta): RunWriter {
    const id = this.db.transaction(() => this.insertRun(meta)).immediate()
    let open = true
    const ensureOpen = () => {
      if (!open) throw new StoreError(`run ${id} is no longer being written`)
    }
    return {
      id,
      addSnapshot: (snapshot) => {
        ensureOpen()
        this.db.transaction(() => this.insertSnapshot(id, snapshot)).immediate()
      },
      finish: (options = {}) => {
        ensureOpen()
        this.db.transaction(() => this.finishRun(id, options)).immediate()
        open = false
        return this.run(id)!
      },
      abandon: (note = 'abandoned by its writer') => {
        if (!open) return
        this.db.prepare("UPDATE runs SET state = 'interrupted', finished_at = ?, note = ? WHERE id = ? AND state = 'running'").run(iso(new Date()), note, id)
        open = false
      },
    }
  }

  /** A whole run in one transaction (import): all of it is stored, or nothing. */
  storeRun(meta: RunMeta, snapshots: readonly Snapshot[], options: FinishOptions = {}): RunRecord {
    const id = this.db
      .transaction(() => {
        const runId = this.insertRun(meta)
        for (const s of snapshots) this.insertSnapshot(runId, s)
        this.finishRun(runId, options)
        return runId
      })
      .immediate()
    return this.run(id)!
  }

  /** Adds snapshots to a complete run in one transaction (import --run): all of them, or none. */
  addToRun(runId: number, snapshots: readonly Snapshot[]): RunRecord {
    this.db
      .transaction(() => {
        const run = this.run(runId)
        if (!run || run.state !== 'complete') throw this.unknownRun(runId)
        for (const s of snapshots) this.insertSnapshot(runId, s)
        this.updateCounts(runId)
        this.updateSeen(runId)
      })
      .immediate()
    return this.run(runId)!
  }

  private insertRun(meta: RunMeta): number {
    const {next} = this.db.prepare('SELECT COALESCE(MAX(id), 0) + 1 AS next FROM runs').get() as {next: number}
    this.db
      .prepare(
        `INSERT INTO runs (id, state, source, hosts_file, tool_version, operator, writer_pid, writer_machine, writer_start, started_at)
         VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        next,
        meta.source,
        meta.hostsFile ?? null,
        meta.toolVersion ?? TOOL_VERSION,
        meta.operator ?? currentOperator(),
        process.pid,
        os.hostname(),
        processStart(process.pid),
        iso(meta.startedAt ?? new Date()),
      )
    return next
  }

  private hostId(name: string): number {
    this.db.prepare('INSERT INTO hosts (id, name) VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM hosts), ?) ON CONFLICT (name) DO NOTHING').run(name)
    return (this.db.prepare('SELECT id FROM hosts WHERE name = ?').get(name) as {id: number}).id
  }

  private insertSnapshot(runId: number, snapshot: Snapshot): void {
    const hostId = this.hostId(snapshot.host.name)
    const dup = this.db.prepare('SELECT 1 FROM snapshots WHERE run_id = ? AND host_id = ?').get(runId, hostId)
    if (dup) throw new StoreError(`run ${runId} already has a snapshot of host '${snapshot.host.name}'`, 'a run holds one snapshot per host')
    const {encoding, size, body} = encodeSnapshot(snapshot)
    this.db
      .prepare(
        `INSERT INTO snapshots (run_id, host_id, status, reason, collected_at, encoding, size_bytes, body)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(runId, hostId, snapshot.host.status, snapshot.host.reason ?? null, utc(snapshot.meta.collectedAt), encoding, size, body)
  }

  private finishRun(runId: number, options: FinishOptions): void {
    const state = this.db.prepare('SELECT state FROM runs WHERE id = ?').get(runId) as {state: RunState} | undefined
    if (state?.state !== 'running') throw new StoreError(`run ${runId} cannot be finished: it is ${state?.state ?? 'gone'}`)
    const e = options.evaluation
    if (e) {
      const insertResult = this.db.prepare(
        `INSERT INTO results (run_id, host_id, pack, check_id, severity, status, reason, waiver, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      const hostError = this.db.prepare('UPDATE snapshots SET check_error = ? WHERE run_id = ? AND host_id = ?')
      for (const h of e.hosts) {
        const hostId = this.hostId(h.host)
        if (h.error) hostError.run(h.error, runId, hostId)
        for (const r of h.results) {
          insertResult.run(runId, hostId, r.pack, r.check, r.severity, r.status, r.reason ?? null, r.waiver ? JSON.stringify(r.waiver) : null, r.note ?? null)
        }
      }
      const insertFleet = this.db.prepare('INSERT INTO fleet_findings (run_id, seq, pack, check_id, severity, status, finding) VALUES (?, ?, ?, ?, ?, ?, ?)')
      e.fleet.forEach((f, i) => insertFleet.run(runId, i + 1, f.pack, f.check, f.severity, f.status, JSON.stringify(f)))
      const insertScore = this.db.prepare(
        `INSERT INTO scores (run_id, scope_kind, scope_name, score, passed_weight, failed_weight, pass, fail, unknown, waived, not_applicable, hosts)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      const score = (kind: string, name: string, s: Score, hosts: number | null) =>
        insertScore.run(runId, kind, name, s.score, s.passedWeight, s.failedWeight, s.counts.pass, s.counts.fail, s.counts.unknown, s.counts.waived, s.counts.notApplicable, hosts)
      score('overall', '', e.scores.overall, e.scores.overall.hosts)
      for (const g of e.scores.groups) score('group', g.group, g, g.hosts)
      for (const h of e.scores.hosts) score('host', h.host, h, null)
      const insertWaiver = this.db.prepare(
        'INSERT INTO waivers (run_id, seq, check_id, host_patterns, group_names, reason, approver, expires, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      const list = (l: readonly string[] | undefined) => (l ? JSON.stringify(l) : null)
      ;(options.waivers ?? []).forEach((w, i) => insertWaiver.run(runId, i + 1, w.check, list(w.hosts), list(w.groups), w.reason, w.approver, w.expires, w.source))
      const c = e.scores.overall.counts
      this.db
        .prepare('UPDATE runs SET checks_pass = ?, checks_fail = ?, checks_unknown = ?, checks_waived = ?, checks_not_applicable = ?, score = ?, waivers_kept = ? WHERE id = ?')
        .run(c.pass, c.fail, c.unknown, c.waived, c.notApplicable, e.scores.overall.score, options.waivers ? 1 : null, runId)
    }
    this.updateCounts(runId)
    this.db.prepare("UPDATE runs SET state = 'complete', finished_at = ? WHERE id = ?").run(iso(options.finishedAt ?? new Date()), runId)
    this.updateSeen(runId)
  }

  private updateCounts(runId: number): void {
    this.db
      .prepare(
        `UPDATE runs SET
           hosts_total = (SELECT COUNT(*) FROM snapshots WHERE run_id = ?),
           hosts_collected = (SELECT COUNT(*) FROM snapshots WHERE run_id = ? AND status IN ('ok', 'partial'))
         WHERE id = ?`,
      )
      .run(runId, runId, runId)
  }

  /** Hosts' first/last seen (collected) and last attempt, from a run that has just become complete. */
  private updateSeen(runId: number): void {
    const rows = this.db.prepare('SELECT s.host_id, s.status, s.collected_at, h.first_seen, h.last_seen, h.last_attempt FROM snapshots s JOIN hosts h ON h.id = s.host_id WHERE s.run_id = ?').all(runId) as {
      host_id: number
      status: string
      collected_at: string
      first_seen: string | null
      last_seen: string | null
      last_attempt: string | null
    }[]
    const update = this.db.prepare('UPDATE hosts SET first_seen = ?, last_seen = ?, last_attempt = ?, last_status = ? WHERE id = ?')
    for (const r of rows) {
      const collected = COLLECTED.has(r.status)
      const firstSeen = collected && (r.first_seen === null || r.collected_at < r.first_seen) ? r.collected_at : r.first_seen
      const lastSeen = collected && (r.last_seen === null || r.collected_at > r.last_seen) ? r.collected_at : r.last_seen
      const newer = r.last_attempt === null || r.collected_at >= r.last_attempt
      const current = this.db.prepare('SELECT last_status FROM hosts WHERE id = ?').get(r.host_id) as {last_status: string | null}
      update.run(firstSeen, lastSeen, newer ? r.collected_at : r.last_attempt, newer ? r.status : current.last_status, r.host_id)
    }
  }

  // ---- reading

  /** Runs, newest first: complete ones only, unless `all` (then running and interrupted ones too). */
  listRuns(options: {all?: boolean} = {}): RunRecord[] {
    const where = options.all ? '' : "WHERE state = 'complete'"
    return (this.db.prepare(`SELECT * FROM runs ${where} ORDER BY started_at DESC, id DESC`).all() as RunRow[]).map(toRecord)
  }

  /** One run in any state, or undefined. */
  run(id: number): RunRecord | undefined {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined
    return row && toRecord(row)
  }

  /** A complete run, or a StoreError (exit 2) that names the list command. */
  completeRun(id: number): RunRecord {
    const run = this.run(id)
    if (!run || run.state !== 'complete') throw this.unknownRun(id, run?.state)
    return run
  }

  private unknownRun(id: number, state?: RunState): StoreError {
    const what = state ? `run ${id} is ${state}, not complete` : `no run ${id} in ${this.file}`
    return new StoreError(what, `'hatang runs list' shows the stored runs`)
  }

  /** The hosts of a run and how each went, by name. */
  hosts(runId: number): RunHost[] {
    return this.db
      .prepare(
        `SELECT h.name AS host, s.status, s.reason, s.collected_at AS collectedAt, s.check_error AS checkError, s.size_bytes AS sizeBytes
         FROM snapshots s JOIN hosts h ON h.id = s.host_id WHERE s.run_id = ? ORDER BY h.name`,
      )
      .all(runId) as RunHost[]
  }

  /**
   * The snapshots of a run, by host name. A row that cannot be read back (damaged body) reads as the host not
   * readable (unreadableSnapshot) and is recorded in damaged(): one bad row never stops a check, report or history.
   */
  snapshots(runId: number): Snapshot[] {
    const rows = this.db.prepare(`${SNAPSHOT_ROWS} ORDER BY h.name`).all(runId) as SnapshotRow[]
    return rows.map((r) => this.decode(runId, r))
  }

  /** One host's snapshot in a run (damaged: as snapshots() says), or undefined. */
  snapshot(runId: number, host: string): Snapshot | undefined {
    const row = this.db.prepare(`${SNAPSHOT_ROWS} AND h.name = ?`).get(runId, host) as SnapshotRow | undefined
    return row && this.decode(runId, row)
  }

  /** Reads back every snapshot of a run, one at a time, and returns those that cannot be read (also in damaged()). */
  damagedSnapshots(runId: number): DamagedSnapshot[] {
    const rows = this.db.prepare(`${SNAPSHOT_ROWS} ORDER BY h.name`).iterate(runId) as IterableIterator<SnapshotRow>
    for (const row of rows) this.decode(runId, row)
    return this.damaged().filter((d) => d.run === runId)
  }

  /** The damaged snapshots read so far (each once), by run and host, for the command to report. */
  damaged(): DamagedSnapshot[] {
    return [...this.damagedRows.values()].sort((a, b) => a.run - b.run || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0))
  }

  private decode(runId: number, row: SnapshotRow): Snapshot {
    try {
      const snapshot = decodeSnapshot(row.encoding, row.body)
      if (snapshot?.host?.name !== row.host || typeof snapshot.sections !== 'object' || snapshot.sections === null) throw new Error('not the snapshot of this host')
      return snapshot
    } catch (error) {
      const damage: DamagedSnapshot = {run: runId, host: row.host, problem: (error as Error).message}
      this.damagedRows.set(`${runId}\0${row.host}`, damage)
      return unreadableSnapshot(damage, this.file, row.collected_at)
    }
  }

  /** The check results of a run (empty when it was not judged), by host, pack and check. */
  results(runId: number): CheckResult[] {
    const rows = this.db
      .prepare(
        `SELECT h.name AS host, r.pack, r.check_id, r.severity, r.status, r.reason, r.waiver, r.note
         FROM results r JOIN hosts h ON h.id = r.host_id WHERE r.run_id = ? ORDER BY h.name, r.pack, r.check_id`,
      )
      .all(runId) as {host: string; pack: string; check_id: string; severity: Severity; status: CheckResult['status']; reason: string | null; waiver: string | null; note: string | null}[]
    return rows.map((r) => ({
      host: r.host,
      pack: r.pack,
      check: r.check_id,
      severity: r.severity,
      status: r.status,
      ...(r.reason !== null ? {reason: r.reason} : {}),
      ...(r.waiver !== null ? {waiver: JSON.parse(r.waiver) as AppliedWaiver} : {}),
      ...(r.note !== null ? {note: r.note} : {}),
    }))
  }

  /** Whether a run was judged (has stored results or scores). */
  judged(runId: number): boolean {
    return this.db.prepare("SELECT 1 FROM scores WHERE run_id = ? AND scope_kind = 'overall'").get(runId) !== undefined
  }

  /**
   * The waivers a judged run was judged with, in their file's order, as they were then (every one, those that matched
   * nothing too); undefined for a run stored without them (not judged, judged before the store kept waivers, or
   * finished without saying which).
   */
  waivers(runId: number): Waiver[] | undefined {
    const kept = this.db.prepare('SELECT waivers_kept FROM runs WHERE id = ?').get(runId) as {waivers_kept: number | null} | undefined
    if (!kept?.waivers_kept) return undefined
    const rows = this.db.prepare('SELECT * FROM waivers WHERE run_id = ? ORDER BY seq').all(runId) as {
      check_id: string
      host_patterns: string | null
      group_names: string | null
      reason: string
      approver: string
      expires: string
      source: string
    }[]
    return rows.map((r) => ({
      check: r.check_id,
      ...(r.host_patterns !== null ? {hosts: JSON.parse(r.host_patterns) as string[]} : {}),
      ...(r.group_names !== null ? {groups: JSON.parse(r.group_names) as string[]} : {}),
      reason: r.reason,
      approver: r.approver,
      expires: r.expires,
      source: r.source,
    }))
  }

  fleet(runId: number): FleetFinding[] {
    const rows = this.db.prepare('SELECT finding FROM fleet_findings WHERE run_id = ? ORDER BY seq').all(runId) as {finding: string}[]
    return rows.map((r) => JSON.parse(r.finding) as FleetFinding)
  }

  /** The scores stored with a run, or undefined when it was not judged. */
  scores(runId: number): Scores | undefined {
    const rows = this.db.prepare('SELECT * FROM scores WHERE run_id = ? ORDER BY scope_kind, scope_name').all(runId) as ScoreRow[]
    const overall = rows.find((r) => r.scope_kind === 'overall')
    if (!overall) return undefined
    return {
      overall: {...scoreOfRow(overall), hosts: overall.hosts ?? 0},
      hosts: rows.filter((r) => r.scope_kind === 'host').map((r) => ({host: r.scope_name, ...scoreOfRow(r)})),
      groups: rows.filter((r) => r.scope_kind === 'group').map((r) => ({group: r.scope_name, hosts: r.hosts ?? 0, ...scoreOfRow(r)})),
    }
  }

  /** Every host a complete run has tried, with its last-seen time, by name. */
  lastSeen(): HostSeen[] {
    return this.db
      .prepare(
        `SELECT name AS host, first_seen AS firstSeen, last_seen AS lastSeen, last_attempt AS lastAttempt, last_status AS lastStatus
         FROM hosts WHERE last_attempt IS NOT NULL ORDER BY name`,
      )
      .all() as HostSeen[]
  }

  /** Hosts not collected (ok or partial) for more than `days` days before `now`, never-collected ones included. */
  staleHosts(days: number, now: Date = new Date()): HostSeen[] {
    return staleOf(this.lastSeen(), days, now)
  }

  /** Keeps the newest `keep` complete runs; deletes older complete runs and every interrupted one. Returns the ids deleted. */
  prune(keep: number): number[] {
    if (!Number.isInteger(keep) || keep < 0) throw new StoreError(`--keep must be a whole number ≥ 0, not ${keep}`)
    const deleted = this.db
      .transaction(() => {
        const complete = this.listRuns().map((r) => r.id)
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

  /** SQLite's own integrity check: 'ok' or the problems it found. */
  integrityCheck(): string {
    return (this.db.prepare('PRAGMA integrity_check').all() as {integrity_check: string}[]).map((r) => r.integrity_check).join('\n')
  }

  close(): void {
    if (this.db.open) this.db.close()
  }
}

/** The hosts of `seen` not collected for more than `days` days before `now` (never collected counts as stale). Pure. */
export function staleOf(seen: readonly HostSeen[], days: number, now: Date): HostSeen[] {
  const limit = now.getTime() - days * 86_400_000
  return seen.filter((h) => h.lastSeen === null || Date.parse(h.lastSeen) < limit)
}

/** Opens a store: see Store.open. */
export function openStore(file: string, options: OpenOptions = {}): Store {
  return Store.open(file, options)
}
