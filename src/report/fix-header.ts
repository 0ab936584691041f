import type {FixPlan} from '../engine/fixes/fix-plan.js'
import {terminalText} from './terminal-text.js'

/**
 * One line of a comment in a playbook or a script: control characters escaped (terminalText), and the line
 * separators YAML 1.1 (PyYAML, Ansible's reader) breaks lines at, so no value can end the comment and become code.
 */
export const commentText = (value: unknown): string => terminalText(value).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`)

/** The comment block at the top of a written plan: where it comes from and what it leaves out, and why. */
export function planHeader(plan: FixPlan, header: {source: string; generatedAt: string}, mark: string, only?: string): string {
  const lines = [`hatang fix — from ${header.source}, written ${header.generatedAt}`]
  const waived = plan.waived.filter((w) => !only || w.host === only)
  const hosts = plan.hosts.filter((h) => !only || h.host === only)
  const manual = hosts.flatMap((h) => h.manual.map((m) => ({host: h.host, ...m})))
  const notCollected = plan.notCollected.filter((n) => !only || n.host === only)
  const unknown = plan.unknown.filter((u) => !only || u.host === only)
  if (waived.length > 0) {
    lines.push('', 'Waived findings, left out:')
    for (const w of waived) lines.push(`  ${w.host}  ${w.check} (${w.severity}) — waived by ${w.approver} until ${w.expires}: ${w.reason}`)
  }
  if (manual.length > 0) {
    lines.push('', 'Findings to fix by hand (no automatic fix here):')
    for (const m of manual) lines.push(`  ${m.host}  ${m.check} (${m.severity})${m.reason ? ` — ${m.reason.en}` : ''}`)
  }
  if (unknown.length > 0) {
    lines.push('', 'Results unknown (nothing fixed without evidence):')
    for (const u of unknown) lines.push(`  ${u.host}  ${u.checks.length} checks: ${u.checks.join(', ')}`)
  }
  if (notCollected.length > 0) {
    lines.push('', 'Hosts not collected (no fix for what was not observed):')
    for (const n of notCollected) lines.push(`  ${n.host}  ${n.status}${n.reason ? `: ${n.reason}` : ''}`)
  }
  return lines.map((l) => (l === '' ? mark : `${mark} ${commentText(l)}`)).join('\n') + '\n'
}
