import type {ChalkInstance} from 'chalk'

import type {LevelProfile} from '../engine/checks/level-profile.js'
import type {RunEvaluation} from '../engine/evaluate-run.js'
import {selectionFlag, type SectionSelection} from '../model/section-selection.js'
import {bySeverity, countsBySeverity, isAtOrAbove, SEVERITIES, type FailOn, type Severity} from '../model/severity.js'
import {levelProfileLine} from './level-profile-line.js'
import {loadLabels, type Lang} from './locale.js'
import {terminalText as T} from './terminal-text.js'
import {plural} from '../model/plural.js'

export interface AuditOutcome {
  startedAt: string
  finishedAt: string
  /** Hosts attempted and collected (ok or partial). */
  hosts: {total: number; collected: number; notCollected: {name: string; status: string; reason?: string}[]}
  interrupted: boolean
  failOn: FailOn
  /** Failing results (per host and fleet) by severity. */
  findings: Record<Severity, number>
  /** Findings at or above --fail-on. */
  blocking: number
  /** The most severe findings (at most 10), for the summary: host (or scope), check id, severity, title. */
  top: {where: string; check: string; severity: Severity; title: string}[]
  score: number | null
  /** Checks judged ÷ checks applicable, in %, beside the score. */
  coverage: number | null
  /** The evidence rule's floor, in %. */
  minCoverage: number
  /** Hosts whose verdict rests on too little evidence (not collected ones included), and why: "insufficient data", never compliant. */
  insufficient: {name: string; reason: string}[]
  /** Files written (reports, log). */
  files: string[]
  /** The store's run id, when stored. */
  run?: string
  /** audit --level: the security level profile the run was judged with. */
  level?: LevelProfile
  /** audit --sections or --skip: the sections asked for and those left out (their checks are unknown). */
  selection?: SectionSelection
  /** audit --push: where the run went (host:port/database) and its id there, or why it did not go. */
  push?: {target: string; centreRun?: number; already?: boolean; error?: string}
  exitCode: number
}

/** Failing per-host results and fleet findings, counted by severity. Pure. */
export function countFindings(evaluation: RunEvaluation): Record<Severity, number> {
  const counts = countsBySeverity()
  for (const h of evaluation.hosts) for (const r of h.results) if (r.status === 'fail') counts[r.severity]++
  for (const f of evaluation.fleet) if (f.status === 'fail') counts[f.severity]++
  return counts
}

/** Findings at or above a severity ('none': never). Pure. */
export function findingsAtOrAbove(counts: Record<Severity, number>, failOn: FailOn): number {
  return SEVERITIES.filter((s) => isAtOrAbove(s, failOn)).reduce((n, s) => n + counts[s], 0)
}

/** The most severe failing results and fleet findings at or above failOn, at most `limit`, titles in `lang`. Pure. */
export function topFindings(evaluation: RunEvaluation, titles: (pack: string, check: string) => string, failOn: FailOn, limit = 10): AuditOutcome['top'] {
  const all = [
    ...evaluation.hosts.flatMap((h) => h.results.filter((r) => r.status === 'fail').map((r) => ({where: h.host, check: r.check, severity: r.severity, title: titles(r.pack, r.check)}))),
    ...evaluation.fleet.filter((f) => f.status === 'fail').map((f) => ({where: `${f.scope.kind} ${f.scope.name}`, check: f.check, severity: f.severity, title: titles(f.pack, f.check)})),
  ]
  return all
    .filter((f) => isAtOrAbove(f.severity, failOn))
    .sort((a, b) => bySeverity(a, b) || a.where.localeCompare(b.where) || a.check.localeCompare(b.check))
    .slice(0, limit)
}

/** Severity names as the report writes them (templates/locales, `sev.*`), in lower case for a sentence. */
const severityNames = (lang: Lang): Record<Severity, string> => {
  const labels = loadLabels(lang)
  return Object.fromEntries(SEVERITIES.map((s) => [s, (labels[`sev.${s}`] ?? s).toLowerCase()])) as Record<Severity, string>
}

