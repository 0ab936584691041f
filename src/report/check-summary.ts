import type {ChalkInstance} from 'chalk'

import type {Check, Pack, Severity} from '../engine/checks/pack.js'
import type {HostResults} from '../engine/checks/run-checks.js'
import type {Score, Scores} from '../engine/scores.js'

export type Lang = 'vi' | 'en'

const LABELS = {
  en: {pass: 'pass', fail: 'fail', unknown: 'unknown', na: 'not applicable', waived: 'waived', score: 'score', overall: 'overall', group: 'group', until: 'until', hosts: 'hosts', findings: 'findings at or above', none: 'no finding'},
  vi: {pass: 'đạt', fail: 'không đạt', unknown: 'chưa xác định', na: 'không áp dụng', waived: 'được miễn trừ', score: 'điểm', overall: 'tổng thể', group: 'nhóm', until: 'đến hết', hosts: 'máy', findings: 'phát hiện từ mức', none: 'không có phát hiện'},
} as const

export const SEVERITY_ORDER: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info']

const scoreText = (s: Score | undefined, l: (typeof LABELS)[Lang]) => (s ? `${l.score} ${s.score ?? '–'}` : '')

/**
 * Check results for the terminal: per host its counts and score, then each failure and unknown with the
 * check's title, and each waived result with its waiver; then the score of each group and the overall one. Pure.
 */
export function renderCheckSummary(hosts: readonly HostResults[], packs: readonly Pack[], lang: Lang, c: ChalkInstance, scores?: Scores): string {
  const l = LABELS[lang]
  const byId = new Map<string, Check>(packs.flatMap((p) => p.checks.map((ch) => [`${p.pack}/${ch.id}`, ch] as [string, Check])))
  const out: string[] = []
  hosts.forEach((h, i) => {
    const k = h.counts
    const score = scoreText(scores?.hosts[i], l)
    out.push(
      `${c.bold(h.host)}  ${c.green(`${k.pass} ${l.pass}`)}, ${k.fail ? c.red(`${k.fail} ${l.fail}`) : `0 ${l.fail}`}, ${k.unknown ? c.yellow(`${k.unknown} ${l.unknown}`) : `0 ${l.unknown}`}, ${k['not-applicable']} ${l.na}` +
        `${k.waived ? `, ${c.cyan(`${k.waived} ${l.waived}`)}` : ''}${score ? `  ${c.bold(score)}` : ''}`,
    )
    if (h.error) out.push(c.red(`  ✖ ${h.error}`))
    const shown = h.results
      .filter((r) => r.status === 'fail' || r.status === 'unknown')
      .sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) || (a.status === 'fail' ? -1 : 1))
    for (const r of shown) {
      const title = byId.get(`${r.pack}/${r.check}`)?.title[lang] ?? r.check
      const mark = r.status === 'fail' ? c.red('✖') : c.yellow('?')
      out.push(`  ${mark} ${r.severity.padEnd(8)} ${r.check}  ${title}${r.reason ? c.dim(` — ${r.reason}`) : ''}`)
      if (r.note) out.push(c.yellow(`      ! ${r.note}`))
    }
    for (const r of h.results.filter((x) => x.status === 'waived' && x.waiver)) {
      const w = r.waiver!
      const title = byId.get(`${r.pack}/${r.check}`)?.title[lang] ?? r.check
      out.push(c.cyan(`  ~ ${r.severity.padEnd(8)} ${r.check}  ${title}`) + c.dim(` — ${l.waived} (${l[w.status]}) ${l.until} ${w.expires}: ${w.reason} — ${w.approver}`))
    }
  })
  if (scores) {
    for (const g of scores.groups) out.push(`${l.group} ${c.bold(g.group)} (${g.hosts} ${l.hosts})  ${scoreText(g, l)}`)
    out.push(c.bold(`${l.overall} (${scores.overall.hosts} ${l.hosts})  ${scoreText(scores.overall, l)}`))
  }
  return out.join('\n')
}
