import type {Snapshot} from '../../model/snapshot.js'
import {isRead, type Section} from '../../model/section.js'
import {compareDpkgVersions} from '../../model/versions/dpkg-version.js'
import {compareRpmVersions} from '../../model/versions/rpm-version.js'
import {evaluateEol, type EolSpec} from './eol.js'
import {why, type Why} from '../../model/why.js'
import {evaluateModule, type ModuleAssertion} from './persisted-module.js'
import {evaluateUniqueUids, evaluateUnusedAccounts, type UniqueUidsAssertion, type UnusedAccountsAssertion} from './account-use.js'
import {evaluateMount, type MountAssertion} from './persisted-mount.js'
import {evaluateSysctl, type SysctlAssertion} from './persisted-sysctl.js'
import type {SmartTrendAssertion} from './smart-trend.js'
import {DAY_MS} from '../../model/days.js'

/**
 * The assertion language of check packs, evaluated over one snapshot with three values: pass, fail, and
 * unknown (the data is not there, with the reason). Unknown never turns into pass.
 *
 *   {path: sshd.permitRootLogin, in: [no, prohibit-password]}
 *   {all: [...]}, {any: [...]}, {not: {...}}
 *   {path: accounts.users, none: {path: uid, equals: 0}}        (quantifiers: each, some, none; inner paths are per item)
 *   {path: accounts.uid0, count: {le: 1}}                          (count, with an optional `where`)
 *   {path: [sysctl, params, net.ipv4.ip_forward], equals: '0'}     (a list path for keys that contain dots)
 *   {ratio: {of: usedBytes, to: sizeBytes}, gt: 0.85}             (one number over another: usage, headroom)
 *   {path: system.biosDate, maxAgeDays: 1826}                     (a date no older than N days when the snapshot was taken)
 *   {path: notAfter, minDaysAhead: 30}                            (a date at least N days after the snapshot was taken)
 *   {eol: {data: eol, withinDays: 180}}                           (the OS release against end-of-life data, see eol.ts)
 *   {sysctl: kernel.randomize_va_space, equals: '2'}              (a kernel parameter running and persisted, see persisted-sysctl.ts)
 *   {mount: /tmp, options: [nodev, nosuid, noexec]}               (mount options running and persisted, see persisted-mount.ts)
 *   {module: cramfs, disabled: true}                              (a kernel module not loaded and disabled at boot, see persisted-module.ts)
 *   {unusedAccounts: {maxIdleDays: 45}}, {uniqueUids: true}        (accounts unused and not disabled, UIDs shared: see account-use.ts)
 *   {smartTrend: true}                                             (disks' failure counters against earlier runs, see smart-trend.ts; a check's whole assertion only)
 * The first segment of a top-level path names a section (its data), `host` or `meta`.
 */
export type Path = string | string[]

export const COMPARE_OPS = ['equals', 'notEquals', 'in', 'notIn', 'matches', 'notMatches', 'exists', 'lt', 'le', 'gt', 'ge', 'versionLt', 'versionLe', 'versionGt', 'versionGe', 'maxAgeDays', 'minDaysAhead'] as const
export type CompareOp = (typeof COMPARE_OPS)[number]
export const COUNT_OPS = ['equals', 'lt', 'le', 'gt', 'ge'] as const

export type Assertion =
  | ({path: Path} & Partial<Record<CompareOp, unknown>>)
  | {all: Assertion[]}
  | {any: Assertion[]}
  | {not: Assertion}
  | {path: Path; each: Assertion}
  | {path: Path; some: Assertion}
  | {path: Path; none: Assertion}
  | {path: Path; count: {where?: Assertion} & Partial<Record<(typeof COUNT_OPS)[number], number>>}
  | ({ratio: {of: Path; to: Path}} & Partial<Record<(typeof COUNT_OPS)[number], number>>)
  | {eol: EolSpec}
  | SysctlAssertion
  | MountAssertion
  | ModuleAssertion
  | UnusedAccountsAssertion
  | UniqueUidsAssertion
  | SmartTrendAssertion

export type Verdict = 'pass' | 'fail' | 'unknown'

export interface Outcome {
  verdict: Verdict
  /** For fail and unknown: what was found, or why nothing could be (English, the machine form). */
  reason?: string
  /** The same reason as a template id and parameters, rendered in the reader's language by the reports. */
  why?: Why
}

const pass: Outcome = {verdict: 'pass'}

