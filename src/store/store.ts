import type {OpenOptions, Store} from './contract.js'
import {isPostgresUrl} from './postgres-target.js'
import {SqliteStore} from './sqlite-store.js'

/**
 * The store as callers use it: the contract (contract.ts) and the opener. Two engines keep it: SQLite in a file
 * (sqlite-store.ts) and PostgreSQL on a server (postgres-store.ts); their rows are mapped in rows.ts and their schema is
 * migrations.ts, applied by one runner (migrate.ts).
 */
export type {CheckCounts, FinishOptions, HostSeen, OpenOptions, RunHost, RunMeta, RunRecord, RunState, RunWriter, Store} from './contract.js'
export {staleOf} from './stale-hosts.js'
export {isPostgresUrl} from './postgres-target.js'

/** Opens the store `target` names: a postgres:// or postgresql:// URL is a PostgreSQL server, anything else an SQLite file (made by default). */
export async function openStore(target: string, options: OpenOptions = {}): Promise<Store> {
  if (!isPostgresUrl(target)) return SqliteStore.open(target, options)
  // the PostgreSQL driver is loaded only for a server: a site's commands on its SQLite file do not pay for it (~80 ms)
  const {PostgresStore} = await import('./postgres-store.js')
  return PostgresStore.open(target, options)
}
