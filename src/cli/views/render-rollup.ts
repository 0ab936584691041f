import {terminalText} from '../../report/terminal-text.js'
import type {RollupOutcome} from '../../runs/rollup/rollup-report.js'

const pct = (n: number | null) => (n === null ? '—' : `${n} %`)

/** The roll-up's figures for a terminal: the root's score beside its coverage, hosts and sites, and what is short of evidence. */
export function renderRollupSummary(o: RollupOutcome): string {
  const what = o.root === '' ? 'whole estate' : `unit ${terminalText(o.root)}`
  const lines = [
    `${what}: score ${o.score ?? '—'} (coverage ${pct(o.coverage)}) — ${o.hosts.total} host${o.hosts.total === 1 ? '' : 's'} from ${o.sites} site${o.sites === 1 ? '' : 's'}, ${o.units} unit${o.units === 1 ? '' : 's'}`,
  ]
  if (o.hosts.notCollected > 0) lines.push(`not collected: ${o.hosts.notCollected} host${o.hosts.notCollected === 1 ? '' : 's'}`)
  if (o.hosts.insufficient > 0) lines.push(`insufficient data: ${o.hosts.insufficient} host${o.hosts.insufficient === 1 ? '' : 's'} (never counted as compliant)`)
  if (o.staleUnits.length > 0) lines.push(`stale data: ${o.staleUnits.map((u) => terminalText(u || 'whole estate')).join(', ')}`)
  return lines.join('\n')
}
