import type {Pack} from '../engine/checks/pack.js'
import {readsHistory} from '../engine/checks/run-checks.js'
import {TREND_COUNTERS, type EarlierDiskReading, type SmartHistory} from '../engine/checks/smart-trend.js'
import {isCollected} from '../model/host-status.js'
import {isRead} from '../model/section.js'
import {diskIdentity, type SmartDiskData} from '../model/sections/storage.js'
import type {Snapshot} from '../model/snapshot.js'
import type {RunRecord, Store} from '../store/store.js'

/** How many earlier runs that collected a host are searched for its disks' readings, newest first. */
export const SMART_HISTORY_RUNS = 30

/** The run being judged, as the history is read for it: the runs before it are those that started before it. */
export interface RunPlace {
  id: number
  startedAt: string
}

/** The SMART disks a snapshot read (none when its storage section was not read). */
function disksOf(s: Snapshot): SmartDiskData[] {
  const storage = s.sections.storage as Snapshot['sections']['storage'] | undefined
  return storage?.data && isRead(storage.status) ? (storage.data.smart.disks ?? []) : []
}

/** Whether smartctl gave a reading of the disk: a verdict or a counter (an error alone is none). */
const hasReading = (d: SmartDiskData): boolean => d.passed !== undefined || TREND_COUNTERS.some((c) => d[c.field] !== undefined)

/**
 * Reads, for each host of a run, the latest earlier reading of each of its disks (same host, same disk by
 * diskIdentity) from the complete runs of the store that started before it: the engine's SmartHistory. Earlier runs
 * are searched newest first, at most SMART_HISTORY_RUNS of those that collected the host, and a host's search stops
 * once every disk is found: a host whose disks the previous run read costs one snapshot read. The list of runs and
 * each run's hosts are read once per reader.
 */
export class SmartHistoryReader {
  private before: Promise<RunRecord[]> | undefined
  private readonly collected = new Map<number, Promise<Set<string>>>()

  constructor(
    private readonly store: Store,
    private readonly run: RunPlace,
  ) {}

  /** Complete runs before this one, newest first (the store's order: start time, then id). */
  private runsBefore(): Promise<RunRecord[]> {
    const {id, startedAt} = this.run
    this.before ??= this.store.listRuns().then((all) => all.filter((r) => r.id !== id && (r.startedAt < startedAt || (r.startedAt === startedAt && r.id < id))))
    return this.before
  }

  private hostsCollected(run: number): Promise<Set<string>> {
    let hosts = this.collected.get(run)
    if (!hosts) this.collected.set(run, (hosts = this.store.hosts(run).then((list) => new Set(list.filter((h) => isCollected(h.status)).map((h) => h.host)))))
    return hosts
  }

  /** The history of the disks this snapshot of a host read. */
  async of(snapshot: Snapshot): Promise<SmartHistory> {
    const host = snapshot.host.name
    const wanted = new Set(disksOf(snapshot).map(diskIdentity).filter((id): id is string => id !== undefined))
    const readings = new Map<string, EarlierDiskReading>()
    let searched = 0
    for (const r of await this.runsBefore()) {
      if (searched >= SMART_HISTORY_RUNS || (searched > 0 && readings.size === wanted.size)) break
      if (!(await this.hostsCollected(r.id)).has(host)) continue
      searched++
      if (wanted.size === 0) continue
      const earlier = await this.store.snapshot(r.id, host)
      for (const d of earlier ? disksOf(earlier) : []) {
        const id = diskIdentity(d)
        if (id !== undefined && wanted.has(id) && !readings.has(id) && hasReading(d)) readings.set(id, {run: r.id, startedAt: r.startedAt, disk: d})
      }
    }
    return {readings, searched}
  }
}

/**
 * The SmartHistory of every collected host of a stored run's snapshots, for evaluateRun; undefined when no check of
 * the packs judges a trend (nothing is read then).
 */
export async function smartHistories(store: Store, run: RunPlace, snapshots: readonly Snapshot[], packs: readonly Pack[]): Promise<Map<string, SmartHistory> | undefined> {
  if (!readsHistory(packs)) return undefined
  const reader = new SmartHistoryReader(store, run)
  const out = new Map<string, SmartHistory>()
  for (const s of snapshots) if (isCollected(s.host.status)) out.set(s.host.name, await reader.of(s))
  return out
}
