import type {Snapshot} from '../model/snapshot.js'
import type {Pack} from './checks/pack.js'
import {runChecks, type HostResults} from './checks/run-checks.js'
import type {FleetFinding} from './fleet/types.js'
import {computeScores, type Scores} from './scores.js'
import {applyWaivers, type Waiver} from './waivers.js'

export interface RunEvaluation {
  hosts: HostResults[]
  /** Findings across hosts (fleet-sync packs); empty when no fleet pack is loaded. */
  fleet: FleetFinding[]
  scores: Scores
}

export interface EvaluateOptions {
  waivers?: readonly Waiver[]
  /** Decides waiver expiry; default now. */
  now?: Date
}

/**
 * Judges one run: every host's snapshot against the packs' per-host checks, waivers applied, and scores
 * per host, group and overall. The single entry point `check`, `report` and `audit` share. Pure apart from `now`.
 */
export function evaluateRun(snapshots: readonly Snapshot[], packs: readonly Pack[], options: EvaluateOptions = {}): RunEvaluation {
  const now = options.now ?? new Date()
  const waivers = options.waivers ?? []
  const hosts = snapshots.map((s) => applyWaivers(runChecks(s, packs), s.host, waivers, now))
  const groups = new Map(snapshots.map((s) => [s.host.name, s.host.groups]))
  const scores = computeScores(hosts, (h) => groups.get(h))
  return {hosts, fleet: [], scores}
}
