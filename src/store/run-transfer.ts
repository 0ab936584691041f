import type {PgSql} from './postgres-sql.js'
import {HOST_ID, HOST_LAST_STATUS, INSERT_HOST, RUN_HOSTS_SEEN, seenValues, UPDATE_SEEN, type SeenRow} from './run-statements.js'
import {StoreError} from './store-error.js'

/**
 * A run as it travels from a site's store to the centre's (hatang push), and the statements of both ends, shared by
 * both engines (run on `PgSql`: PostgreSQL's client, or SQLite's through sqliteAsync). Rows travel as the tables hold
 * them, hosts by name: snapshot bodies stay as stored (encoded, compressed), never decoded on the way.
 */

type Value = string | number | Buffer | null
type Row = Record<string, Value>

export interface RunBundle {
  uuid: string
  site: string | null
  /** The runs row but its id and writer (id, writer_pid, writer_machine, writer_start, state are the receiver's). */
  run: Row
  /** snapshots rows with `host` (the name) for host_id. */
  snapshots: Row[]
  /** results rows with `host` for host_id. */
  results: Row[]
  fleet: Row[]
  scores: Row[]
  waivers: Row[]
}

/** What receiving a run did: the receiver's run id, and whether the run was there already (nothing written). */
export interface Received {
  run: number
  already: boolean
}

const RUN_COLUMNS = [
  'source', 'hosts_file', 'tool_version', 'operator', 'started_at', 'finished_at', 'note', 'hosts_total', 'hosts_collected',
  'checks_pass', 'checks_fail', 'checks_unknown', 'checks_waived', 'checks_not_applicable', 'score', 'waivers_kept', 'uuid', 'site',
]
const SNAPSHOT_COLUMNS = ['status', 'reason', 'collected_at', 'check_error', 'encoding', 'size_bytes', 'body', 'unit_path', 'facts']
const RESULT_COLUMNS = ['pack', 'check_id', 'severity', 'status', 'reason', 'waiver', 'note']
const FLEET_COLUMNS = ['seq', 'pack', 'check_id', 'severity', 'status', 'finding']
const SCORE_COLUMNS = ['scope_kind', 'scope_name', 'score', 'passed_weight', 'failed_weight', 'pass', 'fail', 'unknown', 'waived', 'not_applicable', 'hosts']
const WAIVER_COLUMNS = ['seq', 'check_id', 'host_patterns', 'group_names', 'reason', 'approver', 'expires', 'source']

const list = (columns: readonly string[], prefix = '') => columns.map((c) => `${prefix}${c}`).join(', ')
const insert = (table: string, columns: readonly string[]) => `INSERT INTO ${table} (${list(columns)}) VALUES (${columns.map(() => '?').join(', ')})`

/** A complete run of this store as a bundle (read in the caller's transaction, so it is one consistent picture). */
export async function readBundle(db: PgSql, runId: number): Promise<RunBundle> {
  const run = await db.get<Row>(`SELECT ${list(RUN_COLUMNS)} FROM runs WHERE id = ? AND state = 'complete'`, [runId])
  if (!run) throw new StoreError(`run ${runId} is not a complete run of this store`, `'hatang runs list' shows the stored runs`)
  const byHost = (table: string, columns: readonly string[]) =>
    db.all<Row>(`SELECT h.name AS host, ${list(columns, 't.')} FROM ${table} t JOIN hosts h ON h.id = t.host_id WHERE t.run_id = ? ORDER BY h.id`, [runId])
  const own = (table: string, columns: readonly string[], order: string) => db.all<Row>(`SELECT ${list(columns)} FROM ${table} WHERE run_id = ? ORDER BY ${order}`, [runId])
  return {
    uuid: String(run.uuid),
    site: run.site === null ? null : String(run.site),
    run,
    snapshots: await byHost('snapshots', SNAPSHOT_COLUMNS),
    results: await byHost('results', RESULT_COLUMNS),
    fleet: await own('fleet_findings', FLEET_COLUMNS, 'seq'),
    scores: await own('scores', SCORE_COLUMNS, 'scope_kind, scope_name'),
    waivers: await own('waivers', WAIVER_COLUMNS, 'seq'),
  }
}

/**
 * Stores a bundle as a new complete run (a new id here, the same uuid and site), in the caller's one write transaction
 * (runs and hosts locked against other writers); when a run with its uuid is here already, writes nothing and returns it.
 */
export async function receiveBundle(db: PgSql, bundle: RunBundle, writer: {pid: number; machine: string}): Promise<Received> {
  const existing = await db.get<{id: number}>('SELECT id FROM runs WHERE uuid = ?', [bundle.uuid])
  if (existing) return {run: existing.id, already: true}
  const {next: runId} = (await db.get<{next: number}>('SELECT COALESCE(MAX(id), 0) + 1 AS next FROM runs'))!
  await db.run(insert('runs', ['id', 'state', 'writer_pid', 'writer_machine', ...RUN_COLUMNS]), [
    runId, 'complete', writer.pid, writer.machine, ...RUN_COLUMNS.map((c) => bundle.run[c] ?? null),
  ])
  const ids = new Map<string, number>()
  const hostId = async (name: Value | undefined) => {
    const key = String(name)
    if (!ids.has(key)) {
      await db.run(INSERT_HOST, [key])
      ids.set(key, (await db.get<{id: number}>(HOST_ID, [key]))!.id)
    }
    return ids.get(key)!
  }
  for (const s of bundle.snapshots) await db.run(insert('snapshots', ['run_id', 'host_id', ...SNAPSHOT_COLUMNS]), [runId, await hostId(s.host), ...SNAPSHOT_COLUMNS.map((c) => s[c] ?? null)])
  for (const r of bundle.results) await db.run(insert('results', ['run_id', 'host_id', ...RESULT_COLUMNS]), [runId, await hostId(r.host), ...RESULT_COLUMNS.map((c) => r[c] ?? null)])
  for (const f of bundle.fleet) await db.run(insert('fleet_findings', ['run_id', ...FLEET_COLUMNS]), [runId, ...FLEET_COLUMNS.map((c) => f[c] ?? null)])
  for (const s of bundle.scores) await db.run(insert('scores', ['run_id', ...SCORE_COLUMNS]), [runId, ...SCORE_COLUMNS.map((c) => s[c] ?? null)])
  for (const w of bundle.waivers) await db.run(insert('waivers', ['run_id', ...WAIVER_COLUMNS]), [runId, ...WAIVER_COLUMNS.map((c) => w[c] ?? null)])
  for (const r of await db.all<SeenRow>(RUN_HOSTS_SEEN, [runId])) {
    const current = (await db.get<{last_status: string | null}>(HOST_LAST_STATUS, [r.host_id]))!
    await db.run(UPDATE_SEEN, seenValues(r, current.last_status))
  }
  return {run: runId, already: false}
}

/** The runs of this store recorded as pushed to `target` (host:port/database), with the centre's run id. */
export const PUSHED_TO = 'SELECT run_id AS run, centre_run AS "centreRun" FROM pushes WHERE target = ? ORDER BY run_id'
export const RECORD_PUSH = 'INSERT INTO pushes (run_id, target, centre_run, pushed_at) VALUES (?, ?, ?, ?) ON CONFLICT (run_id, target) DO UPDATE SET centre_run = excluded.centre_run, pushed_at = excluded.pushed_at'
