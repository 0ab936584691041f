import type {ClientBase} from 'pg'

import {migrate} from './migrate.js'
import {postgresStatement} from './postgres-dialect.js'
import {pgSql} from './postgres-sql.js'

/** The schema version of a PostgreSQL store: the highest migration applied, 0 for none. */
export async function postgresSchemaVersion(client: ClientBase): Promise<number> {
  const row = await pgSql(client).get<{v: number | null}>('SELECT MAX(version) AS v FROM schema_migrations')
  return row?.v ?? 0
}

/**
 * Migrates the PostgreSQL store `name` up to `target` with the one runner (migrate.ts), the statements spelt for
 * PostgreSQL (postgres-dialect.ts); an advisory lock keeps two hatangs opening a new database from migrating it twice.
 */
export async function migratePostgres(client: ClientBase, name: string, target: number): Promise<void> {
  const sql = pgSql(client)
  await migrate(
    {
      name,
      kind: 'a PostgreSQL database',
      elsewhere: 'name another database with --store',
      tables: async () => (await sql.all<{name: string}>('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()')).map((t) => t.name),
      async transaction(fn) {
        await client.query('BEGIN')
        try {
          await client.query("SELECT pg_advisory_xact_lock(hashtext('hatang schema_migrations'))")
          await fn()
          await client.query('COMMIT')
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined)
          throw error
        }
      },
      exec: async (statement) => void (await client.query(postgresStatement(statement))),
      appliedVersion: async () => postgresSchemaVersion(client),
      record: async (version, migration, at) => void (await sql.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [version, migration, at])),
    },
    target,
  )
}
