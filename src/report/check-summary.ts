import type {ChalkInstance} from 'chalk'

import type {Check, Pack, Severity} from '../engine/checks/pack.js'
import type {HostResults} from '../engine/checks/run-checks.js'

export type Lang = 'vi' | 'en'

const LABELS = {
  en: {pass: 'pass', fail: 'fail', unknown: 'unknown', na: 'not applicable', hosts: 'hosts', findings: 'findings at or above', none: 'no finding'},
  vi: {pass: 'đạt', fail: 'không đạt', unknown: 'chưa xác định', na: 'không áp dụng', hosts: 'máy', findings: 'phát hiện từ mức', none: 'không có phát hiện'},
} as const

export const SEVERITY_ORDER: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info']

/** Check results for the terminal: per host its counts, then each failure and unknown with the check's title. Pure. */
export function renderCheckSummary(hosts: readonly HostResults[], packs: readonly Pack[], lang: Lang, c: ChalkInstance): string {
  const l = LABELS[lang]
  const byId = new Map<string, Check>(packs.flatMap((p) => p.checks.map((ch) => [`${p.pack}/${ch.id}`, ch] as [string, Check])))
  const out: string[] = []
  for (const h of hosts) {
    const k = h.counts
    out.push(`${c.bold(h.host)}  ${c.green(`${k.pass} ${l.pass}`)}, ${k.fail ? c.red(`${k.fail} ${l.fail}`) : `0 ${l.fail}`}, ${k.unknown ? c.yellow(`${k.unknown} ${l.unknown}`) : `0 ${l.unknown}`}, ${k['not-applicable']} ${l.na}`)
    if (h.error) out.push(c.red(`  ✖ ${h.error}`))
    const shown = h.results
      .filter((r) => r.status === 'fail' || r.status === 'unknown')
      .sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) || (a.status === 'fail' ? -1 : 1))
    for (const r of shown) {
      const title = byId.get(`${r.pack}/${r.check}`)?.title[lang] ?? r.check
      const mark = r.status === 'fail' ? c.red('✖') : c.yellow('?')
      out.push(`  ${mark} ${r.severity.padEnd(8)} ${r.check}  ${title}${r.reason ? c.dim(` — ${r.reason}`) : ''}`)
    }
  }
  return out.join('\n')
}
