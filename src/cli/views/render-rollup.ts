import {terminalText} from '../../report/terminal-text.js'
import type {RollupOutcome} from '../../runs/rollup/rollup-report.js'
import {plural} from '../../model/plural.js'

const pct = (n: number | null) => (n === null ? '—' : `${n} %`)

/** The roll-up's figures for a terminal: the root's score beside its coverage, hosts and sites, and what is short of evidence. */
export function renderRollupSummary(o: RollupOutcome): string {
  const what = o.root === '' ? 'whole estate' : `unit ${terminalText(o.root)}`
  const lines = [
    `${what}: score ${o.score ?? '—'} (coverage ${pct(o.coverage)}) — ${plural(o.hosts.total, 'host')} from ${plural(o.sites, 'site')}, ${plural(o.units, 'unit')}`,
  ]
  if (o.hosts.notCollected > 0) lines.push(`not collected: ${plural(o.hosts.notCollected, 'host')}`)
  if (o.hosts.insufficient > 0) lines.push(`insufficient data: ${plural(o.hosts.insufficient, 'host')} (never counted as compliant)`)
  if (o.staleUnits.length > 0) lines.push(`stale data: ${o.staleUnits.map((u) => terminalText(u || 'whole estate')).join(', ')}`)
  return lines.join('\n')
}