/** The summary's words; host statuses, check ids and severities in the listed lines stay as in the JSON and the log. */
const LABELS = {
  en: {
    head: (collected: number, total: number, secs: string) => `hatang audit: ${collected} of ${plural(total, 'host')} collected in ${secs} s`,
    interrupted: ' (interrupted)',
    score: 'score',
    coverage: 'coverage',
    insufficient: (n: number, min: number) => `${plural(n, 'host')} with insufficient data (not collected, or coverage below ${min} %): never counted as compliant`,
    findings: 'findings',
    blocking: (n: number, s: string) => `${plural(n, 'finding')} at or above ${s}`,
    none: (s: string) => `no finding at or above ${s}`,
    more: (n: number) => `… and ${n} more in the report`,
    stored: (run: string) => `stored as run ${run}`,
    wrote: 'wrote',
    skipped: (flag: string, ids: string) => (ids ? `sections skipped (${flag}): ${ids} — their checks are unknown` : `no section skipped (${flag})`),
  },
  vi: {
    head: (collected: number, total: number, secs: string) => `hatang audit: đã thu thập ${collected}/${total} máy trong ${secs} s`,
    interrupted: ' (bị ngắt)',
    score: 'điểm',
    coverage: 'độ phủ',
    insufficient: (n: number, min: number) => `${n} máy không đủ dữ liệu (không thu thập được, hoặc độ phủ dưới ${min} %): không bao giờ được coi là tuân thủ`,
    findings: 'phát hiện',
    blocking: (n: number, s: string) => `${n} phát hiện từ mức ${s} trở lên`,
    none: (s: string) => `không có phát hiện từ mức ${s} trở lên`,
    more: (n: number) => `… và ${n} phát hiện khác trong báo cáo`,
    stored: (run: string) => `đã lưu thành lần chạy ${run}`,
    wrote: 'đã ghi',
    skipped: (flag: string, ids: string) => (ids ? `các mục bỏ qua, không thu thập (${flag}): ${ids} — các kiểm tra dựa vào chúng là không rõ` : `không bỏ qua mục nào (${flag})`),
  },
}

/** The audit's outcome in a few lines for the terminal (and, in English, the log). */
export function renderAuditSummary(o: AuditOutcome, c: ChalkInstance, lang: Lang = 'en'): string {
  const l = {...LABELS[lang], severity: severityNames(lang)}
  const out: string[] = []
  const secs = ((Date.parse(o.finishedAt) - Date.parse(o.startedAt)) / 1000).toFixed(1)
  out.push(c.bold(l.head(o.hosts.collected, o.hosts.total, secs)) + (o.interrupted ? c.red(l.interrupted) : ''))
  if (o.level) out.push(c.yellow(levelProfileLine(o.level, lang)))
  if (o.selection) out.push(c.yellow(l.skipped(selectionFlag(o.selection), o.selection.skipped.join(', '))))
  for (const h of o.hosts.notCollected) out.push(c.red(`  ${h.status.padEnd(16)} ${T(h.name)}${h.reason ? ` — ${T(h.reason.split('\n')[0])}` : ''}`))
  out.push(`${l.score} ${o.score ?? '–'} · ${l.coverage} ${o.coverage === null ? '–' : `${o.coverage} %`}   ${l.findings}: ${SEVERITIES.map((s) => `${o.findings[s]} ${l.severity[s]}`).join(', ')}`)
  if (o.insufficient.length > 0) {
    out.push(c.red(l.insufficient(o.insufficient.length, o.minCoverage)))
    // the hosts not collected are listed above with their status and reason
    const listed = new Set(o.hosts.notCollected.map((h) => h.name))
    for (const h of o.insufficient.filter((x) => !listed.has(x.name)).slice(0, 10)) out.push(c.red(`  ? ${T(h.name)} — ${T(h.reason)}`))
  }
  if (o.failOn !== 'none') {
    const at = l.severity[o.failOn]
    out.push(o.blocking > 0 ? c.red(l.blocking(o.blocking, at)) : c.green(l.none(at)))
  }
  for (const f of o.top) out.push(`  ${c.red('✖')} ${f.severity.padEnd(8)} ${T(f.where)}  ${f.check}  ${f.title}`)
  if (o.blocking > o.top.length) out.push(c.dim(`  ${l.more(o.blocking - o.top.length)}`))
  if (o.run) out.push(l.stored(o.run))
  for (const f of o.files) out.push(`${l.wrote} ${T(f)}`)
  return out.join('\n')
}
