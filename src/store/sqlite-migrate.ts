import type Database from 'better-sqlite3'

import {TOOL_VERSION} from '../model/tool-version.js'
import {LATEST_SCHEMA_VERSION, MIGRATIONS} from './migrations.js'
import {StoreError} from './store-error.js'

/** The schema version of an open SQLite store: the highest migration applied, 0 for none. */
export function sqliteSchemaVersion(db: Database.Database): number {
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as {v: number | null}
  return row.v ?? 0
}

/**
 * Applies the migrations (migrations.ts) the SQLite database `file` does not have yet, up to `target`, in one
 * transaction; refuses a database that is not a hatang store or that a newer hatang has migrated.
 */
export function migrateSqlite(db: Database.Database, file: string, target: number): void {
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {name: string}[]).map((t) => t.name)
  if (tables.length > 0 && !tables.includes('schema_migrations')) {
    throw new StoreError(`${file} is an SQLite database but not a hatang store (it has no schema_migrations table)`, 'name another file with --store')
  }
  db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)')
    const current = sqliteSchemaVersion(db)
    if (current > LATEST_SCHEMA_VERSION) {
      throw new StoreError(
        `${file} has store schema version ${current}, newer than this hatang (${TOOL_VERSION}) knows (${LATEST_SCHEMA_VERSION})`,
        'upgrade hatang to read it, or name another file with --store',
      )
    }
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
    for (const m of MIGRATIONS) {
      if (m.version <= current || m.version > target) continue
      for (const sql of m.statements) db.exec(sql)
      record.run(m.version, m.name, new Date().toISOString())
    }
  }).immediate()
}
