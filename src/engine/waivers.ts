import {readFileSync} from 'node:fs'

import type {Static, TSchema} from '@sinclair/typebox'
import type {ErrorObject} from 'ajv/dist/2020.js'

import {ConfigError} from '../config/config-error.js'
import {errorAt} from '../config/error-at.js'
import {readYaml} from '../config/read-yaml.js'
import {schemaProblems} from '../config/schema-problems.js'
import {wildcardMatch} from '../hosts/ssh-config.js'
import {Arr, Obj, Opt, Str} from '../model/schema-helpers.js'
import {compile} from '../model/validate.js'
import {countStatuses, type CheckResult, type HostResults} from './checks/run-checks.js'

const CHECK_REF = '^([a-z0-9][a-z0-9-]*/)?[a-z0-9][a-z0-9.-]*[a-z0-9]$'

export const WaiverSchema = Obj({
  /** A check id (`ssh.password-authentication`), or pack/id to name the check of one pack only. */
  check: Str({pattern: CHECK_REF}),
  /** Host names or globs (`db*`, `web0?`), matched without regard to case. */
  hosts: Opt(Arr(Str({minLength: 1}), {minItems: 1})),
  /** Inventory groups (snapshot host.groups). */
  groups: Opt(Arr(Str({minLength: 1}), {minItems: 1})),
  reason: Str({minLength: 1}),
  approver: Str({minLength: 1}),
  /** Last day the waiver holds, YYYY-MM-DD. */
  expires: Str({pattern: '^\\d{4}-\\d{2}-\\d{2}$'}),
})

export const WaiversFileSchema = Obj({waivers: Arr(WaiverSchema)}, {$id: 'urn:hatang:schema:waivers', title: 'hatang waivers'})

export interface Waiver extends Static<typeof WaiverSchema> {
  /** Where it is written: file:line. */
  source: string
}

let validator: ReturnType<typeof compile> | undefined
function waiversValidator(): ReturnType<typeof compile> {
  validator ??= compile(WaiversFileSchema as unknown as TSchema)
  return validator
}

const HINT = 'see "Waivers" in the README'

/** The patterns of a waiver, said in words. */
function patternText(e: ErrorObject, segs: readonly string[]): string | undefined {
  if (e.keyword === 'pattern' && segs.at(-1) === 'expires') return 'must be a date, YYYY-MM-DD'
  if (e.keyword === 'pattern' && segs.at(-1) === 'check') return 'must be a check id, or pack/id'
  return undefined
}

/** Whether a YYYY-MM-DD string is a day of the calendar (no 2027-02-30). */
function isCalendarDay(day: string): boolean {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  const t = new Date(Date.UTC(y, m - 1, d))
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d
}

/**
 * Reads a waivers file (YAML), validated against its JSON Schema, with errors at file:line:column. Every
 * waiver needs a check, a selector (hosts and/or groups), a reason, an approver and an expiry date.
 * Throws ConfigError (the others in `.more`).
 */
export function loadWaivers(file: string, text = readFileSync(file, 'utf8')): Waiver[] {
  const yaml = readYaml(text, file)
  ConfigError.throwIfAny(yaml.errors)
  ConfigError.throwIfAny(schemaProblems(waiversValidator(), yaml, file, {hint: HINT, everyKey: true, message: patternText}))
  const at = errorAt(file, yaml.positions, HINT)
  const {waivers} = yaml.data as Static<typeof WaiversFileSchema>
  const problems: ConfigError[] = []
  waivers.forEach((w, i) => {
    if (!w.hosts && !w.groups) problems.push(at(['waivers', i], 'names no host: give hosts and/or groups', "use hosts: ['*'] to waive the check on every host"))
    if (!isCalendarDay(w.expires)) problems.push(at(['waivers', i, 'expires'], `is not a day of the calendar: ${w.expires}`))
  })
  ConfigError.throwIfAny(problems)
  return waivers.map((w, i) => ({...w, source: `${file}:${yaml.positions.of(['waivers', String(i)]).line}`}))
}

/** The host a waiver is matched against: its name and inventory groups. */
export interface WaiverHost {
  name: string
  groups?: readonly string[]
}

/** Whether a waiver names this check of this host (a host matches hosts or groups, either one). */
export function waiverMatches(w: Waiver, r: Pick<CheckResult, 'pack' | 'check'>, host: WaiverHost): boolean {
  if (w.check !== r.check && w.check !== `${r.pack}/${r.check}`) return false
  return (w.hosts?.some((h) => wildcardMatch(host.name, h)) ?? false) || (w.groups?.some((g) => host.groups?.includes(g)) ?? false)
}

/** The local calendar day of a moment, YYYY-MM-DD. */
export function localDay(now: Date): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`
}

/** A waiver holds through its `expires` day (local time) and has expired from the day after. */
export function isExpired(w: Pick<Waiver, 'expires'>, now: Date): boolean {
  return localDay(now) > w.expires
}

/**
 * Applies waivers to one host's results. A failing or unknown result that an unexpired waiver matches
 * becomes `waived`, keeping its status, reason and the waiver's reason, approver and expiry in `waiver`;
 * when only expired waivers match, the result counts as a failure (an unknown one too: the exception has
 * lapsed and nobody renewed it) with a note "waiver expired on …". Passing and
 * not-applicable results are untouched; the counts are recomputed. Pure (`now` decides expiry).
 */
export function applyWaivers(results: HostResults, host: WaiverHost, waivers: readonly Waiver[], now: Date = new Date()): HostResults {
  if (waivers.length === 0) return results
  const out = results.results.map((r): CheckResult => {
    if (r.status !== 'fail' && r.status !== 'unknown') return r
    const matching = waivers.filter((w) => waiverMatches(w, r, host))
    if (matching.length === 0) return r
    const live = matching.filter((w) => !isExpired(w, now)).sort((a, b) => b.expires.localeCompare(a.expires))[0]
    if (live) {
      return {...r, status: 'waived', waiver: {status: r.status, reason: live.reason, approver: live.approver, expires: live.expires, source: live.source}}
    }
    const last = [...matching].sort((a, b) => b.expires.localeCompare(a.expires))[0]!
    const note = `waiver expired on ${last.expires} (${last.source}, approved by ${last.approver})`
    return {...r, status: 'fail', note: r.note ? `${r.note}; ${note}` : note}
  })
  return {...results, results: out, counts: countStatuses(out)}
}

/** Waivers that name a check no loaded pack has: most likely a typo, or a pack left out. */
export function unknownChecks(waivers: readonly Waiver[], packs: readonly {pack: string; checks: readonly {id: string}[]}[]): Waiver[] {
  const ids = new Set(packs.flatMap((p) => p.checks.flatMap((c) => [c.id, `${p.pack}/${c.id}`])))
  return waivers.filter((w) => !ids.has(w.check))
}