/** A path as dotted text, cached like its segments. */
const dottedCache = new Map<string, string>()
function dottedOf(path: Path): string {
  if (Array.isArray(path)) return path.join('.')
  let text = dottedCache.get(path)
  if (text === undefined) dottedCache.set(path, (text = segments(path).join('.')))
  return text
}

/** Split paths, cached: the same few paths are read on every host and every list item (callers must not mutate). */
const segmentCache = new Map<string, string[]>()
function segments(path: Path): string[] {
  if (Array.isArray(path)) return path
  let segs = segmentCache.get(path)
  if (!segs) segmentCache.set(path, (segs = path === '' || path === '.' ? [] : path.split('.')))
  return segs
}

const showText = (v: unknown): string => {
  const text = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v)
  return text.length > 120 ? `${text.slice(0, 117)}…` : text
}
/** The pack's lists (`in: [...]`) are shown in every failure reason: their text is made once. */
const shownObjects = new WeakMap<object, string>()
const show = (v: unknown): string => {
  if (v === null || typeof v !== 'object') return showText(v)
  let text = shownObjects.get(v)
  if (text === undefined) shownObjects.set(v, (text = showText(v)))
  return text
}

/** Where a path leads in a snapshot (top level) or in an item (inside a quantifier). */
type Resolved = {ok: true; value: unknown} | {ok: false; reason: string; why?: Why}

function walk(start: unknown, segs: string[], label: string): Resolved {
  let v = start
  for (const s of segs) {
    if (v === null || typeof v !== 'object') return {ok: true, value: undefined}
    v = (v as Record<string, unknown>)[s]
  }
  void label
  return {ok: true, value: v}
}

export function resolveTop(snapshot: Snapshot, path: Path): Resolved {
  const [root, ...rest] = segments(path)
  if (root === undefined) return {ok: false, reason: 'empty path', why: why('path.empty')}
  if (root === 'host') return walk(snapshot.host, rest, 'host')
  if (root === 'meta') return walk(snapshot.meta, rest, 'meta')
  const section = (snapshot.sections as unknown as Record<string, Section<unknown> | undefined>)[root]
  if (!section) return {ok: false, reason: `no section '${root}' in the snapshot`, why: why('section.absent', {section: root})}
  if (!isRead(section.status)) return {ok: false, reason: sectionReason(root, section), why: sectionWhy(root, section)}
  return walk(section.data, rest, root)
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)
const toNumber = (v: unknown): number | undefined => (isNumber(v) ? v : typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : undefined)

/** Version ordering: rpm's for an item an rpm database reported, dpkg's otherwise. */
export type VersionScheme = 'dpkg' | 'rpm'


/**
 * Labels and failure reasons of list items are made for every package of every host, and almost all are thrown
 * away (a `none` reads only the items that match): they are made when first read. `${label}` reads a Label.
 */
class Label {
  private text: string | undefined
  /** parent.dotted, or with an index ≥ 0 the list item parent[name of value]. */
  constructor(
    private readonly parent: Text,
    private readonly dotted: string,
    private readonly value?: unknown,
    private readonly index = -1,
  ) {}
  toString(): string {
    this.text ??= this.index >= 0 ? `${this.parent}[${describeItem(this.value, this.index)}]` : `${this.parent}.${this.dotted}`
    return this.text
  }
  /** The path with list items as `[]`: what a field label is looked up by. */
  field(): string {
    return this.index >= 0 ? `${fieldOf(this.parent)}[]` : `${fieldOf(this.parent)}.${this.dotted}`
  }
  /** The names of the list items on the way, outermost first. */
  items(): string[] {
    return [...itemsOf(this.parent), ...(this.index >= 0 ? [describeItem(this.value, this.index)] : [])]
  }
}
type Text = string | Label
const fieldOf = (t: Text): string => (typeof t === 'string' ? t : t.field())
const itemsOf = (t: Text): string[] => (typeof t === 'string' ? [] : t.items())

/** The parameters naming a field in a why: its path (items as `[]`) and the items' names. */
function fieldParams(where: Text, key = 'field'): Record<string, string> {
  const items = itemsOf(where)
  return {[key]: fieldOf(where), ...(items.length > 0 ? {item: items.join(' › ')} : {})}
}

