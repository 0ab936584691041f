import {countStatuses, type CheckResult, type HostResults} from '../engine/checks/run-checks.js'
import {evaluateRun, evidenceRule, withEvidence, type RunEvaluation} from '../engine/evaluate-run.js'
import type {EvidenceRule} from '../engine/evidence.js'
import type {Pack} from '../engine/checks/pack.js'
import type {Snapshot} from '../model/snapshot.js'
import type {Waiver} from '../engine/waivers.js'
import type {Results} from '../model/results.js'
import type {Store} from '../store/store.js'
import {buildResults} from './build-results.js'
import {historyOfRun, type HistoryOptions} from './history-from-store.js'
import {packsAndWaivers} from './packs-and-waivers.js'
import {smartHistories} from './smart-history.js'
import type {InputOptions} from './results-from-input.js'

/**
 * The waivers a run judged before the store kept waivers applied, as its stored results carry them (one per waiver
 * source, by host): those that matched nothing, and waivers by group, cannot be told from these.
 */
function appliedWaivers(results: readonly CheckResult[]): Waiver[] {
  const bySource = new Map<string, Waiver & {hosts: string[]}>()
  for (const r of results) {
    if (!r.waiver) continue
    const w = bySource.get(r.waiver.source) ?? {check: r.check, hosts: [], reason: r.waiver.reason, approver: r.waiver.approver, expires: r.waiver.expires, source: r.waiver.source}
    if (!w.hosts.includes(r.host)) w.hosts.push(r.host)
    bySource.set(r.waiver.source, w)
  }
  return [...bySource.values()]
}

/**
 * A judged run's evaluation as the store keeps it: results per host (with each host's check error), fleet findings,
 * scores; held to the evidence rule given (the coverage comes from the stored counts).
 */
async function storedEvaluation(store: Store, runId: number, snapshots: readonly Snapshot[], rule: EvidenceRule): Promise<RunEvaluation> {
  const results = await store.results(runId)
  const byHost = new Map<string, CheckResult[]>()
  for (const r of results) byHost.set(r.host, [...(byHost.get(r.host) ?? []), r])
  const hosts = (await store.hosts(runId)).map((h): HostResults => {
    const rs = byHost.get(h.host) ?? []
    return {host: h.host, results: rs, counts: countStatuses(rs), ...(h.checkError ? {error: h.checkError} : {})}
  })
  const perHost = results.length > 0 || hosts.some((h) => h.error !== undefined && !h.error.startsWith('not collected'))
  return withEvidence({hosts, fleet: await store.fleet(runId), scores: (await store.scores(runId))!}, snapshots, rule, perHost)
}

/**
 * The results of a stored run with its history: judged as it was stored when it was judged (the packs only give
 * the checks' texts; --waivers is not applied again), else judged now with the packs and waivers.
 * Throws StoreError (exit 2) for a run that is unknown or not complete.
 */
export async function resultsFromStore(store: Store, runId: number, options: InputOptions & HistoryOptions = {}): Promise<Results> {
  return (await storedRunResults(store, runId, options)).results
}

/** The same, with the run's snapshots and the packs, as read once (the fix plan reads the snapshots' facts). */
export async function storedRunResults(store: Store, runId: number, options: InputOptions & HistoryOptions = {}): Promise<{results: Results; snapshots: Snapshot[]; packs: Pack[]}> {
  const record = await store.completeRun(runId)
  const judged = await store.judged(runId)
  if (judged && options.waiversFile) options.warn?.(`warning: run ${runId} was judged when it was stored: --waivers ${options.waiversFile} is not applied again`)
  const {packs, waivers} = packsAndWaivers(judged ? {...options, waiversFile: undefined} : options)
  const snapshots = await store.snapshots(runId)
  // a stored run is reported as of its start: its hosts' staleness is measured from then
  const evidence = {now: new Date(record.startedAt), minCoverage: options.minCoverage, staleAfterDays: options.staleAfterDays}
  // a run stored without judging is judged now, its trends against the runs before it
  const history = judged ? undefined : await smartHistories(store, record, snapshots, packs)
  const evaluation = judged ? await storedEvaluation(store, runId, snapshots, evidenceRule(evidence)) : evaluateRun(snapshots, packs, {waivers, ...evidence, ...(history ? {history} : {})})
  const results = buildResults({
    snapshots,
    packs,
    evaluation,
    // a judged run is reported with the waivers it was judged with, as they were then
    waivers: judged ? ((await store.waivers(runId)) ?? appliedWaivers(evaluation.hosts.flatMap((h) => h.results))) : waivers,
    run: {
      startedAt: record.startedAt,
      finishedAt: record.finishedAt ?? record.startedAt,
      toolVersion: record.toolVersion,
      operator: record.operator ?? 'unknown',
      source: `run ${runId} (${record.source}) in ${store.file}`,
      ...(record.hostsFile ? {hostsFile: record.hostsFile} : {}),
    },
    // its snapshots and stored results as read above, not read again
    history: await historyOfRun(store, {id: runId, snapshots, ...(judged ? {results: evaluation.hosts.flatMap((h) => h.results)} : {})}, options),
  })
  return {results, snapshots, packs}
}
