import type {PlanJson} from '../../runs/write-fix-plan.js'
import type {Lang} from '../../report/locale.js'
import {terminalText} from '../../report/terminal-text.js'

/**
 * The plan for a terminal (`hatang fix --check`, and after writing): per host, what changes and what stays by hand,
 * then what was left out (waived, unknown, not collected). Every name and reason goes through terminalText.
 */
export function renderFixPlan(plan: PlanJson, lang: Lang, written?: {dir: string; format: string; files: number}): string {
  const t = terminalText
  const lines: string[] = []
  for (const h of plan.hosts) {
    lines.push(`${t(h.host)}: ${h.fixes.length} automatic, ${h.manual.length} manual`)
    for (const f of h.fixes) lines.push(`  fix     ${t(f.check)} (${f.severity}${f.risk === 'none' ? '' : `, ${f.risk}`})`)
    for (const m of h.manual) lines.push(`  manual  ${t(m.check)} (${m.severity})${m.reason ? ` — ${t(m.reason[lang])}` : ''}`)
  }
  if (plan.hosts.length === 0) lines.push('Nothing to fix: no failed finding on a collected host (of those selected).')
  for (const w of plan.waived) lines.push(`waived, left out: ${t(w.host)} ${t(w.check)} — ${t(w.reason)} (${t(w.approver)}, until ${t(w.expires)})`)
  for (const u of plan.unknown) lines.push(`unknown, not fixed: ${t(u.host)} ${u.checks.length} checks`)
  for (const n of plan.notCollected) lines.push(`not collected, no fix: ${t(n.host)} (${t(n.status)}${n.reason ? `: ${t(n.reason)}` : ''})`)
  if (plan.unplaced.length > 0)
    lines.push(
      plan.hostsFile
        ? `warning: ${plan.unplaced.map(t).join(', ')} not in ${t(plan.hostsFile)}: the inventory has only their address (no user, key or known hosts)`
        : `warning: no hosts file: the inventory has only the hosts' addresses (no user, key or known hosts); give --hosts FILE`,
    )
  const c = plan.counts
  lines.push(`${c.automatic} findings fixed automatically on ${plan.hosts.filter((h) => h.fixes.length > 0).length} hosts, ${c.manual} by hand, ${c.waived} waived.`)
  if (written) lines.push(`Written to ${t(written.dir)} (${written.format}, ${written.files} files).`)
  return lines.join('\n')
}
