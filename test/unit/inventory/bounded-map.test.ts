import {describe, expect, it} from 'vitest'

import {BoundedMap} from '../../../inventory/kit/bounded-map.js'

describe('BoundedMap', () => {
  it('holds at most its bound, letting the oldest set go first; setting a key it holds again makes no room', () => {
    const m = new BoundedMap<string, number>(2)
    m.set('a', 1).set('b', 2)
    m.set('a', 10)
    expect([...m]).toEqual([['a', 10], ['b', 2]])
    m.set('c', 3)
    expect([...m]).toEqual([['b', 2], ['c', 3]])
    expect(m.size).toBe(2)
  })
})
