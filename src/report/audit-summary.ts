import type {ChalkInstance} from 'chalk'

import type {Severity} from '../engine/checks/pack.js'
import type {RunEvaluation} from '../engine/evaluate-run.js'

export interface AuditOutcome {
  startedAt: string
  finishedAt: string
  /** Hosts attempted and collected (ok or partial). */
  hosts: {total: number; collected: number; notCollected: {name: string; status: string; reason?: string}[]}
  interrupted: boolean
  failOn: Severity | 'none'
  /** Failing results (per host and fleet) by severity. */
  findings: Record<Severity, number>
  /** Findings at or above --fail-on. */
  blocking: number
  /** The most severe findings (at most 10), for the summary: host (or scope), check id, severity, title. */
  top: {where: string; check: string; severity: Severity; title: string}[]
  score: number | null
  /** Files written (reports, log). */
  files: string[]
  /** The store's run id, when stored. */
  run?: string
  exitCode: number
}

const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info']

/** Failing per-host results and fleet findings, counted by severity. Pure. */
export function countFindings(evaluation: RunEvaluation): Record<Severity, number> {
  const counts: Record<Severity, number> = {critical: 0, high: 0, medium: 0, low: 0, info: 0}
  for (const h of evaluation.hosts) for (const r of h.results) if (r.status === 'fail') counts[r.severity]++
  for (const f of evaluation.fleet) if (f.status === 'fail') counts[f.severity]++
  return counts
}

/** Findings at or above a severity ('none': never). Pure. */
export function findingsAtOrAbove(counts: Record<Severity, number>, failOn: Severity | 'none'): number {
  if (failOn === 'none') return 0
  return SEVERITIES.slice(0, SEVERITIES.indexOf(failOn) + 1).reduce((n, s) => n + counts[s], 0)
}

/** The most severe failing results and fleet findings at or above failOn, at most `limit`, titles in `lang`. Pure. */
export function topFindings(evaluation: RunEvaluation, titles: (pack: string, check: string) => string, failOn: Severity | 'none', limit = 10): AuditOutcome['top'] {
  if (failOn === 'none') return []
  const max = SEVERITIES.indexOf(failOn)
  const all = [
    ...evaluation.hosts.flatMap((h) => h.results.filter((r) => r.status === 'fail').map((r) => ({where: h.host, check: r.check, severity: r.severity, title: titles(r.pack, r.check)}))),
    ...evaluation.fleet.filter((f) => f.status === 'fail').map((f) => ({where: `${f.scope.kind} ${f.scope.name}`, check: f.check, severity: f.severity, title: titles(f.pack, f.check)})),
  ]
  return all
    .filter((f) => SEVERITIES.indexOf(f.severity) <= max)
    .sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || a.where.localeCompare(b.where) || a.check.localeCompare(b.check))
    .slice(0, limit)
}

/** The audit's outcome in a few lines for the terminal (and the log). Pure. */
export function renderAuditSummary(o: AuditOutcome, c: ChalkInstance): string {
  const out: string[] = []
  const secs = ((Date.parse(o.finishedAt) - Date.parse(o.startedAt)) / 1000).toFixed(1)
  out.push(c.bold(`hatang audit: ${o.hosts.collected} of ${o.hosts.total} host${o.hosts.total === 1 ? '' : 's'} collected in ${secs} s`) + (o.interrupted ? c.red(' (interrupted)') : ''))
  for (const h of o.hosts.notCollected) out.push(c.red(`  ${h.status.padEnd(16)} ${h.name}${h.reason ? ` — ${h.reason.split('\n')[0]}` : ''}`))
  out.push(`score ${o.score ?? '–'}   findings: ${SEVERITIES.map((s) => `${o.findings[s]} ${s}`).join(', ')}`)
  if (o.failOn !== 'none') {
    out.push(o.blocking > 0 ? c.red(`${o.blocking} finding${o.blocking === 1 ? '' : 's'} at or above ${o.failOn}`) : c.green(`no finding at or above ${o.failOn}`))
  }
  for (const f of o.top) out.push(`  ${c.red('✖')} ${f.severity.padEnd(8)} ${f.where}  ${f.check}  ${f.title}`)
  if (o.blocking > o.top.length) out.push(c.dim(`  … and ${o.blocking - o.top.length} more in the report`))
  if (o.run) out.push(`stored as run ${o.run}`)
  for (const f of o.files) out.push(`wrote ${f}`)
  return out.join('\n')
}
