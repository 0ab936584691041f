import type {Score} from './scores.js'
import {why, type Why} from '../model/why.js'
import {DAY_MS} from '../model/days.js'

/** Below this coverage (checks judged ÷ checks applicable, in %) a host is "insufficient data" unless told otherwise. */
export const DEFAULT_MIN_COVERAGE = 80
/** A host collected longer ago than this many days is stale unless told otherwise. */
export const DEFAULT_STALE_AFTER_DAYS = 7

/** What decides whether a host's verdict rests on enough evidence. */
export interface EvidenceRule {
  /** Percent of applicable checks that must have been judged. */
  minCoverage: number
  /** A collection older than this many days before `now` is stale. */
  staleAfterDays: number
  /** The moment staleness is measured from: now for `check`, the run's start for a run's report. */
  now: Date
}

/** What the rule reads of one host. */
export interface EvidenceOf {
  /** Collected (ok, partial) or not. */
  collected: boolean
  /** The host's status when not collected (unreachable, timeout…), for the reason. */
  status: string
  collectedAt: string
  score: Pick<Score, 'coverage' | 'counts'>
  /** The host's check error: no check applies, or it was not collected. */
  error?: string
  /** Whether per-host checks were run at all (a run judged by fleet packs only has none). */
  perHost: boolean
}

/** Whole days between a collection and `now`. */
export function ageInDays(collectedAt: string, now: Date): number {
  return Math.floor((now.getTime() - Date.parse(collectedAt)) / DAY_MS)
}

/** Whether a collection is older than the rule allows; a host never collected is never fresh. */
export function isStale(e: Pick<EvidenceOf, 'collected' | 'collectedAt'>, rule: Pick<EvidenceRule, 'staleAfterDays' | 'now'>): boolean {
  if (!e.collected) return true
  const t = Date.parse(e.collectedAt)
  return Number.isNaN(t) || rule.now.getTime() - t > rule.staleAfterDays * DAY_MS
}

/**
 * Why a host's verdict does not rest on enough evidence, or undefined when it does: not collected, no check applies,
 * fewer applicable checks judged than the rule's floor, or a collection older than the staleness limit. Such a host is
 * "insufficient data": never counted as compliant, and `check`/`audit` exit 6. Pure.
 */
export function insufficientEvidence(e: EvidenceOf, rule: EvidenceRule): string | undefined {
  return insufficientOf(e, rule)?.reason
}

/** insufficientEvidence's reason, with its why for the reader's language. */
export function insufficientOf(e: EvidenceOf, rule: EvidenceRule): {reason: string; why: Why} | undefined {
  if (!e.collected) return {reason: `not collected (${e.status})`, why: why('evidence.notCollected', {status: e.status})}
  if (e.perHost && e.score.coverage === null) return e.error ? {reason: e.error, why: why('evidence.error', {detail: e.error})} : {reason: 'no check applies to this host', why: why('evidence.noCheck')}
  if (e.perHost && e.score.coverage !== null && e.score.coverage < rule.minCoverage) {
    const c = e.score.counts
    const judged = c.pass + c.fail + c.waived
    return {
      reason: `coverage ${e.score.coverage} % (${judged} of ${judged + c.unknown} applicable checks judged; the rest unknown), below ${rule.minCoverage} %`,
      why: why('evidence.coverage', {coverage: e.score.coverage, judged, applicable: judged + c.unknown, min: rule.minCoverage}),
    }
  }
  // stale data is no evidence of today, whatever judged it (per-host or fleet checks)
  if (isStale(e, rule)) {
    const days = ageInDays(e.collectedAt, rule.now)
    return {reason: `stale: collected ${days} days ago (limit ${rule.staleAfterDays} days)`, why: why('evidence.stale', {days, limit: rule.staleAfterDays})}
  }
  return undefined
}
