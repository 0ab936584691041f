/**
 * How much a failing check matters: the one list of severities, most severe first, with their scoring weights and the
 * fail-on policy. Every pack, score, summary, exit code and report reads them from here (a copy elsewhere is a bug
 * waiting to diverge: change a weight here and the score, the report's top risks and its score note all follow).
 */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const
export type Severity = (typeof SEVERITIES)[number]

/** How much a check weighs in a score, by severity. `info` checks weigh nothing: they are reported, never scored. */
export const SEVERITY_WEIGHTS: Readonly<Record<Severity, number>> = {critical: 10, high: 5, medium: 3, low: 1, info: 0}

/** Most severe first: sorts by severity (a string that is no severity sorts last). */
export const severityRank = (s: string): number => {
  const i = (SEVERITIES as readonly string[]).indexOf(s)
  return i < 0 ? SEVERITIES.length : i
}
export const bySeverity = (a: {severity: string}, b: {severity: string}): number => severityRank(a.severity) - severityRank(b.severity)

/** Critical or high: a host failing one is at risk (the report's "critical or high findings"). */
export const isSevere = (s: string): boolean => severityRank(s) <= severityRank('high')

/** `--fail-on`: a severity, or `none` (never fail on findings). */
export const FAIL_ON_CHOICES = [...SEVERITIES, 'none'] as const
export type FailOn = (typeof FAIL_ON_CHOICES)[number]
export const DEFAULT_FAIL_ON: FailOn = 'high'

/** The fail-on policy, once: whether a finding of `severity` is at or above `failOn` (never, for `none`). */
export const isAtOrAbove = (severity: string, failOn: FailOn): boolean => failOn !== 'none' && severityRank(severity) <= severityRank(failOn)

/** A zero for every severity, in order (for counting findings by severity). */
export const countsBySeverity = (): Record<Severity, number> => Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>
