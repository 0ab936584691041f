import {describe, expect, it} from 'vitest'

import {StringPool} from '../../../src/runs/string-pool.js'

describe('StringPool', () => {
  it('copies JSON-like data whole: same value, same key order, undefined fields and a __proto__ key kept', () => {
    const data = JSON.parse('{"b": 1, "a": [{"x": "a long string of host data", "__proto__": {"y": 2}}, null, true], "c": {"d": "ok"}}') as Record<string, unknown>
    ;(data as {u?: undefined}).u = undefined
    const copy = new StringPool().copy(data)
    expect(copy).toEqual(data)
    expect(copy).not.toBe(data)
    expect(Object.keys(copy)).toEqual(['b', 'a', 'c', 'u'])
    expect('u' in copy).toBe(true)
    const item = (copy.a as Record<string, unknown>[])[0]!
    expect(Object.getPrototypeOf(item)).toBe(Object.prototype)
    expect(Object.keys(item)).toEqual(['x', '__proto__'])
    expect(JSON.stringify(copy)).toBe(JSON.stringify(data))
  })

  it('keeps one record for equal fields, frozen, and another for other fields or another kind', () => {
    const pool = new StringPool()
    const make = ([name, version]: readonly (string | undefined)[]) => ({name: name!, version})
    const a = pool.record('package', ['openssl', '3.0.15-1'], make)
    expect(pool.record('package', ['open' + 'ssl', '3.0.15-1'], make)).toBe(a)
    expect(Object.isFrozen(a)).toBe(true)
    expect(pool.record('package', ['openssl', undefined], make)).not.toBe(a)
    expect(pool.record('package', ['openssl', ''], make)).not.toBe(pool.record('package', ['openssl', undefined], make))
    expect(pool.record('other', ['openssl', '3.0.15-1'], make)).not.toBe(a)
  })
})
