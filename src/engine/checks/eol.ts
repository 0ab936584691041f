import type {Static} from '@sinclair/typebox'
import {Type} from '../../model/type-builder.js'

import {isRead} from '../../model/section.js'
import type {Snapshot} from '../../model/snapshot.js'
import {Arr, NonNegInt, Obj, Opt, Str, StringEnum} from '../../model/schema-helpers.js'
import {why} from '../../model/why.js'
import type {Outcome} from './assertion.js'
import {checkDataFile, readDataFile} from './data-file.js'
import {DAY_MS} from '../../model/days.js'

const Day = Str({pattern: '^\\d{4}-\\d{2}-\\d{2}$'})

/** How an extension beyond the vendor's regular support is had: `community` free, by volunteers, often for a limited set of packages (Debian LTS); `paid` a subscription or add-on (Freexian ELTS, Ubuntu Pro ESM, RHEL ELS, Windows ESU). */
export const EXTENSION_KINDS = ['community', 'paid'] as const
export type ExtensionKind = (typeof EXTENSION_KINDS)[number]

export const EolExtensionSchema = Obj({
  /** As the vendor names it: Debian LTS, Freexian ELTS, Ubuntu Pro ESM, Red Hat ELS, Windows ESU. */
  name: Str({minLength: 1}),
  kind: StringEnum(EXTENSION_KINDS),
  /** Last day of this extension. */
  end: Day,
})
export type EolExtension = Static<typeof EolExtensionSchema>

export const EolReleaseSchema = Obj({
  /** os-release ID (debian, ubuntu, rhel, rocky, almalinux, centos), or windows / windows-server. */
  distribution: Str({pattern: '^[a-z0-9._-]+$'}),
  /** Matched against os.versionId: equal, or a prefix followed by "." (9 matches 9.4). */
  version: Str({minLength: 1}),
  name: Str({minLength: 1}),
  released: Opt(Day),
  /**
   * Last day of the vendor's regular security support: Debian's security team, Ubuntu's standard support, RHEL's
   * Maintenance Support, Windows' (extended) support.
   */
  eol: Day,
  /** What follows the regular support, in order, each ending after the one before. */
  extended: Opt(Arr(EolExtensionSchema, {minItems: 1})),
  /** The vendor publishes a month only: the date is the month's last day. */
  precision: Opt(Type.Union([Type.Literal('day'), Type.Literal('month')])),
  /** The source (by name, from the file's list) the dates come from. */
  source: Str({minLength: 1}),
  /** The day the row's dates were last compared with its source. */
  checked: Day,
  note: Opt(Str()),
})
export type EolRelease = Static<typeof EolReleaseSchema>

export const EolDataSchema = Obj(
  {
    dataset: Type.Literal('eol'),
    /** When the file was last reviewed against the sources (each row says when it was checked). */
    reviewed: Day,
    sources: Arr(Obj({name: Str({minLength: 1}), url: Str({minLength: 1})}), {minItems: 1}),
    releases: Arr(EolReleaseSchema, {minItems: 1}),
  },
  {$id: 'urn:hatang:schema:eol-data', title: 'hatang end-of-life data'},
)
export type EolData = Static<typeof EolDataSchema>

/**
 * The assertion form: `{eol: {data: eol}}` fails when the release has no security support of any kind left (regular
 * or extended); `{eol: {data: eol, support: regular}}` when the vendor's regular support has ended (whatever extension
 * follows); `withinDays: 180` also fails when that end is so near.
 */
export interface EolSpec {
  data: string
  support?: EolSupport
  withinDays?: number
}
export const EOL_SUPPORTS = ['any', 'regular'] as const
export type EolSupport = (typeof EOL_SUPPORTS)[number]
export const EolSpecSchema = Obj({data: Str({pattern: '^[a-z0-9][a-z0-9-]*$'}), support: Opt(StringEnum(EOL_SUPPORTS)), withinDays: Opt(NonNegInt())})

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
    const isDate = (v: string) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`))
    if (!isDate(d.reviewed)) problems.push(at(['reviewed'], `is not a date: ${d.reviewed}`))
    for (const [i, r] of d.releases.entries()) {
      if (!sources.has(r.source)) problems.push(at(['releases', i, 'source'], `names no source of the list: ${r.source}`))
      const key = `${r.distribution} ${r.version}`
      if (seen.has(key)) problems.push(at(['releases', i, 'version'], `repeats ${key}`))
      seen.add(key)
      for (const k of ['released', 'eol', 'checked'] as const) {
        const v = r[k]
        if (v !== undefined && !isDate(v)) problems.push(at(['releases', i, k], `is not a date: ${v}`))
      }
      if (r.checked > d.reviewed) problems.push(at(['releases', i, 'checked'], `is after the file's reviewed day ${d.reviewed}`))
      let before = r.eol
      for (const [j, x] of (r.extended ?? []).entries()) {
        if (!isDate(x.end)) problems.push(at(['releases', i, 'extended', j, 'end'], `is not a date: ${x.end}`))
        else if (x.end < before) problems.push(at(['releases', i, 'extended', j, 'end'], `is before ${j === 0 ? 'eol' : 'the end of the extension before it'} (${before})`))
        before = x.end
      }
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