class Failure implements Outcome {
  readonly verdict = 'fail' as const
  private text: string | undefined
  private made: Why | undefined
  /** `what` is the English tail of the reason; the why is template `t` with the field, the value found and `p`. */
  constructor(
    private readonly where: Text,
    private readonly actual: unknown,
    private readonly what: string,
    private readonly t: string,
    private readonly p: Record<string, string | number> = {},
  ) {}
  get reason(): string {
    this.text ??= `${this.where} is ${show(this.actual)}, ${this.what}`
    return this.text
  }
  get why(): Why {
    this.made ??= why(this.t, {...fieldParams(this.where), actual: show(this.actual), ...this.p})
    return this.made
  }
}

/** An unknown or failed outcome: the English reason and its why (also for the forms of other files). */
export const unknownBecause = (reason: string, w: Why | undefined): Outcome => ({verdict: 'unknown', reason, ...(w ? {why: w} : {})})
export const failBecause = (reason: string, w: Why | undefined): Outcome => ({verdict: 'fail', reason, ...(w ? {why: w} : {})})
const unknownOf = (reason: string, t: string, p?: Record<string, string | number | undefined>): Outcome => unknownBecause(reason, why(t, p))
const notReported = (where: Text): Outcome => unknownOf(`${where} is not reported`, 'value.notReported', fieldParams(where))

const BOUND_SIGNS = {lt: '<', le: '≤', gt: '>', ge: '≥', equals: '='} as const

/** The reason template of a failed comparison, by operator (`exists` fails as absent, or present when `exists: false`). */
export const FAILURE_TEMPLATES: Record<CompareOp, string> = {
  equals: 'value.equals',
  notEquals: 'value.notEquals',
  in: 'value.in',
  notIn: 'value.notIn',
  matches: 'value.matches',
  notMatches: 'value.notMatches',
  exists: 'value.absent',
  lt: 'value.bound',
  le: 'value.bound',
  gt: 'value.bound',
  ge: 'value.bound',
  versionLt: 'value.version',
  versionLe: 'value.version',
  versionGt: 'value.version',
  versionGe: 'value.version',
  maxAgeDays: 'value.age',
  minDaysAhead: 'value.ahead',
}
function compare(op: CompareOp, actual: unknown, expected: unknown, where: Text, regexes: RegexCache, scheme: VersionScheme = 'dpkg', now = Number.NaN): Outcome {
  if (op === 'exists') {
    if ((actual !== undefined) === Boolean(expected)) return pass
    return actual === undefined
      ? {verdict: 'fail', reason: `${where} is absent`, why: why(FAILURE_TEMPLATES.exists, fieldParams(where))}
      : {verdict: 'fail', reason: `${where} is ${show(actual)}`, why: why('value.present', {...fieldParams(where), actual: show(actual)})}
  }
  if (actual === undefined) return notReported(where)
  switch (op) {
    case 'equals':
      return equal(actual, expected) ? pass : new Failure(where, actual, `expected ${show(expected)}`, FAILURE_TEMPLATES.equals, {expected: show(expected)})
    case 'notEquals':
      return !equal(actual, expected) ? pass : new Failure(where, actual, `expected anything but ${show(expected)}`, FAILURE_TEMPLATES.notEquals, {expected: show(expected)})
    case 'in':
      return inList(actual, expected as unknown[]) ? pass : new Failure(where, actual, `expected one of ${show(expected)}`, FAILURE_TEMPLATES.in, {expected: show(expected)})
    case 'notIn':
      return !inList(actual, expected as unknown[]) ? pass : new Failure(where, actual, `expected none of ${show(expected)}`, FAILURE_TEMPLATES.notIn, {expected: show(expected)})
    case 'matches':
    case 'notMatches': {
      const re = regexes.get(String(expected))
      const hit = re.test(typeof actual === 'string' ? actual : JSON.stringify(actual))
      return hit === (op === 'matches') ? pass : new Failure(where, actual, `${op === 'matches' ? 'expected to match' : 'expected not to match'} /${String(expected)}/`, FAILURE_TEMPLATES[op], {pattern: `/${String(expected)}/`})
    }
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge': {
      const a = toNumber(actual)
      if (a === undefined) return unknownOf(`${where} is ${show(actual)}, not a number`, 'value.notNumber', {...fieldParams(where), actual: show(actual)})
      const e = Number(expected)
      const ok = op === 'lt' ? a < e : op === 'le' ? a <= e : op === 'gt' ? a > e : a >= e
      return ok ? pass : new Failure(where, actual, `expected ${BOUND_SIGNS[op]} ${e}`, FAILURE_TEMPLATES[op], {sign: BOUND_SIGNS[op], limit: e})
    }
    case 'maxAgeDays':
    case 'minDaysAhead': {
      // a date (YYYY-MM-DD or ISO 8601) no older than N days, or at least N days ahead, when the snapshot was taken
      const t = typeof actual === 'string' ? Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(actual) ? `${actual}T00:00:00Z` : actual) : Number.NaN
      if (Number.isNaN(t)) return unknownOf(`${where} is ${show(actual)}, not a date`, 'value.notDate', {...fieldParams(where), actual: show(actual)})
      if (Number.isNaN(now)) return unknownOf('meta.collectedAt is not a date', 'snapshot.noDate')
      if (op === 'minDaysAhead') {
        const ahead = Math.floor((t - now) / DAY_MS)
        return t - now >= Number(expected) * DAY_MS ? pass : new Failure(where, actual, `${ahead} days after the snapshot, expected at least ${Number(expected)}`, FAILURE_TEMPLATES.minDaysAhead, {days: ahead, limit: Number(expected)})
      }
      const age = Math.floor((now - t) / DAY_MS)
      return age <= Number(expected) ? pass : new Failure(where, actual, `${age} days before the snapshot, expected at most ${Number(expected)}`, FAILURE_TEMPLATES.maxAgeDays, {days: age, limit: Number(expected)})
    }
    default: {
      // version comparisons, by the package manager's own ordering
      if (typeof actual !== 'string') return unknownOf(`${where} is ${show(actual)}, not a version`, 'value.notVersion', {...fieldParams(where), actual: show(actual)})
      const c = scheme === 'rpm' ? compareRpmVersions(actual, String(expected)) : compareDpkgVersions(actual, String(expected))
      const ok = op === 'versionLt' ? c < 0 : op === 'versionLe' ? c <= 0 : op === 'versionGt' ? c > 0 : c >= 0
      const sign = op === 'versionLt' ? '<' : op === 'versionLe' ? '≤' : op === 'versionGt' ? '>' : '≥'
      return ok ? pass : new Failure(where, actual, `expected version ${op.slice(7).toLowerCase()} ${String(expected)}`, FAILURE_TEMPLATES[op], {sign, expected: String(expected)})
    }
  }
}

