import type {OpenOptions, Store} from './contract.js'
import {SqliteStore} from './sqlite-store.js'

/**
 * The store as callers use it: the contract (contract.ts) and the opener. The engine behind it is SQLite
 * (sqlite-store.ts); its rows are mapped in rows.ts and its schema is migrations.ts.
 */
export type {CheckCounts, FinishOptions, HostSeen, OpenOptions, RunHost, RunMeta, RunRecord, RunState, RunWriter, Store} from './contract.js'
export {staleOf} from './stale-hosts.js'

/** Opens (and by default creates) the store in `file`: see SqliteStore.open. */
export async function openStore(file: string, options: OpenOptions = {}): Promise<Store> {
  return SqliteStore.open(file, options)
}
