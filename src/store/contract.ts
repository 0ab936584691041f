import type {CheckResult} from '../engine/checks/run-checks.js'
import type {RunEvaluation} from '../engine/evaluate-run.js'
import type {FleetFinding} from '../engine/fleet/types.js'
import type {Scores} from '../engine/scores.js'
import type {Waiver} from '../engine/waivers.js'
import type {Snapshot} from '../model/snapshot.js'
import type {RollupQuery, RollupRows} from './rollup-rows.js'
import type {Received, RunBundle} from './run-transfer.js'
import type {DamagedSnapshot} from './unreadable-snapshot.js'

/**
 * The store's contract: what the commands and runs see of a store, whichever engine keeps it (SQLite here,
 * PostgreSQL at the centre). Types only.
 */

/**
 * running: rows are being written; never shown as a result. complete: finished in one final transaction, the
 * only state readers count. interrupted: its writer died (or gave up) before finishing; kept for inspection,
 * excluded from lists, diffs and last-seen times, removed by prune.
 */
export type RunState = 'running' | 'complete' | 'interrupted'

export interface RunMeta {
  /** What made the run: sweep, audit, import… */
  source: string
  hostsFile?: string
  /** Who ran it; default the user this process runs as. */
  operator?: string
  toolVersion?: string
  startedAt?: Date
  /** The site the run was taken at (--site, HATANG_SITE); default this machine's hostname. */
  site?: string
}

export interface CheckCounts {
  pass: number
  fail: number
  unknown: number
  waived: number
  notApplicable: number
}

export interface RunRecord {
  id: number
  /** The run's identity everywhere (a site's store and the centre it is pushed to). */
  uuid: string
  /** The site it was taken at. */
  site: string | null
  state: RunState
  source: string
  hostsFile: string | null
  toolVersion: string
  operator: string | null
  startedAt: string
  finishedAt: string | null
  /** Why a run was interrupted. */
  note: string | null
  hosts: {total: number; collected: number}
  checks: CheckCounts
  /** The overall score of the run's results; null when it was not judged (or nothing weighed). */
  score: number | null
  /** Checks judged ÷ checks applicable, in % (see coverageOf); null when not judged or nothing applied. */
  coverage: number | null
}

/** One host of a run: how its collection went, without decompressing the snapshot. */
export interface RunHost {
  host: string
  status: string
  reason: string | null
  collectedAt: string
  /** Set when no check applied to the host (HostResults.error). */
  checkError: string | null
  sizeBytes: number
}

/** Whether a host is alive: the last time it was collected (ok or partial) and the last time it was tried, in complete runs. */
export interface HostSeen {
  host: string
  firstSeen: string | null
  lastSeen: string | null
  lastAttempt: string | null
  lastStatus: string | null
}

export interface FinishOptions {
  /** The run's judgement (evaluateRun); without it the run stores snapshots only. */
  evaluation?: RunEvaluation
  /** The waivers it was judged with (every one, those that matched nothing too), kept with the judgement; [] for none. */
  waivers?: readonly Waiver[]
  finishedAt?: Date
}

/** Writes one run. Each addSnapshot commits on its own; the run is visible to readers only once finish() commits. */
export interface RunWriter {
  readonly id: number
  /** Stores one host's snapshot (sweep's onHostDone may call it as each host finishes), committed on its own. */
  addSnapshot(snapshot: Snapshot): Promise<void>
  /** Stores the judgement and marks the run complete, all in one transaction. */
  finish(options?: FinishOptions): Promise<RunRecord>
  /** Marks the run interrupted (kept, excluded from readers), e.g. when the audit is stopped. */
  abandon(note?: string): Promise<void>
}

export interface OpenOptions {
  /** Make the file (and its folder) when it does not exist; default true. */
  create?: boolean
  /** Apply migrations only up to this version (tests make an old database this way). */
  migrateTo?: number
  /** How long a writer waits for another one's lock, ms (SQLite busy_timeout). */
  busyTimeoutMs?: number
  /**
   * A server's password when neither PGPASSWORD nor ~/.pgpass gives one: asked once (on a terminal, never echoed) with
   * a prompt naming the user and server. Without it such a store is refused (exit 2).
   */
  askPassword?: (prompt: string) => Promise<string>
}

/**
 * A store of runs (see migrations.ts for its tables and README "The store"). Every operation that reaches the
 * database returns a promise: the SQLite engine answers at once, a server (PostgreSQL) over the network.
 */
