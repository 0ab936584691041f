/**
 * RPM package versions (EVR strings `[epoch:]version[-release]`), ordered exactly as rpm orders them.
 *
 * Segments are compared with rpmvercmp() (rpm's lib/rpmvercmp.c): the string is cut into maximal runs of
 * ASCII digits or ASCII letters; everything else (`.`, `_`, `+`, non-ASCII bytes, …) only separates runs
 * and is otherwise ignored, so `1.0` = `1_0` = `1.0.`. Digit runs compare numerically (as digit strings, so
 * beyond 2^53 too, leading zeros dropped); letter runs compare bytewise; a digit run is newer than a
 * letter run. `~` sorts before everything, even the end of the string (`1.0~rc1` < `1.0`); `^` sorts
 * after the end but before any other segment (`1.0` < `1.0^git1` < `1.0.1`). When all runs are equal,
 * the string with runs left over is newer.
 *
 * EVR comparison is rpmverCmp() (lib/rpmver.c, rpm ≥ 4.17; it is what `rpm.vercmp()` and `rpm.ver()` in
 * rpm's Lua, and the Python binding's labelCompare, use): epoch (missing = "0"), then version, then
 * release, each with rpmvercmp(); a missing release is OLDER than any present release, even an empty
 * one (`1.0` < `1.0-` < `1.0-0`). This is a total order, safe for sorting. Headers of installed packages
 * always carry a release, so for them (rpmVersionCompare()) the question never arises.
 *
 * "A release is compared only when both sides have one" is instead the rule of dependency matching
 * (rpmdsCompare() → rpmverOverlap()): `Requires: foo = 1.0` is satisfied by foo-1.0-7. That is not an
 * order (1.0-1 ~ 1.0 ~ 1.0-2 but 1.0-1 < 1.0-2), so it is only available as an option,
 * `{releaseOnlyIfBoth: true}`, for matching a requirement against a package, never for sorting.
 */

export interface RpmEvr {
  /** The epoch as written ("0" for `:1.0`), or null when the string has none (compared as "0"). */
  epoch: string | null
  version: string
  /** Everything after the last `-` (may be ""), or null when there is no `-`. */
  release: string | null
}

/**
 * Splits an EVR the way rpm's parseEVR() does: the epoch is a (possibly empty) run of digits at the very
 * start followed by `:` — anything else before a `:` (`abc:1`) belongs to the version; the release is
 * what follows the last `-` after the epoch.
 */
export function parseRpmEvr(evr: string): RpmEvr {
  let s = 0
  while (s < evr.length && isDigit(evr.charCodeAt(s))) s++
  const dash = evr.lastIndexOf('-')
  const se = dash >= s ? dash : -1
  let epoch: string | null = null
  let vStart = 0
  if (evr.charCodeAt(s) === 58 /* ':' */) {
    epoch = s === 0 ? '0' : evr.slice(0, s)
    vStart = s + 1
  }
  return se >= 0 ? {epoch, version: evr.slice(vStart, se), release: evr.slice(se + 1)} : {epoch, version: evr.slice(vStart), release: null}
}

const isDigit = (c: number) => c >= 48 && c <= 57
const isAlpha = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
const isAlnum = (c: number) => isDigit(c) || isAlpha(c)
const TILDE = 126
const CARET = 94

/** rpm's rpmvercmp(): -1, 0 or 1. */
export function rpmvercmp(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0
  let i = 0
  let j = 0
  const at = (s: string, k: number) => (k < s.length ? s.charCodeAt(k) : 0)
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(at(a, i)) && at(a, i) !== TILDE && at(a, i) !== CARET) i++
    while (j < b.length && !isAlnum(at(b, j)) && at(b, j) !== TILDE && at(b, j) !== CARET) j++
    const x = at(a, i)
    const y = at(b, j)
    // tilde: before everything, even the end
    if (x === TILDE || y === TILDE) {
      if (x !== TILDE) return 1
      if (y !== TILDE) return -1
      i++
      j++
      continue
    }
    // caret: like tilde, except that the end of the string sorts before it
    if (x === CARET || y === CARET) {
      if (x === 0) return -1
      if (y === 0) return 1
      if (x !== CARET) return 1
      if (y !== CARET) return -1
      i++
      j++
      continue
    }
    if (x === 0 || y === 0) break
    const isnum = isDigit(x)
    const inRun = isnum ? isDigit : isAlpha
    let ei = i
    while (ei < a.length && inRun(a.charCodeAt(ei))) ei++
    let ej = j
    while (ej < b.length && inRun(b.charCodeAt(ej))) ej++
    // segments of different types: the numeric one is newer
    if (ej === j) return isnum ? 1 : -1
    let one = a.slice(i, ei)
    let two = b.slice(j, ej)
    if (isnum) {
      one = one.replace(/^0+/, '')
      two = two.replace(/^0+/, '')
      if (one.length !== two.length) return one.length > two.length ? 1 : -1
    }
    if (one !== two) return one < two ? -1 : 1
    i = ei
    j = ej
  }
  const restA = i < a.length
  const restB = j < b.length
  if (!restA && !restB) return 0
  return restA ? 1 : -1
}

/** rpm's compare_values(): a present value is newer than a missing one. */
function compareValues(a: string | null, b: string | null): -1 | 0 | 1 {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1
  return rpmvercmp(a, b)
}

export interface CompareRpmOptions {
  /**
   * Dependency-matching semantics of rpmverOverlap(): compare releases only when both are present and
   * non-empty, otherwise treat them as equal. NOT an order (not transitive) — never sort with it.
   */
  releaseOnlyIfBoth?: boolean
}

/**
 * Orders two EVRs like rpm's rpmverCmp() (= Lua `rpm.vercmp(a, b)`): -1, 0 or 1. See the module comment
 * for the release rule; with `releaseOnlyIfBoth` it gives rpmverOverlap()'s "sense" instead.
 */
export function compareRpmVersions(a: string | RpmEvr, b: string | RpmEvr, options: CompareRpmOptions = {}): -1 | 0 | 1 {
  const x = typeof a === 'string' ? parseRpmEvr(a) : a
  const y = typeof b === 'string' ? parseRpmEvr(b) : b
  const e = compareValues(x.epoch ?? '0', y.epoch ?? '0')
  if (e !== 0) return e
  const v = compareValues(x.version, y.version)
  if (v !== 0) return v
  if (options.releaseOnlyIfBoth) return x.release && y.release ? rpmvercmp(x.release, y.release) : 0
  return compareValues(x.release, y.release)
}