/** The first moment after a last day: support lasts through it. */
const after = (day: string): number => Date.parse(`${day}T00:00:00Z`) + DAY_MS

/** The last day of any security support of a release: its last extension's end, else its eol. */
export function lastSupportDay(release: EolRelease): string {
  return release.extended?.at(-1)?.end ?? release.eol
}

/** The extension that covers a moment after the regular support: the first that has not ended. */
function extensionAt(release: EolRelease, on: number): EolExtension | undefined {
  return release.extended?.find((x) => on < after(x.end))
}

/**
 * Whether the host's OS release is still supported on the day of the snapshot (meta.collectedAt). With `support: any`
 * (the default): pass while any support remains, regular or extended, fail once none is left ("no support of any
 * kind"). With `support: regular`: fail once the vendor's regular support has ended, saying which extension remains
 * and until when. With withinDays: also fail when that end comes within so many days. Unknown when the OS is not
 * reported or not in the data.
 */
export function evaluateEol(spec: EolSpec, snapshot: Snapshot): Outcome {
  const os = snapshot.sections.os
  if (!os || !isRead(os.status)) {
    const status = os?.status ?? 'absent'
    return {verdict: 'unknown', reason: `os: ${status}${os?.reason ? ` (${os.reason})` : ''}`, why: why(os?.reason ? 'eol.osNotReadBecause' : 'eol.osNotRead', {status, detail: os?.reason})}
  }
  const {distribution, versionId} = os.data ?? {}
  if (!distribution) return {verdict: 'unknown', reason: 'os.distribution is not reported', why: why('eol.noDistribution')}
  if (!versionId) return {verdict: 'unknown', reason: `os.versionId of ${distribution} is not reported (a rolling or testing release?)`, why: why('eol.noVersion', {distribution})}
  const data = loadEolData(spec.data)
  const release = findRelease(data, distribution, versionId)
  const file = `checks/data/${spec.data}.yaml`
  if (!release) return {verdict: 'unknown', reason: `${distribution} ${versionId} is not in the end-of-life data (${file})`, why: why('eol.notInData', {distribution, version: versionId, file})}
  const on = Date.parse(snapshot.meta.collectedAt)
  if (Number.isNaN(on)) return {verdict: 'unknown', reason: 'meta.collectedAt is not a date', why: why('eol.noSnapshotDay')}
  const name = release.name
  const last = lastSupportDay(release)
  if (on >= after(last)) return {verdict: 'fail', reason: `${name}: no security support of any kind: the last ended on ${last}`, why: why('eol.noSupport', {name, end: last})}
  if ((spec.support ?? 'any') === 'regular') {
    if (on >= after(release.eol)) {
      const x = extensionAt(release, on)!
      return {
        verdict: 'fail',
        reason: `${name}: the vendor's regular security support ended on ${release.eol}; only ${x.name} (${x.kind}) until ${x.end}`,
        why: why(x.kind === 'paid' ? 'eol.onlyPaid' : 'eol.onlyCommunity', {name, eol: release.eol, extension: x.name, end: x.end}),
      }
    }
    const left = Math.floor((after(release.eol) - on) / DAY_MS)
    if (spec.withinDays !== undefined && left <= spec.withinDays) {
      return {verdict: 'fail', reason: `${name}: the vendor's regular security support ends on ${release.eol}, in ${left} days`, why: why('eol.regularEndsSoon', {name, end: release.eol, days: left})}
    }
    return {verdict: 'pass'}
  }
  const left = Math.floor((after(last) - on) / DAY_MS)
  if (spec.withinDays !== undefined && left <= spec.withinDays) {
    return {verdict: 'fail', reason: `${name}: all security support ends on ${last}, in ${left} days`, why: why('eol.allEndsSoon', {name, end: last, days: left})}
  }
  return {verdict: 'pass'}
}
