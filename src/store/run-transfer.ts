import type {PgSql} from './postgres-sql.js'
import {RUN_HOSTS_SEEN, seenValues, UPDATE_SEEN, type SeenRow} from './run-statements.js'
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
const RESULT_COLUMNS = ['pack', 'check_id', 'severity', 'status', 'reason', 'waiver', 'note', 'why']
const FLEET_COLUMNS = ['seq', 'pack', 'check_id', 'severity', 'status', 'finding']
const SCORE_COLUMNS = ['scope_kind', 'scope_name', 'score', 'passed_weight', 'failed_weight', 'pass', 'fail', 'unknown', 'waived', 'not_applicable', 'hosts']
const WAIVER_COLUMNS = ['seq', 'check_id', 'host_patterns', 'group_names', 'reason', 'approver', 'expires', 'source']

const list = (columns: readonly string[], prefix = '') => columns.map((c) => `${prefix}${c}`).join(', ')

/**
 * Rows per multi-row INSERT when receiving: one statement per row cost a round trip per check result (~95 a host), the
 * bulk of a push's time at a PostgreSQL centre. Bounded by the placeholders a statement may hold (SQLite: 32,766,
 * PostgreSQL: 65,535) and kept moderate for the size of one statement with snapshot bodies (~15 kB each).
 */
const ROWS_PER_INSERT = 500
const MAX_PLACEHOLDERS = 30_000

const placeholders = (n: number) => `(${Array.from({length: n}, () => '?').join(', ')})`

/** Inserts `rows` (each as `columns` lists them) in as few statements as the limits above allow. */
async function insertMany(db: PgSql, table: string, columns: readonly string[], rows: readonly Value[][], conflict = ''): Promise<void> {
  const per = Math.max(1, Math.min(ROWS_PER_INSERT, Math.floor(MAX_PLACEHOLDERS / columns.length)))
  for (let i = 0; i < rows.length; i += per) {
    const chunk = rows.slice(i, i + per)
    await db.run(`INSERT INTO ${table} (${list(columns)}) VALUES ${chunk.map(() => placeholders(columns.length)).join(', ')}${conflict}`, chunk.flat())
  }
}

/**
 * The ids of hosts `names` here, those not here yet added (ids after the highest, as INSERT_HOST gives them: the
 * receiver's transaction holds the hosts table against other writers), in a few statements.
 */
async function hostIds(db: PgSql, names: readonly string[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>()
  const lookUp = async (wanted: readonly string[]) => {
    for (let i = 0; i < wanted.length; i += ROWS_PER_INSERT) {
      const chunk = wanted.slice(i, i + ROWS_PER_INSERT)
      for (const r of await db.all<{id: number | string; name: string}>(`SELECT id, name FROM hosts WHERE name IN ${placeholders(chunk.length)}`, chunk)) ids.set(r.name, Number(r.id))
    }
  }
  await lookUp(names)
  const missing = names.filter((n) => !ids.has(n))
  if (missing.length === 0) return ids
  const {next} = (await db.get<{next: number | string}>('SELECT COALESCE(MAX(id), 0) + 1 AS next FROM hosts'))!
  await insertMany(db, 'hosts', ['id', 'name'], missing.map((name, i) => [Number(next) + i, name]), ' ON CONFLICT (name) DO NOTHING')
  await lookUp(missing)
  return ids
}

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
  await insertMany(db, 'runs', ['id', 'state', 'writer_pid', 'writer_machine', ...RUN_COLUMNS], [
    [runId, 'complete', writer.pid, writer.machine, ...RUN_COLUMNS.map((c) => bundle.run[c] ?? null)],
  ])
  const ids = await hostIds(db, [...new Set([...bundle.snapshots, ...bundle.results].map((r) => String(r.host)))])
  const hostId = (name: Value | undefined) => ids.get(String(name))!
  await insertMany(db, 'snapshots', ['run_id', 'host_id', ...SNAPSHOT_COLUMNS], bundle.snapshots.map((s) => [runId, hostId(s.host), ...SNAPSHOT_COLUMNS.map((c) => s[c] ?? null)]))
  await insertMany(db, 'results', ['run_id', 'host_id', ...RESULT_COLUMNS], bundle.results.map((r) => [runId, hostId(r.host), ...RESULT_COLUMNS.map((c) => r[c] ?? null)]))
  await insertMany(db, 'fleet_findings', ['run_id', ...FLEET_COLUMNS], bundle.fleet.map((f) => [runId, ...FLEET_COLUMNS.map((c) => f[c] ?? null)]))
  await insertMany(db, 'scores', ['run_id', ...SCORE_COLUMNS], bundle.scores.map((s) => [runId, ...SCORE_COLUMNS.map((c) => s[c] ?? null)]))
  await insertMany(db, 'waivers', ['run_id', ...WAIVER_COLUMNS], bundle.waivers.map((w) => [runId, ...WAIVER_COLUMNS.map((c) => w[c] ?? null)]))
  for (const r of await db.all<SeenRow>(RUN_HOSTS_SEEN, [runId])) await db.run(UPDATE_SEEN, seenValues(r, r.last_status))
  return {run: runId, already: false}
}

/** The runs of this store recorded as pushed to `target` (host:port/database), with the centre's run id. */
export const PUSHED_TO = 'SELECT run_id AS run, centre_run AS "centreRun" FROM pushes WHERE target = ? ORDER BY run_id'
export const RECORD_PUSH = 'INSERT INTO pushes (run_id, target, centre_run, pushed_at) VALUES (?, ?, ?, ?) ON CONFLICT (run_id, target) DO UPDATE SET centre_run = excluded.centre_run, pushed_at = excluded.pushed_at'
