/** V8 makes a substring of 13 characters or more a slice that keeps the whole string it was cut from alive. */
const SLICE_MIN = 13

/**
 * One copy of each string (and of each small record) a run keeps of its hosts until its report is written. A fleet's
 * hosts repeat the same strings (package names and versions, `ii`, `amd64`, reasons of the same failure) and the same
 * packages, kept once here; and each copy is a string of its own: a string cut out of a host's collected output keeps
 * the whole output in memory, ~150 KB a host.
 */
export class StringPool {
  private readonly strings = new Map<string, string>()
  private readonly records = new Map<string, object>()

  /** The pool's copy of `s`. */
  string(s: string): string {
    let kept = this.strings.get(s)
    if (kept === undefined) {
      // ' ' + s is a new string made flat when sliced again: its slice keeps only it (one character more), never s's parent
      kept = s.length >= SLICE_MIN ? (' ' + s).slice(1) : s
      this.strings.set(kept, kept)
    }
    return kept
  }

  /**
   * One frozen record for every equal one (same `kind`, same `fields`, in order): `make`, given the fields' pool
   * copies, builds the first; the hosts with the same package at the same version share it.
   */
  record<T extends object>(kind: string, fields: readonly (string | undefined)[], make: (fields: readonly (string | undefined)[]) => T): Readonly<T> {
    const key = `${kind}\u0000${fields.map((f) => (f === undefined ? '\u0001' : `\u0002${f}`)).join('\u0000')}`
    let kept = this.records.get(key) as T | undefined
    if (kept === undefined) {
      kept = Object.freeze(make(fields.map((f) => (f === undefined ? f : this.string(f)))))
      this.records.set(key, kept)
    }
    return kept
  }

  /**
   * A deep copy of JSON-like data (plain objects, arrays, strings, numbers, booleans, null; keys in their order,
   * undefined fields kept), every string the pool's copy. Anything else (a Date, a Map) is kept as it is.
   */
  copy<T>(value: T): T {
    if (typeof value === 'string') return this.string(value) as T
    if (value === null || typeof value !== 'object') return value
    if (Array.isArray(value)) return value.map((v) => this.copy(v)) as T
    const proto = Object.getPrototypeOf(value) as unknown
    if (proto !== Object.prototype && proto !== null) return value
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(value)) {
      const v = this.copy((value as Record<string, unknown>)[k])
      // a host's data may name a key __proto__: an own field like any other, never the copy's prototype
      if (k === '__proto__') Object.defineProperty(out, k, {value: v, enumerable: true, writable: true, configurable: true})
      else out[k] = v
    }
    return out as T
  }
}