/** A pack's list of scalars as a set of their texts (made once per list): `in` runs on every item of every host. */
const scalarSets = new WeakMap<object, Set<string> | null>()
const isScalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
function inList(actual: unknown, list: unknown[]): boolean {
  let set = scalarSets.get(list)
  if (set === undefined) scalarSets.set(list, (set = list.every(isScalar) ? new Set(list.map(String)) : null))
  if (set && isScalar(actual)) return set.has(String(actual))
  return list.some((e) => equal(actual, e))
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true
  // YAML writes `yes`/`22` where a snapshot holds strings or numbers: compare scalars by their text
  if ((typeof a === 'number' || typeof a === 'string' || typeof a === 'boolean') && (typeof b === 'number' || typeof b === 'string' || typeof b === 'boolean')) return String(a) === String(b)
  return JSON.stringify(a) === JSON.stringify(b)
}

/** Compiled regular expressions, shared across hosts (patterns are validated when a pack loads). */
export class RegexCache {
  private readonly map = new Map<string, RegExp>()
  get(pattern: string): RegExp {
    let re = this.map.get(pattern)
    if (!re) {
      re = new RegExp(pattern, 'u')
      this.map.set(pattern, re)
    }
    return re
  }
}

/**
 * Why a section's data cannot be read: its status, with the probe's reason (English data from the collector); a
 * section left out by --sections or --skip by its reason alone (`updates: not collected: skipped (--skip updates)`).
 */
export function sectionReason(id: string, section: {status: string; reason?: string}): string {
  if (section.status === 'skipped' && section.reason) return `${id}: ${section.reason}`
  return `${id}: ${section.status}${section.reason ? ` (${section.reason})` : ''}`
}
export function sectionWhy(id: string, section: {status: string; reason?: string}): Why {
  return why(section.reason ? `section.${section.status}.because` : `section.${section.status}`, {section: id, detail: section.reason})
}

