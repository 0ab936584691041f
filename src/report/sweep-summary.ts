import type {ChalkInstance} from 'chalk'

import type {HostOutcome} from '../collect/sweep.js'
import type {HostStatus} from '../model/host-status.js'
import type {SectionSelection} from '../model/section-selection.js'
import {selectionLine} from './selection-line.js'
import {terminalText} from './terminal-text.js'

export interface SweepReport {
  startedAt: string
  finishedAt: string
  durationMs: number
  hostsFile: string
  limit?: string
  /** The sections asked for (--sections, --skip) and those left out; absent when every section was. */
  selection?: SectionSelection
  outputDir: string
  interrupted: boolean
  counts: Partial<Record<HostStatus, number>>
  hosts: {
    name: string
    address: string
    port: number
    status: HostStatus
    reason?: string
    /** Set when the host was collected a second time (its first attempt timed out while the sweep was saturated): why. */
    retried?: string
    durationMs: number
    file: string
  }[]
}

/** A sweep's outcome for the terminal: counts, then every host that was not fully collected and why. Pure. */
export function renderSweepSummary(report: SweepReport, c: ChalkInstance): string {
  const out: string[] = []
  const total = report.hosts.length
  const collected = (report.counts.ok ?? 0) + (report.counts.partial ?? 0)
  out.push(c.bold(`${collected} of ${total} hosts collected in ${(report.durationMs / 1000).toFixed(1)} s`) + (report.interrupted ? c.red(' (interrupted)') : ''))
  out.push(Object.entries(report.counts).map(([s, n]) => `${n} ${s}`).join(', '))
  if (report.selection) out.push(c.dim(selectionLine(report.selection)))
  const retried = report.hosts.filter((h) => h.retried)
  if (retried.length > 0) {
    const names = retried.map((h) => terminalText(h.name))
    out.push(`${retried.length} collected a second time, having timed out while the sweep was saturated: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''}`)
  }
  const trouble = report.hosts.filter((h) => h.status !== 'ok')
  if (trouble.length > 0) out.push('')
  for (const h of trouble) {
    const paint = h.status === 'partial' ? c.yellow : c.red
    // a reason may carry what the host sent (a banner, an error): printed as text, never as terminal controls
    const [first, ...rest] = (h.reason ?? '').split('\n').map(terminalText)
    out.push(`${paint(h.status.padEnd(16))} ${h.name} (${h.address}:${h.port})${first ? ` — ${first}` : ''}`)
    for (const line of rest) out.push(`${' '.repeat(17)}${line}`)
  }
  out.push('', `snapshots: ${report.outputDir}`)
  return out.join('\n')
}
