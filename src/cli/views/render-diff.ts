import type {FieldChange, FindingRef, RunDiff} from '../../engine/diff.js'
import {terminalText} from '../../report/terminal-text.js'

/** Items of one kind shown per host before "… and N more". */
const SHOWN = 15

const value = (v: string | null) => v ?? '(none)'
const change = (c: FieldChange) => `${c.section} ${c.field}: ${value(c.from)} → ${value(c.to)}`

function capped<T>(items: readonly T[], line: (item: T) => string, indent: string, shown = SHOWN): string[] {
  const out = items.slice(0, shown).map((i) => `${indent}${line(i)}`)
  if (items.length > shown) out.push(`${indent}… and ${items.length - shown} more (--json for all)`)
  return out
}

const finding = (f: FindingRef) => `${f.severity.padEnd(8)} ${f.host}  ${f.pack}/${f.check}${f.reason ? ` — ${f.reason.split('\n')[0]}` : ''}`

/** What changed between two runs, for the terminal. Pure. */
export function renderDiff(d: RunDiff): string {
  const day = (iso: string) => iso.slice(0, 16).replace('T', ' ')
  const out = [`run ${d.from.id} (${day(d.from.startedAt)}) → run ${d.to.id} (${day(d.to.startedAt)}): ${d.hosts.compared} hosts in both, ${d.changed.length} changed`]
  if (d.hosts.appeared.length > 0) out.push(`hosts appeared (${d.hosts.appeared.length}): ${d.hosts.appeared.join(', ')}`)
  if (d.hosts.disappeared.length > 0) out.push(`hosts gone (${d.hosts.disappeared.length}): ${d.hosts.disappeared.join(', ')}`)
  for (const h of d.changed) {
    const p = h.packages
    out.push('', h.host)
    out.push(...capped(h.hardware, (c) => `hardware  ${change(c)}`, '  '))
    out.push(...capped(h.os, (c) => `os        ${c.field}: ${value(c.from)} → ${value(c.to)}`, '  '))
    const counts = [`${p.upgraded.length} upgraded`, `${p.downgraded.length} downgraded`, `${p.added.length} added`, `${p.removed.length} removed`]
    if (p.upgraded.length + p.downgraded.length + p.added.length + p.removed.length > 0) out.push(`  packages  ${counts.join(', ')}`)
    out.push(...capped(p.upgraded, (x) => `upgraded    ${x.name} ${x.from} → ${x.to}`, '    '))
    out.push(...capped(p.downgraded, (x) => `downgraded  ${x.name} ${x.from} → ${x.to}`, '    '))
    out.push(...capped(p.added, (x) => `added       ${x.name} ${x.version}`, '    '))
    out.push(...capped(p.removed, (x) => `removed     ${x.name} ${x.version}`, '    '))
    for (const n of h.notCompared) out.push(`  not compared: ${n}`)
  }
  out.push('')
  if (!d.findings) out.push(`findings: not compared — ${d.findingsNote ?? 'a run was not judged'}`)
  else {
    out.push(`findings: ${d.findings.new.length} new, ${d.findings.fixed.length} fixed`)
    out.push(...capped(d.findings.new, (f) => `new    ${finding(f)}`, '  ', 50))
    out.push(...capped(d.findings.fixed, (f) => `fixed  ${finding(f)}`, '  ', 50))
  }
  return out.map(terminalText).join('\n')
}
