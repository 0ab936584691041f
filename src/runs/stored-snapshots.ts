import type {Pack} from '../engine/checks/pack.js'
import type {SmartHistory} from '../engine/checks/smart-trend.js'
import type {Snapshot} from '../model/snapshot.js'
import type {Store} from '../store/store.js'
import {smartHistories} from './smart-history.js'

/**
 * The snapshots of a stored run, to judge again (`check RUN`): a complete run's, or an interrupted run's collected
 * hosts with a warning. Throws StoreError (exit 2) for a run the store does not have, or one still being written.
 */
export async function storedSnapshots(store: Store, id: number, warn: (message: string) => void): Promise<Snapshot[]> {
  const run = await store.run(id)
  if (run?.state !== 'interrupted') await store.completeRun(id)
  else warn(`warning: run ${id} was interrupted: judging the ${run.hosts.total} hosts it stored`)
  return store.snapshots(id)
}

/**
 * The same with what the packs' trend checks compare each host with: the earlier runs' readings of its disks
 * (smartHistories; undefined when no check judges a trend). A run judged again says what it said when it was judged.
 */
export async function storedToJudge(store: Store, id: number, packs: readonly Pack[], warn: (message: string) => void): Promise<{snapshots: Snapshot[]; history?: Map<string, SmartHistory>}> {
  const snapshots = await storedSnapshots(store, id, warn)
  const history = await smartHistories(store, (await store.run(id))!, snapshots, packs)
  return {snapshots, ...(history ? {history} : {})}
}
