import {assembleDiff, diffHost, hostsOfDiff, hasChanges, type DiffSideInfo, type HostDiff, type RunDiff} from '../engine/diff.js'
import type {Snapshot} from '../model/snapshot.js'
import type {RunRecord, Store} from '../store/store.js'

/** One side of a diff whose snapshots are loaded host by host (from a store, or from memory). */
export interface DiffSource extends DiffSideInfo {
  snapshot(host: string): Promise<Snapshot> | Snapshot
}

/** A complete stored run as a diff side: its hosts and results read now, each snapshot when it is compared. */
export async function storedSide(store: Store, run: RunRecord): Promise<DiffSource> {
  const hosts = (await store.hosts(run.id)).map((h) => h.host)
  const results = (await store.judged(run.id)) ? await store.results(run.id) : undefined
  return {run: {id: run.id, startedAt: run.startedAt}, hosts, snapshot: async (host) => (await store.snapshot(run.id, host))!, ...(results ? {results} : {})}
}

/**
 * What changed from run A to run B, the snapshots of the hosts they share read two at a time however large the
 * fleet (a host's diff is kept only when something changed).
 */
export async function diffStored(a: DiffSource, b: DiffSource): Promise<RunDiff> {
  const changed: HostDiff[] = []
  for (const host of hostsOfDiff(a, b).common) {
    const d = diffHost(await a.snapshot(host), await b.snapshot(host), {from: a.run.id, to: b.run.id})
    if (hasChanges(d)) changed.push(d)
  }
  return assembleDiff(a, b, changed)
}