/** Kleene's three-valued AND / OR, keeping the first reason that decided it. */
function allOf(outcomes: Outcome[]): Outcome {
  return outcomes.find((o) => o.verdict === 'fail') ?? outcomes.find((o) => o.verdict === 'unknown') ?? pass
}
function anyOf(outcomes: Outcome[]): Outcome {
  if (outcomes.some((o) => o.verdict === 'pass')) return pass
  const unknown = outcomes.find((o) => o.verdict === 'unknown')
  if (unknown) return unknown
  const failed = outcomes.filter((o) => o.reason)
  if (failed.length === 0) return {verdict: 'fail', reason: 'no alternative holds', why: why('any.none')}
  return {verdict: 'fail', reason: failed.map((o) => o.reason).join('; '), why: whyOfAll(failed)}
}

/**
 * A name filter in a quantifier's inner assertion: `{path: F, in: [strings]}` or `{path: F, equals: string}`,
 * alone or as one conjunct of an `all`. An item whose F is a string outside the set fails that conjunct, so
 * it fails the whole inner assertion (a failure decides an `all`, whatever the rest): only the others can pass
 * or be unknown.
 */
const filters = new WeakMap<object, {field: string; values: readonly string[]} | null>()
function filterOf(inner: Assertion): {field: string; values: readonly string[]} | null {
  let f = filters.get(inner)
  if (f !== undefined) return f
  f = null
  for (const x of 'all' in inner ? inner.all : [inner]) {
    const ops = leafOf(x)
    const path = (x as {path?: Path}).path
    if (!ops || ops.length !== 1 || typeof path !== 'string' || path.includes('.') || path === '.') continue
    const expected = ops[0] === 'in' ? (x as {in: unknown[]}).in : ops[0] === 'equals' ? [(x as {equals: unknown}).equals] : undefined
    if (expected && expected.every((e) => typeof e === 'string')) {
      f = {field: path, values: expected as string[]}
      break
    }
  }
  filters.set(inner, f)
  return f
}

/** Per list and field: item indices by the field's string value, and the items where it is not a string. */
const indexes = new WeakMap<readonly unknown[], Map<string, {by: Map<string, number[]>; other: number[]}>>()
function indexOf(list: readonly unknown[], field: string): {by: Map<string, number[]>; other: number[]} {
  let perField = indexes.get(list)
  if (!perField) indexes.set(list, (perField = new Map()))
  let index = perField.get(field)
  if (!index) {
    index = {by: new Map(), other: []}
    list.forEach((item, i) => {
      const v = item !== null && typeof item === 'object' ? (item as Record<string, unknown>)[field] : undefined
      if (typeof v === 'string') {
        const at = index!.by.get(v)
        if (at) at.push(i)
        else index!.by.set(v, [i])
      } else index!.other.push(i)
    })
    perField.set(field, index)
  }
  return index
}

/** Evaluation shortcuts that must not change any outcome; a test turns them off to compare. */
export const evaluationShortcuts = {prefilter: true}

/** The indices of the items that can pass `inner` (in list order), or undefined when it has no name filter. */
function candidateItems(list: readonly unknown[], inner: Assertion): number[] | undefined {
  if (!evaluationShortcuts.prefilter) return undefined
  const f = filterOf(inner)
  if (!f || list.length < 16) return undefined
  const index = indexOf(list, f.field)
  const out = [...index.other]
  for (const v of new Set(f.values)) out.push(...(index.by.get(v) ?? []))
  return out.sort((x, y) => x - y)
}

/** The comparison operators of an assertion, found once per assertion (it is evaluated on every host and item). */
const opsOf = new WeakMap<object, CompareOp[]>()

