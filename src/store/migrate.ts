import {TOOL_VERSION} from '../model/tool-version.js'
import {LATEST_SCHEMA_VERSION, MIGRATIONS} from './migrations.js'
import {StoreError} from './store-error.js'

/** What the migration runner needs of an engine: its words for messages, and a few statements. */
export interface MigrationEngine {
  /** The store as messages name it (a file, a URL without password). */
  readonly name: string
  /** What it is when it is not a hatang store: 'an SQLite database', 'a PostgreSQL database'. */
  readonly kind: string
  /** What to do instead: 'name another file with --store'. */
  readonly elsewhere: string
  /** The tables the database has (in the schema the store uses). */
  tables(): Promise<string[]>
  /** Runs `fn` in one transaction that no other migrating process runs at the same time; rolls back on error. */
  transaction(fn: () => Promise<void>): Promise<void>
  /** Runs one statement of migrations.ts (the engine spells its types its own way). */
  exec(statement: string): Promise<void>
  /** The highest migration applied, 0 for none. */
  appliedVersion(): Promise<number>
  /** Writes down that `version` was applied. */
  record(version: number, name: string, appliedAt: string): Promise<void>
}

const SCHEMA_MIGRATIONS = 'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)'

/**
 * The one migration runner of both engines: applies the migrations (migrations.ts) the database does not have yet, up
 * to `target`, in one transaction; refuses a database that is not a hatang store or that a newer hatang has migrated.
 */
export async function migrate(engine: MigrationEngine, target: number): Promise<void> {
  const tables = await engine.tables()
  if (tables.length > 0 && !tables.includes('schema_migrations')) {
    throw new StoreError(`${engine.name} is ${engine.kind} but not a hatang store (it has no schema_migrations table)`, engine.elsewhere)
  }
  const newer = (current: number) =>
    new StoreError(
      `${engine.name} has store schema version ${current}, newer than this hatang (${TOOL_VERSION}) knows (${LATEST_SCHEMA_VERSION})`,
      `upgrade hatang to read it, or ${engine.elsewhere}`,
    )
  // a store already up to date is opened without taking the write lock: a reader never waits for a writer at work
  if (tables.includes('schema_migrations')) {
    const current = await engine.appliedVersion()
    if (current > LATEST_SCHEMA_VERSION) throw newer(current)
    if (!MIGRATIONS.some((m) => m.version > current && m.version <= target)) return
  }
  await engine.transaction(async () => {
    await engine.exec(SCHEMA_MIGRATIONS)
    const current = await engine.appliedVersion()
    if (current > LATEST_SCHEMA_VERSION) throw newer(current)
    for (const m of MIGRATIONS) {
      if (m.version <= current || m.version > target) continue
      for (const sql of m.statements) await engine.exec(sql)
      await engine.record(m.version, m.name, new Date().toISOString())
    }
  })
}
