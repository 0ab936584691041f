import type {ChalkInstance} from 'chalk'

import type {Check, Pack} from '../engine/checks/pack.js'
import type {HostResults} from '../engine/checks/run-checks.js'
import type {FleetCheck} from '../engine/fleet/fleet-check.js'
import type {FleetFinding} from '../engine/fleet/types.js'
import type {Score, Scores} from '../engine/scores.js'
import {bySeverity} from '../model/severity.js'
import {fleetRuleText} from './fleet-rule.js'
import {loadLabels} from './locale.js'
import {terminalText as T} from './terminal-text.js'
import {readerReason} from './why-text.js'
import type {Why} from '../model/why.js'
import {plural} from '../model/plural.js'

/** A reason on the terminal: the machine form in English (the paths an administrator looks up), the reader's language otherwise. */
const terminalReason = (r: {reason?: string; why?: Why}, lang: Lang): string | undefined => (lang === 'en' ? r.reason : readerReason(r, lang))

export type Lang = 'vi' | 'en'

const LABELS = {
  en: {pass: 'pass', fail: 'fail', unknown: 'unknown', na: 'not applicable', waived: 'waived', score: 'score', overall: 'overall', group: 'group', until: 'until', hosts: 'hosts', findings: 'findings at or above', none: 'no finding',
    fleet: 'Fleet synchronization', role: 'role', all: 'fleet', majority: 'majority', expected: 'reference value', noData: 'no data', agree: 'comparisons agree', more: 'more',
    coverage: 'coverage', insufficient: 'insufficient data', insufficientHosts: (n: number, min: number) => `${plural(n, 'host')} with insufficient data (not collected, coverage below ${min} %, stale, or no check applies): never counted as compliant`},
  vi: {pass: 'đạt', fail: 'không đạt', unknown: 'chưa xác định', na: 'không áp dụng', waived: 'được miễn trừ', score: 'điểm', overall: 'tổng thể', group: 'nhóm', until: 'đến hết', hosts: 'máy', findings: 'phát hiện từ mức', none: 'không có phát hiện',
    fleet: 'Đồng bộ giữa các máy', role: 'vai trò', all: 'toàn bộ', majority: 'đa số', expected: 'giá trị chuẩn', noData: 'thiếu dữ liệu', agree: 'phép so sánh khớp nhau', more: 'máy khác',
    coverage: 'độ phủ', insufficient: 'không đủ dữ liệu', insufficientHosts: (n: number, min: number) => `${n} máy không đủ dữ liệu (không thu thập được, độ phủ dưới ${min} %, dữ liệu cũ hoặc không có kiểm tra nào áp dụng): không bao giờ được coi là tuân thủ`},
} as const

/** A score never without its coverage: `score 72.4 · coverage 85 %`. */
export const scoreText = (s: Pick<Score, 'score' | 'coverage'> | undefined, l: {score: string; coverage: string}) =>
  s ? `${l.score} ${s.score ?? '–'} · ${l.coverage} ${s.coverage === null ? '–' : `${s.coverage} %`}` : ''

/**
 * Check results for the terminal: per host its counts and score, then each failure and unknown with the
 * check's title, and each waived result with its waiver; then the score of each group and the overall one. Pure.
 */
export function renderCheckSummary(
  hosts: readonly HostResults[],
  packs: readonly Pack[],
  lang: Lang,
  c: ChalkInstance,
  scores?: Scores,
  fleet: readonly FleetFinding[] = [],
  minCoverage?: number,
): string {
  const l = LABELS[lang]
  const byId = new Map<string, Check>(packs.flatMap((p) => p.checks.map((ch) => [`${p.pack}/${ch.id}`, ch] as [string, Check])))
  const out: string[] = []
  hosts.forEach((h, i) => {
    const name = c.bold(T(h.host))
    if (h.results.length === 0) {
      if (h.error) out.push(`${name}  ${c.red(`✖ ${T(h.error)}`)}`)
      else if (h.insufficient) out.push(`${name}  ${c.red(`✖ ${l.insufficient}: ${T(h.insufficient)}`)}`)
      return
    }
    const k = h.counts
    const score = scoreText(scores?.hosts[i], l)
    out.push(
      `${name}  ${c.green(`${k.pass} ${l.pass}`)}, ${k.fail ? c.red(`${k.fail} ${l.fail}`) : `0 ${l.fail}`}, ${k.unknown ? c.yellow(`${k.unknown} ${l.unknown}`) : `0 ${l.unknown}`}, ${k['not-applicable']} ${l.na}` +
        `${k.waived ? `, ${c.cyan(`${k.waived} ${l.waived}`)}` : ''}${score ? `  ${c.bold(score)}` : ''}`,
    )
    if (h.insufficient) out.push(c.red(`  ✖ ${l.insufficient}: ${T(h.insufficient)}`))
    if (h.error) out.push(c.red(`  ✖ ${T(h.error)}`))
    const shown = h.results
      .filter((r) => r.status === 'fail' || r.status === 'unknown')
      .sort((a, b) => bySeverity(a, b) || (a.status === 'fail' ? -1 : 1))
    for (const r of shown) {
      const title = byId.get(`${r.pack}/${r.check}`)?.title[lang] ?? r.check
      const mark = r.status === 'fail' ? c.red('✖') : c.yellow('?')
      out.push(`  ${mark} ${r.severity.padEnd(8)} ${r.check}  ${title}${r.reason ? c.dim(` — ${T(terminalReason(r, lang))}`) : ''}`)
      if (r.note) out.push(c.yellow(`      ! ${T(r.note)}`))
    }
    for (const r of h.results.filter((x) => x.status === 'waived' && x.waiver)) {
      const w = r.waiver!
      const title = byId.get(`${r.pack}/${r.check}`)?.title[lang] ?? r.check
      out.push(c.cyan(`  ~ ${r.severity.padEnd(8)} ${r.check}  ${title}`) + c.dim(` — ${l.waived} (${l[w.status]}) ${l.until} ${w.expires}: ${T(w.reason)} — ${T(w.approver)}`))
    }
  })
  if (fleet.length > 0) out.push(...renderFleet(fleet, packs, lang, c))
  if (scores) {
    for (const g of scores.groups) out.push(`${l.group} ${c.bold(T(g.group))} (${g.hosts} ${l.hosts})  ${scoreText(g, l)}`)
    out.push(c.bold(`${l.overall} (${scores.overall.hosts} ${l.hosts})  ${scoreText(scores.overall, l)}`))
  }
  const insufficient = hosts.filter((h) => h.insufficient).length
  if (insufficient > 0 && minCoverage !== undefined) out.push(c.red(c.bold(l.insufficientHosts(insufficient, minCoverage))))
  return out.join('\n')
}

