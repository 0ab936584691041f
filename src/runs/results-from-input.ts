import {hostname, userInfo} from 'node:os'

import {TOOL_VERSION} from '../model/tool-version.js'
import {evaluateRun} from '../engine/evaluate-run.js'
import {loadSnapshots} from '../engine/load-snapshots.js'
import type {Results} from '../model/results.js'
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
  if (isResultsFile(args)) return readResults(args[0]!)
  const startedAt = new Date().toISOString()
  const {packs, waivers} = packsAndWaivers(options)
  const snapshots = loadSnapshots(args, options.warn)
  const evaluation = evaluateRun(snapshots, packs, {waivers, minCoverage: options.minCoverage, staleAfterDays: options.staleAfterDays})
  const run = {startedAt, finishedAt: new Date().toISOString(), toolVersion: TOOL_VERSION, operator: `${userInfo().username}@${hostname()}`, source: args.join(' '), hostsFile: sweepHostsFile(args)}
  return buildResults({snapshots, packs, evaluation, waivers, run})
}
