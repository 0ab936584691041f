import type {Fixable, Results} from '../model/results.js'
import {severityRank, SEVERITIES} from '../model/severity.js'
import {categoryOf, CATEGORIES} from './html-view.js'
import {fleetExpectedLabel, fleetRuleText} from './fleet-rule.js'
import {formatter, loadLabels, type Lang} from './locale.js'
import {terminalText} from './terminal-text.js'

/**
 * Markdown has no escaping of its own worth trusting: keep host text on one line, without markup characters, and
 * with every control character escaped (a summary.md is often read with `cat` in a terminal).
 */
function md(text: string | undefined): string {
  return terminalText((text ?? '').replace(/[\r\n]+/g, ' ')).replace(/([\\`*_{}[\]()#+!|<>~])/g, '\\$1')
}

/** What changed since the previous run, in one paragraph (a report of a stored run); nothing otherwise. */
function changesParagraph(results: Results, L: (k: string) => string, f: ReturnType<typeof formatter>): string[] {
  const h = results.history
  if (!h) return []
  const c = h.changes
  if (!c) return [`## ${L('changes.title')}`, '', L('changes.first'), '']
  const prev = h.trend.at(-2)
  const sum = (k: 'added' | 'removed' | 'upgraded' | 'downgraded') => c.changed.reduce((n, x) => n + x.packages[k].length, 0)
  const hosts = (names: string[]) => `${f.num(names.length)}${names.length ? ` (${names.slice(0, 5).map(md).join(', ')}${names.length > 5 ? ` +${names.length - 5}` : ''})` : ''}`
  const parts = [
    ...(prev
      ? [`${L('changes.score')}: ${f.num(prev.score, 1)} → ${f.num(results.scores.overall.score, 1)} (${L('summary.coverage')} ${prev.coverage == null ? '–' : `${f.num(prev.coverage, 1)} %`} → ${results.scores.overall.coverage === null ? '–' : `${f.num(results.scores.overall.coverage, 1)} %`})`]
      : []),
    `${L('changes.appeared')}: ${hosts(c.hosts.appeared)}`,
    `${L('changes.disappeared')}: ${hosts(c.hosts.disappeared)}`,
    `${L('changes.os')}: ${f.num(c.changed.filter((x) => x.os.length).length)}`,
    `${L('changes.hardware')}: ${f.num(c.changed.filter((x) => x.hardware.length).length)}`,
    `${L('changes.packages')}: +${f.num(sum('added'))} −${f.num(sum('removed'))} ↑${f.num(sum('upgraded'))} ↓${f.num(sum('downgraded'))}`,
    c.findings ? `${L('changes.findingsNew')}: ${f.num(c.findings.new.length)}, ${L('changes.findingsFixed')}: ${f.num(c.findings.fixed.length)}` : L('changes.findingsNotCompared'),
  ]
  return [`## ${L('changes.title')}`, '', `${parts.join(' · ')}.`, '']
}

/** Hosts listed by name in the fixes part; the others are counted (hosts.csv has them all). */
const FIX_HOSTS_LISTED = 20

/**
 * How the failed findings can be fixed (results of 1.6.0 on; nothing for older ones, which do not say): the run's
 * counts, every failed check with its fix file or "manual" and why, the counts per unit and per host.
 */
function fixesPart(results: Results, lang: Lang, L: (k: string) => string, f: ReturnType<typeof formatter>): string[] {
  const fx = results.dataQuality.fixable
  if (!fx) return []
  const counts = (x: Fixable) => L('fix.counts').replace('%a', f.num(x.auto)).replace('%m', f.num(x.manual))
  const out = [`## ${L('fix.title')}`, '', L('fix.intro'), '', `**${counts(fx)}**`]
  const checks = new Map(results.checks.map((c) => [`${c.pack}/${c.id}`, c]))
  const failing = new Map<string, {pack: string; check: string; severity: string; hosts: number}>()
  for (const r of results.hosts.flatMap((h) => h.results.filter((x) => x.status === 'fail'))) {
    const k = `${r.pack}/${r.check}`
    const e = failing.get(k) ?? {pack: r.pack, check: r.check, severity: r.severity, hosts: 0}
    e.hosts++
    failing.set(k, e)
  }
  if (failing.size) out.push('', `### ${L('fix.checks')}`, '')
  for (const e of [...failing.values()].sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || b.hosts - a.hosts || a.check.localeCompare(b.check))) {
    const c = checks.get(`${e.pack}/${e.check}`)
    const fix = c?.fix?.kind === 'auto' ? `${L('fix.auto')}: \`${md(c.fix.file)}\`` : c?.fix ? `${L('fix.manual')}${c.fix.reason ? `: ${md(c.fix.reason[lang])}` : ''}` : '–'
    out.push(`- **${L(`sev.${e.severity}`)}** ${md(c?.title[lang] ?? e.check)} (\`${md(e.check)}\`) — ${f.num(e.hosts)} ${L('summary.affected')} — ${fix}`)
  }
  if (fx.units.length) {
    out.push('', `### ${L('fix.byUnit')}`, '')
    for (const u of fx.units) out.push(`- ${md(u[lang])} (${md(u.path)}, ${f.num(u.hosts)} ${L('unit.hosts')}): ${counts(u)}`)
  }
  const hosts = results.hosts
    .flatMap((h) => (h.fixable && h.fixable.auto + h.fixable.manual > 0 ? [{name: h.name, fixable: h.fixable}] : []))
    .sort((a, b) => b.fixable.auto + b.fixable.manual - (a.fixable.auto + a.fixable.manual) || a.name.localeCompare(b.name))
  if (hosts.length) {
    out.push('', `### ${L('fix.byHost')}`, '')
    for (const h of hosts.slice(0, FIX_HOSTS_LISTED)) out.push(`- ${md(h.name)}: ${counts(h.fixable)}`)
    if (hosts.length > FIX_HOSTS_LISTED) out.push(`- ${L('fix.moreHosts').replace('%d', f.num(hosts.length - FIX_HOSTS_LISTED))}`)
  }
  return out
}

/** A short summary for mail or chat: score, hosts by status, failures by severity, top risks, how they can be fixed. */
export function renderMarkdown(results: Results, lang: Lang, templateDir?: string): string {
  const t = loadLabels(lang, templateDir)
  const f = formatter(t)
  const L = (k: string) => t[k] ?? k
  const out = [`# ${L('title')}`, '', `${L('generated')}: ${f.dateTime(results.run.startedAt)} · ${md(results.run.operator)}`, '']
  const sel = results.run.selection
  if (sel) out.push(`${L('method.skipped')}: ${md(sel.skipped.join(', ') || '–')} (\`${sel.asked.join('; ')}\`)`, '')
  const cov = results.scores.overall.coverage
  const low = cov === null || cov < results.dataQuality.minCoverage
  out.push(
    `**${L('summary.score')}: ${f.num(results.scores.overall.score, 1)}** · ${L('summary.coverage')}: ${cov === null ? '–' : `${f.num(cov, 1)} %`}` +
      `${low ? ` (${L('summary.coverageLow').replace('%d', f.num(results.dataQuality.minCoverage))})` : ''} · ${L('summary.hosts')}: ${f.num(results.hosts.length)}`,
    '',
  )
  out.push(...changesParagraph(results, L, f))
  out.push(`## ${L('summary.hostsByStatus')}`, '')
  for (const c of CATEGORIES) out.push(`- ${L(`cat.${c}`)}: ${f.num(results.hosts.filter((h) => categoryOf(h) === c).length)}`)
  out.push('', `## ${L('summary.findingsBySeverity')}`, '')
  const fails = results.hosts.flatMap((h) => h.results.filter((r) => r.status === 'fail'))
  for (const s of SEVERITIES) out.push(`- ${L(`sev.${s}`)}: ${f.num(fails.filter((r) => r.severity === s).length)}`)
  const checks = new Map(results.checks.map((c) => [`${c.pack}/${c.id}`, c]))
  const byCheck = new Map<string, {severity: string; hosts: string[]}>()
  for (const h of results.hosts) {
    for (const r of h.results.filter((x) => x.status === 'fail')) {
      const k = `${r.pack}/${r.check}`
      const e = byCheck.get(k) ?? {severity: r.severity, hosts: []}
      e.hosts.push(h.name)
      byCheck.set(k, e)
    }
  }
  out.push('', `## ${L('summary.topRisks')}`, '')
  const top = [...byCheck.entries()].sort((a, b) => severityRank(a[1].severity) - severityRank(b[1].severity) || b[1].hosts.length - a[1].hosts.length).slice(0, 10)
  if (top.length === 0) out.push(L('summary.noRisk'))
  for (const [k, e] of top) {
    const more = e.hosts.length > 5 ? ` +${e.hosts.length - 5}` : ''
    out.push(`- **${L(`sev.${e.severity}`)}** ${md(checks.get(k)?.title[lang] ?? k)} — ${f.num(e.hosts.length)} ${L('summary.affected')} (${e.hosts.slice(0, 5).map(md).join(', ')}${more})`)
  }
  const fixes = fixesPart(results, lang, L, f)
  if (fixes.length) out.push('', ...fixes)
  const drift = results.fleet.filter((x) => x.status === 'fail')
  if (drift.length) {
    out.push('', `## ${L('sync.title')}`, '')
    for (const x of drift.slice(0, 10)) {
      const rule = fleetRuleText(x, t)
      out.push(`- ${L(`sync.scope.${x.scope.kind}`)} ${md(x.scope.name)}, ${md(x.subject)}${rule ? ` (${md(rule)})` : ''}: ${md(fleetExpectedLabel(x, t))} \`${md(x.majority?.value)}\`; ${L('sync.outliers')}: ${x.outliers.slice(0, 5).map((o) => `${md(o.host)} (\`${md(o.value)}\`)`).join(', ')}${x.outliers.length > 5 ? ` +${x.outliers.length - 5}` : ''}`)
    }
  }
  const issues = results.dataQuality.issues.filter((i) => i.kind !== 'section')
  if (issues.length) {
    out.push('', `## ${L('dq.title')}`, '')
    for (const i of issues) {
      const what = i.kind === 'failed' ? L(`host.${i.status}`) : L(`dq.kind.${i.kind}`)
      // a host's reason may go on with a long explanation (a changed host key's banner): its first line says it all
      const why = i.kind === 'stale' ? f.dateTime(i.reason ?? '') : md(i.reason?.split('\n')[0])
      out.push(`- ${md(i.host)}: ${what}${why ? ` — ${why}` : ''}`)
    }
  }
  return `${out.join('\n')}\n`
}
