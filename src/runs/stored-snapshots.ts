import type {Snapshot} from '../model/snapshot.js'
import type {Store} from '../store/store.js'

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