/** Evaluates an assertion against a snapshot (top level) or, inside quantifiers, against one item. */
export function evaluate(a: Assertion, snapshot: Snapshot, regexes = new RegexCache(), item?: {value: unknown; label: Text}): Outcome {
  // a plain comparison (most evaluations: one per list item) skips the form tests; `in` on these objects is costly
  const leaf = leafOf(a)
  if (leaf) return evaluateLeaf(a, leaf, snapshot, regexes, item)
  if ('all' in a) {
    // the first failure decides (as in allOf): the rest need not be evaluated
    let unknown: Outcome | undefined
    for (const x of a.all) {
      const o = evaluate(x, snapshot, regexes, item)
      if (o.verdict === 'fail') return o
      if (o.verdict === 'unknown') unknown ??= o
    }
    return unknown ?? pass
  }
  if ('any' in a) return anyOf(a.any.map((x) => evaluate(x, snapshot, regexes, item)))
  if ('not' in a && !('path' in a)) {
    const o = evaluate(a.not, snapshot, regexes, item)
    return o.verdict === 'unknown' ? o : o.verdict === 'pass' ? {verdict: 'fail', reason: 'the negated condition holds', why: why('not.holds')} : pass
  }
  if ('eol' in a) return evaluateEol(a.eol, snapshot)
  if ('sysctl' in a) return evaluateSysctl(a, snapshot)
  if ('mount' in a) return evaluateMount(a, snapshot)
  if ('module' in a) return evaluateModule(a, snapshot)
  if ('unusedAccounts' in a) return evaluateUnusedAccounts(a, snapshot)
  if ('uniqueUids' in a) return evaluateUniqueUids(a, snapshot)
  // judged by runChecks with the earlier runs' readings; the pack loader refuses it anywhere else
  if ('smartTrend' in a) return unknownOf('smartTrend is judged only as a whole check', 'smartTrend.notAlone')
  if ('ratio' in a) {
    const {ratio, ...ops} = a
    const get = (path: Path) => (item ? walk(item.value, segments(path), '') : resolveTop(snapshot, path))
    const [num, den] = [get(ratio.of), get(ratio.to)]
    if (!num.ok) return {verdict: 'unknown', reason: num.reason, ...(num.why ? {why: num.why} : {})}
    if (!den.ok) return {verdict: 'unknown', reason: den.reason, ...(den.why ? {why: den.why} : {})}
    const [x, y] = [toNumber(num.value), toNumber(den.value)]
    const label = `${item ? `${item.label}.` : ''}${segments(ratio.of).join('.')}/${segments(ratio.to).join('.')}`
    const ratioParams = {fieldOf: `${item ? `${fieldOf(item.label)}.` : ''}${segments(ratio.of).join('.')}`, fieldTo: `${item ? `${fieldOf(item.label)}.` : ''}${segments(ratio.to).join('.')}`, ...(item ? {item: itemsOf(item.label).join(' › ')} : {})}
    if (x === undefined || y === undefined) return unknownOf(`${label} is not reported`, 'ratio.notReported', ratioParams)
    if (y === 0) return unknownOf(`${label}: division by zero`, 'ratio.zero', ratioParams)
    const value = Math.round((x / y) * 1000) / 1000
    return allOf(
      Object.entries(ops).map(([op, limit]) => {
        const o = compare(op as CompareOp, value, limit, label, regexes)
        if (o.verdict !== 'fail') return o
        const sign = BOUND_SIGNS[op as keyof typeof BOUND_SIGNS] ?? op
        return {verdict: 'fail', reason: o.reason, why: why('ratio.bound', {...ratioParams, actual: value, sign, limit: Number(limit)})}
      }),
    )
  }
  const {label, resolved} = atPath(a, snapshot, item)
  if (!resolved.ok) return unresolved(resolved)
  const value = resolved.value
  if ('each' in a || 'some' in a || 'none' in a || 'count' in a) {
    if (value === undefined) return notReported(label)
    if (!Array.isArray(value)) return unknownOf(`${label} is not a list`, 'value.notList', fieldParams(label))
    const at = (inner: Assertion, i: number) => evaluate(inner, snapshot, regexes, {value: value[i], label: new Label(label, '', value[i], i)})
    if ('each' in a) return allOf(value.map((_, i) => at(a.each, i)))
    // some / none / count only care which items pass: with a name filter, the items it rules out fail
    // without being evaluated
    const inner = 'some' in a ? a.some : 'none' in a ? a.none : a.count.where
    const indices = (inner && candidateItems(value, inner)) || value.map((_, i) => i)
    const outcomes = indices.map((i) => (inner ? at(inner, i) : pass))
    if ('some' in a) {
      const o = anyOf(outcomes)
      return o.verdict === 'fail' ? {verdict: 'fail', reason: `no item of ${label} qualifies`, why: why('list.noItem', fieldParams(label))} : o
    }
    const unknown = outcomes.find((o) => o.verdict === 'unknown')
    const passing = indices.filter((_, k) => outcomes[k]!.verdict === 'pass')
    if ('none' in a) {
      const hits = passing.map((i) => describeItem(value[i], i))
      if (hits.length > 0) {
        const shown = hits.slice(0, 10).join(', ')
        const more = hits.length - 10
        return {verdict: 'fail', reason: `${label}: ${shown}${more > 0 ? ` and ${more} more` : ''}`, why: why(more > 0 ? 'list.hitsMore' : 'list.hits', {...fieldParams(label), items: shown, ...(more > 0 ? {more} : {})})}
      }
      return unknown ?? pass
    }
    if (unknown) return unknown
    const {where, ...ops} = a.count
    return allOf(
      Object.entries(ops).map(([op, limit]) => {
        const o = compare(op as CompareOp, passing.length, limit, `count of ${label}${where ? ' (matching)' : ''}`, regexes)
        if (o.verdict !== 'fail') return o
        const sign = BOUND_SIGNS[op as keyof typeof BOUND_SIGNS] ?? op
        return {verdict: 'fail', reason: o.reason, why: why(where ? 'count.matching' : 'count.all', {...fieldParams(label), actual: passing.length, sign, limit: Number(limit)})}
      }),
    )
  }
  return evaluateLeaf(a, leafOf(a) ?? [], snapshot, regexes, item)
}

