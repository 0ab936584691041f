import type {Results} from '../model/results.js'
import {isCollected} from '../model/host-status.js'
import {escapeXml} from './escape.js'

/** What a fleet finding's outliers differ from: the majority's value, or the reference's, saying which. */
function against(f: Results['fleet'][number]): string {
  const value = f.majority?.value
  if (f.rule === 'reference' && f.reference) return `the ${f.reference.kind === 'host' ? 'reference' : 'standard'} ${f.reference.name}${value === undefined ? '' : ` (${value})`}`
  if (f.rule === 'majority') return value === undefined ? 'the majority' : `the majority ${value}`
  return value ?? 'the majority'
}

/** XML 1.0 cannot carry most control characters, even escaped: drop them. */
const x = (s: unknown) => escapeXml(String(s ?? '').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, ''))

/**
 * JUnit XML for CI dashboards: a testsuite per host, a testcase per check; failures carry the reason,
 * unknown and not-applicable results are skipped (with why), waived ones pass with the waiver as output;
 * fleet findings in a testsuite of their own, the outliers in the failure.
 */
export function renderJunit(results: Results): string {
  const titles = new Map(results.checks.map((c) => [`${c.pack}/${c.id}`, c.title.en]))
  const out = ['<?xml version="1.0" encoding="UTF-8"?>']
  const total = results.hosts.reduce((n, h) => n + h.results.length, 0)
  const failures = results.hosts.reduce((n, h) => n + h.counts.fail, 0)
  const skipped = results.hosts.reduce((n, h) => n + h.counts.unknown + h.counts['not-applicable'], 0)
  // a host not collected, or judged on too little evidence, is one error: never a suite that looks green
  const errors = results.hosts.filter((h) => !isCollected(h.status) || h.insufficient).length
  out.push(`<testsuites name="hatang" tests="${total + errors}" failures="${failures}" errors="${errors}" skipped="${skipped}" timestamp="${x(results.run.startedAt)}">`)
  for (const h of results.hosts) {
    const collected = isCollected(h.status)
    const error = !collected || h.insufficient !== undefined
    out.push(`  <testsuite name="${x(h.name)}" tests="${h.results.length + (error ? 1 : 0)}" failures="${h.counts.fail}" errors="${error ? 1 : 0}" skipped="${h.counts.unknown + h.counts['not-applicable']}" timestamp="${x(h.collectedAt)}">`)
    if (!collected) out.push(`    <testcase classname="${x(h.name)}" name="collection"><error type="not-collected" message="${x(`${h.status}${h.reason ? `: ${h.reason}` : ''}`)}">${x(`insufficient data: ${h.insufficient ?? `not collected (${h.status})`}`)}</error></testcase>`)
    else if (h.insufficient) {
      const cov = h.score.coverage === null ? '–' : `${h.score.coverage} %`
      out.push(`    <testcase classname="${x(h.name)}" name="evidence"><error type="insufficient-data" message="${x(`insufficient data: ${h.insufficient}`)}">${x(`score ${h.score.score ?? '–'}, coverage ${cov}`)}</error></testcase>`)
    }
    for (const r of h.results) {
      const name = `${r.check} ${titles.get(`${r.pack}/${r.check}`) ?? ''}`.trim()
      const open = `    <testcase classname="${x(`${h.name}.${r.pack}`)}" name="${x(name)}">`
      if (r.status === 'fail') out.push(`${open}<failure type="${x(r.severity)}" message="${x(r.reason ?? r.check)}">${x(r.note ?? r.reason ?? '')}</failure></testcase>`)
      else if (r.status === 'unknown') out.push(`${open}<skipped message="${x(`unknown: ${r.reason ?? ''}`)}"/></testcase>`)
      else if (r.status === 'not-applicable') out.push(`${open}<skipped message="not applicable"/></testcase>`)
      else if (r.status === 'waived') out.push(`${open}<system-out>${x(`waived: ${r.waiver?.reason ?? ''} (${r.waiver?.approver ?? ''}, until ${r.waiver?.expires ?? ''})`)}</system-out></testcase>`)
      else out.push(`${open}</testcase>`)
    }
    out.push('  </testsuite>')
  }
  if (results.fleet.length) {
    const fails = results.fleet.filter((f) => f.status === 'fail').length
    const unknown = results.fleet.filter((f) => f.status === 'unknown').length
    out.push(`  <testsuite name="fleet" tests="${results.fleet.length}" failures="${fails}" errors="0" skipped="${unknown}" timestamp="${x(results.run.startedAt)}">`)
    for (const f of results.fleet) {
      const open = `    <testcase classname="${x(`fleet.${f.scope.kind}.${f.scope.name}`)}" name="${x(`${f.check} ${f.subject}`)}">`
      const drift = f.outliers.map((o) => `${o.host}: ${o.value}`).join('\n')
      if (f.status === 'fail') out.push(`${open}<failure type="${x(f.severity)}" message="${x(`${f.outliers.length} host(s) differ from ${against(f)}`)}">${x(drift)}</failure></testcase>`)
      else if (f.status === 'unknown') out.push(`${open}<skipped message="${x(f.reason ?? 'unknown')}"/></testcase>`)
      else out.push(`${open}</testcase>`)
    }
    out.push('  </testsuite>')
  }
  out.push('</testsuites>')
  return `${out.join('\n')}\n`
}
