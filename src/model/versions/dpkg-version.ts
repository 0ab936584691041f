/**
 * Debian package versions, ordered exactly as dpkg orders them (deb-version(7), dpkg's lib/dpkg/version.c):
 * `[epoch:]upstream[-revision]`; epoch compared numerically, then upstream and revision with the
 * "verrevcmp" algorithm: alternating non-digit runs (compared character by character, `~` before
 * everything, even the end of the string; letters before non-letters) and digit runs (compared
 * numerically — as digit strings, so numbers beyond 2^53 compare right).
 */

export interface DpkgVersion {
  /** The epoch as a digit string without leading zeros ("0" when absent). */
  epoch: string
  upstream: string
  /** "" when the version has no revision (dpkg treats it like "0"). */
  revision: string
}

/**
 * Splits a version the way dpkg's parseversion() does: epoch before the first `:`, revision after the
 * last `-`. Lenient like dpkg's comparison (which never rejects): an epoch that isn't a number counts as 0.
 */
export function parseDpkgVersion(version: string): DpkgVersion {
  const v = version.trim()
  const colon = v.indexOf(':')
  let epoch = '0'
  let rest = v
  if (colon >= 0) {
    const e = v.slice(0, colon)
    epoch = /^\d+$/.test(e) ? e.replace(/^0+(?=\d)/, '') : '0'
    rest = v.slice(colon + 1)
  }
  const dash = rest.lastIndexOf('-')
  return dash >= 0 ? {epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1)} : {epoch, upstream: rest, revision: ''}
}

const isDigit = (c: number) => c >= 48 && c <= 57
const isAlpha = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122)

/** dpkg's order(): the weight of one character of a non-digit run; 0 = end of the run. */
function order(c: number | undefined): number {
  if (c === undefined || isDigit(c)) return 0
  if (isAlpha(c)) return c
  if (c === 126) return -1 // '~'
  return c + 256
}

/** Compares the digit runs a[i, di) and b[j, dj) as numbers, whatever their length (no copies: hot path). */
function compareDigitRuns(a: string, i: number, di: number, b: string, j: number, dj: number): number {
  while (i < di && a.charCodeAt(i) === 48) i++
  while (j < dj && b.charCodeAt(j) === 48) j++
  if (di - i !== dj - j) return di - i < dj - j ? -1 : 1
  for (; i < di; i++, j++) {
    const d = a.charCodeAt(i) - b.charCodeAt(j)
    if (d !== 0) return d < 0 ? -1 : 1
  }
  return 0
}

/** dpkg's verrevcmp(). */
function verrevcmp(a: string, b: string): number {
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    // non-digit run
    while ((i < a.length && !isDigit(a.charCodeAt(i))) || (j < b.length && !isDigit(b.charCodeAt(j)))) {
      const ac = order(i < a.length ? a.charCodeAt(i) : undefined)
      const bc = order(j < b.length ? b.charCodeAt(j) : undefined)
      if (ac !== bc) return ac - bc
      i++
      j++
    }
    // digit run
    let di = i
    while (di < a.length && isDigit(a.charCodeAt(di))) di++
    let dj = j
    while (dj < b.length && isDigit(b.charCodeAt(dj))) dj++
    const d = compareDigitRuns(a, i, di, b, j, dj)
    if (d !== 0) return d
    i = di
    j = dj
  }
  return 0
}

const sign = (n: number): -1 | 0 | 1 => (n < 0 ? -1 : n > 0 ? 1 : 0)

/** Orders two versions like `dpkg --compare-versions a lt|eq|gt b`: -1, 0 or 1. */
export function compareDpkgVersions(a: string | DpkgVersion, b: string | DpkgVersion): -1 | 0 | 1 {
  // the same text is the same version (most comparisons while choosing candidates ask exactly that)
  if (typeof a === 'string' && a === b) return 0
  const x = typeof a === 'string' ? parseDpkgVersion(a) : a
  const y = typeof b === 'string' ? parseDpkgVersion(b) : b
  return sign(compareDigitRuns(x.epoch, 0, x.epoch.length, y.epoch, 0, y.epoch.length) || verrevcmp(x.upstream, y.upstream) || verrevcmp(x.revision, y.revision))
}
