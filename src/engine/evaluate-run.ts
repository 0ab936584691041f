import {isCollected} from '../model/host-status.js'
import type {Snapshot} from '../model/snapshot.js'
import {RegexCache} from './checks/assertion.js'
import type {Pack} from './checks/pack.js'
import {countStatuses, runChecks, type CheckResult, type HostResults} from './checks/run-checks.js'
import type {SmartHistory} from './checks/smart-trend.js'
import {applyFleetWaivers} from './fleet/fleet-waivers.js'
import {runFleetChecks} from './fleet/run-fleet.js'
import type {FleetFinding} from './fleet/types.js'
import {DEFAULT_MIN_COVERAGE, DEFAULT_STALE_AFTER_DAYS, insufficientOf, type EvidenceRule} from './evidence.js'
import {computeScores, mergeScores, scoreOf, type Scores} from './scores.js'
import {applyWaivers, type Waiver, type WaiverHost} from './waivers.js'

export interface RunEvaluation {
  /** Each host's results; `insufficient` says why a host's verdict rests on too little evidence. */
  hosts: HostResults[]
  /** Findings across hosts (fleet-sync packs); empty when no fleet pack is loaded. */
  fleet: FleetFinding[]
  scores: Scores
  /** The evidence rule the hosts were held to. */
  evidence: {minCoverage: number; staleAfterDays: number; now: string}
}

export interface EvaluateOptions {
  waivers?: readonly Waiver[]
  /** Decides waiver expiry and staleness; default now. */
  now?: Date
  /** Percent of applicable checks a host must have judged (default 80). */
  minCoverage?: number
  /** A host collected more than this many days before `now` is stale (default 7). */
  staleAfterDays?: number
  /**
   * What the store holds of each host's disks before this run (src/runs/smart-history.ts), by host name, for the
   * checks that judge a trend across runs; absent when the run is judged without a store (then those are unknown).
   */
  history?: ReadonlyMap<string, SmartHistory>
}

/** The evidence rule of these options. */
export function evidenceRule(options: Pick<EvaluateOptions, 'now' | 'minCoverage' | 'staleAfterDays'>): EvidenceRule {
  return {minCoverage: options.minCoverage ?? DEFAULT_MIN_COVERAGE, staleAfterDays: options.staleAfterDays ?? DEFAULT_STALE_AFTER_DAYS, now: options.now ?? new Date()}
}

/**
 * Holds every host of a judged run to the evidence rule: a host not collected, with no applicable check, judged on
 * fewer applicable checks than the floor, or collected too long ago gets `insufficient` with the reason. Used on a
 * fresh judgement and on one read back from the store. Pure.
 */
export function withEvidence(evaluation: Omit<RunEvaluation, 'evidence'>, snapshots: readonly Snapshot[], rule: EvidenceRule, perHost: boolean): RunEvaluation {
  const byName = new Map(snapshots.map((s) => [s.host.name, s]))
  const scoreOf = new Map(evaluation.scores.hosts.map((h) => [h.host, h]))
  const hosts = evaluation.hosts.map((h): HostResults => {
    const s = byName.get(h.host)
    const score = scoreOf.get(h.host)
    const {insufficient: _, insufficientWhy: __, ...rest} = h
    const why = insufficientOf(
      {
        collected: s ? isCollected(s.host.status) : false,
        status: s?.host.status ?? 'unknown',
        collectedAt: s?.meta.collectedAt ?? '',
        score: score ?? {coverage: null, counts: {pass: 0, fail: 0, unknown: 0, waived: 0, notApplicable: 0}},
        ...(h.error ? {error: h.error} : {}),
        perHost,
      },
      rule,
    )
    return why ? {...rest, insufficient: why.reason, insufficientWhy: why.why} : rest
  })
  return {...evaluation, hosts, evidence: {minCoverage: rule.minCoverage, staleAfterDays: rule.staleAfterDays, now: rule.now.toISOString()}}
}

/** A fleet finding as a result a score can count: it weighs by its severity like a host's check. */
function asResult(f: FleetFinding): CheckResult {
  return {host: `${f.scope.kind}:${f.scope.name}`, pack: f.pack, check: f.check, severity: f.severity, status: f.status}
}

