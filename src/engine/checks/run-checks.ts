import {isRead} from '../../model/section.js'
import type {Severity} from '../../model/severity.js'
import type {Snapshot} from '../../model/snapshot.js'
import {why, type Why} from '../../model/why.js'
import {evaluate, RegexCache, sectionReason, sectionWhy, type Outcome} from './assertion.js'
import type {Check, Pack} from './pack.js'
import {evaluateSmartTrend, type SmartHistory} from './smart-trend.js'

/** `waived`: a failure (or unknown) an approved, unexpired waiver covers (see ../waivers.ts); never set by runChecks. */
export type CheckStatus = 'pass' | 'fail' | 'unknown' | 'not-applicable' | 'waived'

/** The waiver that turned a result into `waived`, and what the result was without it. */
export interface AppliedWaiver {
  /** The result before the waiver: fail or unknown. */
  status: 'fail' | 'unknown'
  reason: string
  approver: string
  /** Last day the waiver holds (YYYY-MM-DD). */
  expires: string
  /** Where the waiver is written: file:line. */
  source: string
}

export interface CheckResult {
  host: string
  pack: string
  check: string
  severity: Severity
  status: CheckStatus
  /** For fail and unknown: what was found, or why it could not be (English, the machine form). */
  reason?: string
  /** The reason as a template and parameters, for the reader's language (src/report/why-text.ts). */
  why?: Why
  /** Set when status is waived. */
  waiver?: AppliedWaiver
  /** Remarks for the reader, e.g. that a waiver for this result has expired. */
  note?: string
}

export interface HostResults {
  host: string
  results: CheckResult[]
  counts: Record<CheckStatus, number>
  /** Set when no check applied to the host: that is an error, never a pass. */
  error?: string
  /**
   * Set when the host's verdict rests on too little evidence (not collected, coverage below the floor, stale): the
   * reason. Such a host is "insufficient data", never compliant (see ../evidence.ts).
   */
  insufficient?: string
  /** The same, as a template and parameters for the reader's language. */
  insufficientWhy?: Why
}

function inList(value: string | undefined, list: readonly string[] | undefined): boolean | undefined {
  if (!list) return true
  if (value === undefined) return undefined
  return list.includes(value)
}

function intersects(values: readonly string[] | undefined, list: readonly string[] | undefined): boolean {
  return !list || (values ?? []).some((v) => list.includes(v))
}

/** Whether a check applies to a host: pass (applies), fail (does not) or unknown (with the reason). */
export function applicability(check: Check, snapshot: Snapshot, regexes: RegexCache): Outcome {
  const a = check.applies
  if (!a) return {verdict: 'pass'}
  if (!intersects(snapshot.host.groups, a.groups) || !intersects(snapshot.host.role ? [snapshot.host.role] : [], a.roles) || !intersects(snapshot.host.tags, a.tags)) {
    return {verdict: 'fail'}
  }
  if (a.family || a.distribution || a.versionId) {
    // a snapshot of a platform without the section lacks it: unknown, as any path into it
    const os = snapshot.sections.os as Snapshot['sections']['os'] | undefined
    if (!os) return {verdict: 'unknown', reason: "no section 'os' in the snapshot", why: why('section.absent', {section: 'os'})}
    if (!isRead(os.status)) return {verdict: 'unknown', reason: sectionReason('os', os), why: sectionWhy('os', os)}
    const checks = [inList(os.data?.family, a.family), inList(os.data?.distribution, a.distribution), inList(os.data?.versionId, a.versionId)]
    if (checks.includes(false)) return {verdict: 'fail'}
    if (checks.includes(undefined)) return {verdict: 'unknown', reason: 'the OS distribution or version is not reported', why: why('os.notReported')}
  }
  return a.when ? evaluate(a.when, snapshot, regexes) : {verdict: 'pass'}
}

/** How many results have each status. */
export function countStatuses(results: readonly CheckResult[]): Record<CheckStatus, number> {
  const counts: Record<CheckStatus, number> = {pass: 0, fail: 0, unknown: 0, 'not-applicable': 0, waived: 0}
  for (const r of results) counts[r.status]++
  return counts
}

/** Whether a pack's checks judge the host against earlier runs (smartTrend): only those need its SmartHistory. */
export function readsHistory(packs: readonly Pack[]): boolean {
  return packs.some((p) => p.checks.some((c) => 'smartTrend' in c.assert))
}

/**
 * Evaluates every check of the packs on one host's snapshot. `history`: what the store holds of the host's disks
 * before this run, for the checks that judge a trend (smartTrend); undefined when the run is judged without a store.
 */
export function runChecks(snapshot: Snapshot, packs: readonly Pack[], regexes = new RegexCache(), history?: SmartHistory): HostResults {
  const results: CheckResult[] = []
  for (const pack of packs) {
    for (const check of pack.checks) {
      const base = {host: snapshot.host.name, pack: pack.pack, check: check.id, severity: check.severity}
      const applies = applicability(check, snapshot, regexes)
      if (applies.verdict === 'fail') {
        results.push({...base, status: 'not-applicable'})
        continue
      }
      const outcome = applies.verdict === 'unknown' ? applies : 'smartTrend' in check.assert ? evaluateSmartTrend(snapshot, history) : evaluate(check.assert, snapshot, regexes)
      results.push({...base, status: outcome.verdict, ...(outcome.reason ? {reason: outcome.reason} : {}), ...(outcome.why ? {why: outcome.why} : {})})
    }
  }
  const counts = countStatuses(results)
  const applied = results.length - counts['not-applicable']
  return {host: snapshot.host.name, results, counts, ...(applied === 0 ? {error: 'no check applies to this host'} : {})}
}
