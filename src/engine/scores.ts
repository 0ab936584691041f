import {SEVERITY_WEIGHTS} from '../model/severity.js'
import type {CheckResult, HostResults} from './checks/run-checks.js'

export interface Score {
  /**
   * 100 × passed weight / (passed + failed weight), one decimal; waived results count as passed, unknown
   * and not-applicable ones are left out. null when nothing weighs (no scored check passed or failed).
   * Never read without `coverage`: a score over few judged checks says little.
   */
  score: number | null
  /**
   * How much of what applies was judged: 100 × (pass + fail + waived) ÷ (pass + fail + waived + unknown), one
   * decimal; null when no check applied. Unknown results (no evidence) lower it; not-applicable ones do not count.
   */
  coverage: number | null
  passedWeight: number
  failedWeight: number
  counts: {pass: number; fail: number; unknown: number; waived: number; notApplicable: number}
}

export interface HostScore extends Score {
  host: string
}

export interface GroupScore extends Score {
  group: string
  /** Hosts of the group that were checked. */
  hosts: number
}

export interface Scores {
  /** Every host's results pooled (not the mean of the host scores). */
  overall: Score & {hosts: number}
  hosts: HostScore[]
  /** Per inventory group, each group's hosts' results pooled; sorted by name. */
  groups: GroupScore[]
}

/** The score of a set of results. Pure. */
export function scoreOf(results: readonly CheckResult[]): Score {
  const counts = {pass: 0, fail: 0, unknown: 0, waived: 0, notApplicable: 0}
  let passedWeight = 0
  let failedWeight = 0
  for (const r of results) {
    const w = SEVERITY_WEIGHTS[r.severity]
    if (r.status === 'pass' || r.status === 'waived') {
      counts[r.status === 'pass' ? 'pass' : 'waived']++
      passedWeight += w
    } else if (r.status === 'fail') {
      counts.fail++
      failedWeight += w
    } else if (r.status === 'unknown') counts.unknown++
    else counts.notApplicable++
  }
  return scored(passedWeight, failedWeight, counts)
}

/**
 * Checks judged (with evidence: passed, failed, or waived by an approved waiver) ÷ checks applicable (those and the
 * unknown ones), as a percentage with one decimal; null when nothing applied. Pure.
 */
export function coverageOf(counts: Pick<Score['counts'], 'pass' | 'fail' | 'waived' | 'unknown'>): number | null {
  const judged = counts.pass + counts.fail + counts.waived
  const applicable = judged + counts.unknown
  return applicable === 0 ? null : Math.floor((1000 * judged) / applicable) / 10
}

/** 100 × passed weight ÷ (passed + failed weight), one decimal; null when nothing counted; with its coverage. */
export function scored(passedWeight: number, failedWeight: number, counts: Score['counts']): Score {
  const total = passedWeight + failedWeight
  return {score: total === 0 ? null : Math.round((1000 * passedWeight) / total) / 10, coverage: coverageOf(counts), passedWeight, failedWeight, counts}
}

/** The score of several scores' results together (their weights and counts summed): no result is read again. Pure. */
export function mergeScores(parts: readonly Score[]): Score {
  const counts = {pass: 0, fail: 0, unknown: 0, waived: 0, notApplicable: 0}
  let passedWeight = 0
  let failedWeight = 0
  for (const p of parts) {
    passedWeight += p.passedWeight
    failedWeight += p.failedWeight
    for (const k of Object.keys(counts) as (keyof typeof counts)[]) counts[k] += p.counts[k]
  }
  return scored(passedWeight, failedWeight, counts)
}

const scorePart = (s: Score): Score => ({score: s.score, coverage: s.coverage, passedWeight: s.passedWeight, failedWeight: s.failedWeight, counts: s.counts})

/**
 * Scores per host, per group and overall. `groupsOf` gives a host's inventory groups (the snapshot's
 * host.groups); a host in no group counts only for itself and overall. A group's and the overall score pool
 * their hosts' results (not the mean of host scores). Pure.
 */
export function computeScores(hosts: readonly HostResults[], groupsOf: (host: string) => readonly string[] | undefined = () => undefined): Scores {
  const hostScores = hosts.map((h) => ({host: h.host, ...scoreOf(h.results)}))
  const byGroup = new Map<string, Score[]>()
  hosts.forEach((h, i) => {
    for (const g of new Set(groupsOf(h.host) ?? [])) {
      const list = byGroup.get(g) ?? []
      list.push(hostScores[i]!)
      byGroup.set(g, list)
    }
  })
  return {
    overall: {...mergeScores(hostScores), hosts: hosts.length},
    hosts: hostScores,
    groups: [...byGroup.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([group, list]) => ({group, hosts: list.length, ...mergeScores(list.map(scorePart))})),
  }
}