export interface Store {
  /** The store's file, as its messages name it. */
  readonly file: string

  /** The schema version of the open database. */
  schemaVersion(): Promise<number>

  // ---- writing

  /** Starts a run in state 'running': invisible to readers until its writer's finish(). */
  beginRun(meta: RunMeta): Promise<RunWriter>
  /** A whole run in one transaction (import): all of it is stored, or nothing. */
  storeRun(meta: RunMeta, snapshots: readonly Snapshot[], options?: FinishOptions): Promise<RunRecord>
  /** Adds snapshots to a complete run in one transaction (import --run): all of them, or none. */
  addToRun(runId: number, snapshots: readonly Snapshot[]): Promise<RunRecord>

  // ---- reading

  /** Runs, newest first: complete ones only, unless `all` (then running and interrupted ones too). */
  listRuns(options?: {all?: boolean}): Promise<RunRecord[]>
  /** One run in any state, or undefined. */
  run(id: number): Promise<RunRecord | undefined>
  /** A complete run, or a StoreError (exit 2) that names the list command. */
  completeRun(id: number): Promise<RunRecord>
  /** The hosts of a run and how each went, by name. */
  hosts(runId: number): Promise<RunHost[]>
  /**
   * The snapshots of a run, by host name. A row that cannot be read back (damaged body) reads as the host not
   * readable (unreadableSnapshot) and is recorded in damaged(): one bad row never stops a check, report or history.
   */
  snapshots(runId: number): Promise<Snapshot[]>
  /** One host's snapshot in a run (damaged: as snapshots() says), or undefined. */
  snapshot(runId: number, host: string): Promise<Snapshot | undefined>
  /** Reads back every snapshot of a run, one at a time, and returns those that cannot be read (also in damaged()). */
  damagedSnapshots(runId: number): Promise<DamagedSnapshot[]>
  /** The damaged snapshots read so far (each once), by run and host, for the command to report. */
  damaged(): DamagedSnapshot[]
  /** The check results of a run (empty when it was not judged), by host, pack and check. */
  results(runId: number): Promise<CheckResult[]>
  /** Whether a run was judged (has stored results or scores). */
  judged(runId: number): Promise<boolean>
  /**
   * The waivers a judged run was judged with, in their file's order, as they were then (every one, those that matched
   * nothing too); undefined for a run stored without them (not judged, judged before the store kept waivers, or
   * finished without saying which).
   */
  waivers(runId: number): Promise<Waiver[] | undefined>
  /** The fleet findings of a run, in the order they were stored. */
  fleet(runId: number): Promise<FleetFinding[]>
  /** The scores stored with a run, or undefined when it was not judged. */
  scores(runId: number): Promise<Scores | undefined>
  /** Every host a complete run has tried, with its last-seen time, by name. */
  lastSeen(): Promise<HostSeen[]>
  /** Hosts not collected (ok or partial) for more than `days` days before `now`, never-collected ones included. */
  staleHosts(days: number, now?: Date): Promise<HostSeen[]>

  /**
   * What a roll-up of the unit reads (hatang report --rollup), in one read transaction: the complete runs since the
   * time asked for with a host under the unit, the latest at each site, their hosts with stored scores and facts, their
   * failed checks and fleet findings, and every run's sums per unit. Snapshot bodies are not read.
   */
  rollupRows(query: RollupQuery): Promise<RollupRows>

  // ---- pushing (hatang push: src/runs/push.ts)

  /** A complete run's rows as they travel to a centre (snapshot bodies as stored, never decoded), read in one transaction. */
  runBundle(runId: number): Promise<RunBundle>
  /**
   * Stores a pushed run in ONE transaction (a new id here, its uuid, site and rows; hosts by name; last-seen updated);
   * when a run with its uuid is here already, writes nothing and says so (a push is idempotent).
   */
  receiveRun(bundle: RunBundle): Promise<Received>
  /** The runs recorded as pushed to `target` (host:port/database), with the centre's run ids, by run id. */
  pushedTo(target: string): Promise<{run: number; centreRun: number}[]>
  /** Records that run `runId` is at `target` as its run `centreRun`. */
  recordPush(runId: number, target: string, centreRun: number): Promise<void>

  // ---- keeping

  /** Keeps the newest `keep` complete runs; deletes older complete runs and every interrupted one. Returns the ids deleted. */
  prune(keep: number): Promise<number[]>
  /** The engine's own integrity check: 'ok' or the problems it found. */
  integrityCheck(): Promise<string>
  close(): Promise<void>
}
