import type Database from 'better-sqlite3'

import type {PgSql} from './postgres-sql.js'

/** An open SQLite database behind the async query shape PostgreSQL's client has (PgSql), for code both engines share (run-transfer.ts). */
export function sqliteAsync(db: Database.Database): PgSql {
  return {
    all: async <T>(sql: string, values: readonly unknown[] = []) => db.prepare(sql).all(...values) as T[],
    get: async <T>(sql: string, values: readonly unknown[] = []) => db.prepare(sql).get(...values) as T | undefined,
    run: async (sql, values = []) => db.prepare(sql).run(...values).changes,
  }
}

/** Runs async `fn` in one BEGIN IMMEDIATE transaction of `db` (SQLite answers at once: nothing else runs on it meanwhile). */
export async function sqliteWrite<T>(db: Database.Database, fn: () => Promise<T>): Promise<T> {
  db.exec('BEGIN IMMEDIATE')
  try {
    const result = await fn()
    db.exec('COMMIT')
    return result
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK')
    throw error
  }
}

/** Runs async `fn` in one read transaction of `db` (BEGIN DEFERRED: what it reads is one snapshot, in WAL mode without blocking writers). */
export async function sqliteRead<T>(db: Database.Database, fn: () => Promise<T>): Promise<T> {
  db.exec('BEGIN')
  try {
    return await fn()
  } finally {
    if (db.inTransaction) db.exec('COMMIT')
  }
}
