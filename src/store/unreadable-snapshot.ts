import {SNAPSHOT_SCHEMA_VERSION, SnapshotSchema, type Snapshot} from '../model/snapshot.js'
import {TOOL_NAME, TOOL_VERSION} from '../model/tool-version.js'

/** A stored snapshot that cannot be read back (its compressed body is damaged): where it is and why. */
export interface DamagedSnapshot {
  run: number
  host: string
  /** What reading it said: `Decompression failed`, `Unexpected end of JSON input`… */
  problem: string
}

/** The damage in words, for a warning and for the host's reason: run, host, why, and what to do. */
export function describeDamage(d: DamagedSnapshot, storeFile: string): string {
  return (
    `run ${d.run}: the stored snapshot of host '${d.host}' cannot be read (${d.problem}): ${storeFile} is damaged there — ` +
    `'hatang runs show ${d.run}' lists the run; collect the host again ('hatang audit', or 'hatang collect -o FILE' then 'hatang import FILE'); ` +
    `'hatang runs prune' drops old runs`
  )
}

const SECTION_IDS = Object.keys(SnapshotSchema.properties.sections.properties)

/**
 * What a damaged row reads as: the host, not readable (status error, every section saying why), so a check or
 * report of its run shows it as an error host and a diff or history does not compare it. No data is made up:
 * the time is the row's own, and nothing else is known.
 */
export function unreadableSnapshot(d: DamagedSnapshot, storeFile: string, collectedAt: string): Snapshot {
  const reason = `the stored snapshot cannot be read (${d.problem}): run ${d.run} of ${storeFile} is damaged there — see 'hatang runs show ${d.run}'`
  const section = {status: 'error', reason: `the stored snapshot cannot be read (${d.problem})`, source: 'probe', durationMs: 0}
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    host: {name: d.host, status: 'error', reason},
    meta: {
      tool: {name: TOOL_NAME, version: TOOL_VERSION},
      collectedAt,
      durationMs: 0,
      transport: 'local',
      target: 'unknown: the stored snapshot is damaged',
      platform: 'unknown',
      privileged: false,
      native: false,
      probes: [],
      batches: [],
    },
    sections: Object.fromEntries(SECTION_IDS.map((id) => [id, section])) as unknown as Snapshot['sections'],
  }
}
