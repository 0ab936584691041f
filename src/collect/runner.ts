import type {Implementation, ProbeResult} from '../../inventory/kit/implementation.js'
import type {SnapshotMeta} from '../model/snapshot.js'
import type {ContentStore} from './indexes/content-store.js'
import type {Dialect, Transport} from '../transport/transport.js'

/** One section as a runner read it. */
export type SectionOutcome = ProbeResult<unknown> & {
  durationMs: number
  /** Requests sent for it (commands, for posix-sh). */
  commands: number
}

/** What the target said of itself: the effective uid of what ran the requests, and its OS (`uname -s`). */
export interface HostContext {
  uid: number | null
  privileged: boolean
  os: string
}

export interface RunOptions {
  commandTimeoutMs: number
  /** Whole-batch deadline. */
  deadlineMs: number
  /** Batches sent in parallel (channels per host). */
  parallelBatches: number
  /** Where contents known by hash (package indexes) are kept; default: the process's store in the cache folder. */
  contents?: ContentStore
  /** What an earlier run on this target learned of it (a second run, for sections a native collector could not read). */
  known?: HostContext
  onStart(implementation: Implementation): void
  /** Called for each section as soon as it is read. */
  onSection(implementation: Implementation, outcome: SectionOutcome): void | Promise<void>
}

/** What a run learned beside the sections, for the snapshot's meta. */
export interface RunReport {
  host?: HostContext
  clock?: SnapshotMeta['clock']
  batches: SnapshotMeta['batches']
}

/**
 * Runs the implementations of one dialect over a transport that runs it, and reports each section as it is read.
 * Never throws for the host's sake: a failure is a section's status and reason.
 */
export interface DialectRunner {
  readonly dialect: Dialect
  /** What a target lacks when it cannot run this dialect: `POSIX shell`. */
  readonly needs: string
  run(transport: Transport, implementations: readonly Implementation[], options: RunOptions): Promise<RunReport>
}
