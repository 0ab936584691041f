import type {Results} from '../model/results.js'
import {FLEET_CHECK_FIX} from '../engine/fixes/fix-kind.js'
import {cell, csv} from './csv-cells.js'
import {fleetExpectedLabel, fleetRuleText} from './fleet-rule.js'
import {loadLabels, type Lang} from './locale.js'
import {readerReason} from './why-text.js'

/**
 * One row per host: identity, hardware, OS, resources, collection, score with its coverage, the evidence verdict
 * (`insufficient_data`: why the verdict rests on too little evidence, empty when it does not; `stale`), and its unit
 * (`unit`: the path, `unit_name`: its name in the report's language), then its failed findings fixable automatically
 * and manually (`fix_auto`, `fix_manual`; empty for results older than 1.6.0) — new columns last, so earlier ones keep
 * their place.
 */
export function renderHostsCsv(results: Results, lang: Lang): string {
  return csv(
    ['host', 'address', 'groups', 'status', 'reason', 'collected_at', 'vendor', 'model', 'serial', 'bios_date', 'virtualization', 'os', 'os_version', 'kernel', 'architecture', 'cpu', 'cpu_threads', 'memory_bytes', 'disk_bytes', 'ips', 'packages', 'score', 'coverage_percent', 'insufficient_data', 'stale', 'failed', 'unknown', 'unit', 'unit_name', 'fix_auto', 'fix_manual'],
    results.hosts.map((h) => [
      cell(h.name),
      cell(h.address),
      cell(h.groups.join(' ')),
      h.status,
      cell(h.reason),
      h.collectedAt,
      cell(h.hardware.vendor),
      cell(h.hardware.model),
      cell(h.hardware.serial),
      h.hardware.biosDate,
      cell(h.hardware.virtualization),
      cell(h.os.name),
      cell(h.os.versionId),
      cell(h.os.kernel),
      cell(h.os.architecture),
      cell(h.cpu.model),
      h.cpu.threads,
      h.memory.totalBytes,
      h.disks.reduce((n, d) => n + (d.sizeBytes ?? 0), 0),
      cell(h.ips.join(' ')),
      h.packages.count,
      h.score.score,
      h.score.coverage,
      cell(h.insufficient),
      h.stale ? 'yes' : 'no',
      h.counts.fail,
      h.counts.unknown,
      cell(h.unit?.path),
      cell(h.unit?.[lang]),
      h.fixable?.auto,
      h.fixable?.manual,
    ]),
  )
}

/**
 * One row per failed, unknown or waived result, with the check's texts in the report's language; last, `fix`: auto when
 * the check has an automatic fix (`hatang fix`), manual when not (fleet findings always), empty when the results do
 * not say (older than 1.6.0).
 */
export function renderFindingsCsv(results: Results, lang: Lang): string {
  const checks = new Map(results.checks.map((c) => [`${c.pack}/${c.id}`, c]))
  const rows = results.hosts.flatMap((h) =>
    h.results
      .filter((r) => r.status === 'fail' || r.status === 'unknown' || r.status === 'waived')
      .map((r) => {
        const c = checks.get(`${r.pack}/${r.check}`)
        return [cell(h.name), r.pack, r.check, r.severity, r.status, cell(c?.title[lang]), cell(readerReason(r, lang)), cell(c?.remediation[lang]), cell(r.waiver ? `${r.waiver.reason} (${r.waiver.approver}, ${r.waiver.expires})` : r.note), c?.fix?.kind]
      }),
  )
  const labels = loadLabels(lang)
  const fleet = results.fleet
    .filter((x) => x.status !== 'pass')
    .flatMap((x) => {
      const rule = fleetRuleText(x, labels)
      return x.outliers.map((o) => [cell(o.host), x.pack, x.check, x.severity, x.status, cell(`${x.scope.kind} ${x.scope.name}: ${x.subject}${rule ? `, ${rule}` : ''}`), cell(`${o.value} (${fleetExpectedLabel(x, labels)}: ${x.majority?.value ?? '?'})`), '', '', FLEET_CHECK_FIX.kind])
    })
  return csv(['host', 'pack', 'check', 'severity', 'status', 'title', 'reason', 'remediation', 'waiver_or_note', 'fix'], [...rows, ...fleet])
}

/** One row per installed package per host. */
export function renderPackagesCsv(results: Results): string {
  return csv(
    ['host', 'manager', 'package', 'version', 'architecture'],
    results.hosts.flatMap((h) => h.packages.items.map((p) => [cell(h.name), p.manager, cell(p.name), cell(p.version), cell(p.architecture)])),
  )
}
