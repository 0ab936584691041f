import type {Pack} from '../engine/checks/pack.js'
import {evaluateRun, type RunEvaluation} from '../engine/evaluate-run.js'
import type {Waiver} from '../engine/waivers.js'
import type {Results, RunInfo} from '../model/results.js'
import type {Snapshot} from '../model/snapshot.js'
import type {RunRecord, RunWriter, Store} from '../store/store.js'
import {buildResults} from './build-results.js'
import {historyOfRun} from './history-from-store.js'

export interface JudgeRunInput {
  store: Store
  /** The run being written: its snapshots are stored, it is not finished yet. */
  writer: RunWriter
  snapshots: readonly Snapshot[]
  packs: readonly Pack[]
  waivers: readonly Waiver[]
  /** The evidence rule (see src/engine/evidence.ts). */
  minCoverage?: number
  staleAfterDays?: number
  /** Decides waiver expiry and staleness; default now. */
  now?: Date
  /** What the results say of the run; they are finished when built. */
  run: Omit<RunInfo, 'finishedAt'>
}

export interface JudgedRun {
  evaluation: RunEvaluation
  /** The run as the store keeps it, complete. */
  record: RunRecord
  results: Results
}

/**
 * Judges a stored run and finishes it: the snapshots judged once (evaluateRun), the judgement and the waivers it
 * applied stored with the run's completion, and the results every report renders built from that same evaluation, with the run's history (the
 * earlier runs from the store, this one from memory).
 */
export async function judgeRun(input: JudgeRunInput): Promise<JudgedRun> {
  const {store, writer, snapshots, packs, waivers} = input
  const {startedAt, ...run} = input.run
  const evaluation = evaluateRun(snapshots, packs, {waivers, minCoverage: input.minCoverage, staleAfterDays: input.staleAfterDays, ...(input.now ? {now: input.now} : {})})
  // the run record and the results share this one evaluation
  const record = await writer.finish({evaluation, waivers})
  const results = buildResults({
    snapshots,
    packs,
    evaluation,
    waivers,
    run: {startedAt, finishedAt: new Date().toISOString(), ...run},
    // the trend of the runs so far and what changed since the previous complete run (read from the store): this
    // run is compared as it is here, not read back and decompressed again
    history: await historyOfRun(store, {id: record.id, snapshots, results: evaluation.hosts.flatMap((h) => h.results)}, {staleAfterDays: input.staleAfterDays}),
  })
  return {evaluation, record, results}
}
