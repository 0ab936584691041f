import {Type, type Static} from '@sinclair/typebox'

import type {Snapshot} from '../../model/snapshot.js'
import {Arr, NonNegInt, Obj, Opt, Str} from '../../model/schema-helpers.js'
import type {Outcome} from './assertion.js'
import {checkDataFile, readDataFile} from './data-file.js'

const Day = Str({pattern: '^\\d{4}-\\d{2}-\\d{2}$'})

export const EolReleaseSchema = Obj({
  /** os-release ID (debian, ubuntu, rhel, rocky, almalinux, centos), or windows / windows-server. */
  distribution: Str({pattern: '^[a-z0-9._-]+$'}),
  /** Matched against os.versionId: equal, or a prefix followed by "." (9 matches 9.4). */
  version: Str({minLength: 1}),
  name: Str({minLength: 1}),
  released: Opt(Day),
  /** Last day of security updates from the vendor without a paid extension. */
  eol: Day,
  /** Last day of a paid extension (Debian ELTS, Ubuntu Pro ESM, RHEL ELS, Windows ESU), when there is one. */
  extendedEnd: Opt(Day),
  extendedName: Opt(Str({minLength: 1})),
  /** The vendor publishes a month only: the date is the month's last day. */
  precision: Opt(Type.Union([Type.Literal('day'), Type.Literal('month')])),
  /** The vendor page the dates come from. */
  source: Str({minLength: 1}),
  note: Opt(Str()),
})
export type EolRelease = Static<typeof EolReleaseSchema>

export const EolDataSchema = Obj(
  {
    dataset: Type.Literal('eol'),
    /** When the dates were last compared with the sources. */
    reviewed: Day,
    sources: Arr(Obj({name: Str({minLength: 1}), url: Str({minLength: 1})}), {minItems: 1}),
    releases: Arr(EolReleaseSchema, {minItems: 1}),
  },
  {$id: 'urn:hatang:schema:eol-data', title: 'hatang end-of-life data'},
)
export type EolData = Static<typeof EolDataSchema>

/** The assertion form: `{eol: {data: eol}}`, or `{eol: {data: eol, withinDays: 180}}` to fail when the end is near. */
export interface EolSpec {
  data: string
  withinDays?: number
}
export const EolSpecSchema = Obj({data: Str({pattern: '^[a-z0-9][a-z0-9-]*$'}), withinDays: Opt(NonNegInt())})

const cache = new Map<string, EolData>()

/** Reads and validates an end-of-life data set (checks/data/NAME.yaml), once. Throws ConfigError. */
export function loadEolData(name: string, given?: string): EolData {
  const hit = given === undefined ? cache.get(name) : undefined
  if (hit) return hit
  // looked up on a miss only: this runs for every host
  const file = given ?? checkDataFile(name)
  if (!file) throw new Error(`no end-of-life data set '${name}' in checks/data/`)
  const data = readDataFile<EolData>(file, EolDataSchema, (d, at) => {
    const problems = []
    const seen = new Set<string>()
    const sources = new Set(d.sources.map((x) => x.name))
    for (const [i, r] of d.releases.entries()) {
      if (!sources.has(r.source)) problems.push(at(['releases', i, 'source'], `names no source of the list: ${r.source}`))
      const key = `${r.distribution} ${r.version}`
      if (seen.has(key)) problems.push(at(['releases', i, 'version'], `repeats ${key}`))
      seen.add(key)
      for (const k of ['released', 'eol', 'extendedEnd'] as const) {
        const v = r[k]
        if (v !== undefined && Number.isNaN(Date.parse(`${v}T00:00:00Z`))) problems.push(at(['releases', i, k], `is not a date: ${v}`))
      }
      if (r.extendedEnd !== undefined && r.extendedEnd < r.eol) problems.push(at(['releases', i, 'extendedEnd'], 'is before eol'))
    }
    return problems
  })
  if (given === undefined) cache.set(name, data)
  return data
}

/** The release entry for a distribution and version: exact, else the longest version that prefixes it before a dot. */
export function findRelease(data: EolData, distribution: string, versionId: string): EolRelease | undefined {
  const candidates = data.releases.filter((r) => r.distribution === distribution && (versionId === r.version || versionId.startsWith(`${r.version}.`)))
  return candidates.sort((a, b) => b.version.length - a.version.length)[0]
}

const DAY_MS = 86_400_000

/**
 * Whether the host's OS release is still supported on the day of the snapshot (meta.collectedAt):
 * pass before its `eol` day ends, fail after it (or, with withinDays, when it ends within so many days),
 * unknown when the OS is not reported or not in the data.
 */
export function evaluateEol(spec: EolSpec, snapshot: Snapshot): Outcome {
  const os = snapshot.sections.os
  if (!os || (os.status !== 'ok' && os.status !== 'partial')) return {verdict: 'unknown', reason: `os: ${os?.status ?? 'absent'}${os?.reason ? ` (${os.reason})` : ''}`}
  const {distribution, versionId} = os.data ?? {}
  if (!distribution) return {verdict: 'unknown', reason: 'os.distribution is not reported'}
  if (!versionId) return {verdict: 'unknown', reason: `os.versionId of ${distribution} is not reported (a rolling or testing release?)`}
  const data = loadEolData(spec.data)
  const release = findRelease(data, distribution, versionId)
  if (!release) return {verdict: 'unknown', reason: `${distribution} ${versionId} is not in the end-of-life data (checks/data/${spec.data}.yaml)`}
  const on = Date.parse(snapshot.meta.collectedAt)
  if (Number.isNaN(on)) return {verdict: 'unknown', reason: 'meta.collectedAt is not a date'}
  const end = Date.parse(`${release.eol}T00:00:00Z`) + DAY_MS // support lasts through the eol day
  const extended = release.extendedEnd ? `; ${release.extendedName ?? 'paid extended support'} until ${release.extendedEnd}` : ''
  if (on >= end) return {verdict: 'fail', reason: `${release.name}: security support ended on ${release.eol}${extended}`}
  const left = Math.floor((end - on) / DAY_MS)
  if (spec.withinDays !== undefined && left <= spec.withinDays) {
    return {verdict: 'fail', reason: `${release.name}: security support ends on ${release.eol}, in ${left} days${extended}`}
  }
  return {verdict: 'pass'}
}