/** One host's snapshot and its per-host results before waivers (checkHost): what evaluateChecked judges a run from. */
export interface CheckedHost {
  /**
   * The host's snapshot, or what a run kept of it: its host and meta, and the sections the packs' fleet checks read
   * (fleetReads). The per-host checks have read the whole of it already.
   */
  snapshot: Snapshot
  /** checkHost of the whole snapshot. */
  checked: HostResults
}

/** Whether the packs have per-host checks: a run judged by fleet packs only has none, and that is no host's error. */
const hasHostChecks = (packs: readonly Pack[]) => packs.some((p) => p.checks.length > 0)

/**
 * One host's part of a run's judgement that needs its whole snapshot: every per-host check of the packs (runChecks),
 * waivers not yet applied; a host that was not collected (unreachable, auth-failed, timeout, …) gets no result but an
 * error saying so. Pure. A run can judge each host this way as its snapshot comes, and let the snapshot go.
 */
export function checkHost(s: Snapshot, packs: readonly Pack[], regexes = new RegexCache(), history?: SmartHistory): HostResults {
  if (!isCollected(s.host.status)) {
    const error = `not collected: ${s.host.status}${s.host.reason ? ` (${s.host.reason.split('\n')[0]})` : ''}`
    return {host: s.host.name, results: [], counts: countStatuses([]), error}
  }
  if (!hasHostChecks(packs)) return {host: s.host.name, results: [], counts: countStatuses([])}
  return runChecks(s, packs, regexes, history)
}

/**
 * Judges one run: every host's snapshot against the packs' per-host checks, the packs' fleet checks across the
 * hosts, waivers applied to both, and scores per host, group and overall. A host that was not collected
 * (unreachable, auth-failed, timeout, …) gets no per-host result but an error saying so (and the fleet check
 * `reached` names it). Fleet findings weigh in the overall score, and in a group's score when their scope is
 * that group, by severity like any check; host scores are per-host checks only. The single entry point
 * `check`, `report` and `audit` share (audit through evaluateChecked, each host checked as it came). Pure apart from `now`.
 */
export function evaluateRun(snapshots: readonly Snapshot[], packs: readonly Pack[], options: EvaluateOptions = {}): RunEvaluation {
  const regexes = new RegexCache()
  return evaluateChecked(
    snapshots.map((snapshot) => ({snapshot, checked: checkHost(snapshot, packs, regexes, options.history?.get(snapshot.host.name))})),
    packs,
    options,
    regexes,
  )
}

/**
 * evaluateRun of hosts already checked one by one (checkHost): waivers applied to their results (with `now`), the
 * fleet checks across the hosts, scores and the evidence rule. Gives what evaluateRun of the whole snapshots gives.
 * Pure apart from `now`.
 */
export function evaluateChecked(checkedHosts: readonly CheckedHost[], packs: readonly Pack[], options: EvaluateOptions = {}, regexes = new RegexCache()): RunEvaluation {
  const now = options.now ?? new Date()
  const waivers = options.waivers ?? []
  const perHost = hasHostChecks(packs)
  const snapshots = checkedHosts.map((c) => c.snapshot)
  const hosts = checkedHosts.map(({snapshot: s, checked}) => (perHost && isCollected(s.host.status) ? applyWaivers(checked, s.host, waivers, now) : checked))
  const info = new Map<string, WaiverHost>(snapshots.map((s) => [s.host.name, s.host]))
  const fleet = applyFleetWaivers(runFleetChecks(snapshots, packs, regexes), info, waivers, now)
  const groups = new Map(snapshots.map((s) => [s.host.name, s.host.groups]))
  const scores = computeScores(hosts, (h) => groups.get(h))
  const rule = evidenceRule({...options, now})
  if (fleet.length === 0) return withEvidence({hosts, fleet, scores}, snapshots, rule, perHost)
  const overall = {...mergeScores([scores.overall, scoreOf(fleet.map(asResult))]), hosts: scores.overall.hosts}
  const scored = scores.groups.map((g) => {
    const extra = fleet.filter((f) => f.scope.kind === 'group' && f.scope.name === g.group).map(asResult)
    return extra.length === 0 ? g : {group: g.group, hosts: g.hosts, ...mergeScores([g, scoreOf(extra)])}
  })
  return withEvidence({hosts, fleet, scores: {...scores, overall, groups: scored}}, snapshots, rule, perHost)
}