/** Up to `max` names, then how many more. */
function names(list: readonly string[], l: (typeof LABELS)[Lang], max = 10): string {
  const shown = list.slice(0, max).map(T).join(', ')
  return list.length <= max ? shown : `${shown} +${list.length - max} ${l.more}`
}

/**
 * Fleet findings: each failure with the majority value and its hosts, then every outlier with its value; each
 * unknown with the hosts that lack the data (and the first reason); waived ones with their waiver; then how many
 * comparisons agree. Pure.
 */
export function renderFleet(fleet: readonly FleetFinding[], packs: readonly Pack[], lang: Lang, c: ChalkInstance): string[] {
  const l = LABELS[lang]
  const byId = new Map<string, FleetCheck>(packs.flatMap((p) => (p.fleet ?? []).map((ch) => [`${p.pack}/${ch.id}`, ch] as [string, FleetCheck])))
  const scopeText = (f: FleetFinding) =>
    f.scope.kind === 'fleet' ? (f.scope.name === 'all' ? l.all : `${l.all} (${f.scope.name})`) : `${f.scope.kind === 'group' ? l.group : l.role} ${f.scope.name}`
  const labels = loadLabels(lang)
  const out = [c.bold(l.fleet)]
  const shown = fleet
    .filter((f) => f.status !== 'pass')
    .sort((a, b) => bySeverity(a, b) || (a.status === 'fail' ? -1 : b.status === 'fail' ? 1 : 0))
  for (const f of shown) {
    const title = byId.get(`${f.pack}/${f.check}`)?.title[lang] ?? f.check
    const mark = f.status === 'fail' ? c.red('✖') : f.status === 'waived' ? c.cyan('~') : c.yellow('?')
    const rule = fleetRuleText(f, labels)
    out.push(`  ${mark} ${f.severity.padEnd(8)} ${f.check}  ${title}${c.dim(` — ${T(scopeText(f))}: ${T(f.subject)}${rule ? `, ${T(rule)}` : ''}`)}`)
    if (f.status === 'unknown' && f.unknown.length === 0) {
      const reason = terminalReason(f, lang)
      if (reason) out.push(c.yellow(`      ? ${T(reason)}`))
    }
    if (f.status === 'fail' || (f.status === 'waived' && f.waiver?.status === 'fail')) {
      if (f.majority && f.majority.hosts.length > 0) out.push(`      ${f.rule === 'reference' ? l.expected : l.majority} ${c.bold(T(f.majority.value))}: ${names(f.majority.hosts, l)}`)
      const byValue = new Map<string, string[]>()
      for (const o of f.outliers) byValue.set(o.value, [...(byValue.get(o.value) ?? []), o.host])
      for (const [value, hosts] of byValue) out.push(c.red(`      ≠ ${T(value)}: ${names(hosts, l)}`))
    }
    if (f.unknown.length > 0) out.push(c.yellow(`      ? ${l.noData}: ${names(f.unknown.map((u) => u.host), l)}`) + c.dim(` — ${T(f.unknown[0]!.reason)}`))
    if (f.waiver) out.push(c.cyan(`      ~ ${l.waived} (${l[f.waiver.status]}) ${l.until} ${f.waiver.expires}: ${T(f.waiver.reason)} — ${T(f.waiver.approver)}`))
    if (f.note) out.push(c.yellow(`      ! ${T(f.note)}`))
  }
  const agree = fleet.filter((f) => f.status === 'pass').length
  out.push(c.green(`  ✓ ${agree} ${l.agree}`))
  return out
}
