import {hostname, userInfo} from 'node:os'

import {TOOL_VERSION} from '../model/tool-version.js'
import {evaluateRun} from '../engine/evaluate-run.js'
import {loadSnapshots} from '../engine/load-snapshots.js'
import type {Pack} from '../engine/checks/pack.js'
import type {Results} from '../model/results.js'
import type {Snapshot} from '../model/snapshot.js'
import {isResultsFile, readResults, sweepHostsFile} from '../report/read-results.js'
import {buildResults} from './build-results.js'
import {packsAndWaivers, type JudgingOptions} from './packs-and-waivers.js'

/** How snapshots are judged, and who is told of waivers that name an unknown check. */
export type InputOptions = JudgingOptions & {
  /** The evidence rule (see src/engine/evidence.ts): minimum coverage in %, and days after which a host is stale. */
  minCoverage?: number
  staleAfterDays?: number
}

/**
 * The results a report renders: a results.json as it is, or snapshots (files, sweep folders) judged now
 * against the packs with the waivers. Throws InputError (bad input) or ConfigError (bad pack or waivers).
 */
export function resultsFromInput(args: readonly string[], options: InputOptions = {}): Results {
  return judgedInput(args, options).results
}

/**
 * The same, with what it was made from: the snapshots judged (none for a results.json) and the packs (loaded for a
 * results.json too), for those who need more than the results (the fix plan reads the snapshots' facts).
 */
export function judgedInput(args: readonly string[], options: InputOptions = {}): {results: Results; snapshots: Snapshot[]; packs: Pack[]} {
  if (isResultsFile(args)) return {results: readResults(args[0]!), snapshots: [], packs: packsAndWaivers({...options, waiversFile: undefined}).packs}
  const startedAt = new Date().toISOString()
  const {packs, waivers} = packsAndWaivers(options)
  const snapshots = loadSnapshots(args, options.warn)
  const evaluation = evaluateRun(snapshots, packs, {waivers, minCoverage: options.minCoverage, staleAfterDays: options.staleAfterDays})
  const run = {startedAt, finishedAt: new Date().toISOString(), toolVersion: TOOL_VERSION, operator: `${userInfo().username}@${hostname()}`, source: args.join(' '), hostsFile: sweepHostsFile(args)}
  return {results: buildResults({snapshots, packs, evaluation, waivers, run}), snapshots, packs}
}
