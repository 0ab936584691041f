import type {Snapshot} from '../model/snapshot.js'
import type {SnapshotRow} from './rows.js'
import {decodeSnapshot} from './snapshot-codec.js'
import {unreadableSnapshot, type DamagedSnapshot} from './unreadable-snapshot.js'

/**
 * Reads stored snapshot rows back, for either engine: a row that cannot be read (damaged body, another host's
 * snapshot) reads as the host not readable and is remembered, once per run and host, for the command to report.
 */
export class SnapshotReader {
  private readonly damagedRows = new Map<string, DamagedSnapshot>()

  /** `file`: the store as its messages name it. */
  constructor(private readonly file: string) {}

  decode(runId: number, row: SnapshotRow): Snapshot {
    try {
      const snapshot = decodeSnapshot(row.encoding, row.body)
      if (snapshot?.host?.name !== row.host || typeof snapshot.sections !== 'object' || snapshot.sections === null) throw new Error('not the snapshot of this host')
      return snapshot
    } catch (error) {
      const damage: DamagedSnapshot = {run: runId, host: row.host, problem: (error as Error).message}
      this.damagedRows.set(`${runId}\0${row.host}`, damage)
      return unreadableSnapshot(damage, this.file, row.collected_at)
    }
  }

  /** The damaged snapshots read so far, by run and host. */
  damaged(): DamagedSnapshot[] {
    return [...this.damagedRows.values()].sort((a, b) => a.run - b.run || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0))
  }
}
