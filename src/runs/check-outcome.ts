import {ExitCode} from '../cli/exit-codes.js'
import type {LevelProfile} from '../engine/checks/level-profile.js'
import type {Pack} from '../engine/checks/pack.js'
import type {HostResults} from '../engine/checks/run-checks.js'
import type {RunEvaluation} from '../engine/evaluate-run.js'
import type {FleetFinding} from '../engine/fleet/types.js'
import type {Scores} from '../engine/scores.js'
import {isAtOrAbove, type FailOn} from '../model/severity.js'

/** What `check` returns (--json): the packs used, each host's results, the fleet findings, scores and the evidence rule. */
export interface CheckOutcome {
  packs: {pack: string; version: string; checks: number; fleet?: number}[]
  hosts: HostResults[]
  fleet: FleetFinding[]
  scores: Scores
  evidence: RunEvaluation['evidence']
  /** --level: the security level profile the run was judged with. */
  level?: LevelProfile
}

export function checkOutcome(packs: readonly Pack[], {hosts, fleet, scores, evidence}: RunEvaluation, level?: LevelProfile): CheckOutcome {
  return {packs: packs.map((p) => ({pack: p.pack, version: p.version, checks: p.checks.length, ...(p.fleet ? {fleet: p.fleet.length} : {})})), hosts, fleet, scores, evidence, ...(level ? {level} : {})}
}

/**
 * `check`'s exit code: 6 when a host was judged on too little evidence, whatever the findings (a run that saw too
 * little never passes for judged); else 1 when a check (per host or across hosts) at or above failOn fails; else 0.
 */
export function checkExitCode({hosts, fleet}: RunEvaluation, failOn: FailOn): ExitCode {
  const above = (r: {status: string; severity: string}) => r.status === 'fail' && isAtOrAbove(r.severity, failOn)
  if (hosts.some((h) => h.insufficient)) return ExitCode.InsufficientData
  if (hosts.some((h) => h.results.some(above)) || fleet.some(above)) return ExitCode.Findings
  return ExitCode.Ok
}
