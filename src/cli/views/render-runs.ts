import {isCollected} from '../../model/host-status.js'
import {terminalText} from '../../report/terminal-text.js'
import type {RunHost, RunRecord} from '../../store/store.js'
import type {DamagedSnapshot} from '../../store/unreadable-snapshot.js'

const time = (iso: string | null) => (iso ? iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, 'Z') : '-')
const score = (s: number | null) => (s === null ? '-' : s.toFixed(1))
const coverage = (c: number | null) => (c === null ? '-' : `${c.toFixed(1)}%`)

/** One line per run, newest first. Pure. */
export function renderRunList(runs: readonly RunRecord[], file: string): string {
  if (runs.length === 0) return `no runs in ${file}`
  const head = `${'ID'.padStart(5)}  ${'STARTED (UTC)'.padEnd(17)}  ${'STATE'.padEnd(11)}  ${'SOURCE'.padEnd(8)}  ${'HOSTS'.padStart(5)}  ${'COLLECTED'.padStart(9)}  ${'FAILED'.padStart(6)}  ${'SCORE'.padStart(5)}  COVERAGE`
  const rows = runs.map(
    (r) =>
      `${String(r.id).padStart(5)}  ${time(r.startedAt).padEnd(17)}  ${r.state.padEnd(11)}  ${r.source.padEnd(8)}  ${String(r.hosts.total).padStart(5)}  ${String(r.hosts.collected).padStart(9)}  ${String(r.checks.fail).padStart(6)}  ${score(r.score).padStart(5)}  ${coverage(r.coverage)}`,
  )
  return [head, ...rows].map(terminalText).join('\n')
}

/** A run: who, when, how its hosts went (and which stored snapshots cannot be read), its checks and score. Pure. */
export function renderRun(run: RunRecord, hosts: readonly RunHost[], damaged: readonly DamagedSnapshot[] = []): string {
  const out = [
    `run ${run.id}: ${run.state}${run.note ? ` — ${run.note}` : ''}`,
    `  source      ${run.source}${run.hostsFile ? ` (${run.hostsFile})` : ''}`,
    `  started     ${time(run.startedAt)}`,
    `  finished    ${time(run.finishedAt)}`,
    `  operator    ${run.operator ?? '-'}`,
    `  site        ${run.site ?? '-'}`,
    `  uuid        ${run.uuid}`,
    `  hatang      ${run.toolVersion}`,
    `  hosts       ${run.hosts.collected} of ${run.hosts.total} collected`,
    `  checks      ${run.checks.pass} pass, ${run.checks.fail} fail, ${run.checks.unknown} unknown, ${run.checks.waived} waived, ${run.checks.notApplicable} not applicable`,
    `  score       ${score(run.score)} (coverage ${coverage(run.coverage)}: checks judged of those that apply)`,
  ]
  if (hosts.length > 0) out.push('')
  for (const h of hosts) {
    // an uncollected host's check error only repeats its status and reason
    const collected = isCollected(h.status)
    const why = [h.reason?.split('\n')[0], collected ? h.checkError : null].filter(Boolean).join('; ')
    out.push(`  ${h.status.padEnd(16)} ${h.host.padEnd(24)} ${time(h.collectedAt)}${why ? `  ${why}` : ''}`)
    const damage = damaged.find((d) => d.host === h.host)
    if (damage) out.push(`  ${''.padEnd(16)} ${''.padEnd(24)} DAMAGED: its stored snapshot cannot be read (${damage.problem})`)
  }
  return out.map(terminalText).join('\n')
}