/** The value an assertion's `path` names, in the snapshot or (inside a quantifier) in the item, with its label. */
function atPath(a: Assertion, snapshot: Snapshot, item?: {value: unknown; label: Text}) {
  const p = (a as {path: Path}).path
  const dotted = dottedOf(p)
  const label: Text = item ? (dotted ? new Label(item.label, dotted) : item.label) : dotted
  return {label, resolved: item ? walk(item.value, segments(p), '') : resolveTop(snapshot, p)}
}

/** The unknown outcome of a path that leads nowhere. */
const unresolved = (r: {reason: string; why?: Why}): Outcome => ({verdict: 'unknown', reason: r.reason, ...(r.why ? {why: r.why} : {})})

/** Several reasons in one why (the failed alternatives of an `any`). */
function whyOfAll(outcomes: readonly Outcome[]): Why | undefined {
  const whys = outcomes.map((o) => o.why)
  if (whys.some((w) => w === undefined)) return undefined
  const flat = (whys as Why[]).flatMap((w) => (w.of ? w.of : [{t: w.t, ...(w.p ? {p: w.p} : {})}]))
  return flat.length === 1 ? flat[0] : {t: 'all', of: flat}
}

/** A plain comparison's operators (found once per assertion), or undefined for the other forms. */
function leafOf(a: Assertion): CompareOp[] | undefined {
  let ops = opsOf.get(a)
  if (ops === undefined) {
    const plain = !('sysctl' in a || 'mount' in a || 'module' in a || 'unusedAccounts' in a || 'uniqueUids' in a || 'smartTrend' in a || 'all' in a || 'any' in a || ('not' in a && !('path' in a)) || 'ratio' in a || 'each' in a || 'some' in a || 'none' in a || 'count' in a)
    opsOf.set(a, (ops = plain ? COMPARE_OPS.filter((op) => op in a) : []))
  }
  return ops.length > 0 ? ops : undefined
}

function evaluateLeaf(a: Assertion, ops: readonly CompareOp[], snapshot: Snapshot, regexes: RegexCache, item?: {value: unknown; label: Text}): Outcome {
  const {label, resolved} = atPath(a, snapshot, item)
  if (!resolved.ok) return unresolved(resolved)
  const value = resolved.value
  const manager = item && item.value !== null && typeof item.value === 'object' && ops.some((op) => op.startsWith('version')) ? (item.value as {manager?: unknown}).manager : undefined
  const scheme: VersionScheme = manager === 'rpm' ? 'rpm' : 'dpkg'
  const now = ops.includes('maxAgeDays') || ops.includes('minDaysAhead') ? Date.parse(snapshot.meta?.collectedAt ?? '') : Number.NaN
  if (ops.length === 1) return compare(ops[0]!, value, (a as Record<string, unknown>)[ops[0]!], label, regexes, scheme, now)
  return allOf(ops.map((op) => compare(op, value, (a as Record<string, unknown>)[op], label, regexes, scheme, now)))
}

/** A short name for a list item in a reason: its `name`, `target`, `id`, `port`, `address` or `path`, else its index. */
function describeItem(v: unknown, i: number): string {
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>
    for (const k of ['name', 'target', 'id', 'port', 'address', 'path']) if (typeof o[k] === 'string' || typeof o[k] === 'number') return String(o[k])
  }
  if (typeof v === 'string' || typeof v === 'number') return String(v)
  return String(i)
}
