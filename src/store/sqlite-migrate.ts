import type Database from 'better-sqlite3'

import {migrate} from './migrate.js'

/** The schema version of an open SQLite store: the highest migration applied, 0 for none. */
export function sqliteSchemaVersion(db: Database.Database): number {
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as {v: number | null}
  return row.v ?? 0
}

/** Migrates the SQLite database `file` up to `target` with the one runner (migrate.ts); SQLite takes the statements as written. */
export async function migrateSqlite(db: Database.Database, file: string, target: number): Promise<void> {
  await migrate(
    {
      name: file,
      kind: 'an SQLite database',
      elsewhere: 'name another file with --store',
      tables: async () => (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {name: string}[]).map((t) => t.name),
      async transaction(fn) {
        // the store was just opened by this process: nothing else runs on this connection meanwhile
        db.exec('BEGIN IMMEDIATE')
        try {
          await fn()
          db.exec('COMMIT')
        } catch (error) {
          db.exec('ROLLBACK')
          throw error
        }
      },
      exec: async (sql) => void db.exec(sql),
      appliedVersion: async () => sqliteSchemaVersion(db),
      record: async (version, name, at) => void db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(version, name, at),
    },
    target,
  )
}
