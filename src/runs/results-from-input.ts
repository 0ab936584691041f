import {hostname, userInfo} from 'node:os'

import {TOOL_VERSION} from '../collect/tool-version.js'
import {loadPacks} from '../engine/checks/load-packs.js'
import type {Pack} from '../engine/checks/pack.js'
import {evaluateRun} from '../engine/evaluate-run.js'
import {InputError, loadSnapshots} from '../engine/load-snapshots.js'
import {loadWaivers, unknownChecks, type Waiver} from '../engine/waivers.js'
import type {Results} from '../model/results.js'
import {isResultsFile, readResults, sweepHostsFile} from '../report/read-results.js'
import {buildResults} from './build-results.js'

export interface InputOptions {
  /** Built-in pack names or pack files; default every built-in pack. */
  packs?: readonly string[]
  waiversFile?: string
  /** Told about waivers that name a check no loaded pack has. */
  warn?: (message: string) => void
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

/** The packs (default every built-in one) and the waivers the options name, warning about waivers of unknown checks. */
export function packsAndWaivers(options: InputOptions): {packs: Pack[]; waivers: Waiver[]} {
  const packs = loadPacks(options.packs)
  let waivers: Waiver[] = []
  if (options.waiversFile) {
    try {
      waivers = loadWaivers(options.waiversFile)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code) throw new InputError(`${options.waiversFile}: cannot read the waivers file (${code})`, 'name a waivers file that exists')
      throw error
    }
  }
  for (const w of unknownChecks(waivers, packs)) options.warn?.(`warning: ${w.source} waives '${w.check}', a check no loaded pack has`)
  return {packs, waivers}
}
