import type {Pack} from '../../engine/checks/pack.js'
import type {FleetCheck} from '../../engine/fleet/fleet-check.js'
import {tally} from '../../engine/fleet/run-fleet.js'
import type {RollupSync} from '../../model/rollup.js'
import type {Severity} from '../../model/severity.js'
import {KEY_PACKAGES, type SnapshotFacts} from '../../model/snapshot-facts.js'
import {median} from '../../model/median.js'

/** A collected host of the roll-up, with what the estate's synchronization checks read of it. */
export interface SyncHost {
  host: string
  unit: string
  facts: SnapshotFacts
}

/** How many of a value's hosts a finding names per unit (the count is always whole). */
const NAMED_HOSTS = 5

/** The fleet-sync pack's check `id`, when a loaded pack has it: the estate is held to the same standard as a site. */
function standard(packs: readonly Pack[], id: string): FleetCheck | undefined {
  for (const p of packs) for (const c of p.fleet ?? []) if (c.id === id) return c
  return undefined
}

/** Outliers grouped by unit, most first, each value with a few of its hosts. */
function byUnit(outliers: readonly {host: string; value: string}[], unitOf: Map<string, string>): RollupSync['units'] {
  const units = new Map<string, Map<string, string[]>>()
  for (const o of outliers) {
    const unit = unitOf.get(o.host) ?? ''
    const values = units.get(unit) ?? new Map<string, string[]>()
    values.set(o.value, [...(values.get(o.value) ?? []), o.host])
    units.set(unit, values)
  }
  return [...units.entries()]
    .map(([unit, values]) => ({
      unit,
      hosts: [...values.values()].reduce((n, h) => n + h.length, 0),
      values: [...values.entries()].map(([value, hosts]) => ({value, hosts: hosts.slice(0, NAMED_HOSTS)})).sort((a, b) => b.hosts.length - a.hosts.length || a.value.localeCompare(b.value)),
    }))
    .sort((a, b) => b.hosts - a.hosts || a.unit.localeCompare(b.unit))
}

function compared(check: string, severity: Severity, subject: string, known: {host: string; value: string}[], unknown: number, unitOf: Map<string, string>): RollupSync {
  const {majority, outliers} = tally(known)
  const base = {check, severity, subject, majority: majority ? {value: majority.value, hosts: majority.hosts.length} : null, units: byUnit(outliers, unitOf), outliers: outliers.length, unknown}
  if (outliers.length > 0) return {...base, status: 'fail', reason: `${outliers.length} of ${known.length} hosts differ from ${majority!.value}`}
  if (known.length < 2) return {...base, status: 'unknown', reason: `${known.length} of ${known.length + unknown} hosts report it`}
  return {...base, status: 'pass', reason: `all ${known.length} hosts agree`}
}

const seconds = (ms: number) => `${ms >= 0 ? '+' : '−'}${(Math.abs(ms) / 1000).toFixed(1)} s`

/**
 * The synchronization checks across the whole estate, on the collected hosts' facts: the same OS release everywhere, the
 * same versions of the key packages on hosts of one OS release, and clocks in step between units. Severities, the key
 * packages and the clock's limit are the fleet-sync pack's (sync.os-release, sync.key-packages, sync.clock-skew), so an
 * estate is held to what a site is. A host without the fact is unknown, never counted as agreeing. Pure.
 */
export function estateSync(hosts: readonly SyncHost[], packs: readonly Pack[]): RollupSync[] {
  const unitOf = new Map(hosts.map((h) => [h.host, h.unit]))
  const out: RollupSync[] = []

  const os = standard(packs, 'sync.os-release')
  const known = hosts.filter((h) => h.facts.os !== undefined).map((h) => ({host: h.host, value: h.facts.os!}))
  out.push(compared('os-release', os?.severity ?? 'medium', 'OS release', known, hosts.length - known.length, unitOf))

  const key = standard(packs, 'sync.key-packages')
  const specs = key && 'compare' in key && key.compare.packages ? key.compare.packages : KEY_PACKAGES
  const releases = new Map<string, SyncHost[]>()
  let noRelease = 0
  for (const h of hosts) {
    if (h.facts.distribution === undefined || h.facts.versionId === undefined) {
      noRelease++
      continue
    }
    const k = `${h.facts.distribution} ${h.facts.versionId}`
    releases.set(k, [...(releases.get(k) ?? []), h])
  }
  for (const [release, members] of [...releases.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    for (const spec of specs) {
      const values = members.filter((h) => h.facts.packages).map((h) => ({host: h.host, value: h.facts.packages![spec] ?? 'not installed'}))
      if (!values.some((v) => v.value !== 'not installed')) continue // installed nowhere: nothing to compare
      out.push(compared('key-package', key?.severity ?? 'high', `package ${spec} [${release}]`, values, members.length - values.length + noRelease, unitOf))
    }
  }

  const clock = standard(packs, 'sync.clock-skew')
  const maxAbs = clock && 'within' in clock ? clock.within.maxAbs : 5000
  const skewed = hosts.filter((h) => h.facts.skewMs !== undefined)
  const beyond = skewed.filter((h) => Math.abs(h.facts.skewMs!) - (h.facts.uncertaintyMs ?? 0) > maxAbs).map((h) => ({host: h.host, value: seconds(h.facts.skewMs!)}))
  const perUnit = new Map<string, number[]>()
  for (const h of skewed) perUnit.set(h.unit, [...(perUnit.get(h.unit) ?? []), h.facts.skewMs!])
  const medians = [...perUnit.values()].map(median)
  const spread = medians.length > 0 ? `units' median skew from ${seconds(Math.min(...medians))} to ${seconds(Math.max(...medians))}` : 'no unit reports its clock'
  const base = {check: 'clock-skew', severity: clock?.severity ?? 'high', subject: 'clock skew', majority: null, units: byUnit(beyond, unitOf), outliers: beyond.length, unknown: hosts.length - skewed.length}
  if (beyond.length > 0) out.push({...base, status: 'fail', reason: `${beyond.length} of ${skewed.length} hosts beyond ±${maxAbs / 1000} s of the auditor's clock; ${spread}`})
  else if (skewed.length === 0) out.push({...base, status: 'unknown', reason: 'no host reports its clock'})
  else out.push({...base, status: 'pass', reason: `all ${skewed.length} hosts within ±${maxAbs / 1000} s; ${spread}`})
  return out
}
