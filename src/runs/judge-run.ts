import type {RegexCache} from '../engine/checks/assertion.js'
import type {Pack} from '../engine/checks/pack.js'
import {evaluateChecked, type RunEvaluation} from '../engine/evaluate-run.js'
import type {Waiver} from '../engine/waivers.js'
import type {Results, RunInfo} from '../model/results.js'
import type {RunRecord, RunWriter, Store} from '../store/store.js'
import {buildResults} from './build-results.js'
import {historyOfRun} from './history-from-store.js'
import type {KeptHost} from './host-keeper.js'

export interface JudgeRunInput {
  store: Store
  /** The run being written: its snapshots are stored, it is not finished yet. */
  writer: RunWriter
  /** Each host as the run kept it (HostKeeper: checked, its facts read, its snapshot cut down), in the order they came. */
  hosts: readonly KeptHost[]
  /** The keeper's, for the fleet checks; default a new one. */
  regexes?: RegexCache
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
 * Judges a stored run and finishes it: the hosts, each checked as it came, judged together once (evaluateChecked:
 * waivers, fleet checks, scores), the judgement and the waivers it applied stored with the run's completion, and the
 * results every report renders built from that same evaluation and the hosts' facts, with the run's history (the
 * earlier runs from the store, this one from what was kept of it). No snapshot of the run is read back.
 */
export async function judgeRun(input: JudgeRunInput): Promise<JudgedRun> {
  const {store, writer, hosts, packs, waivers} = input
  const {startedAt, ...run} = input.run
  const snapshots = hosts.map((h) => h.snapshot)
  const evaluation = evaluateChecked(hosts, packs, {waivers, minCoverage: input.minCoverage, staleAfterDays: input.staleAfterDays, ...(input.now ? {now: input.now} : {})}, input.regexes)
  // the run record and the results share this one evaluation
  const record = await writer.finish({evaluation, waivers})
  const results = buildResults({
    snapshots,
    facts: hosts.map((h) => h.facts),
    packs,
    evaluation,
    waivers,
    run: {startedAt, finishedAt: new Date().toISOString(), ...run},
    // the trend of the runs so far and what changed since the previous complete run (read from the store): this
    // run is compared as it was kept, not read back and decompressed again
    history: await historyOfRun(store, {id: record.id, snapshots, results: evaluation.hosts.flatMap((h) => h.results)}, {staleAfterDays: input.staleAfterDays}),
  })
  return {evaluation, record, results}
}
